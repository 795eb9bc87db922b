// Comparing two runs. Addresses differ from run to run, so blocks are matched by what
// stays stable: category, allocating context and size (the group), then by order within
// the group, pairing blocks with identical dump data first when both sides have it.
// Pure: two Reports in, one DiffResult out.
import { byCategorySignature, groupBy } from '../model/groups.js';
import { CATEGORIES, type Category, type Tally } from '../model/block.js';
import { UNSEEN_CONTEXT, unseenIn, type Report, type ReportBlock } from '../model/report.js';
import { DIFF_SCHEMA, type CategoryDelta, type DiffGroup, type DiffMove, type DiffResult, type DiffSide } from './schema.js';
import { assessWeaknesses } from './weakness.js';
import { compareText } from '../text/compare.js';

/** Unmatched allocation lines listed per group and side (the counts are always exact). */
export const LINES_LISTED = 10;

/** Most alarming first when byte changes tie. */
const CATEGORY_RANK: Record<Category, number> = { 'true-leak': 0, unresolved: 1, exitprocess: 2, couninitialize: 3, freed: 4 };

export function diffReports(a: Report, b: Report): DiffResult {
  const weaknesses = assessWeaknesses(a, b);
  const groups: DiffGroup[] = [];
  const unchanged: Tally = { blocks: 0, bytes: 0 };
  const byKeyA = groupBy(a.blocks, byCategorySignature);
  const byKeyB = groupBy(b.blocks, byCategorySignature);
  /** Blocks of A with no match in B, and of B with none in A: what `pairMoves` reads together. */
  const left: ReportBlock[] = [];
  const joined: ReportBlock[] = [];
  for (const key of new Set([...byKeyA.keys(), ...byKeyB.keys()])) {
    const as = byKeyA.get(key) ?? [];
    const bs = byKeyB.get(key) ?? [];
    const first = (as[0] ?? bs[0]) as ReportBlock;
    const { aOnly, bOnly, matched } = matchBlocks(as, bs);
    for (const x of aOnly) left.push(x);
    for (const x of bOnly) joined.push(x);
    unchanged.blocks += matched;
    unchanged.bytes += matched * first.size;
    if (as.length === bs.length) continue; // a group with no change is omitted
    groups.push({
      context: first.context,
      size: first.size,
      category: first.category,
      a: tally(as.length, first.size),
      b: tally(bs.length, first.size),
      delta: tally(bs.length - as.length, first.size),
      change: as.length === 0 ? 'added' : bs.length === 0 ? 'removed' : bs.length > as.length ? 'grown' : 'shrunk',
      aOnlyLines: aOnly.slice(0, LINES_LISTED).map((x) => x.allocLine),
      bOnlyLines: bOnly.slice(0, LINES_LISTED).map((x) => x.allocLine),
    });
  }
  // Blocks only the spy's count knows are one group per side, with no size: more of them in B is
  // something new that --fail-on-new must see, though no block of B lists them.
  for (const category of ['true-leak', 'unresolved'] as const) {
    const ka = unseenIn(a.unseen, category);
    const kb = unseenIn(b.unseen, category);
    if (ka === kb) continue;
    groups.push({
      context: UNSEEN_CONTEXT,
      size: 0,
      category,
      a: tally(ka, 0),
      b: tally(kb, 0),
      delta: tally(kb - ka, 0),
      change: ka === 0 ? 'added' : kb === 0 ? 'removed' : kb > ka ? 'grown' : 'shrunk',
      aOnlyLines: [],
      bOnlyLines: [],
    });
  }
  groups.sort(
    (x, y) =>
      Math.abs(y.delta.bytes) - Math.abs(x.delta.bytes) ||
      // ties: keep a size together, the side it left before the side it joined, so a block
      // that changed category (or context) reads as a pair ("- couninitialize", "+ exitprocess")
      y.size - x.size ||
      Math.sign(x.delta.blocks) - Math.sign(y.delta.blocks) ||
      CATEGORY_RANK[x.category] - CATEGORY_RANK[y.category] ||
      compareText(x.context, y.context),
  );
  return {
    schema: DIFF_SCHEMA,
    a: side(a),
    b: side(b),
    truncation: { a: a.truncation, b: b.truncation },
    weak: weaknesses.length > 0,
    weaknesses,
    categories: compareCategories(a, b),
    groups,
    moves: pairMoves(left, joined),
    unchanged,
  };
}

