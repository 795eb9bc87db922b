// JUnit XML in the testsuites/testsuite/testcase/failure shape that Jenkins, GitLab and
// Azure Pipelines read: one test case per gate check and per group of leaked (or
// undecided) blocks, so a CI's test tab names the leaking call.
import type { BlockGroup, CheckResult } from '../gate.js';
import { bytes, count } from '../../text/words.js';
import { lines } from './text.js';
import { xmlAttr, xmlText } from '../../text/xml.js';

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; type: string; body: string };
  skipped?: string;
}

export function renderJunit(r: CheckResult): string {
  const cases: Case[] = r.checks.map((c) => ({
    classname: 'spylog.gate',
    name: c.name,
    ...(c.outcome === 'fail' ? { failure: { message: c.message, type: c.id, body: c.message } } : {}),
    ...(c.outcome === 'warn' ? { skipped: `warning: ${c.message}` } : {}),
  }));
  for (const g of r.leaks) cases.push(groupCase(r, g, 'failure'));
  if (r.unresolvedPolicy !== 'allow')
    for (const g of r.unresolved) cases.push(groupCase(r, g, r.unresolvedPolicy === 'fail' ? 'failure' : 'skipped'));

  const failures = cases.filter((c) => c.failure).length;
  const skipped = cases.filter((c) => c.skipped !== undefined).length;
  const suite = `spylog check ${r.source}`;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="spylog" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
    `  <testsuite name="${xmlAttr(suite)}" tests="${cases.length}" failures="${failures}" errors="0" skipped="${skipped}">`,
  ];
  for (const c of cases) {
    const open = `    <testcase classname="${xmlAttr(c.classname)}" name="${xmlAttr(c.name)}"`;
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

function groupCase(r: CheckResult, g: BlockGroup, as: 'failure' | 'skipped'): Case {
  const what = g.category === 'true-leak' ? 'leaked' : 'never freed, undecided (log may be truncated)';
  const message = `${count(g.blocks.length, 'block')} of ${bytes(g.size)} allocated in ${g.context} ${what}: ${bytes(g.bytes)}`;
  const body = [
    message,
    `allocated at line ${lines(g)} of ${r.source}`,
    ...g.blocks.slice(0, 20).map((b) => `  ${b.address} (${b.decidedBy})${b.data ? ': ' + b.data : ''}`),
  ].join('\n');
  const name = `${g.category} in ${g.context}: ${g.blocks.length} x ${g.size} bytes`;
  const classname = g.category === 'true-leak' ? 'spylog.leak' : 'spylog.unresolved';
  return as === 'failure' ? { classname, name, failure: { message, type: g.category, body } } : { classname, name, skipped: message };
}
