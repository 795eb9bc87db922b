// From a trustworthy reference run (a complete console capture) to a baseline, and the
// baseline's CSV text. Pure: the CLI does the I/O.
import { bySignature, groupBy } from '../model/groups.js';
import type { Report, ReportBlock, ReportPart } from '../model/report.js';
import { csvField } from '../text/csv.js';
import { ALL_CONTEXTS, type Baseline, type BaselineEntry } from './model.js';
import { derivePattern, formatPattern, wordSizeOf } from './pattern.js';
import { compareText } from '../text/compare.js';
import { count } from '../text/words.js';

export const BASELINE_COLUMNS = ['context', 'size', 'count', 'pattern', 'note'] as const;

/**
 * The runtime-held blocks of a reference report, one entry per (context, size). Blocks
 * allocated inside ExitProcess itself are left out: a redirected run never shows them,
 * so listing them would only make every such baseline stale. A baseline describes one
 * run: a reference file of several runs (or processes) gives each row the largest count
 * one run held.
 */
export function buildBaseline(report: Report): Baseline {
  const counts = new Map<string, number>();
  const held: ReportBlock[] = [];
  for (const run of runsOf(report)) {
    const last = run.phases.lastProgramLine;
    const mine = run.blocks.filter((b) => b.category === 'exitprocess' && !(b.allocLine !== null && last !== null && b.allocLine > last));
    for (const b of mine) held.push(b);
    for (const [key, list] of groupBy(mine, bySignature)) counts.set(key, Math.max(counts.get(key) ?? 0, list.length));
  }
  const groups = groupBy(held, bySignature);
  const wordSize = wordSizeOf(report.blocks);
  const entries: BaselineEntry[] = [...groups].map(([key, blocks]) => {
    const first = blocks[0]!;
    const lines = blocks.map((b) => b.allocLine ?? b.freeLine).filter((l) => l !== null);
    return {
      context: first.context,
      size: first.size,
      count: counts.get(key)!,
      pattern: derivePattern(
        blocks.map((b) => b.data),
        wordSize,
      ),
      note: lines.length ? `reference line${lines.length > 1 ? 's' : ''} ${lines.slice(0, 4).join(' ')}${lines.length > 4 ? ' ...' : ''}` : '',
      line: 0,
    };
  });
  entries.sort((a, b) => compareText(a.context, b.context) || a.size - b.size);
  return { file: report.source, entries, complete: new Set([ALL_CONTEXTS]) };
}

/**
 * Why a complete-looking reference cannot say what the runtime holds, or null. A baseline
 * says it lists everything (`# complete: *`), so a reference with lines missing would make
 * the runtime's blocks in later runs true leaks:
 * - blocks it frees at exit that it never showed allocated (first seen in its dump): their
 *   allocation lines are not in the log, as when a console paste's first lines scrolled out
 *   of the window; such a block has no call to name, so its row fits no later run's block
 *   (attack notes #225, #234);
 * - frees of blocks it never showed at all: a paste that lost its dump as well (#233);
 * - no run that reached CoUninitialize or dumped: it shows nothing of what the runtime holds
 *   past CoUninitialize; or a run that did not, with blocks never freed (an `exit()`: its
 *   exit-time frees read as ordinary ones, and the runtime's blocks it left are not told from
 *   its leaks). A part with no spy event (DebugView's other processes, a second tool without a
 *   spy) or a crashed run with nothing left alive says nothing either way (attack notes #237, #244);
 * - parts kept only as summaries (past the first hundred of a file) with spy events: their
 *   blocks are not listed, so neither their rows nor these tests could see them (#241).
 */
