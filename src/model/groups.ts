// Blocks are grouped the same way everywhere a report is summarised (text tables, diff,
// the CI gate, baselines, findings): by what survives a new process, never by address.
import type { ReportBlock } from './report.js';

/** The blocks under each key, keys in order of first appearance, blocks in report order. */
export function groupBy<T>(items: Iterable<T>, key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Allocating context and size: a block's signature across runs. */
export const bySignature = (b: ReportBlock): string => `${b.context}\0${b.size}`;

/** Category, context and size: a line of a summary table. */
export const byCategorySignature = (b: ReportBlock): string => `${b.category}\0${bySignature(b)}`;
