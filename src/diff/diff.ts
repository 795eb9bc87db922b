// Comparing two runs. Addresses differ from run to run, so blocks are matched by what
// stays stable: category, allocating context and size (the group), then by order within
// the group, pairing blocks with identical dump data first when both sides have it.
// Pure: two Reports in, one DiffResult out.
import { byCategorySignature, groupBy } from '../model/groups.js';
import { CATEGORIES, type Category, type Tally } from '../model/block.js';
import type { Report, ReportBlock } from '../model/report.js';
import { DIFF_SCHEMA, type CategoryDelta, type DiffGroup, type DiffMove, type DiffResult, type DiffSide } from './schema.js';
import { assessWeaknesses } from './weakness.js';

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
  for (const key of new Set([...byKeyA.keys(), ...byKeyB.keys()])) {
    const as = byKeyA.get(key) ?? [];
    const bs = byKeyB.get(key) ?? [];
    const first = (as[0] ?? bs[0]) as ReportBlock;
    const { aOnly, bOnly, matched } = matchBlocks(as, bs);
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
  groups.sort(
    (x, y) =>
      Math.abs(y.delta.bytes) - Math.abs(x.delta.bytes) ||
      // ties: keep a size together, the side it left before the side it joined, so a block
      // that changed category (or context) reads as a pair ("- couninitialize", "+ exitprocess")
      y.size - x.size ||
      Math.sign(x.delta.blocks) - Math.sign(y.delta.blocks) ||
      CATEGORY_RANK[x.category] - CATEGORY_RANK[y.category] ||
      x.context.localeCompare(y.context),
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
    moves: pairMoves(groups),
    unchanged,
  };
}

/**
 * Pairs, size by size, what left a category with what joined another: largest groups
 * first, so the NT 4 → Windows 2000 picture reads as "couninitialize → exitprocess".
 */
export function pairMoves(groups: readonly DiffGroup[]): DiffMove[] {
  const moves: DiffMove[] = [];
  const bySize = new Map<number, { left: { g: DiffGroup; n: number }[]; joined: { g: DiffGroup; n: number }[] }>();
  for (const g of groups) {
    let entry = bySize.get(g.size);
    if (!entry) bySize.set(g.size, (entry = { left: [], joined: [] }));
    (g.delta.blocks < 0 ? entry.left : entry.joined).push({ g, n: Math.abs(g.delta.blocks) });
  }
  for (const [size, { left, joined }] of bySize) {
    for (const l of left) {
      for (const j of joined) {
        if (l.n === 0) break;
        if (j.n === 0 || j.g.category === l.g.category) continue;
        const blocks = Math.min(l.n, j.n);
        l.n -= blocks;
        j.n -= blocks;
        moves.push({
          size,
          blocks,
          bytes: blocks * size,
          from: { category: l.g.category, context: l.g.context },
          to: { category: j.g.category, context: j.g.context },
        });
      }
    }
  }
  return moves.sort((x, y) => y.bytes - x.bytes || y.size - x.size);
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
  const byData = new Map<string, number[]>();
  bs.forEach((block, i) => {
    if (block.data === null) return;
    const list = byData.get(block.data);
    if (list) list.push(i);
    else byData.set(block.data, [i]);
  });
  let matched = 0;
  for (const block of as) {
    const i = block.data === null ? undefined : byData.get(block.data)?.shift();
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
