// The JSON shape of a comparison (`spylog/diff@1`). Like the report schema, this is a
// contract for scripts: change meanings only with a new schema version.
import type { Category, Tally, Truncation } from '../model/block.js';
import type { Report } from '../model/report.js';

export const DIFF_SCHEMA = 'spylog/diff@1';

/** What the comparison needs to know about one side, so its completeness is part of the output. */
export interface DiffSide extends Pick<Report, 'source' | 'truncation' | 'evidence' | 'lines' | 'allocs' | 'frees'> {
  /** Total anomalies of every kind on this side. */
  anomalies: number;
}

export interface CategoryDelta {
  a: Tally;
  b: Tally;
  /** b minus a. */
  delta: Tally;
}

/** How a group (context × size × category) changed from A to B. */
export type GroupChange = 'added' | 'removed' | 'grown' | 'shrunk';

export interface DiffGroup {
  context: string;
  size: number;
  category: Category;
  a: Tally;
  b: Tally;
  delta: Tally;
  change: GroupChange;
  /** Allocation lines in A of blocks with no match in B (first few; null: seen only in the dump). */
  aOnlyLines: (number | null)[];
  /** Allocation lines in B of blocks with no match in A (first few). */
  bOnlyLines: (number | null)[];
}

/**
 * Blocks of one size that left one category in A and joined another in B: the same
 * memory decided differently, e.g. freed inside CoUninitialize on NT 4, held until
 * ExitProcess on Windows 2000. Derived from `groups` (which still list both sides).
 */
export interface DiffMove {
  size: number;
  blocks: number;
  bytes: number;
  from: { category: Category; context: string };
  to: { category: Category; context: string };
}

export interface DiffResult {
  schema: typeof DIFF_SCHEMA;
  a: DiffSide;
  b: DiffSide;
  /** Both sides' completeness verdicts (also in `a` and `b`). */
  truncation: { a: Truncation; b: Truncation };
  /** True when any of `weaknesses` applies: the deltas may not mean what they seem. */
  weak: boolean;
  weaknesses: string[];
  categories: Record<Category, CategoryDelta>;
  /** Only the groups whose block count changed, largest absolute byte change first. */
  groups: DiffGroup[];
  /** Same-size blocks that changed category between the runs, paired from `groups`. */
  moves: DiffMove[];
  /** Non-freed blocks matched one to one on both sides (same context, size and category). */
  unchanged: Tally;
}
