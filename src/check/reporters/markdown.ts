// A GitHub job summary (GitHub-flavoured Markdown, what `$GITHUB_STEP_SUMMARY` shows on the
// run's page): the verdict, the gate, a table of the leak sites, the completeness evidence and
// the first dump bytes of each site. GitHub fails the upload of a step's summary over 1 MiB,
// and several logs checked in one step share that, so every list is capped (saying how many
// rows were left out) and the whole is cut on a line boundary if it still would not fit.
// Text from the log is escaped: it can neither open Markdown or HTML nor break a table.
import type { CheckResult, Outcome } from '../gate.js';
import { ciView, crtLeakReport, linesText, type CiFinding, type CiOptions } from '../findings.js';
import { PLAIN, type Style } from '../../report/style.js';
import { count, num, testLabel } from '../../text/words.js';
import { displayLines } from '../../text/display.js';

/** Rows of the leak-site table, items of the evidence list, dump blocks shown. */
const MAX_ROWS = 50;
const MAX_EVIDENCE = 20;
const MAX_DATA = 20;
/** A step summary must stay under 1 MiB; leave room for what other tools of the step append. */
export const SUMMARY_BUDGET = 256 * 1024;

const MARK: Record<Outcome, string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail' };
const LEVEL_MARK: Record<CiFinding['level'], string> = { error: '❌', warning: '⚠️', note: 'ℹ️' };

/** `renderMarkdown` as the one piece the CLI writes: its size is bounded whatever the log (cut to SUMMARY_BUDGET). */
export function renderMarkdownParts(r: CheckResult, style: Style = PLAIN, options: CiOptions = {}): string[] {
  return [renderMarkdown(r, style, options)];
}

