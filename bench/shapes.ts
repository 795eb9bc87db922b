// The benchmark's log shapes (issue 14): deterministic, streamed MallocSpyTest runs of a
// requested size, each stressing the analyser differently.
//
//   growing   a program building and trimming a large structure: every allocation gets a
//             fresh address, 2,500-5,000 blocks alive, random frees, short-lived pairs
//   reused    the same program on a heap that hands back a freed address for half the
//             allocations (per-size free lists, LIFO, as a real heap does)
//   soak      the original bench/generate.ts soak run (CopyProxy loops on reused
//             addresses, object creation with a ~3,000-block runtime cache, realloc
//             chains, deliberate leaks), byte for byte what generate() always wrote
//   utf16     the soak run as PowerShell's `>` saves it: UTF-16LE, BOM, CRLF
//   debugview the soak run in three processes (and a noisy fourth) as DebugView saves
//             them: `seq<TAB>time<TAB>[pid] message`, interleaved, CRLF
//   cache200k the soak run with a 200,000-block runtime cache filled at start and kept
//             alive until CoUninitialize
//
// Every run has its registration, program lines, runtime allocations, CoUninitialize, a
// failed revoke, the leak dump and exit-time frees. A plain log (and the UTF-16 one) is cut
// at a 4096-byte boundary inside the exit-time frees, like a redirected capture that lost
// its last CRT buffer; DebugView sees OutputDebugString, which nothing buffers, so it is
// whole.
//
// A program is a synchronous generator of lines (no line end); the writer pulls lines,
// adds the line end and encoding, and writes ~1 MB pieces with back-pressure: nothing is
// built whole in memory. Same (shape, bytes, seed) → same file, byte for byte (mulberry32,
// no Date, no Math.random).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from '../fixtures/synth.js';

export const SHAPES = ['growing', 'reused', 'soak', 'utf16', 'debugview', 'cache200k'] as const;
export type Shape = (typeof SHAPES)[number];

export interface ShapeInfo {
  /** One line for the matrix and the README. */
  title: string;
  /** mawk can read it (LF, one process): bench/live.awk; DebugView: bench/debugview.awk. */
  awk: 'live.awk' | 'debugview.awk' | null;
  /** Blocks alive throughout beyond the soak's bounded set (the 200k shape), else 0. */
  extraLive: number;
}

export const SHAPE_INFO: Record<Shape, ShapeInfo> = {
  growing: { title: 'growing heap, fresh addresses, 2,500-5,000 alive', awk: 'live.awk', extraLive: 0 },
  reused: { title: 'growing heap, half the addresses reused', awk: 'live.awk', extraLive: 0 },
  soak: { title: 'bench/generate.ts soak log', awk: 'live.awk', extraLive: 0 },
  utf16: { title: 'soak as UTF-16LE + BOM + CRLF (PowerShell)', awk: null, extraLive: 0 },
  debugview: { title: 'soak x3 pids + noise, DebugView columns, CRLF', awk: 'debugview.awk', extraLive: 0 },
  cache200k: { title: 'soak + 200,000 blocks alive throughout, freed at exit', awk: 'live.awk', extraLive: 200_000 },
};

export interface ShapeOptions {
  /** Approximate size of the file in bytes; the shutdown tail adds a little, the cut removes a little. */
  bytes: number;
  seed: number;
  /** Cut a plain or UTF-16 log at a 4096-byte boundary inside the exit-time frees (default true). */
  truncate?: boolean;
  /** cache200k only: when the 200,000 blocks die (default 'exit'; see SoakOptions). */
  cacheRelease?: CacheRelease;
}

export type CacheRelease = 'exit' | 'couninit' | 'program';

export interface ShapeResult {
  bytes: number;
  lines: number;
  /** Spy event lines (alloc, free, realloc) written. */
  events: number;
}

/** What a program asks of the writer while it runs. */
interface Budget {
  /** The file has reached its size: wind the run down. */
  full(): boolean;
  /** The exit-time output starts here (a plain log may be cut after this point). */
  exitStart(): void;
}

type Program = Generator<string, void, void>;

