// A deterministic generator of large, realistic MALLOC SPY logs for the benchmark.
//
// One log is one long soak run of a MallocSpyTest-like program on NT4/Windows 2000
// (32-bit pointers, `0x%08X`): object creation with runtime-cached blocks, CopyProxy /
// marshal loops (thousands of alloc/free pairs on reused addresses with no program
// output between them), CoTaskMemRealloc chains, a bounded number of deliberate leaks,
// then CoUninitialize, a failed revoke, the leak dump and exit-time frees, cut at a
// 4096-byte boundary like a console capture that lost its last CRT buffer.
//
// The live set is bounded (a runtime cache and a fixed number of leaks), so a 1 GB log
// needs no more memory to analyse than a 100 MB one: what the bench checks. Output is
// streamed in ~1 MB chunks with back-pressure; nothing is built whole in memory.
// Same (bytes, seed) → same file, byte for byte (mulberry32, no Date, no Math.random).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mulberry32 } from '../fixtures/synth.js';

export interface GenerateOptions {
  /** Approximate size of the body; the shutdown tail adds a little and the cut removes a little. */
  bytes: number;
  seed: number;
  /** Cut the output at a 4096-byte boundary inside the exit-time frees (default true). */
  truncate?: boolean;
}

export interface GenerateResult {
  bytes: number;
  lines: number;
  /** Spy event lines (alloc, free, realloc) written. */
  events: number;
}

/** Blocks the "COM runtime" keeps cached while the program runs (freed at shutdown). */
const RUNTIME_CACHE = 3000;
/** Deliberate leaks over the whole run, whatever its length. */
const MAX_LEAKS = 100;
const FLUSH_AT = 1 << 20;

const hex8 = (n: number): string => '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');

/** A heap with per-size free lists: freed addresses come back, as on a real heap. */
class Heap {
  private cursor = 0x00130000;
  private readonly free = new Map<number, number[]>();
  take(size: number): number {
    const cls = (size + 15) & ~15;
    const list = this.free.get(cls);
    if (list && list.length > 0) return list.pop()!;
    const a = this.cursor;
    this.cursor += cls + 16;
    return a;
  }
  give(addr: number, size: number): void {
    const cls = (size + 15) & ~15;
    let list = this.free.get(cls);
    if (!list) this.free.set(cls, (list = []));
    list.push(addr);
  }
}

class LogWriter {
  private buf = '';
  written = 0;
  lines = 0;
  events = 0;
  private readonly heap = new Heap();
  /** Live blocks as the spy sees them: address → size (insertion order = dump order). */
  readonly live = new Map<number, number>();

  constructor(
    private readonly out: NodeJS.WritableStream,
    readonly rand: () => number,
  ) {}

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rand() * (hi - lo + 1));
  }

  get size(): number {
    return this.written + this.buf.length;
  }

  line(text: string): void {
    this.buf += text + '\n';
    this.lines++;
  }

  alloc(size: number): number {
    const a = this.heap.take(size);
    this.live.set(a, size);
    this.events++;
    this.line(`MALLOC SPY: ${hex8(a)} - ${size} bytes allocated`);
    return a;
  }

  free(a: number): void {
    const size = this.live.get(a)!;
    this.live.delete(a);
    this.heap.give(a, size);
    this.events++;
    this.line(`MALLOC SPY: ${hex8(a)} - freed, ${this.live.size} blocks remaining`);
  }

  realloc(a: number, size: number): number {
    const old = this.live.get(a)!;
    this.live.delete(a);
    const b = this.heap.take(size);
    this.heap.give(a, old);
    this.live.set(b, size);
    this.events++;
    this.line(`MALLOC SPY: ${hex8(a)} - reallocated to ${hex8(b)}, ${size} bytes`);
    return b;
  }

  dumpEntry(a: number, size: number): void {
    let hexs = '';
    let ascii = '';
    for (let j = 0; j < 16; j++) {
      if (j < size) {
        const b = this.rand() < 0.5 ? this.int(0x41, 0x5a) : this.int(0, 255);
        hexs += b.toString(16).toUpperCase().padStart(2, '0') + ' ';
        ascii += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      } else hexs += '   ';
    }
    this.line(`${hex8(a)} - ${size} bytes: ${hexs}${ascii}`);
  }

  /** Writes the buffer when it is large enough, waiting for the stream to drain. */
  async maybeFlush(force = false): Promise<void> {
    if (!force && this.buf.length < FLUSH_AT) return;
    const chunk = this.buf;
    this.buf = '';
    this.written += chunk.length;
    if (!this.out.write(chunk)) await once(this.out, 'drain');
  }

  /** Drops everything past `size` bytes (ASCII only: characters are bytes). */
  cutAt(size: number): void {
    this.buf = this.buf.slice(0, size - this.written);
  }
}

