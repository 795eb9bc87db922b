// JUnit XML that the Jenkins xUnit plugin's junit-10.xsd accepts (it validates every file
// and skips one that fails) and that GitLab and Azure Pipelines read: one test case per gate
// check and per leak site, so a CI's test tab names the leaking call.
//
// Names are the tests' identity across runs (GitLab keys its history on suite + classname +
// name, and keeps one of two cases with the same key; Jenkins tracks by classname + name):
// they hold the category, context and size, never a count, which goes in the failure
// message. The classname starts with `spylog.<log id>` so that two logs in one job never
// collide. Attributes junit-10.xsd rejects (`skipped` on <testsuites>, `file` on
// <testcase>) are left out; `time` has at most three decimals, as its SUREFIRE_TIME wants.
import type { CheckResult, GateCheck } from '../gate.js';
import { ciView, type CiFinding, type CiOptions } from '../findings.js';
import { xmlAttr, xmlText } from '../../text/xml.js';
import { PLAIN, type Style } from '../../report/style.js';

interface Case {
  classname: string;
  name: string;
  time: string;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
}

/** Stable test names for the gate checks: their thresholds go in the message, not the name. */
const CHECK_TITLES: Record<GateCheck['id'], string> = {
  'true-leaks': 'true leaks',
  'leak-bytes': 'leaked bytes',
  unresolved: 'unresolved blocks',
  baseline: 'baseline is current',
};

export function renderJunit(r: CheckResult, _style: Style = PLAIN, options: CiOptions = {}): string {
  const view = ciView(r, options);
  const seconds = ((options.elapsedMs ?? 0) / 1000).toFixed(3);
  const prefix = `spylog.${view.name}`;
  // The whole analysis is what the first check (true leaks) needed: its case carries the
  // time, the others none, so that the cases add up to the suite (Azure and GitLab sum them).
  const cases: Case[] = r.checks.map((c, i) => ({
    classname: `${prefix}.gate`,
    name: CHECK_TITLES[c.id],
    time: i === 0 ? seconds : '0',
    ...(c.outcome === 'fail' ? { failure: { message: c.message, type: c.id, body: c.message } } : {}),
    ...(c.outcome === 'warn' ? { skipped: `warning: ${c.message}` } : {}),
  }));
  for (const f of view.findings) if (f.rule !== 'spylog/stale-baseline') cases.push(findingCase(prefix, f));

  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const counts = `tests="${cases.length}" failures="${failures}" errors="0"`;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="spylog" ${counts} time="${seconds}">`,
    `  <testsuite name="${xmlAttr(`spylog check ${view.name}`)}" ${counts} skipped="${skipped}" time="${seconds}" file="${xmlAttr(view.logPath)}">`,
    '    <properties>',
    ...[
      ['log', view.logPath],
      ['truncation', r.report.truncation],
      ['verdict', r.verdict],
      ...(r.baseline ? [['baseline', r.baseline.file]] : []),
    ].map(([k, v]) => `      <property name="${k}" value="${xmlAttr(v!)}"/>`),
    '    </properties>',
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}" time="${c.time}"`;
    if (c.failure) {
      out.push(`${open}>`);
      out.push(`      <failure message="${xmlAttr(c.failure.message)}" type="${xmlAttr(c.failure.type)}">${xmlText(c.failure.body)}</failure>`);
      out.push('    </testcase>');
    } else if (c.skipped !== undefined) {
      out.push(`${open}>`, `      <skipped message="${xmlAttr(c.skipped)}"/>`, '    </testcase>');
    } else {
      out.push(`${open}/>`);
    }
  }
  out.push(`    <system-out>${xmlText(r.verdict)}</system-out>`);
  out.push('  </testsuite>', '</testsuites>');
  return out.join('\n') + '\n';
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
