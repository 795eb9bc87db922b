// `--fail-on-new`: "did my change add a leak?" for CI. It trips when, for some allocating
// context and size, B has more blocks of the watched categories than A: a leak that
// replaces another one of the same total size is still caught, while a block that only
// moved between watched categories (`any`: unresolved in a truncated A, true-leak in a
// complete B) is not new.
import type { Category } from '../model/block.js';
import type { DiffResult } from './schema.js';
import { isUnseenGroup } from '../model/report.js';
import { bytesOf } from '../text/words.js';

export const FAIL_ON_NEW = ['true-leak', 'unresolved', 'any'] as const;
export type FailOnNew = (typeof FAIL_ON_NEW)[number];

/** `any`: anything that may be the program's leak (a true leak, or what a truncated log cannot decide). */
const WATCHED: Record<FailOnNew, readonly Category[]> = {
  'true-leak': ['true-leak'],
  unresolved: ['unresolved'],
  any: ['true-leak', 'unresolved'],
};

/** Net growth of the watched categories at one allocating context and size. */
export interface NewBlocks {
  context: string;
  size: number;
  blocks: number;
}

export interface NewBlocksResult {
  tripped: boolean;
  /** Where B has more, largest byte growth first. */
  grown: NewBlocks[];
  message: string;
}

export function failOnNew(diff: DiffResult, which: FailOnNew): NewBlocksResult {
  const watched = WATCHED[which];
  const net = new Map<string, NewBlocks>();
  for (const g of diff.groups) {
    if (!watched.includes(g.category)) continue;
    const key = `${g.context}\u0000${g.size}`;
    const entry = net.get(key) ?? { context: g.context, size: g.size, blocks: 0 };
    entry.blocks += g.delta.blocks;
    net.set(key, entry);
  }
  const grown = [...net.values()].filter((x) => x.blocks > 0).sort((x, y) => y.blocks * y.size - x.blocks * x.size);
  const first = grown[0];
  if (!first) return { tripped: false, grown, message: `--fail-on-new ${which}: nothing new in B` };
  const blocks = grown.reduce((s, x) => s + x.blocks, 0);
  const bytes = grown.reduce((s, x) => s + x.blocks * x.size, 0);
  // Blocks only the spy's output knows have no size (diff.ts).
  const unknown = grown.reduce((s, x) => s + (isUnseenGroup(x) ? x.blocks : 0), 0);
  const more = grown.length > 1 ? `, and ${grown.length - 1} more` : '';
  return {
    tripped: true,
    grown,
    message:
      `--fail-on-new ${which}: B has ${blocks} new block${blocks === 1 ? '' : 's'} (${bytesOf(bytes, blocks, unknown)}) ` +
      `that A does not: ${isUnseenGroup(first) ? '?' : first.size} bytes x ${first.blocks} in ${first.context}${more}`,
  };
}
