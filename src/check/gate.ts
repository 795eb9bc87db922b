// The CI gate over a decided report: a list of checks, each passing, warning or failing,
// the groups of blocks they are about, and one verdict line. It decides nothing: the
// analysis decided every block (with the baseline and --assume-complete, if given), and
// the gate reads that decision. Pure.
import { bySignature, groupBy } from '../model/groups.js';
import { bytes, bytesOf, count, num, unseenLost, unseenSource } from '../text/words.js';
import { unseenIn, type Report, type ReportBlock, type StaleRow, type UnseenCategory } from '../model/report.js';
import { compareText } from '../text/compare.js';

export type Policy = 'fail' | 'warn' | 'allow';
export const POLICIES: Policy[] = ['fail', 'warn', 'allow'];

export interface Thresholds {
  /** True leaks tolerated (blocks). */
  maxLeaks: number;
  /** True-leak bytes tolerated; null: no byte limit. */
  maxLeakBytes: number | null;
  unresolved: Policy;
  stale: Policy;
}

export const DEFAULT_THRESHOLDS: Thresholds = { maxLeaks: 0, maxLeakBytes: null, unresolved: 'fail', stale: 'warn' };

export type Outcome = 'pass' | 'warn' | 'fail';

export interface GateCheck {
  id: 'true-leaks' | 'leak-bytes' | 'unresolved' | 'baseline';
  /** A short title (a JUnit test case name). */
  name: string;
  outcome: Outcome;
  message: string;
}

/** Blocks of one category allocated in one context with one size. */
export interface BlockGroup {
  category: 'true-leak' | 'unresolved';
  context: string;
  size: number;
  blocks: ReportBlock[];
  bytes: number;
}

export interface CheckResult {
  schema: 'spylog/check@1';
  source: string;
  passed: boolean;
  verdict: string;
  checks: GateCheck[];
  leaks: BlockGroup[];
  unresolved: BlockGroup[];
  unresolvedPolicy: Policy;
  baseline: { file: string; matched: number; convicted: number; stale: StaleRow[] } | null;
  report: Report;
}

export function gate(report: Report, thresholds: Thresholds = DEFAULT_THRESHOLDS): CheckResult {
  const s = report.summary;
  const leaks = s['true-leak'];
  const unresolved = s.unresolved;
  const unseenOf = (c: UnseenCategory): number => unseenIn(report.unseen, c);
  // Blocks only the spy's count knows (their allocation lines were lost): said once, after the check's own sentence.
  const lost = (c: UnseenCategory): string => {
    const k = unseenOf(c);
    if (k === 0) return '';
    const who = k === s[c].blocks ? (k === 1 ? 'It is' : 'They are') : `${num(k)} of them ${k === 1 ? 'is' : 'are'}`;
    return (
      `. ${who} known only from ${unseenSource(report.unseen![c]!)}: this log lost ${unseenLost(report.unseen![c]!)}` +
      (c === 'unresolved' ? `, and no baseline can decide ${k === 1 ? 'it' : 'them'}` : '')
    );
  };
  const checks: GateCheck[] = [];

  checks.push({
    id: 'true-leaks',
    name: `true leaks <= ${thresholds.maxLeaks}`,
    outcome: leaks.blocks > thresholds.maxLeaks ? 'fail' : 'pass',
    message: `${count(leaks.blocks, 'true leak')} (${bytesOf(leaks.bytes, leaks.blocks, unseenOf('true-leak'))}); at most ${thresholds.maxLeaks} allowed${lost('true-leak')}`,
  });
  if (thresholds.maxLeakBytes !== null) {
    checks.push({
      id: 'leak-bytes',
      name: `leaked bytes <= ${thresholds.maxLeakBytes}`,
      outcome: leaks.bytes > thresholds.maxLeakBytes ? 'fail' : 'pass',
      message: `${bytes(leaks.bytes)} in true leaks${unseenOf('true-leak') > 0 ? ` (and ${count(unseenOf('true-leak'), 'of unknown size', 'of unknown size')})` : ''}; at most ${thresholds.maxLeakBytes} allowed`,
    });
  }
  checks.push({
    id: 'unresolved',
    name: 'no unresolved blocks',
    outcome: unresolved.blocks === 0 ? 'pass' : policyOutcome(thresholds.unresolved),
    message:
      unresolved.blocks === 0
        ? 'every never-freed block is decided'
        : `${count(unresolved.blocks, 'block')} (${bytesOf(unresolved.bytes, unresolved.blocks, unseenOf('unresolved'))}) never freed, but the log is ${report.truncation}: ` +
          `they may be runtime memory freed during ExitProcess, whose output a redirected stdout loses. ` +
          // A baseline decides blocks by context and size: none for blocks only the spy's output knows.
          (unseenOf('unresolved') === unresolved.blocks
            ? 'To decide them, capture the run again (on a console, with nothing else writing to it), or pass --assume-complete'
            : 'To decide them, check with --baseline FILE (made by `spylog baseline` from a console capture of the same program), ' +
              'capture the run on a console, or pass --assume-complete') +
          (thresholds.unresolved === 'fail' ? ' (or --unresolved warn to let them pass)' : '') +
          lost('unresolved'),
  });

  let baselineSummary: CheckResult['baseline'] = null;
  const baseline = report.baseline;
  if (baseline) {
    const { stale, matched } = baseline;
    baselineSummary = { file: baseline.file, matched, convicted: baseline.convicted, stale };
    checks.push({
      id: 'baseline',
      name: 'baseline is current',
      outcome: stale.length === 0 ? 'pass' : policyOutcome(thresholds.stale),
      message:
        stale.length === 0
          ? `every entry of ${baseline.file} found its blocks (${count(matched, 'block')})`
          : `${count(stale.length, 'entry', 'entries')} of ${baseline.file} found fewer blocks than expected: ` +
            stale.map((x) => `line ${x.line} ${x.context} ${x.size} bytes (expected ${x.expected}, found ${x.found})`).join('; ') +
            `. The runtime now holds less, or the program changed: regenerate the baseline with \`spylog baseline\``,
    });
  }

  const passed = checks.every((c) => c.outcome !== 'fail');
  const result: CheckResult = {
    schema: 'spylog/check@1',
    source: report.source,
    passed,
    verdict: '',
    checks,
    leaks: groupBlocks(report.blocks, 'true-leak'),
    unresolved: groupBlocks(report.blocks, 'unresolved'),
    unresolvedPolicy: thresholds.unresolved,
    baseline: baselineSummary,
    report,
  };
  result.verdict = checkVerdict(result);
  return result;
}

