// Findings read from the whole run, over the blocks as decided: deferred releases (found
// while streaming) and growth that was never given back, which is what a leak inside a
// loop looks like. A finding's category is the category its blocks ended in.
import { byCategorySignature, groupBy } from '../model/groups.js';
import type { DeferredReleaseFinding, Finding, ReportBlock, UnboundedGrowthFinding } from '../model/report.js';
import { deferredMessage } from '../track/episodes.js';

export function unboundedGrowth(blocks: ReportBlock[], threshold: number): UnboundedGrowthFinding[] {
  const never = blocks.filter((b) => (b.category === 'true-leak' || b.category === 'unresolved') && b.allocLine !== null);
  const groups = [...groupBy(never, byCategorySignature).values()].map((list): UnboundedGrowthFinding => {
    // A loop's group can hold millions of blocks: no spread into Math.min/max.
    const lines = list.map((b) => b.allocLine!);
    const first = lines.reduce((m, l) => (l < m ? l : m), lines[0]!);
    const last = lines.reduce((m, l) => (l > m ? l : m), lines[0]!);
    return {
      kind: 'unbounded-growth',
      context: list[0]!.context,
      size: list[0]!.size,
      blocks: list.length,
      bytes: list.length * list[0]!.size,
      category: list[0]!.category,
      firstLine: first,
      peakLine: last,
      releaseLine: null,
      message: '',
    };
  });
  return groups
    .filter((g) => g.blocks >= threshold)
    .map((g) => ({
      ...g,
      message:
        `${g.blocks} blocks of ${g.size} bytes allocated in ${g.context} (lines ${g.firstLine}\u2013${g.peakLine}) ` +
        `were never freed (${g.category}): growth that did not come back, like a leak in a loop`,
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

export function findingsOf(deferred: DeferredReleaseFinding[], blocks: ReportBlock[], threshold: number): Finding[] {
  return [...leftOfPiles(deferred, blocks), ...unboundedGrowth(blocks, threshold)];
}

/**
 * A pile released only in part: the blocks of its size and call, allocated while it grew,
 * that were never freed are named in its finding, with their category. "Delayed
 * deallocation, not a leak" alone, beside a headline of true leaks from that very call,
 * told two stories (attack notes #96); under the unbounded-growth threshold they had no
 * finding of their own.
 */
function leftOfPiles(deferred: DeferredReleaseFinding[], blocks: ReportBlock[]): DeferredReleaseFinding[] {
  if (deferred.length === 0) return deferred;
  // The never-freed blocks' allocation lines by size and call, sorted: a count per pile by two binary searches.
  const never = new Map<string, { lines: number[]; category: ReportBlock['category'] }>();
  for (const b of blocks) {
    if ((b.category !== 'true-leak' && b.category !== 'unresolved') || b.allocLine === null) continue;
    const key = `${b.size}\u0000${b.category}\u0000${b.context}`;
    const group = never.get(key) ?? { lines: [], category: b.category };
    group.lines.push(b.allocLine);
    never.set(key, group);
  }
  for (const g of never.values()) g.lines.sort((x, y) => x - y);
  return deferred.map((d) => {
    const left: string[] = [];
    for (const category of ['true-leak', 'unresolved'] as const) {
      const lines = never.get(`${d.size}\u0000${category}\u0000${d.context}`)?.lines;
      const n = lines ? atMost(lines, d.peakLine) - atMost(lines, d.firstLine - 1) : 0;
      if (n > 0) left.push(`${n} ${n === 1 ? 'was' : 'were'} never freed (${category})`);
    }
    return left.length === 0 ? d : { ...d, message: deferredMessage(d, left) };
  });
}

/** How many of the sorted `lines` are at most `line`. */
function atMost(lines: number[], line: number): number {
  let lo = 0;
  let hi = lines.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (lines[mid]! <= line) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
