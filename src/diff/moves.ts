// Moves: what left A and what joined B, read together as the same memory decided differently
// between the runs (NT 4's CoUninitialize cleanup held until ExitProcess on Windows 2000).
// `--fail-on-new` follows them (gate.ts), so every rule here decides whether a gate sees a
// block of B as new: each pass says which attack finding its order answers. Pure.
import type { Category } from '../model/block.js';
import type { ReportBlock } from '../model/report.js';
import type { DiffMove } from './schema.js';
import { alike, evidenceOf, parseData, type Evidence } from './likeness.js';

/** Blocks of B compared with each block of A by dump data alike (pass 2). */
const ALIKE_CANDIDATES = 256;

const RUNTIME: ReadonlySet<Category> = new Set(['couninitialize', 'exitprocess', 'unresolved']);
const DECIDED_RUNTIME: ReadonlySet<Category> = new Set(['couninitialize', 'exitprocess']);

/**
 * Pass 2: the categories of B a block of A may pair with by dump data alike. A's runtime block
 * with a block B decided or could not decide; A's undecided block also with B's true leak (its
 * own leak, decided in B); A's leak with B's undecided or decided block. Never a true leak with
 * a true leak: those are matched in their groups, and a move between two would hide B's new one.
 */
const ALIKE_TAKES: Record<Category, ReadonlySet<Category>> = {
  freed: new Set(),
  couninitialize: RUNTIME,
  exitprocess: RUNTIME,
  unresolved: new Set([...RUNTIME, 'true-leak']),
  'true-leak': RUNTIME,
};

type Kind = 'leak' | 'runtime';

/** The blocks a move can join: a true leak, or memory the runtime held or may have held. */
function kindOf(x: ReportBlock): Kind | null {
  return x.category === 'true-leak' ? 'leak' : RUNTIME.has(x.category) ? 'runtime' : null;
}

function decided(x: ReportBlock): boolean {
  return DECIDED_RUNTIME.has(x.category);
}

/** Each block's dump data, parsed once, and what they tell (`evidenceOf`), judged once: pass 1 and 2 ask for every block. */
class DumpData {
  private readonly bytesOf = new Map<ReportBlock, Uint8Array | null>();
  private readonly judged = new Map<ReportBlock, Evidence>();

  bytes(x: ReportBlock): Uint8Array | null {
    let bytes = this.bytesOf.get(x);
    if (bytes === undefined) this.bytesOf.set(x, (bytes = x.data === null ? null : parseData(x.data)));
    return bytes;
  }

  evidence(x: ReportBlock): Evidence {
    let evidence = this.judged.get(x);
    if (evidence === undefined) {
      const bytes = this.bytes(x);
      this.judged.set(x, (evidence = bytes === null ? 'none' : evidenceOf(bytes)));
    }
    return evidence;
  }
}

/** The pairing so far: which blocks are taken, and the moves they make (one per from/to/size). */
class Pairing {
  private readonly paired = new Set<ReportBlock>();
  private readonly moves = new Map<string, DiffMove>();

  constructor(
    readonly left: readonly ReportBlock[],
    readonly joined: readonly ReportBlock[],
  ) {}

  has(x: ReportBlock): boolean {
    return this.paired.has(x);
  }

  pair(a: ReportBlock, b: ReportBlock): void {
    this.paired.add(a);
    this.paired.add(b);
    const key = JSON.stringify([a.size, a.category, a.context, b.category, b.context]);
    const move = this.moves.get(key);
    if (move) {
      move.blocks++;
      move.bytes += a.size;
    } else {
      this.moves.set(key, {
        size: a.size,
        blocks: 1,
        bytes: a.size,
        from: { category: a.category, context: a.context },
        to: { category: b.category, context: b.context },
      });
    }
  }

  /**
   * One pass by keys: B's unpaired blocks go into buckets (`bucketOf`), and each unpaired block
   * of A takes the first unpaired block of the first of its buckets (`bucketsFor`) that has one.
   * A bucket holds only blocks that fit, so nothing is scanned twice.
   */
  byKey(bucketOf: (b: ReportBlock) => string | null, bucketsFor: (a: ReportBlock) => string[]): void {
    const buckets = new Map<string, { blocks: ReportBlock[]; first: number }>();
    for (const b of this.joined) {
      const k = this.has(b) ? null : bucketOf(b);
      if (k === null) continue;
      const bucket = buckets.get(k);
      if (bucket) bucket.blocks.push(b);
      else buckets.set(k, { blocks: [b], first: 0 });
    }
    for (const a of this.left) {
      if (this.has(a)) continue;
      for (const k of bucketsFor(a)) {
        const bucket = buckets.get(k);
        if (!bucket) continue;
        while (bucket.first < bucket.blocks.length && this.has(bucket.blocks[bucket.first]!)) bucket.first++;
        if (bucket.first < bucket.blocks.length) {
          this.pair(a, bucket.blocks[bucket.first++]!);
          break;
        }
      }
    }
  }

