// Domain types shared by every layer: the five categories, what decided a block, and the
// tracker's record of one block's life.

/** Every block ends in exactly one category (SPEC §3). */
export const CATEGORIES = ['freed', 'couninitialize', 'exitprocess', 'true-leak', 'unresolved'] as const;
export type Category = (typeof CATEGORIES)[number];

/** What decided a never-freed block's category. */
export type DecidedBy = 'log' | 'baseline' | 'known-holder' | 'assume-complete';

export type Truncation = 'complete' | 'truncated' | 'possibly-truncated';

/**
 * A block's identity in the live table: the address as a number when it has at most 13
 * significant hex digits (exact in a double; no string to build or hash per event), else
 * its upper-case hex without leading zeros.
 */
export type BlockKey = number | string;

/** One spied allocation, from its allocation (or first sighting) to its free, as a report lists it. */
export interface Block {
  /** The address as the log printed it (the newest one after a realloc). */
  address: string;
  size: number;
  /** Line of the allocation; null when the block was first seen in the dump. */
  allocLine: number | null;
  /** Line where the block was first seen (allocation or dump entry): for ordering. */
  firstLine: number;
  freeLine: number | null;
  /** The program call the block was allocated in; null until the next program line. */
  context: string | null;
  inDump: boolean;
  data: string | null;
  reallocs: number;
  /** The Nth allocation of its run (see ReportBlock.ordinal); null when its allocation is not in the log. */
  ordinal: number | null;
  /** Only on a block reallocated since the program's output ended (alive, or freed since): its size there. */
  heldSize?: number;
}

export interface Tally {
  blocks: number;
  bytes: number;
}

export const CATEGORY_MEANING: Record<Category, string> = {
  freed: 'freed while the program ran: normal',
  couninitialize: 'freed inside CoUninitialize: normal COM cleanup',
  exitprocess: 'outlived CoUninitialize, freed during process exit: held by the COM runtime',
  'true-leak': 'never freed, and the log is complete: the program\u2019s leak',
  unresolved: 'never freed, but the log may be truncated: exit-time free or leak, the log cannot say',
};