export function renderMarkdown(r: CheckResult, _style: Style = PLAIN, options: CiOptions = {}): string {
  const view = ciView(r, options);
  const out: string[] = [];
  out.push(`### ${r.passed ? '✅' : '❌'} spylog check ${code(view.name)}: ${r.passed ? 'PASS' : 'FAIL'}`, '');
  out.push(`**${md(r.verdict)}**`, '');
  out.push(`Log ${code(view.logPath)}: ${r.report.truncation}; ${count(r.report.allocs, 'allocation')}, ${count(r.report.frees, 'free')}.`, '');

  out.push('| gate | outcome | details |', '| --- | --- | --- |');
  for (const c of r.checks) out.push(`| ${md(c.name)} | ${MARK[c.outcome]} | ${md(cut(c.message, 1000))} |`);
  out.push('');
  const crt = crtLeakReport(r);
  if (crt) out.push(`> ⚠️ Line ${crt.line}: ${md(crt.message)}`, '');

  if (view.findings.length) {
    out.push('| | rule | context | size | blocks | bytes | log lines | located at |', '| --- | --- | --- | ---: | ---: | ---: | --- | --- |');
    for (const f of view.findings.slice(0, MAX_ROWS)) {
      const lines = f.logLines.length
        ? linesText(f.logLines).replace(/^lines? /, '')
        : f.stale
          ? ''
          : f.unseenAt !== undefined
            ? `lost (shown at ${f.unseenAt})`
            : 'dump only';
      const unknown = f.unseenAt !== undefined; // a size and bytes nobody knows
      out.push(
        `| ${LEVEL_MARK[f.level]} | ${f.rule.slice('spylog/'.length)} | ${md(cut(f.context))} | ${unknown ? '?' : num(f.size)} | ${num(f.blocks)} | ${unknown ? '?' : num(f.bytes)} | ${lines} | ${code(`${f.location.path}:${f.location.line}`)} |`,
      );
    }
    if (view.findings.length > MAX_ROWS)
      out.push('', `_${count(view.findings.length - MAX_ROWS, 'more finding')} not shown: the JUnit, SARIF or JSON output lists them all._`);
    out.push('');
  }

  // The tests the program's runner printed whose blocks leaked or stay undecided (the JUnit output has a case per test).
  const leaky = (r.report.tests ?? []).filter((t) => t.summary['true-leak'].blocks + t.summary.unresolved.blocks > 0);
  if (leaky.length) {
    out.push('| test | true leaks | unresolved |', '| --- | ---: | ---: |');
    const cell = (t: { blocks: number; bytes: number }) => (t.blocks ? `${count(t.blocks, 'block')}, ${num(t.bytes)} bytes` : '');
    for (const t of leaky.slice(0, MAX_ROWS))
      out.push(`| ${code(testLabel(t.name, t.iteration))} | ${cell(t.summary['true-leak'])} | ${cell(t.summary.unresolved)} |`);
    if (leaky.length > MAX_ROWS) out.push('', `_${count(leaky.length - MAX_ROWS, 'more test')} not shown: the JUnit or JSON output lists them all._`);
    out.push('');
  }

  const evidence = r.report.evidence;
  if (evidence.length) {
    out.push(`Evidence for "${r.report.truncation}":`, '');
    for (const e of evidence.slice(0, MAX_EVIDENCE)) out.push(`- ${md(cut(e))}`);
    if (evidence.length > MAX_EVIDENCE) out.push(`- _… ${count(evidence.length - MAX_EVIDENCE, 'more item')}_`);
    out.push('');
  }

  const dumped = view.findings.filter((f) => f.blockList.some((b) => b.data));
  if (dumped.length) {
    out.push('<details><summary>First dump bytes of each leak site</summary>', '', '```text');
    for (const f of dumped.slice(0, MAX_DATA)) {
      const b = f.blockList.find((x) => x.data)!;
      // Inside a fence nothing is markup; only a fence of its own could end it, and dump bytes are hex.
      out.push(`${f.rule.slice('spylog/'.length)} ${plain(f.context)}, ${num(f.size)} bytes: ${b.address}  ${plain(b.data ?? '')}`);
    }
    if (dumped.length > MAX_DATA) out.push(`… ${count(dumped.length - MAX_DATA, 'more leak site')}`);
    out.push('```', '', '</details>', '');
  }
  // Log text (contexts, test names, paths) with bidi controls or invisible characters shows them, as the text report does.
  return fitSummary(displayLines(out.join('\n'), false), SUMMARY_BUDGET);
}

/** Markdown text: ASCII punctuation that could start markup, HTML or a mention escaped, line breaks joined, table pipes escaped. */
export function md(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_{}[\]<>#+!|~@&]/g, (c) => '\\' + c)
    .replace(/^-/, '\\-');
}

/** A code span that no backtick in the text can close; pipes escaped so a table cell holds it. */
function code(s: string): string {
  const t = s.replace(/[\r\n]+/g, ' ');
  const longest = Math.max(0, ...(t.match(/`+/g) ?? []).map((x) => x.length));
  const fence = '`'.repeat(longest + 1);
  const pad = t.startsWith('`') || t.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${t.replace(/\|/g, '\\|')}${pad}${fence}`;
}

/** Text inside a fenced block: one line, and no run of backticks that could close the fence. */
function plain(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').replace(/`{3,}/g, (m) => m.split('').join(' '));
}

function cut(s: string, max = 300): string {
  return s.length > max ? s.slice(0, max - 1) + '…' : s;
}

/** Cut on a line boundary to fit `budget` bytes of UTF-8, saying so. */
export function fitSummary(markdown: string, budget: number): string {
  const text = markdown.endsWith('\n') ? markdown : markdown + '\n';
  if (Buffer.byteLength(text, 'utf8') <= budget) return text;
  const note = '\n_… summary cut to stay within GitHub’s step-summary limit; the JUnit, SARIF or JSON output has everything._\n';
  let cutText = Buffer.from(text, 'utf8')
    .subarray(0, budget - Buffer.byteLength(note, 'utf8'))
    .toString('utf8');
  cutText = cutText.slice(0, cutText.lastIndexOf('\n') + 1);
  return cutText + note;
}
