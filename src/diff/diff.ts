// Comparing two runs. Addresses differ from run to run, so blocks are matched by what
// stays stable: category, allocating context and size (the group), then by order within
// the group, pairing blocks with identical dump data first when both sides have it.
// Pure: two Reports in, one DiffResult out.
import { byCategorySignature, groupBy } from '../model/groups.js';
import { CATEGORIES, type Category, type Tally } from '../model/block.js';
import { UNSEEN_CONTEXT, unseenIn, type Report, type ReportBlock } from '../model/report.js';
import { DIFF_SCHEMA, type CategoryDelta, type DiffGroup, type DiffResult, type DiffSide } from './schema.js';
import { assessWeaknesses } from './weakness.js';
import { compareText } from '../text/compare.js';
import { pairMoves } from './moves.js';
import { readAgainst } from './reference.js';

/** Unmatched allocation lines listed per group and side (the counts are always exact). */
export const LINES_LISTED = 10;

/** Most alarming first when byte changes tie. */
const CATEGORY_RANK: Record<Category, number> = { 'true-leak': 0, unresolved: 1, exitprocess: 2, couninitialize: 3, freed: 4 };

export function diffReports(a: Report, bAsLogged: Report): DiffResult {
  // B's blocks whose exit-time frees A shows B lost are read as A reads them (reference.ts).
  const { b, cut } = readAgainst(a, bAsLogged);
  const weaknesses = assessWeaknesses(a, b, cut);
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