const RUNTIME: ReadonlySet<Category> = new Set(['couninitialize', 'exitprocess', 'unresolved']);

/**
 * Reads what left A and what joined B together as the same memory, decided differently
 * between the runs (NT 4's CoUninitialize cleanup held until ExitProcess on Windows 2000).
 * Only blocks whose categories can describe the same memory pair, always of one size:
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
  const paired = new Set<ReportBlock>();
  const moves = new Map<string, DiffMove>();
  const pair = (a: ReportBlock, b: ReportBlock): void => {
    paired.add(a);
    paired.add(b);
    const key = JSON.stringify([a.size, a.category, a.context, b.category, b.context]);
    const move = moves.get(key);
    if (move) {
      move.blocks++;
      move.bytes += a.size;
    } else {
      moves.set(key, {
        size: a.size,
        blocks: 1,
        bytes: a.size,
        from: { category: a.category, context: a.context },
        to: { category: b.category, context: b.context },
      });
    }
  };
  /**
   * One pass: B's unpaired blocks go into buckets (`bucketOf`), and each unpaired block of A
   * takes the first unpaired block of the first of its buckets (`bucketsFor`) that has one.
   * A bucket holds only blocks that fit, so nothing is scanned twice.
   */
  const pass = (bucketOf: (b: ReportBlock) => string | null, bucketsFor: (a: ReportBlock) => string[]): void => {
    const buckets = new Map<string, { blocks: ReportBlock[]; first: number }>();
    for (const b of joined) {
      const k = paired.has(b) ? null : bucketOf(b);
      if (k === null) continue;
      const bucket = buckets.get(k);
      if (bucket) bucket.blocks.push(b);
      else buckets.set(k, { blocks: [b], first: 0 });
    }
    for (const a of left) {
      if (paired.has(a)) continue;
      for (const k of bucketsFor(a)) {
        const bucket = buckets.get(k);
        if (!bucket) continue;
        while (bucket.first < bucket.blocks.length && paired.has(bucket.blocks[bucket.first]!)) bucket.first++;
        if (bucket.first < bucket.blocks.length) {
          pair(a, bucket.blocks[bucket.first++]!);
          break;
        }
      }
    }
  };
  const kind = (x: ReportBlock): 'leak' | 'runtime' | null => (x.category === 'true-leak' ? 'leak' : RUNTIME.has(x.category) ? 'runtime' : null);
  const decided = (x: ReportBlock) => x.category === 'couninitialize' || x.category === 'exitprocess';
  // 1. Identical dump data that tell one block from another (`evidenceOf`): runtime memory with
  // runtime memory, or a true leak with runtime-held memory. A zeroed buffer, or one with a
  // count in it (`01 00 00 00 00 …`), or a fill pattern, is no identity: A's runtime block took
  // B's new leak of that shape and every gate passed (attack notes #175, #183, #184, #189).
  // Text identifies a block at its own call only: 16 bytes are 8 UTF-16 characters, and two
  // paths under `C:\WINNT` looked one (#185); refused at its own call too, the runtime's ProgID
  // string undecided in a redirected B was new to every gate (#188).
  const bytesOf = new Map<ReportBlock, Uint8Array | null>();
  const dataBytes = (x: ReportBlock): Uint8Array | null => {
    let bytes = bytesOf.get(x);
    if (bytes === undefined) bytesOf.set(x, (bytes = x.data === null ? null : parseData(x.data)));
    return bytes;
  };
  const evidence = (x: ReportBlock): Evidence => {
    const bytes = dataBytes(x);
    return bytes === null ? 'none' : evidenceOf(bytes);
  };
  const sameData = (x: ReportBlock, k: string) => `${x.size}\0${x.data}\0${k}\0${evidence(x) === 'text' ? x.context : ''}`;
  pass(
    (b) => (kind(b) === null || evidence(b) === 'none' ? null : sameData(b, kind(b)!)),
    (a) =>
      kind(a) === null || evidence(a) === 'none'
        ? []
        : kind(a) === 'runtime'
          ? [sameData(a, 'runtime'), sameData(a, 'leak')]
          : [sameData(a, 'runtime')],
  );
  // 2. Dump data alike (`alike`: the same block with heap pointers that moved from run to run),
  // first at the block's own call with a block B could not call a leak, then in any call; the
  // likest first, then a block B decided (the cautious reading: B's undecided blocks stay new).
  // A's runtime block with a block B decided or could not decide; A's undecided block also with
  // B's true leak (its own leak, decided in B); A's leak with B's undecided or decided block.
  // Before any rule of calls: by call, A's undecided runtime block took B's new leak of its call
  // while B showed that memory freed at exit in another call (#173, #169, #190), a block B freed
  // in CoUninitialize took A's block from B's undecided copy (#164, #167), and B's exit-freed
  // buffer took A's undecided leak from B's copy of it (#174, #180). Two objects of one class,
  // A's known leak took the one B freed at exit in another call, and `any` failed on a clean B
  // (#186): the runtime's object pairs at its own call first. Only the first 4 bytes were
  // compared at first: text that starts alike (`C:\`) took B's new leak (#181).
  const withData = new Map<number, { blocks: ReportBlock[]; first: number }>();
  for (const b of joined) {
    if (paired.has(b) || kind(b) === null || evidence(b) === 'none') continue;
    const list = withData.get(b.size);
    if (list) list.blocks.push(b);
    else withData.set(b.size, { blocks: [b], first: 0 });
  }
  // B's decided blocks by call and size: against NT 4 the runtime's copy of A's block is freed
  // in CoUninitialize, before the dump, and has no data; alike data in another call must not
  // take A's block from it (a new leaked object of the runtime's class did, #191).
  const decidedAt = new Map<string, ReportBlock[]>();
  for (const b of joined) {
    if (paired.has(b) || !decided(b)) continue;
    const key = `${b.size}\0${b.context}`;
    const list = decidedAt.get(key);
    if (list) list.push(b);
    else decidedAt.set(key, [b]);
  }
  const decidedHere = (a: ReportBlock): boolean => decidedAt.get(`${a.size}\0${a.context}`)?.some((b) => !paired.has(b)) ?? false;
  const takes = (a: ReportBlock, b: ReportBlock): boolean =>
    a.category === 'unresolved' ? true : decided(a) ? b.category !== 'true-leak' : a.category === 'true-leak' && b.category !== 'true-leak';
  for (const ownCall of [true, false]) {
    for (const a of left) {
      const mine = dataBytes(a);
      const list = withData.get(a.size);
      if (paired.has(a) || kind(a) === null || mine === null || evidence(a) === 'none' || list === undefined) continue;
      let best: ReportBlock | null = null;
      let bestRank = -1;
      // Bounded: a size with thousands of blocks on each side compares each with the first ALIKE_CANDIDATES.
      while (list.first < list.blocks.length && paired.has(list.blocks[list.first]!)) list.first++;
      for (let i = list.first, seen = 0; i < list.blocks.length && seen < ALIKE_CANDIDATES; i++) {
        const b = list.blocks[i]!;
        if (paired.has(b) || !takes(a, b)) continue;
        const sameCall = b.context === a.context;
        if (ownCall ? !sameCall || b.category === 'true-leak' : (evidence(a) === 'text' || evidence(b) === 'text') && !sameCall) continue;
        if (!ownCall && !sameCall && kind(a) === 'runtime' && !decided(b) && decidedHere(a)) continue;
        seen++;
        const score = alike(mine, dataBytes(b)!);
        if (score < 0) continue;
        const rank = score * 4 + (decided(b) ? 2 : 0) + (sameCall ? 1 : 0);
        if (rank > bestRank) {
          best = b;
          bestRank = rank;
        }
      }
      if (best !== null) pair(a, best);
    }
  }
  // 3. A block A could not decide with one B decided as the runtime's (freed in CoUninitialize
  // or at exit) of the same call and size, before B's true leak there: paired with the leak
  // first, A's undecided runtime memory explained B's new leak beside it, and `--fail-on-new
  // any` passed what `true-leak` caught (attack notes #162). Without data to tell them apart,
  // the cautious reading: B's leak is new.
  pass(
    (b) => (decided(b) ? `${b.size}\0${b.context}` : null),
    (a) => (a.category === 'unresolved' ? [`${a.size}\0${a.context}`] : []),
  );
  // 4. A true leak and an unresolved block of the same context.
  const sameContext = (x: ReportBlock, category: Category) => `${x.size}\0${x.context}\0${category}`;
  pass(
    (b) => (b.category === 'true-leak' || b.category === 'unresolved' ? sameContext(b, b.category) : null),
    (a) => (a.category === 'true-leak' ? [sameContext(a, 'unresolved')] : a.category === 'unresolved' ? [sameContext(a, 'true-leak')] : []),
  );
  // 5. Runtime memory with runtime memory of the same size: a block B decided before one B
  // could not decide, of the same call first. Paired with B's `unresolved` block while B still
  // showed that memory decided, a new leak of the same size read as A's runtime memory
  // undecided, and `--fail-on-new` passed it (attack notes #160; #169, where the same call
  // came first).
  for (const which of [true, false]) {
    pass(
      (b) => (kind(b) === 'runtime' && decided(b) === which ? `${b.size}\0${b.context}` : null),
      (a) => (kind(a) === 'runtime' ? [`${a.size}\0${a.context}`] : []),
    );
    pass(
      (b) => (kind(b) === 'runtime' && decided(b) === which ? String(b.size) : null),
      (a) => (kind(a) === 'runtime' ? [String(a.size)] : []),
    );
  }
  return [...moves.values()].sort((x, y) => y.bytes - x.bytes || y.size - x.size);
}