export function referenceGap(report: Report): string | null {
  const unborn = report.blocks.filter((b) => b.category === 'exitprocess' && b.allocLine === null);
  if (unborn.length > 0) {
    const one = unborn.length === 1;
    return `${count(unborn.length, 'block')} freed at exit (${unborn[0]!.address}${one ? '' : ', ...'}) ${one ? 'was' : 'were'} first seen in the dump: ${one ? 'its allocation line is' : 'their allocation lines are'} not in the log (its start scrolled out of the console window, or the lines are garbled: see the anomalies), so the call${one ? '' : 's'} that allocated ${one ? 'it is' : 'them are'} unknown`;
  }
  const unknown = report.anomalies.filter((a) => a.kind === 'unknown-free');
  const unknownFrees = report.anomalyCounts['unknown-free'] ?? 0;
  if (unknownFrees > 0) {
    return `${count(unknownFrees, 'free')} of blocks the log never showed (line ${unknown[0]?.line ?? '?'}): lines are missing from it (its start scrolled out of the console window?), or the program freed what it never allocated`;
  }
  const parts = partsOf(report, '');
  const summarized = parts.filter((p) => p.report === null).length;
  if (summarized > 0)
    return `${count(summarized, 'part')} of the file (past its first hundred runs or processes) ${summarized === 1 ? 'is' : 'are'} kept only as a summary, so ${summarized === 1 ? 'its' : 'their'} blocks cannot be listed; cut the log to the run the baseline is for`;
  const runs = parts.filter((p): p is Part & { report: Report } => p.report !== null);
  const shutDown = (r: Report) => r.phases.coUninitialize !== null || r.phases.dump !== null;
  const never = 'never reached CoUninitialize nor dumped (a crash, an early exit, or its start is not in the log)';
  if (!runs.some((p) => shutDown(p.report))) return `the run ${never}: it shows nothing of what the runtime holds past CoUninitialize`;
  const cut = runs.find((p) => !shutDown(p.report) && p.report.summary['true-leak'].blocks + p.report.summary.unresolved.blocks > 0);
  if (cut) return `${cut.label} ${never}, yet left blocks alive: the runtime's cannot be told from the program's leaks`;
  return null;
}

interface Part {
  label: string;
  report: Report | null;
}

/**
 * The single-run reports a report is made of, each with a name for messages (`pid 4312, run 2
 * (line 40)`). A part kept only as a summary (past the first hundred of a file) lists no blocks:
 * its report is null, and it is left out when it saw no spy event.
 */
function partsOf(report: Report, label: string): Part[] {
  const summary = (p: ReportPart, name: string): Part[] =>
    p.verdict !== undefined && p.verdict.allocs + p.verdict.frees > 0 ? [{ label: name, report: null }] : [];
  if (report.processes) {
    return report.processes.flatMap((p) => {
      const name = `pid ${p.pid ?? '?'}`;
      return p.report ? partsOf(p.report, name) : summary(p, name);
    });
  }
  if (report.runs) {
    const within = label === '' ? '' : `${label}, `;
    return report.runs.flatMap((r) => {
      const name = `${within}run ${r.index} (line ${r.firstLine})`;
      return r.report ? [{ label: name, report: r.report }] : summary(r, name);
    });
  }
  return [{ label: label === '' ? 'the run' : label, report }];
}

/** The single-run reports a report is made of (itself when it holds one run). */
function runsOf(report: Report): Report[] {
  return partsOf(report, '').flatMap((p) => (p.report ? [p.report] : []));
}

/** The baseline as CSV: comment lines say where it came from and what `complete` means. */
export function renderBaseline(baseline: Baseline, reference: Report): string {
  const out = [
    '# spylog baseline: memory the COM runtime holds past CoUninitialize and frees in ExitProcess.',
    `# reference: ${oneLine(reference.source)} (${reference.truncation}; ${reference.allocs} allocations)`,
    '# pattern: the first dump bytes, ?? = any byte (pointers, or bytes that differ between blocks).',
    '# Each "complete:" line names a context (* = all) for which this file lists everything the',
    "# runtime holds: there, a never-freed block that matches no row is the program's true leak.",
    ...[...baseline.complete].map((c) => `# complete: ${oneLine(c)}`),
    BASELINE_COLUMNS.join(','),
  ];
  for (const e of baseline.entries) {
    out.push([e.context, e.size, e.count, formatPattern(e.pattern), e.note].map(csvField).join(','));
  }
  return out.join('\n') + '\n';
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
