// Deciding what a log alone cannot: a baseline turns unresolved blocks that match the
// runtime's known holdings into `exitprocess`, and the rest into true leaks where the
// baseline is complete; --assume-complete decides what is left. Pure: new reports out.
import type { Category, DecidedBy, Tally } from '../model.js';
import type { Report, ReportBlock } from '../report/schema.js';
import { isCompleteFor, type Baseline, type BaselineEntry } from '../baseline/model.js';
import { matchesPattern } from '../baseline/pattern.js';

export interface BaselineMatch {
  entry: BaselineEntry;
  /** Blocks the log itself shows freed during exit that fit the entry. */
  byLog: number;
  /** Unresolved blocks the entry decided (now `exitprocess`, decidedBy `baseline`). */
  byBaseline: number;
}

export interface StaleEntry {
  entry: BaselineEntry;
  expected: number;
  found: number;
}

export interface BaselineOutcome {
  report: Report;
  matched: BaselineMatch[];
  /** Entries that found fewer blocks than they expect: the baseline no longer fits the program. */
  stale: StaleEntry[];
  /** Unresolved blocks that became true leaks because the baseline is complete for their context. */
  convicted: number;
}

export function applyBaseline(report: Report, baseline: Baseline): BaselineOutcome {
  const blocks = report.blocks.map((b) => ({ ...b }));
  const taken = new Set<ReportBlock>();
  const matched: BaselineMatch[] = [];
  const stale: StaleEntry[] = [];

  // A baseline describes one run of the program: a file with several runs (or DebugView
  // processes) matches it once per run, never with one run's blocks counted against another's.
  const parts = new Map<string, ReportBlock[]>();
  for (const b of blocks) {
    const key = `${b.pid ?? ''}/${b.run ?? ''}`;
    const list = parts.get(key);
    if (list) list.push(b);
    else parts.set(key, [b]);
  }
  if (parts.size === 0) parts.set('/', []);

  for (const entry of baseline.entries) {
    const fits = (b: ReportBlock) => !taken.has(b) && b.context === entry.context && b.size === entry.size && matchesPattern(b.data, entry.pattern);
    let byLogCount = 0;
    let byBaselineCount = 0;
    let short = false;
    for (const partBlocks of parts.values()) {
      // Blocks the log already shows freed at exit count first: a console capture checked
      // against its own baseline changes nothing.
      const byLog = partBlocks.filter((b) => b.category === 'exitprocess' && fits(b)).slice(0, entry.count);
      byLog.forEach((b) => taken.add(b));
      const byBaseline = partBlocks.filter((b) => b.category === 'unresolved' && fits(b)).slice(0, entry.count - byLog.length);
      for (const b of byBaseline) {
        taken.add(b);
        b.category = 'exitprocess';
        b.decidedBy = 'baseline';
      }
      byLogCount += byLog.length;
      byBaselineCount += byBaseline.length;
      if (byLog.length + byBaseline.length < entry.count) short = true;
    }
    matched.push({ entry, byLog: byLogCount, byBaseline: byBaselineCount });
    if (short) stale.push({ entry, expected: entry.count * parts.size, found: byLogCount + byBaselineCount });
  }

  let convicted = 0;
  for (const b of blocks) {
    if (b.category === 'unresolved' && isCompleteFor(baseline, b.context)) {
      b.category = 'true-leak';
      b.decidedBy = 'baseline';
      convicted++;
    }
  }
  const next = withBlocks(report, blocks);
  const decided = matched.reduce((s, m) => s + m.byBaseline, 0);
  if (decided + convicted > 0) {
    next.evidence = [
      ...report.evidence,
      `baseline ${baseline.file}: ${decided} never-freed block${decided === 1 ? '' : 's'} match memory the runtime holds until ExitProcess` +
        (convicted ? `; ${convicted} match nothing in a context the baseline lists completely: true leaks` : ''),
    ];
  }
  return { report: next, matched, stale, convicted };
}

/** --assume-complete after the baseline: whatever is still unresolved is a true leak. */
export function assumeComplete(report: Report): Report {
  if (report.summary.unresolved.blocks === 0) return report;
  const blocks = report.blocks.map((b) => (b.category === 'unresolved' ? { ...b, category: 'true-leak' as Category, decidedBy: 'assume-complete' as DecidedBy } : b));
  const next = withBlocks(report, blocks);
  next.evidence = [...report.evidence, '--assume-complete: blocks never freed are counted as true leaks despite this verdict'];
  return next;
}

/**
 * A copy of the report with new block categories and the summary moved to match.
 * Only never-freed and exit-time categories change here; `freed` and `couninitialize`
 * tallies (which include blocks not listed) are kept as they are.
 */
function withBlocks(report: Report, blocks: ReportBlock[]): Report {
  const summary = { ...report.summary } as Record<Category, Tally>;
  const before = tallyListed(report.blocks);
  const after = tallyListed(blocks);
  for (const c of ['exitprocess', 'true-leak', 'unresolved'] as const) {
    summary[c] = {
      blocks: report.summary[c].blocks - before[c].blocks + after[c].blocks,
      bytes: report.summary[c].bytes - before[c].bytes + after[c].bytes,
    };
  }
  return { ...report, blocks, summary };
}

function tallyListed(blocks: ReportBlock[]): Record<'exitprocess' | 'true-leak' | 'unresolved', Tally> {
  const t = { exitprocess: { blocks: 0, bytes: 0 }, 'true-leak': { blocks: 0, bytes: 0 }, unresolved: { blocks: 0, bytes: 0 } };
  for (const b of blocks) {
    if (b.category === 'exitprocess' || b.category === 'true-leak' || b.category === 'unresolved') {
      t[b.category].blocks++;
      t[b.category].bytes += b.size;
    }
  }
  return t;
}