/** Bytes of dump data that tell a block from another: at least so many equal (see `likeness`). */
const INFORMATIVE = 4;
/** Blocks of B compared with each block of A by `alike` (see pairMoves, pass 2). */
const ALIKE_CANDIDATES = 256;
/** Byte values that a zeroed or freshly filled buffer holds (the debug heap's fills: CD, DD, FD, AB, EE, FE; page heap's C0): equal, they tell nothing. */
const FILLER = new Set([0x00, 0xcd, 0xdd, 0xfd, 0xab, 0xee, 0xfe, 0xc0]);

/** Dump data (`98 B1 5A 77 …`) as bytes. */
function parseData(data: string): Uint8Array {
  const out = new Uint8Array((data.length + 1) / 3);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(data.slice(i * 3, i * 3 + 2), 16);
  // A fill word tells no more than zeros: read as zeros (the heap's BAADF00D for memory not
  // written yet and FEEEFEEE for freed memory, -1 entries). Behind a count and a size, two of
  // them made a new leak alike A's runtime block (attack notes #195).
  for (let i = 0; i + 4 <= out.length; i += 4) {
    const w = (out[i]! | (out[i + 1]! << 8) | (out[i + 2]! << 16) | (out[i + 3]! << 24)) >>> 0;
    if (FILL_WORDS.has(w)) out.fill(0, i, i + 4);
  }
  return out;
}

