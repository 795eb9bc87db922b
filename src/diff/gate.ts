// `--fail-on-new`: "did my change add a leak?" for CI. It trips when, for some allocating
// context and size, B has more blocks of the watched categories than A: a leak that
// replaces another one of the same total size is still caught, while a block that only
// moved between watched categories (`any`: unresolved in a truncated A, true-leak in a
// complete B) is not new.
//
// A B whose exit-time output was lost (piped or redirected: the README's CI recipe reads B from
// a pipe) decides nothing `true-leak`: its new leak is `unresolved`, beside the runtime's blocks
// A showed freed at exit (or in CoUninitialize, on NT 4). So B's `unresolved` blocks count as new,
// for every gate, unless the diff paired them with a block of A as the same memory decided
// differently (its moves: A's runtime memory, or A's leak of that context): `true-leak` passed a
// new leak there, and `unresolved` and `any` failed on the runtime's blocks every time (attack
// notes #149). The moves, not a sum per context, decide what is explained: the diff pairs a
// block once, across contexts too (#151, #156, #160).
import type { Category } from '../model/block.js';
import type { DiffResult } from './schema.js';
import { isUnseenGroup } from '../model/report.js';
import { bytesOf } from '../text/words.js';

export const FAIL_ON_NEW = ['true-leak', 'unresolved', 'any'] as const;
export type FailOnNew = (typeof FAIL_ON_NEW)[number];

/** What may be the program's leak (`any`): a true leak, or what a truncated log cannot decide. */
const LEAKISH: readonly Category[] = ['true-leak', 'unresolved'];

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
  const keyOf = (context: string, size: number): string => `${context}\u0000${size}`;
  const byGroup = new Map<string, { context: string; size: number; delta: Record<Category, number> }>();
  for (const g of diff.groups) {
    const key = keyOf(g.context, g.size);
    let entry = byGroup.get(key);
    if (!entry)
      byGroup.set(
        key,
        (entry = { context: g.context, size: g.size, delta: { freed: 0, couninitialize: 0, exitprocess: 0, 'true-leak': 0, unresolved: 0 } }),
      );
    entry.delta[g.category] += g.delta.blocks;
  }
  // The blocks the diff paired (its moves), by the group each side's block is in. A block of
  // B paired with a block of A outside B's category is explained: not new (into). A block of A
  // paired with one of B outside A's category is explained too, and must not offset B's new
  // blocks of its group (out): A's undecided block that B shows freed at exit, or A's leak that
  // B shows undecided, cancelled B's new leak of that call and size in the per-group sum, and
  // `any` passed it (attack notes #162).
  const into = { unresolved: new Map<string, number>(), leakish: new Map<string, number>() };
  const out = { trueLeak: new Map<string, number>(), unresolved: new Map<string, number>(), leakish: new Map<string, number>() };
  const add = (m: Map<string, number>, key: string, n: number): void => void m.set(key, (m.get(key) ?? 0) + n);
  for (const m of diff.moves) {
    const to = keyOf(m.to.context, m.size);
    const from = keyOf(m.from.context, m.size);
    if (m.to.category === 'unresolved') add(into.unresolved, to, m.blocks);
    if (m.from.category === 'unresolved') add(out.unresolved, from, m.blocks);
    if (m.from.category === 'true-leak') add(out.trueLeak, from, m.blocks);
    // Between the two categories of `any`, a move is neither: the block stays watched. A's
    // runtime memory that B leaks (a BSTR the cache held, never freed now) explains nothing:
    // `true-leak` caught it, and `any` passed it (attack notes #179).
    if (m.to.category === 'unresolved' && !LEAKISH.includes(m.from.category)) add(into.leakish, to, m.blocks);
    if (LEAKISH.includes(m.from.category) && !LEAKISH.includes(m.to.category)) add(out.leakish, from, m.blocks);
  }
  const net: NewBlocks[] = [];
  for (const [key, { context, size, delta }] of byGroup) {
    const newUndecided = Math.max(0, delta.unresolved + (out.unresolved.get(key) ?? 0) - (into.unresolved.get(key) ?? 0));
    const blocks =
      which === 'true-leak'
        ? Math.max(0, delta['true-leak'] + (out.trueLeak.get(key) ?? 0)) + newUndecided
        : which === 'unresolved'
          ? newUndecided
          : delta['true-leak'] + delta.unresolved + (out.leakish.get(key) ?? 0) - (into.leakish.get(key) ?? 0);
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
