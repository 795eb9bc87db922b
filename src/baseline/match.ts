// The baseline as a decider: blocks of one run that fit a row of known runtime-held
// memory are that memory. A row takes up to `count` blocks of its context and size whose
// data fits its pattern: first those the log itself shows freed at exit (a console
// capture checked against its own baseline changes nothing), then never-freed ones, which
// become `exitprocess` (decidedBy `baseline`). Afterwards, a never-freed block that the
// log cannot decide and that fits no row, in a context the baseline lists completely, is
// the program's: `true-leak` (decidedBy `baseline`; `convict`). Blocks are changed in
// place: the caller owns them (one run's, fresh). Pure.
import { bySignature } from '../model/groups.js';
import type { BaselineUse, ReportBlock } from '../model/report.js';
import { isCompleteFor, type Baseline, type BaselineEntry } from './model.js';
import { formatPattern, matchesPattern } from './pattern.js';

export interface EntryMatch {
  entry: BaselineEntry;
  /** Blocks the log itself shows freed during exit that fit the row. */
  byLog: number;
  /** Never-freed blocks the row decided (now `exitprocess`, decidedBy `baseline`). */
  byBaseline: number;
}

export interface BaselineMatch {
  entries: EntryMatch[];
  /** Never-freed blocks decided `exitprocess` by a row. */
  decided: number;
  /** Never-freed blocks decided `true-leak` because the baseline is complete for their context (set by `convict`). */
  convicted: number;
}

/** Candidates of one signature, in report order, with the first one not yet taken. */
interface Pool {
  blocks: ReportBlock[];
  first: number;
}

/**
 * Matches one run's blocks. `undecided` says which blocks a row may decide (the never-freed
 * ones the log cannot decide by itself); `exitprocess` blocks count for their row first.
 * Rows find their candidates by (context, size): rows × matching blocks, never rows × blocks.
 */
export function matchBaseline(blocks: ReportBlock[], baseline: Baseline, undecided: (b: ReportBlock) => boolean): BaselineMatch {
  const byLog = new Map<string, Pool>();
  const open = new Map<string, Pool>();
  for (const b of blocks) {
    const pools = b.category === 'exitprocess' ? byLog : undecided(b) ? open : null;
    if (pools === null) continue;
    const key = bySignature(b);
    const pool = pools.get(key);
    if (pool) pool.blocks.push(b);
    else pools.set(key, { blocks: [b], first: 0 });
  }
  const taken = new Set<ReportBlock>();
  const take = (pool: Pool | undefined, entry: BaselineEntry, max: number): ReportBlock[] => {
    const out: ReportBlock[] = [];
    if (!pool) return out;
    while (pool.first < pool.blocks.length && taken.has(pool.blocks[pool.first]!)) pool.first++;
    for (let i = pool.first; i < pool.blocks.length && out.length < max; i++) {
      const b = pool.blocks[i]!;
      if (!taken.has(b) && matchesPattern(b.data, entry.pattern)) {
        taken.add(b);
        out.push(b);
      }
    }
    return out;
  };

  const entries: EntryMatch[] = [];
  let decided = 0;
  for (const entry of baseline.entries) {
    const key = `${entry.context}\0${entry.size}`;
    const shown = take(byLog.get(key), entry, entry.count);
    const held = take(open.get(key), entry, entry.count - shown.length);
    for (const b of held) {
      b.category = 'exitprocess';
      b.decidedBy = 'baseline';
    }
    decided += held.length;
    entries.push({ entry, byLog: shown.length, byBaseline: held.length });
  }

  return { entries, decided, convicted: 0 };
}

/** Never-freed blocks still undecided, in contexts the baseline lists completely: true leaks. Returns how many. */
export function convict(blocks: ReportBlock[], baseline: Baseline, undecided: (b: ReportBlock) => boolean): number {
  let convicted = 0;
  for (const b of blocks) {
    if (undecided(b) && isCompleteFor(baseline, b.context)) {
      b.category = 'true-leak';
      b.decidedBy = 'baseline';
      convicted++;
    }
  }
  return convicted;
}

/**
 * What a baseline did to one or several runs, added up run by run (a file may append
 * thousands): each row expects its count once per run, so a row that found fewer in any run
 * is stale (its `expected` and `found` summed over the runs).
 */
export class BaselineTally {
  private matched = 0;
  private decided = 0;
  private convicted = 0;
  private readonly rows: { entry: BaselineEntry; expected: number; found: number; short: boolean }[];

  constructor(private readonly baseline: Baseline) {
    this.rows = baseline.entries.map((entry) => ({ entry, expected: 0, found: 0, short: false }));
  }

  add(run: BaselineMatch): this {
    this.decided += run.decided;
    this.convicted += run.convicted;
    run.entries.forEach((m, i) => {
      const row = this.rows[i]!;
      const found = m.byLog + m.byBaseline;
      this.matched += found;
      row.expected += m.entry.count;
      row.found += found;
      if (found < m.entry.count) row.short = true;
    });
    return this;
  }

  use(): BaselineUse {
    const stale = this.rows
      .filter((r) => r.short)
      .map(({ entry, expected, found }) => ({
        context: entry.context,
        size: entry.size,
        pattern: formatPattern(entry.pattern),
        line: entry.line,
        expected,
        found,
      }));
    return { file: this.baseline.file, matched: this.matched, decided: this.decided, convicted: this.convicted, stale };
  }
}
