// Findings read from the whole run, over the blocks as decided: deferred releases (found
// while streaming) and growth that was never given back, which is what a leak inside a
// loop looks like. A finding's category is the category its blocks ended in.
import { byCategorySignature, groupBy } from '../model/groups.js';
import type { DeferredReleaseFinding, Finding, ReportBlock, UnboundedGrowthFinding } from '../model/report.js';

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
  return [...deferred, ...unboundedGrowth(blocks, threshold)];
}
