// `--fail-on-new`: "did my change add a leak?" for CI. It trips when, for some allocating
// context and size, B has more blocks of the watched categories than A: a leak that
// replaces another one of the same total size is still caught, while a block that only
// moved between watched categories (`any`: unresolved in a truncated A, true-leak in a
// complete B) is not new.
//
// A B whose exit-time output was lost (piped or redirected: the README's CI recipe reads B from
// a pipe) decides nothing `true-leak`: its new leak is `unresolved`, beside the runtime's blocks
// A showed freed at exit. So `unresolved` blocks in B count as new where they are more than A's
// blocks of that context and size that B no longer shows (A's `exitprocess` ones: the same
// memory, undecided; or A's leaks), for every gate: `true-leak` passed a new leak there, and
// `unresolved` and `any` failed on the runtime's blocks every time (attack notes #149).
import type { Category } from '../model/block.js';
import type { DiffResult } from './schema.js';
import { isUnseenGroup } from '../model/report.js';
import { bytesOf } from '../text/words.js';

export const FAIL_ON_NEW = ['true-leak', 'unresolved', 'any'] as const;
export type FailOnNew = (typeof FAIL_ON_NEW)[number];

/** Net growth of the watched categories at one allocating context and size. */
export interface NewBlocks {
  context: string;
  size: number;
  blocks: number;
  /** Of those, blocks B could not decide (`unresolved`) that A does not explain. */
  undecided: number;
}

export interface NewBlocksResult {
  tripped: boolean;
  /** Where B has more, largest byte growth first. */
  grown: NewBlocks[];
  message: string;
}

export function failOnNew(diff: DiffResult, which: FailOnNew): NewBlocksResult {
  const byGroup = new Map<string, { context: string; size: number; delta: Record<Category, number> }>();
  for (const g of diff.groups) {
    const key = `${g.context}\u0000${g.size}`;
    let entry = byGroup.get(key);
    if (!entry)
      byGroup.set(
        key,
        (entry = { context: g.context, size: g.size, delta: { freed: 0, couninitialize: 0, exitprocess: 0, 'true-leak': 0, unresolved: 0 } }),
      );
    entry.delta[g.category] += g.delta.blocks;
  }
  const net: NewBlocks[] = [];
  for (const { context, size, delta } of byGroup.values()) {
    // B's undecided blocks beyond what A had there and B no longer shows: A's runtime-held blocks and A's leaks.
    const explained = Math.max(0, -delta.exitprocess) + Math.max(0, -delta['true-leak']);
    const newUndecided = Math.max(0, delta.unresolved - explained);
    const blocks =
      which === 'true-leak'
        ? delta['true-leak'] + newUndecided
        : which === 'unresolved'
          ? Math.min(delta.unresolved, newUndecided)
          : delta['true-leak'] + delta.unresolved - Math.min(Math.max(0, delta.unresolved), Math.max(0, -delta.exitprocess));
    net.push({ context, size, blocks, undecided: Math.min(Math.max(0, blocks), newUndecided) });
  }
  const grown = net.filter((x) => x.blocks > 0).sort((x, y) => y.blocks * y.size - x.blocks * x.size);
  const first = grown[0];
  if (!first) return { tripped: false, grown, message: `--fail-on-new ${which}: nothing new in B` };
  const blocks = grown.reduce((s, x) => s + x.blocks, 0);
  const bytes = grown.reduce((s, x) => s + x.blocks * x.size, 0);
  // Blocks only the spy's output knows have no size (diff.ts).
  const unknown = grown.reduce((s, x) => s + (isUnseenGroup(x) ? x.blocks : 0), 0);
  const more = grown.length > 1 ? `, and ${grown.length - 1} more` : '';
  const undecided = grown.reduce((s, x) => s + x.undecided, 0);
  const why =
    undecided > 0 && which !== 'unresolved'
      ? ` (${undecided === blocks ? (blocks === 1 ? 'it is' : 'all are') : `${undecided} are`} undecided in B, which may be truncated: a leak, or memory the runtime holds)`
      : '';
  return {
    tripped: true,
    grown,
    message:
      `--fail-on-new ${which}: B has ${blocks} new block${blocks === 1 ? '' : 's'} (${bytesOf(bytes, blocks, unknown)}) ` +
      `that A does not: ${isUnseenGroup(first) ? '?' : first.size} bytes x ${first.blocks} in ${first.context}${more}${why}`,
  };
}
