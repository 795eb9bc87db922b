// Findings read from the whole run: deferred releases (found while streaming) and
// growth that was never given back, which is what a leak inside a loop looks like.
import type { Category } from '../model.js';
import type { DeferredRelease } from '../track/episodes.js';
import type { Finding, ReportBlock } from '../report/schema.js';

export interface UnboundedGrowth extends Finding {
  kind: 'unbounded-growth';
  context: string;
  size: number;
  blocks: number;
  bytes: number;
  category: Category;
  firstLine: number;
  /** The last allocation of the group: where its growth stood highest. */
  peakLine: number;
  releaseLine: null;
  message: string;
}

export function unboundedGrowth(blocks: ReportBlock[], threshold: number): UnboundedGrowth[] {
  const groups = new Map<string, UnboundedGrowth>();
  for (const b of blocks) {
    if ((b.category !== 'true-leak' && b.category !== 'unresolved') || b.allocLine === null) continue;
    const key = `${b.category}\0${b.context}\0${b.size}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        kind: 'unbounded-growth',
        context: b.context,
        size: b.size,
        blocks: 0,
        bytes: 0,
        category: b.category,
        firstLine: b.allocLine,
        peakLine: b.allocLine,
        releaseLine: null,
        message: '',
      };
      groups.set(key, g);
    }
    g.blocks++;
    g.bytes += b.size;
    g.firstLine = Math.min(g.firstLine, b.allocLine);
    g.peakLine = Math.max(g.peakLine, b.allocLine);
  }
  return [...groups.values()]
    .filter((g) => g.blocks >= threshold)
    .map((g) => ({
      ...g,
      message:
        `${g.blocks} blocks of ${g.size} bytes allocated in ${g.context} (lines ${g.firstLine}\u2013${g.peakLine}) ` +
        `were never freed (${g.category}): growth that did not come back, like a leak in a loop`,
    }))
    .sort((a, b) => b.bytes - a.bytes);
}

export function findingsOf(deferred: DeferredRelease[], blocks: ReportBlock[], threshold: number): Finding[] {
  return [...deferred, ...unboundedGrowth(blocks, threshold)];
}