/** 4-byte fills (see `parseData`). */
const FILL_WORDS = new Set([0xbaadf00d, 0xfeeefeee, 0xffffffff]);

/** What dump data can tell (see `evidenceOf`). */
type Evidence = 'none' | 'text' | 'binary';

/**
 * What dump data can tell of a block: nothing with fewer than INFORMATIVE bytes that are not
 * filler, or when three of its 4-byte words are one (a fill: `FF FF FF FF` thrice, page heap's
 * `C0 C0 C0 C0` behind a count, the heap's `0D F0 AD BA`; #184, #189); `text` when three
 * quarters of it are printable ANSI or UTF-16 characters (identifying at its own call only);
 * otherwise `binary`.
 */
function evidenceOf(bytes: Uint8Array): Evidence {
  let informative = 0;
  let printable = 0;
  let wide = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (!FILLER.has(c)) informative++;
    if (c >= 0x20 && c < 0x7f) printable++;
    if (i % 2 === 1 && c === 0 && bytes[i - 1]! >= 0x20 && bytes[i - 1]! < 0x7f) wide++;
  }
  if (informative < INFORMATIVE) return 'none';
  const words = new Map<number, number>();
  let most = 0;
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const w = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    const n = (words.get(w) ?? 0) + 1;
    words.set(w, n);
    most = Math.max(most, n);
  }
  if (bytes.length >= 8 && most * 4 >= 3 * Math.floor(bytes.length / 4) && most > 1) return 'none';
  return printable * 4 >= bytes.length * 3 || wide * 2 * 4 >= bytes.length * 3 ? 'text' : 'binary';
}