function policyOutcome(p: Policy): Outcome {
  return p === 'fail' ? 'fail' : p === 'warn' ? 'warn' : 'pass';
}

/** One line for a CI log: PASS or FAIL, the leaks, and what the baseline explained. */
export function checkVerdict(r: CheckResult): string {
  const s = r.report.summary;
  const parts: string[] = [];
  const unknown = (c: UnseenCategory): number => unseenIn(r.report.unseen, c);
  const leaks = s['true-leak'];
  parts.push(leaks.blocks ? `${count(leaks.blocks, 'true leak')} (${bytesOf(leaks.bytes, leaks.blocks, unknown('true-leak'))})` : 'no true leaks');
  if (s.unresolved.blocks)
    parts.push(
      `${count(s.unresolved.blocks, 'unresolved block')} (${bytesOf(s.unresolved.bytes, s.unresolved.blocks, unknown('unresolved'))}, log ${r.report.truncation})`,
    );
  const head = `${r.passed ? 'PASS' : 'FAIL'}: ${parts.join(', ')}`;
  const tail: string[] = [];
  if (r.baseline) {
    tail.push(`${count(r.baseline.matched, 'runtime-held block')} matched the baseline`);
    if (r.baseline.stale.length) tail.push(`baseline stale (${count(r.baseline.stale.length, 'entry', 'entries')} unmatched)`);
  } else if (s.exitprocess.blocks) {
    tail.push(`${count(s.exitprocess.blocks, 'block')} held by the runtime until ExitProcess`);
  }
  const failed = r.checks.filter((c) => c.outcome === 'fail').map((c) => c.id);
  if (failed.length) tail.push(`failed: ${failed.join(', ')}`);
  return tail.length ? `${head} \u2014 ${tail.join('; ')}` : head;
}

function groupBlocks(blocks: ReportBlock[], category: BlockGroup['category']): BlockGroup[] {
  const groups = groupBy(
    blocks.filter((b) => b.category === category),
    bySignature,
  );
  return [...groups.values()]
    .map((list): BlockGroup => ({ category, context: list[0]!.context, size: list[0]!.size, blocks: list, bytes: list.length * list[0]!.size }))
    .sort((a, b) => b.bytes - a.bytes || compareText(a.context, b.context) || a.size - b.size);
}
