// A baseline: the memory the COM runtime is known to hold past CoUninitialize (freed only
// in ExitProcess), described by what survives a new process: the allocating context,
// the size, a data pattern, and how many such blocks to expect.
import type { Pattern } from './pattern.js';

export interface BaselineEntry {
  context: string;
  size: number;
  count: number;
  pattern: Pattern;
  note: string;
  /** Line of the entry in its file (0 for a baseline built in memory). */
  line: number;
}

export interface Baseline {
  /** Where it was read from, for messages. */
  file: string;
  entries: BaselineEntry[];
  /**
   * Contexts for which the baseline lists everything the runtime holds: an unmatched
   * never-freed block allocated there is the program's leak. `*` stands for every context.
   */
  complete: Set<string>;
  /** Line of each context's first `# complete:` directive in the file (where CI formats locate a leak it convicted); absent for a baseline built in memory. */
  completeLines?: Map<string, number>;
}

export const ALL_CONTEXTS = '*';

export function isCompleteFor(baseline: Baseline, context: string): boolean {
  return baseline.complete.has(ALL_CONTEXTS) || baseline.complete.has(context);
}