/**
 * How alike two blocks' dump data are, or -1 when not enough to call them one block: at least
 * INFORMATIVE equal bytes (not filler), and at least two thirds of the positions that hold
 * anything but equal filler. A runtime object across runs keeps its vtable and its fields,
 * its heap pointers move (`98 B1 5A 77 08 BC 13 00 …` and `… 58 BC 13 00 …`: 9 of 10); two
 * strings that start alike, or two zeroed structs with a count, are not one block (`C:\WINNT`
 * and `C:\work`: 3 of 8; `01 00 00 00 …` twice: 1 of 1).
 */
function alike(a: Uint8Array, b: Uint8Array): number {
  let equal = 0;
  let telling = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) {
      if (FILLER.has(a[i]!)) continue;
      equal++;
    }
    telling++;
  }
  return equal >= INFORMATIVE && equal * 3 >= telling * 2 ? equal : -1;
}

/** Per category from the summaries: the only place `freed` (a tally, not a list) appears. */
function compareCategories(a: Report, b: Report): Record<Category, CategoryDelta> {
  const out = {} as Record<Category, CategoryDelta>;
  for (const c of CATEGORIES) {
    const ta = a.summary[c];
    const tb = b.summary[c];
    out[c] = {
      a: { blocks: ta.blocks, bytes: ta.bytes },
      b: { blocks: tb.blocks, bytes: tb.bytes },
      delta: { blocks: tb.blocks - ta.blocks, bytes: tb.bytes - ta.bytes },
    };
  }
  return out;
}

/**
 * One-to-one matching inside a group: first blocks whose dump data are identical (the
 * same object in both runs, even if allocated in another order), then the rest by order.
 */
export function matchBlocks(as: readonly ReportBlock[], bs: readonly ReportBlock[]): { aOnly: ReportBlock[]; bOnly: ReportBlock[]; matched: number } {
  const taken = new Array<boolean>(bs.length).fill(false);
  const aLeft: ReportBlock[] = [];
  // B's blocks by data, each list read from a cursor (not shift(): O(n) per call on a big group).
  const byData = new Map<string, { at: number[]; next: number }>();
  bs.forEach((block, i) => {
    if (block.data === null) return;
    const list = byData.get(block.data);
    if (list) list.at.push(i);
    else byData.set(block.data, { at: [i], next: 0 });
  });
  let matched = 0;
  for (const block of as) {
    const list = block.data === null ? undefined : byData.get(block.data);
    const i = list && list.next < list.at.length ? list.at[list.next++] : undefined;
    if (i === undefined) {
      aLeft.push(block);
    } else {
      taken[i] = true;
      matched++;
    }
  }
  const bLeft = bs.filter((_, i) => !taken[i]);
  const pairs = Math.min(aLeft.length, bLeft.length);
  return { aOnly: aLeft.slice(pairs), bOnly: bLeft.slice(pairs), matched: matched + pairs };
}

function side(r: Report): DiffSide {
  return {
    source: r.source,
    truncation: r.truncation,
    evidence: r.evidence,
    lines: r.lines,
    allocs: r.allocs,
    frees: r.frees,
    anomalies: totalAnomalies(r),
  };
}

export function totalAnomalies(r: Report): number {
  let n = 0;
  for (const k of Object.values(r.anomalyCounts)) n += k;
  return n;
}

function tally(blocks: number, size: number): Tally {
  return { blocks, bytes: blocks * size };
}
