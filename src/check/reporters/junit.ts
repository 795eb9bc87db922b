// JUnit XML that the Jenkins xUnit plugin's junit-10.xsd accepts (it validates every file
// and skips one that fails) and that GitLab and Azure Pipelines read: one test case per gate
// check and per leak site, so a CI's test tab names the leaking call, and, when the program's
// test runner printed its tests, one per test, named as the runner names it, failing for the
// tests that leaked, so the test tab names the leaking test too.
//
// Names are the tests' identity across runs (GitLab keys its history on suite + classname +
// name, and keeps one of two cases with the same key; Jenkins tracks by classname + name):
// they hold the category, context and size, never a count, which goes in the failure
// message. The classname starts with `spylog.<log id>` so that two logs in one job never
// collide. Attributes junit-10.xsd rejects (`skipped` on <testsuites>, `file` on
// <testcase>) are left out; `time` has at most three decimals, as its SUREFIRE_TIME wants.
import type { CheckResult, GateCheck } from '../gate.js';
import { ciLevels, ciView, linesText, type CiFinding, type CiOptions, type Level } from '../findings.js';
import type { ReportBlock, TestReport } from '../../model/report.js';
import { bytes, count, testLabel } from '../../text/words.js';
import { xmlAttr, xmlText } from '../../text/xml.js';
import { PLAIN, type Style } from '../../report/style.js';
import { joinAll } from '../../text/pieces.js';

interface Case {
  classname: string;
  name: string;
  time: string;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
  out?: string;
}

/** Stable test names for the gate checks: their thresholds go in the message, not the name. */
const CHECK_TITLES: Record<GateCheck['id'], string> = {
  'true-leaks': 'true leaks',
  'leak-bytes': 'leaked bytes',
  unresolved: 'unresolved blocks',
  baseline: 'baseline is current',
};

export function renderJunit(r: CheckResult, style: Style = PLAIN, options: CiOptions = {}): string {
  return joinAll(renderJunitParts(r, style, options));
}

/**
 * `renderJunit` in pieces, a test case at a time: a log whose leaks are spread over 300,000
 * sites is 300,000 cases, hundreds of megabytes of XML that need not be one string.
 */