// ---------------------------------------------------------------------------------------
// One process: its heap and the spy's table of live blocks
// ---------------------------------------------------------------------------------------

const hex8 = (n: number): string => '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/**
 * A heap with per-size free lists: freed addresses come back, as on a real heap.
 * `reuse` is the chance that an allocation takes a freed address when one of its size
 * class is there (1: always, the soak's heap; 0: never, every address fresh).
 */
class Heap {
  private cursor: number;
  private readonly free = new Map<number, number[]>();
  constructor(
    private readonly rand: () => number,
    private readonly reuse: number,
    private readonly base = 0x00130000,
    private readonly isLive: (a: number) => boolean = () => false,
  ) {
    this.cursor = base;
  }
  take(size: number): number {
    const cls = (size + 15) & ~15;
    const list = this.free.get(cls);
    if (list && list.length > 0 && (this.reuse >= 1 || this.rand() < this.reuse)) return list.pop()!;
    let a: number;
    do {
      a = this.cursor;
      this.cursor += cls + 16;
      // A 32-bit address space: a very long fresh-address run wraps to the base, skipping
      // addresses still alive (only long after they were last used).
      if (this.cursor >= 0x7fff0000) this.cursor = this.base;
    } while (this.reuse < 1 && this.isLive(a));
    return a;
  }
  give(addr: number, size: number): void {
    if (this.reuse <= 0) return; // never handed back: no list to keep
    const cls = (size + 15) & ~15;
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(addr);
    // Bounded: the oldest freed addresses of a class are forgotten (never reused).
    if (list.length > 8192) list.splice(0, 4096);
  }
}

class Proc {
  /** Live blocks as the spy sees them: address → size (insertion order = dump order). */
  readonly live = new Map<number, number>();
  readonly heap: Heap;
  events = 0;
  /** The address of the last alloc or realloc. */
  addr = 0;

  constructor(
    readonly rand: () => number,
    reuse = 1,
  ) {
    this.heap = new Heap(rand, reuse, 0x00130000, (a) => this.live.has(a));
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  alloc(size: number): string {
    const a = this.heap.take(size);
    this.live.set(a, size);
    this.events++;
    this.addr = a;
    return `MALLOC SPY: ${hex8(a)} - ${size} bytes allocated`;
  }

  free(a: number): string {
    const size = this.live.get(a)!;
    this.live.delete(a);
    this.heap.give(a, size);
    this.events++;
    return `MALLOC SPY: ${hex8(a)} - freed, ${this.live.size} blocks remaining`;
  }

  realloc(a: number, size: number): string {
    const old = this.live.get(a)!;
    this.live.delete(a);
    const b = this.heap.take(size);
    this.heap.give(a, old);
    this.live.set(b, size);
    this.events++;
    this.addr = b;
    return `MALLOC SPY: ${hex8(a)} - reallocated to ${hex8(b)}, ${size} bytes`;
  }

  dumpEntry(a: number, size: number): string {
    let hexs = '';
    let ascii = '';
    for (let j = 0; j < 16; j++) {
      if (j < size) {
        const b = this.rand() < 0.5 ? this.int(0x41, 0x5a) : this.int(0, 255);
        hexs += b.toString(16).toUpperCase().padStart(2, '0') + ' ';
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else hexs += '   ';
    }
    return `${hex8(a)} - ${size} bytes: ${hexs}${ascii}`;
  }

  /** CoUninitialize, the revoke, the dump and the exit-time frees of `exitFrees`. */
  *shutdown(exitFrees: number[], budget: Budget): Program {
    yield 'Called CoUninitialize()';
    yield `CoRevokeMallocSpy() returns ${this.live.size > 0 ? '0x80070005' : '0x00000000'}`;
    if (this.live.size > 0) {
      yield 'MALLOC SPY: detected memory leaks!';
      for (const [a, size] of this.live) yield this.dumpEntry(a, size);
    }
    budget.exitStart();
    for (const a of exitFrees) yield this.free(a);
  }
}

// ---------------------------------------------------------------------------------------
// The soak run (the original generator; also the base of utf16, debugview and cache200k)
// ---------------------------------------------------------------------------------------

/** Blocks the "COM runtime" keeps cached while the program runs (freed at shutdown). */
const RUNTIME_CACHE = 3000;
/** Deliberate leaks over the whole run, whatever its length. */
const MAX_LEAKS = 100;
const RUNTIME_SIZES = [16, 20, 24, 28, 32, 44, 48, 64, 80, 96, 128, 216, 256];

interface SoakOptions {
  /** Blocks of a big runtime cache filled after registration and kept until CoUninitialize. */
  bigCache?: number;
  /** Seed of the big cache's sizes (its own stream: the soak's draws stay as they were). */
  cacheSeed?: number;
  /**
   * When the big cache dies: at exit (default: alive throughout, listed by the dump, freed
   * when ExitProcess unloads its DLL, like clbcatq's blocks), 95 % inside CoUninitialize
   * and the rest at exit, or released by the program in batches before CoUninitialize.
   */
  cacheRelease?: CacheRelease;
}

function* soak(p: Proc, budget: Budget, opts: SoakOptions = {}): Program {
  const cache: number[] = []; // runtime-held blocks, oldest first
  const leaks: number[] = [];
  let cacheHead = 0;
  const big: number[] = [];

  yield 'CoInitialize() returns 0x00000000';
  yield 'CoRegisterMallocSpy() returns 0x00000000';
  if (opts.bigCache) {
    // A big runtime cache (a type library's names and descriptors, say): loaded once,
    // alive until CoUninitialize releases it.
    const rand = mulberry32(opts.cacheSeed ?? 1);
    for (let i = 0; i < opts.bigCache; i++) {
      yield p.alloc(RUNTIME_SIZES[Math.floor(rand() * RUNTIME_SIZES.length)]!);
      big.push(p.addr);
    }
    yield 'LoadRegTypeLib() returns 0x00000000';
  }
  while (!budget.full()) {
    const r = p.rand();
    if (r < 0.4) {
      // A CopyProxy / marshal loop: pairs on reused addresses, summary lines at the end.
      const n = p.rand() < 0.01 ? p.int(10000, 40000) : p.int(10, 300);
      for (let i = 0; i < n; i++) {
        yield p.alloc(48);
        yield p.free(p.addr);
        yield p.alloc(72);
        yield p.free(p.addr);
      }
      yield `Marshal loop: ${n} iterations (main STA -> worker MTA)`;
      yield `CoMarshalInterThreadInterfaceInStream() returns 0x00000000 (${n} of ${n} calls succeeded)`;
      yield `CoGetInterfaceAndReleaseStream() returns 0x00000000 (${n} of ${n} calls succeeded)`;
      yield `IClientSecurity::CopyProxy() returns 0x80004001 (0 of ${n} calls succeeded)`;
    } else if (r < 0.85) {
      // Object creation: the runtime caches some blocks, frees the rest on release.
      yield 'CLSIDFromProgID() returns 0x00000000';
      const temp: number[] = [];
      const n = p.int(5, 40);
      for (let i = 0; i < n; i++) {
        const size = RUNTIME_SIZES[p.int(0, RUNTIME_SIZES.length - 1)]!;
        yield p.alloc(size);
        if (p.rand() < 0.3) cache.push(p.addr);
        else temp.push(p.addr);
      }
      yield 'CoCreateInstance() returns 0x00000000';
      for (const a of temp) yield p.free(a);
      yield 'Object released';
      while (cache.length - cacheHead > RUNTIME_CACHE) yield p.free(cache[cacheHead++]!);
      if (cacheHead > 4096) {
        cache.splice(0, cacheHead);
        cacheHead = 0;
      }
    } else if (r < 0.98) {
      // A CoTaskMemRealloc chain.
      yield p.alloc(16);
      const a = p.addr;
      yield `CoTaskMemAlloc(16) returns ${hex8(a)}`;
      yield p.realloc(a, 256);
      const b = p.addr;
      yield `CoTaskMemRealloc(${hex8(a)}, 256) returns ${hex8(b)}`;
      yield p.free(b);
      yield `Called CoTaskMemFree(${hex8(b)})`;
    } else if (leaks.length < MAX_LEAKS) {
      yield p.alloc(64);
      leaks.push(p.addr);
      yield `CoTaskMemAlloc(64) returns ${hex8(p.addr)} (deliberately never freed)`;
    }
  }

  // Shutdown: CoUninitialize frees most of the caches; the rest outlives it.
  const held = cache.slice(cacheHead);
  const split = Math.floor(held.length * 0.7);
  const release = opts.cacheRelease ?? 'exit';
  if (release === 'program') {
    for (let i = 0; i < big.length; i++) {
      yield p.free(big[i]!);
      if (i % 5000 === 4999) yield 'ITypeInfo::Release() returns 0x00000000';
    }
    yield 'ITypeLib::Release() returns 0x00000000';
    big.length = 0;
  }
  const bigSplit = release === 'exit' ? 0 : Math.floor(big.length * 0.95);
  for (let i = 0; i < bigSplit; i++) yield p.free(big[i]!);
  for (let i = 0; i < split; i++) yield p.free(held[i]!);
  yield* p.shutdown([...held.slice(split), ...big.slice(bigSplit)], budget);
}

// ---------------------------------------------------------------------------------------
// The growing-heap run (growing, reused)
// ---------------------------------------------------------------------------------------

const NODE_SIZES = [12, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 200, 256, 384, 512];
const NODE_CALLS = [
  'IXMLDOMDocument::createElement()',
  'IXMLDOMNode::appendChild()',
  'IXMLDOMElement::setAttribute()',
  'IXMLDOMNode::removeChild()',
  'IXMLDOMNode::cloneNode()',
  'IXMLDOMNode::get_text()',
  'SysAllocStringLen()',
  'VariantChangeType()',
];

/**
 * A program building a document and trimming it again, batch by batch: the live set
 * climbs to 4,500-5,000 blocks, falls back to 2,500-3,000, climbs again. Blocks die in
 * random order (a node removed from anywhere in the tree), so the table of live blocks
 * must really hold them all; short-lived temporaries (BSTRs, VARIANT conversions) are
 * alloc/free pairs in between. With `reuse` 0 every allocation is a fresh address; with
 * 0.5 half come from the heap's free lists.
 */
function* growing(p: Proc, budget: Budget): Program {
  const nodes: number[] = []; // the program's live blocks (any order)
  const runtime: number[] = [];
  const leaks: number[] = [];
  let hi = p.int(4500, 5000);
  let lo = p.int(2500, 3000);
  let grow = true;
  let batch = 0;

  yield 'CoInitialize() returns 0x00000000';
  yield 'CoRegisterMallocSpy() returns 0x00000000';
  // The runtime's own blocks: class store lookups and the DOM's type information.
  for (let i = 0; i < 24; i++) {
    yield p.alloc(RUNTIME_SIZES[p.int(0, RUNTIME_SIZES.length - 1)]!);
    runtime.push(p.addr);
  }
  yield 'CLSIDFromProgID() returns 0x00000000';
  for (let i = 0; i < 40; i++) {
    yield p.alloc(RUNTIME_SIZES[p.int(0, RUNTIME_SIZES.length - 1)]!);
    runtime.push(p.addr);
  }
  yield 'CoCreateInstance() returns 0x00000000';
  yield 'IXMLDOMDocument::put_async() returns 0x00000000';

  while (!budget.full()) {
    batch++;
    const steps = p.int(20, 200);
    let added = 0;
    let removed = 0;
    for (let s = 0; s < steps; s++) {
      const r = p.rand();
      if (r < 0.3) {
        // A temporary: allocated, used, freed (a BSTR for a property value).
        yield p.alloc(NODE_SIZES[p.int(0, 6)]!);
        yield p.free(p.addr);
      } else if ((grow && r < 0.77) || (!grow && r < 0.53)) {
        yield p.alloc(NODE_SIZES[p.int(0, NODE_SIZES.length - 1)]!);
        nodes.push(p.addr);
        added++;
      } else if (nodes.length > 0) {
        const i = p.int(0, nodes.length - 1);
        const a = nodes[i]!;
        nodes[i] = nodes[nodes.length - 1]!;
        nodes.pop();
        yield p.free(a);
        removed++;
      }
    }
    if (grow && nodes.length >= hi) {
      grow = false;
      lo = p.int(2500, 3000);
    } else if (!grow && nodes.length <= lo) {
      grow = true;
      hi = p.int(4500, 5000);
    }
    yield `${NODE_CALLS[p.int(0, NODE_CALLS.length - 1)]} returns 0x00000000`;
    if (batch % 16 === 0) yield `Batch ${batch}: ${added} nodes added, ${removed} removed, ${nodes.length} alive`;
    if (p.rand() < 0.004 && leaks.length < 20) {
      yield p.alloc(64);
      leaks.push(p.addr);
      yield `CoTaskMemAlloc(64) returns ${hex8(p.addr)} (deliberately never freed)`;
    }
  }

  // The program releases its document (nodes freed in tree order, not allocation order).
  for (let i = nodes.length - 1; i >= 0; i--) yield p.free(nodes[i]!);
  yield 'IXMLDOMDocument::Release() returns 0x00000000';
  yield 'Object released';
  const split = Math.floor(runtime.length * 0.7);
  for (let i = 0; i < split; i++) yield p.free(runtime[i]!);
  yield* p.shutdown(runtime.slice(split), budget);
}

// ---------------------------------------------------------------------------------------
// The writer
// ---------------------------------------------------------------------------------------

const FLUSH_AT = 1 << 20;

/** Lines → file: line end, encoding, ~1 MB writes with back-pressure, the 4096-byte cut. */
class Writer {
  private buf = '';
  /** Characters written (= bytes for ASCII text; UTF-16 doubles them). */
  private written = 0;
  lines = 0;
  /** Characters at the start of the exit-time output; the buffer is not flushed past it. */
  private exitAt = -1;

  constructor(
    private readonly out: NodeJS.WritableStream,
    private readonly eol: string,
    private readonly utf16: boolean,
  ) {
    if (utf16) out.write(Buffer.from([0xff, 0xfe]));
  }

  /** Characters so far. */
  get chars(): number {
    return this.written + this.buf.length;
  }

  /** Bytes in the file so far. */
  get bytes(): number {
    return this.utf16 ? 2 + 2 * this.chars : this.chars;
  }

  line(text: string): void {
    this.buf += text + this.eol;
    this.lines++;
  }

  markExit(): void {
    this.exitAt = this.chars;
  }

  /** Whether `flush` would write now. */
  get due(): boolean {
    return this.buf.length >= FLUSH_AT && this.exitAt < 0;
  }

  async flush(): Promise<void> {
    const chunk = this.buf;
    this.buf = '';
    this.written += chunk.length;
    const ok = this.utf16 ? this.out.write(Buffer.from(chunk, 'utf16le')) : this.out.write(chunk);
    if (!ok) await once(this.out, 'drain');
  }

  /**
   * The CRT's last 4096-byte buffer lost at exit: the program's output (in characters,
   * CRLF included: what the CRT wrote) is cut at the last multiple of 4096 inside the
   * exit-time output. A UTF-16 capture went through PowerShell, which ends every line it
   * read, the cut one too.
   */
  cut(): void {
    if (this.exitAt < 0) return;
    const cut = Math.floor(this.chars / 4096) * 4096;
    if (cut <= this.exitAt) return;
    this.buf = this.buf.slice(0, cut - this.written);
    if (this.utf16 && !this.buf.endsWith('\n')) this.buf += this.eol;
  }

  async close(): Promise<void> {
    await this.flush();
    this.out.end();
    await once(this.out, 'finish');
  }
}

async function drain(w: Writer, lines: Iterable<string>): Promise<void> {
  for (const line of lines) {
    w.line(line);
    if (w.due) await w.flush();
  }
}

// ---------------------------------------------------------------------------------------
// DebugView: several processes interleaved
// ---------------------------------------------------------------------------------------

const NOISE = [
  'explorer: SHChangeNotify 0x8000000',
  'explorer: refresh done',
  'svchost: RPC: ncalrpc endpoint registered',
  'SHIMVIEW: ShimInfo(Complete)',
  'devenv: [DBG] symbol load deferred',
];

/**
 * DebugView's saved log: `seq<TAB>time<TAB>[pid] message`, CRLF. Three MallocSpyTest
 * runs (their own seeds and heaps: the same addresses recur across processes, as in
 * separate address spaces) and a fourth process that only chatters, interleaved in
 * bursts; the second and third runs start a little later.
 */
function* debugView(seed: number, budget: Budget): Program {
  const procs = [
    { pid: 4312, weight: 0.45, lines: soak(new Proc(mulberry32(seed)), budget), done: false },
    { pid: 5120, weight: 0.3, lines: soak(new Proc(mulberry32((seed ^ 0x5120) >>> 0)), budget), done: false },
    { pid: 6088, weight: 0.2, lines: soak(new Proc(mulberry32((seed ^ 0x6088) >>> 0)), budget), done: false },
  ];
  const rand = mulberry32((seed ^ 0xdb6) >>> 0);
  const live = [procs[0]!];
  let seq = 0;
  let time = 0;
  const row = (pid: number, message: string): string => {
    time += 0.000001 + rand() * 0.00003;
    return `${seq++}\t${time.toFixed(8)}\t[${pid}] ${message}`;
  };
  while (live.length > 0) {
    // The later processes start after a while.
    if (live.length < procs.length && seq > 2000 * live.length && !budget.full()) live.push(procs[live.length]!);
    if (rand() < 0.02) {
      yield row(888, NOISE[Math.floor(rand() * NOISE.length)]!);
      continue;
    }
    let pick = rand() * live.reduce((s, p) => s + p.weight, 0);
    let i = 0;
    while (i < live.length - 1 && (pick -= live[i]!.weight) > 0) i++;
    const p = live[i]!;
    const burst = 1 + Math.floor(rand() * 30);
    for (let k = 0; k < burst; k++) {
      const next = p.lines.next();
      if (next.done) {
        live.splice(i, 1);
        break;
      }
      yield row(p.pid, next.value);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------

export async function generateShape(shape: Shape, path: string, opts: ShapeOptions): Promise<ShapeResult> {
  const utf16 = shape === 'utf16';
  const crlf = utf16 || shape === 'debugview';
  const out = createWriteStream(path);
  const w = new Writer(out, crlf ? '\r\n' : '\n', utf16);
  // The 200k cache's dump entries and exit-time frees come after the body: ~140 bytes a block.
  const tail = shape === 'cache200k' && (opts.cacheRelease ?? 'exit') !== 'program' ? SHAPE_INFO.cache200k.extraLive * 140 : 0;
  const body = Math.max(opts.bytes - tail, 1);
  const budget: Budget = {
    full: () => w.bytes >= body,
    exitStart: () => w.markExit(),
  };
  let events: () => number;
  let program: Program;
  if (shape === 'debugview') {
    // Exit-time output is not cut (nothing buffers OutputDebugString): no mark is kept.
    budget.exitStart = () => undefined;
    // Spy events are counted from the lines (the processes live inside the generator).
    let n = 0;
    const rows = debugView(opts.seed, budget);
    program = (function* (): Program {
      for (const row of rows) {
        if (row.includes('] MALLOC SPY: 0x')) n++;
        yield row;
      }
    })();
    events = () => n;
  } else {
    const p = new Proc(mulberry32(opts.seed), shape === 'growing' ? 0 : shape === 'reused' ? 0.5 : 1);
    program =
      shape === 'growing' || shape === 'reused'
        ? growing(p, budget)
        : soak(
            p,
            budget,
            shape === 'cache200k'
              ? { bigCache: SHAPE_INFO.cache200k.extraLive, cacheSeed: (opts.seed ^ 0x200) >>> 0, cacheRelease: opts.cacheRelease ?? 'exit' }
              : {},
          );
    events = () => p.events;
  }
  await drain(w, program);
  if (opts.truncate ?? true) w.cut();
  await w.close();
  return { bytes: w.bytes, lines: w.lines, events: events() };
}