  result(): DiffMove[] {
    return [...this.moves.values()].sort((x, y) => y.bytes - x.bytes || y.size - x.size);
  }
}

/**
 * Reads what left A and what joined B together as the same memory. Only blocks whose
 * categories can describe the same memory pair, always of one size:
 *   - runtime memory with runtime memory (couninitialize, exitprocess, unresolved), blocks
 *     with identical dump data first, then blocks whose data are alike (`alike`),
 *     then (an unresolved block of A) a decided one of B of the same context before a true
 *     leak of B there, then a block B decided before one it could not, of the same context
 *     first;
 *   - a true leak with an unresolved block: of the same context, or whose data are alike
 *     (one log decided it, the other could not);
 *   - a true leak with runtime-held memory only on dump data alike.
 * Dump data tell something only where they hold enough bytes that are not filler (zeros).
 * A new leak in B is never explained away by A's runtime memory of the same size. Linear:
 * each pass looks blocks up by key (pass 2 compares a block of A with ALIKE_CANDIDATES of B
 * at most).
 */
export function pairMoves(left: readonly ReportBlock[], joined: readonly ReportBlock[]): DiffMove[] {
  const p = new Pairing(left, joined);
  const data = new DumpData();
  pairIdenticalData(p, data);
  pairAlikeData(p, data);
  pairUndecidedWithDecided(p);
  pairLeakWithUnresolved(p);
  pairRuntime(p);
  return p.result();
}

/**
 * 1. Identical dump data that tell one block from another (`evidenceOf`): runtime memory with
 * runtime memory, or a true leak with runtime-held memory. A zeroed buffer, or one with a
 * count in it (`01 00 00 00 00 …`), or a fill pattern, is no identity: A's runtime block took
 * B's new leak of that shape and every gate passed (attack notes #175, #183, #184, #189).
 * Text identifies a block at its own call only: 16 bytes are 8 UTF-16 characters, and two
 * paths under `C:\WINNT` looked one (#185); refused at its own call too, the runtime's ProgID
 * string undecided in a redirected B was new to every gate (#188).
 */
function pairIdenticalData(p: Pairing, data: DumpData): void {
  const sameData = (x: ReportBlock, k: Kind) => `${x.size}\0${x.data}\0${k}\0${data.evidence(x) === 'text' ? x.context : ''}`;
  p.byKey(
    (b) => {
      const kind = kindOf(b);
      return kind === null || data.evidence(b) === 'none' ? null : sameData(b, kind);
    },
    (a) => {
      const kind = kindOf(a);
      if (kind === null || data.evidence(a) === 'none') return [];
      return kind === 'runtime' ? [sameData(a, 'runtime'), sameData(a, 'leak')] : [sameData(a, 'runtime')];
    },
  );
}

/** What a round of pass 2 asks of a pair beyond its categories. */
interface AlikeFit {
  /** Dump data that read as text (identifying at their own call only). */
  text(x: ReportBlock): boolean;
  /** B still has an unpaired block decided at A's call and size (the runtime's copy, #191). */
  decidedHere(a: ReportBlock): boolean;
}

/** Pass 2's rounds, in order: which pairs of A's and B's blocks each may compare. */
const ALIKE_ROUNDS: readonly ((a: ReportBlock, b: ReportBlock, fit: AlikeFit) => boolean)[] = [
  // Own call: with a block B could not call a leak.
  (a, b) => b.context === a.context && b.category !== 'true-leak',
  // Any call: text only at its own call; no undecided block of another call while B shows the
  // block decided at A's call.
  (a, b, fit) => b.context === a.context || (!fit.text(a) && !fit.text(b) && !(kindOf(a) === 'runtime' && !decided(b) && fit.decidedHere(a))),
];

/**
 * 2. Dump data alike (`alike`: the same block with heap pointers that moved from run to run),
 * in two rounds (`ALIKE_ROUNDS`): at the block's own call with a block B could not call a leak,
 * then in any call; within a round the likest first, then a block B decided (the cautious
 * reading: B's undecided blocks stay new), then one of the same call. Which categories pair:
 * `ALIKE_TAKES`.
 * Before any rule of calls: by call, A's undecided runtime block took B's new leak of its call
 * while B showed that memory freed at exit in another call (#173, #169, #190), a block B freed
 * in CoUninitialize took A's block from B's undecided copy (#164, #167), and B's exit-freed
 * buffer took A's undecided leak from B's copy of it (#174, #180). Two objects of one class,
 * A's known leak took the one B freed at exit in another call, and `any` failed on a clean B
 * (#186): the runtime's object pairs at its own call first. Only the first 4 bytes were
 * compared at first: text that starts alike (`C:\`) took B's new leak (#181).
 */