const RUNTIME_SIZES = [16, 20, 24, 28, 32, 44, 48, 64, 80, 96, 128, 216, 256];

export async function generate(path: string, opts: GenerateOptions): Promise<GenerateResult> {
  const out = createWriteStream(path);
  const w = new LogWriter(out, mulberry32(opts.seed));
  const cache: number[] = []; // runtime-held blocks, oldest first
  const leaks: number[] = [];
  let cacheHead = 0;

  w.line('CoInitialize() returns 0x00000000');
  w.line('CoRegisterMallocSpy() returns 0x00000000');
  while (w.size < opts.bytes) {
    const r = w.rand();
    if (r < 0.4) {
      // A CopyProxy / marshal loop: pairs on reused addresses, summary lines at the end.
      const n = w.rand() < 0.01 ? w.int(10000, 40000) : w.int(10, 300);
      for (let i = 0; i < n; i++) {
        w.free(w.alloc(48));
        w.free(w.alloc(72));
        if ((i & 255) === 255) await w.maybeFlush();
      }
      w.line(`Marshal loop: ${n} iterations (main STA -> worker MTA)`);
      w.line(`CoMarshalInterThreadInterfaceInStream() returns 0x00000000 (${n} of ${n} calls succeeded)`);
      w.line(`CoGetInterfaceAndReleaseStream() returns 0x00000000 (${n} of ${n} calls succeeded)`);
      w.line(`IClientSecurity::CopyProxy() returns 0x80004001 (0 of ${n} calls succeeded)`);
    } else if (r < 0.85) {
      // Object creation: the runtime caches some blocks, frees the rest on release.
      w.line('CLSIDFromProgID() returns 0x00000000');
      const temp: number[] = [];
      const n = w.int(5, 40);
      for (let i = 0; i < n; i++) {
        const size = RUNTIME_SIZES[w.int(0, RUNTIME_SIZES.length - 1)]!;
        const a = w.alloc(size);
        if (w.rand() < 0.3) cache.push(a);
        else temp.push(a);
      }
      w.line('CoCreateInstance() returns 0x00000000');
      for (const a of temp) w.free(a);
      w.line('Object released');
      while (cache.length - cacheHead > RUNTIME_CACHE) w.free(cache[cacheHead++]!);
      if (cacheHead > 4096) {
        cache.splice(0, cacheHead);
        cacheHead = 0;
      }
    } else if (r < 0.98) {
      // A CoTaskMemRealloc chain.
      let a = w.alloc(16);
      w.line(`CoTaskMemAlloc(16) returns ${hex8(a)}`);
      const b = w.realloc(a, 256);
      w.line(`CoTaskMemRealloc(${hex8(a)}, 256) returns ${hex8(b)}`);
      a = b;
      w.free(a);
      w.line(`Called CoTaskMemFree(${hex8(a)})`);
    } else if (leaks.length < MAX_LEAKS) {
      const a = w.alloc(64);
      leaks.push(a);
      w.line(`CoTaskMemAlloc(64) returns ${hex8(a)} (deliberately never freed)`);
    }
    await w.maybeFlush();
  }

  // Shutdown: CoUninitialize frees most of the cache; the rest outlives it.
  const held = cache.slice(cacheHead);
  const split = Math.floor(held.length * 0.7);
  for (let i = 0; i < split; i++) w.free(held[i]!);
  w.line('Called CoUninitialize()');
  w.line(`CoRevokeMallocSpy() returns ${w.live.size > 0 ? '0x80070005' : '0x00000000'}`);
  if (w.live.size > 0) {
    w.line('MALLOC SPY: detected memory leaks!');
    for (const [a, size] of w.live) w.dumpEntry(a, size);
  }
  const exitStart = w.size;
  for (let i = split; i < held.length; i++) w.free(held[i]!);
  const end = w.size;
  const cut = Math.floor(end / 4096) * 4096;
  if ((opts.truncate ?? true) && cut > exitStart) w.cutAt(cut);
  await w.maybeFlush(true);
  out.end();
  await once(out, 'finish');
  return { bytes: w.written, lines: w.lines, events: w.events };
}

// CLI: node dist/bench/generate.js OUT.log MEGABYTES [SEED]
if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, mb, seed] = process.argv.slice(2);
  if (!path || !mb || !(Number(mb) > 0)) {
    process.stderr.write('usage: node dist/bench/generate.js OUT.log MEGABYTES [SEED]\n');
    process.exitCode = 2;
  } else {
    generate(path, { bytes: Number(mb) * 1e6, seed: Number(seed ?? 1) }).then(
      (r) => process.stdout.write(`${path}: ${r.bytes} bytes, ${r.lines} lines, ${r.events} spy events\n`),
      (err: unknown) => {
        process.stderr.write(`generate: ${(err as Error).message}\n`);
        process.exitCode = 2;
      },
    );
  }
}