export function* renderJunitParts(r: CheckResult, _style: Style = PLAIN, options: CiOptions = {}): Generator<string> {
  const view = ciView(r, options);
  const seconds = ((options.elapsedMs ?? 0) / 1000).toFixed(3);
  const prefix = `spylog.${view.name}`;
  // The whole analysis is what the first check (true leaks) needed: its case carries the
  // time, the others none, so that the cases add up to the suite (Azure and GitLab sum them).
  const gateCases: Case[] = r.checks.map((c, i) => ({
    classname: `${prefix}.gate`,
    name: CHECK_TITLES[c.id],
    time: i === 0 ? seconds : '0',
    ...(c.outcome === 'fail' ? { failure: { message: c.message, type: c.id, body: c.message } } : {}),
    ...(c.outcome === 'warn' ? { skipped: `warning: ${c.message}` } : {}),
  }));
  // A leak site's case is made as it is written (findingCase: failing for an error, skipped for a warning).
  const sites = view.findings.filter((f) => f.rule !== 'spylog/stale-baseline');
  const tests = testCases(`${prefix}.tests`, r.report.tests ?? [], r.report.blocks, ciLevels(r));

  const made = [...gateCases, ...tests];
  const failures = made.filter((c) => c.failure).length + sites.filter((f) => f.level === 'error').length;
  const skipped = made.filter((c) => c.skipped !== undefined).length + sites.filter((f) => f.level === 'warning').length;
  const counts = `tests="${made.length + sites.length}" failures="${failures}" errors="0"`;
  yield [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="spylog" ${counts} time="${seconds}">`,
    `  <testsuite name="${xmlAttr(`spylog check ${view.name}`)}" ${counts} skipped="${skipped}" time="${seconds}" file="${xmlAttr(view.logPath)}">`,
    '    <properties>',
    ...[
      ['log', view.logPath],
      ['truncation', r.report.truncation],
      ['verdict', r.verdict],
      ...(r.baseline ? [['baseline', r.baseline.file]] : []),
      ...(view.crtReport ? [['crt-leak-report', `line ${view.crtReport.line}: ${view.crtReport.message}`]] : []),
    ].map(([k, v]) => `      <property name="${k}" value="${xmlAttr(v!)}"/>`),
    '    </properties>',
    '',
  ].join('\n');
  for (const c of gateCases) yield caseXml(c);
  for (const f of sites) yield caseXml(findingCase(prefix, f));
  for (const c of tests) yield caseXml(c);
  // Leaks this gate does not judge, but which the log reports: said beside the verdict.
  const crt = view.crtReport ? `\nLine ${view.crtReport.line} of the log: ${view.crtReport.message}` : '';
  yield `    <system-out>${xmlText(r.verdict + crt)}</system-out>\n  </testsuite>\n</testsuites>\n`;
}

/** One <testcase>, its lines each ended by a line break. */
function caseXml(c: Case): string {
  const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}" time="${c.time}"`;
  if (c.failure)
    return `${open}>\n      <failure message="${xmlAttr(c.failure.message)}" type="${xmlAttr(c.failure.type)}">${xmlText(c.failure.body)}</failure>\n    </testcase>\n`;
  if (c.skipped !== undefined) return `${open}>\n      <skipped message="${xmlAttr(c.skipped)}"/>\n    </testcase>\n`;
  if (c.out !== undefined) return `${open}>\n      <system-out>${xmlText(c.out)}</system-out>\n    </testcase>\n`;
  return `${open}/>\n`;
}

/**
 * One case per test the runner printed, named as the runner names it (a name the run printed
 * again gets its iteration after it; a name printed in two runs or processes of one file, its
 * part). A test whose blocks the gate fails on fails, as a leak site does: true leaks when the
 * leak gate failed, unresolved blocks under `--unresolved fail`; what the gate lets pass with a
 * warning is skipped with the message; what its blocks became otherwise (held by the runtime,
 * freed after it ended) is its output. Blocks go to their test by its part, name and iteration,
 * indexed once: a case never looks through the others' blocks.
 */
function testCases(classname: string, tests: TestReport[], blocks: ReportBlock[], levels: { leak: Level; unresolved: Level }): Case[] {
  const partOf = (x: { pid?: number | null; run?: number }) =>
    [x.pid === undefined ? '' : x.pid === null ? 'no pid' : `pid ${x.pid}`, x.run === undefined ? '' : `run ${x.run}`].filter(Boolean).join(' ');
  const keyOf = (part: string, name: string, iteration: number | undefined) => `${part}\u0000${iteration ?? 0}\u0000${name}`;
  const own = new Map<string, { 'true-leak': ReportBlock[]; unresolved: ReportBlock[] }>();
  for (const b of blocks) {
    if (typeof b.test !== 'string' || (b.category !== 'true-leak' && b.category !== 'unresolved')) continue;
    const key = keyOf(partOf(b), b.test, b.testIteration);
    let lists = own.get(key);
    if (lists === undefined) own.set(key, (lists = { 'true-leak': [], unresolved: [] }));
    lists[b.category].push(b);
  }
  const seen = new Map<string, number>();
  for (const t of tests) {
    const label = testLabel(t.name, t.iteration);
    seen.set(label, (seen.get(label) ?? 0) + 1);
  }
  return tests.map((t) => {
    const part = partOf(t);
    const label = testLabel(t.name, t.iteration);
    const name = seen.get(label)! > 1 && part ? `${label} (${part})` : label;
    const base: Case = { classname, name, time: '0' };
    const lists = own.get(keyOf(part, t.name, t.iteration));
    const s = t.summary;
    const verdicts: { level: Level; type: string; message: string; list: ReportBlock[] }[] = [];
    if (s['true-leak'].blocks > 0)
      verdicts.push({
        level: levels.leak,
        type: 'true-leak',
        message: `${label} allocated ${count(s['true-leak'].blocks, 'block')} (${bytes(s['true-leak'].bytes)}) that ${s['true-leak'].blocks === 1 ? 'was' : 'were'} never freed: ${s['true-leak'].blocks === 1 ? 'a true leak' : 'true leaks'}`,
        list: lists?.['true-leak'] ?? [],
      });
    if (s.unresolved.blocks > 0)
      verdicts.push({
        level: levels.unresolved,
        type: 'unresolved',
        message: `${label} allocated ${count(s.unresolved.blocks, 'block')} (${bytes(s.unresolved.bytes)}) never freed in a log that may be truncated: freed during ExitProcess or leaked, the log cannot say`,
        list: lists?.unresolved ?? [],
      });
    const failing = verdicts.filter((v) => v.level === 'error');
    const notes = [
      ...verdicts.filter((v) => v.level !== 'error').map((v) => `${v.level === 'warning' ? 'warning' : 'allowed'}: ${v.message}`),
      ...(s.exitprocess.blocks + s.couninitialize.blocks > 0
        ? [
            `${count(s.exitprocess.blocks + s.couninitialize.blocks, 'block')} (${bytes(s.exitprocess.bytes + s.couninitialize.bytes)}) held by the COM runtime until CoUninitialize or ExitProcess`,
          ]
        : []),
      ...(t.freedAfterTest.blocks > 0
        ? [`${count(t.freedAfterTest.blocks, 'block')} (${bytes(t.freedAfterTest.bytes)}) freed after the test ended (a cache?)`]
        : []),
    ];
    if (failing.length > 0) {
      const message = failing.map((v) => v.message).join('; ');
      const body = [message, ...failing.flatMap((v) => blockLines(v.list)), ...notes];
      return { ...base, failure: { message, type: failing[0]!.type, body: body.join('\n') } };
    }
    const warning = verdicts.find((v) => v.level === 'warning');
    if (warning) return { ...base, skipped: `warning: ${warning.message}` };
    return notes.length > 0 ? { ...base, out: notes.join('\n') } : base;
  });
}

/** `line 16 (#6): 0x0023A000, 64 bytes in CoTaskMemAlloc: 54 00 69 00 ...`, at most 10. */
function blockLines(list: ReportBlock[]): string[] {
  const lines = list
    .slice(0, 10)
    .map(
      (b) =>
        `${b.allocLine === null ? 'first seen in the dump' : `${linesText([b.allocLine])}${b.ordinal === null ? '' : ` (#${b.ordinal})`}`}: ${b.address}, ${bytes(b.size)} in ${b.context}${b.data ? `: ${b.data}` : ''}`,
    );
  if (list.length > 10) lines.push(`\u2026 and ${count(list.length - 10, 'more block')}`);
  return lines;
}

function findingCase(prefix: string, f: CiFinding): Case {
  const base = { classname: `${prefix}.blocks`, name: f.title, time: '0' };
  // A leak site fails its case when it fails the gate; one the gate lets pass with a warning
  // (--max-leaks, --unresolved warn) is skipped with the message, so it stays visible.
  if (f.level === 'error')
    return { ...base, failure: { message: f.message, type: f.rule.slice('spylog/'.length), body: [f.message, ...f.details].join('\n') } };
  if (f.level === 'warning') return { ...base, skipped: `warning: ${f.message}` };
  return base;
}