function pairAlikeData(p: Pairing, data: DumpData): void {
  // B's blocks with telling data, by size; each list read from a cursor past its paired head.
  const bySize = new Map<number, { blocks: ReportBlock[]; first: number }>();
  for (const b of p.joined) {
    if (p.has(b) || kindOf(b) === null || data.evidence(b) === 'none') continue;
    const list = bySize.get(b.size);
    if (list) list.blocks.push(b);
    else bySize.set(b.size, { blocks: [b], first: 0 });
  }
  // B's decided blocks by call and size: against NT 4 the runtime's copy of A's block is freed
  // in CoUninitialize, before the dump, and has no data; alike data in another call must not
  // take A's block from it (a new leaked object of the runtime's class did, #191).
  const decidedAt = new Map<string, ReportBlock[]>();
  for (const b of p.joined) {
    if (p.has(b) || !decided(b)) continue;
    const key = `${b.size}\0${b.context}`;
    const list = decidedAt.get(key);
    if (list) list.push(b);
    else decidedAt.set(key, [b]);
  }
  const fits: AlikeFit = {
    text: (x) => data.evidence(x) === 'text',
    decidedHere: (a) => decidedAt.get(`${a.size}\0${a.context}`)?.some((b) => !p.has(b)) ?? false,
  };
  for (const admits of ALIKE_ROUNDS) {
    for (const a of p.left) {
      const mine = data.bytes(a);
      const list = bySize.get(a.size);
      if (p.has(a) || kindOf(a) === null || mine === null || data.evidence(a) === 'none' || list === undefined) continue;
      let best: ReportBlock | null = null;
      let bestRank = -1;
      // Bounded: a size with thousands of blocks on each side compares each with the first ALIKE_CANDIDATES.
      while (list.first < list.blocks.length && p.has(list.blocks[list.first]!)) list.first++;
      for (let i = list.first, seen = 0; i < list.blocks.length && seen < ALIKE_CANDIDATES; i++) {
        const b = list.blocks[i]!;
        if (p.has(b) || !ALIKE_TAKES[a.category].has(b.category) || !admits(a, b, fits)) continue;
        seen++;
        const score = alike(mine, data.bytes(b)!);
        if (score < 0) continue;
        const rank = score * 4 + (decided(b) ? 2 : 0) + (b.context === a.context ? 1 : 0);
        if (rank > bestRank) {
          best = b;
          bestRank = rank;
        }
      }
      if (best !== null) p.pair(a, best);
    }
  }
}

/**
 * 3. A block A could not decide with one B decided as the runtime's (freed in CoUninitialize
 * or at exit) of the same call and size, before B's true leak there: paired with the leak
 * first, A's undecided runtime memory explained B's new leak beside it, and `--fail-on-new
 * any` passed what `true-leak` caught (attack notes #162). Without data to tell them apart,
 * the cautious reading: B's leak is new.
 */
function pairUndecidedWithDecided(p: Pairing): void {
  p.byKey(
    (b) => (decided(b) ? `${b.size}\0${b.context}` : null),
    (a) => (a.category === 'unresolved' ? [`${a.size}\0${a.context}`] : []),
  );
}

/** 4. A true leak and an unresolved block of the same context: one log decided it, the other could not. */
function pairLeakWithUnresolved(p: Pairing): void {
  const sameContext = (x: ReportBlock, category: Category) => `${x.size}\0${x.context}\0${category}`;
  p.byKey(
    (b) => (b.category === 'true-leak' || b.category === 'unresolved' ? sameContext(b, b.category) : null),
    (a) => (a.category === 'true-leak' ? [sameContext(a, 'unresolved')] : a.category === 'unresolved' ? [sameContext(a, 'true-leak')] : []),
  );
}

/**
 * 5. Runtime memory with runtime memory of the same size: a block B decided before one B
 * could not decide, of the same call first. Paired with B's `unresolved` block while B still
 * showed that memory decided, a new leak of the same size read as A's runtime memory
 * undecided, and `--fail-on-new` passed it (attack notes #160; #169, where the same call
 * came first).
 */
function pairRuntime(p: Pairing): void {
  for (const which of [true, false]) {
    p.byKey(
      (b) => (kindOf(b) === 'runtime' && decided(b) === which ? `${b.size}\0${b.context}` : null),
      (a) => (kindOf(a) === 'runtime' ? [`${a.size}\0${a.context}`] : []),
    );
    p.byKey(
      (b) => (kindOf(b) === 'runtime' && decided(b) === which ? String(b.size) : null),
      (a) => (kindOf(a) === 'runtime' ? [String(a.size)] : []),
    );
  }
}
