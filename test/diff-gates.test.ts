// The `diff --fail-on-new` gates on the pairs of fixtures/diff-gates/ (cases.json: one pair per
// attack finding, what each gate must call new). Every pair runs through both paths a user has:
// the library (diffReports, failOnNew) and the command line (its exit code and message), and
// both must agree with the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer } from '../src/analyze.js';
import { diffReports } from '../src/diff/diff.js';
import { FAIL_ON_NEW, failOnNew, type FailOnNew } from '../src/diff/gate.js';
import { FIXTURES, ROOT, runMain } from './helpers.js';

interface GateCase {
  name: string;
  finding: string;
  situation: string;
  /** The logs, relative to fixtures/, when they are not this folder's NAME-a.log and NAME-b.log (a real capture). */
  a?: string;
  b?: string;
  /** Per gate, B's new blocks as `context/size xN`, comma-separated; empty when the gate passes. */
  newTo: Record<FailOnNew, string>;
}

const DIR = join(FIXTURES, 'diff-gates');
const CASES = JSON.parse(readFileSync(join(DIR, 'cases.json'), 'utf8')) as GateCase[];
const pathOf = (c: GateCase, side: 'a' | 'b') => `fixtures/${c[side] ?? `diff-gates/${c.name}-${side}.log`}`;

test('cases.json names every pair once, each with a finding, a situation and all three gates', () => {
  assert.ok(CASES.length >= 30);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
  for (const c of CASES) {
    assert.match(c.finding, /^#\d+$/, c.name);
    assert.ok(c.situation.length > 20, c.name);
    assert.deepEqual(Object.keys(c.newTo).sort(), [...FAIL_ON_NEW].sort(), c.name);
  }
  // Both outcomes occur for every gate, so a gate that always passes or always fails is caught.
  for (const which of FAIL_ON_NEW) {
    assert.ok(CASES.some((c) => c.newTo[which] === '') && CASES.some((c) => c.newTo[which] !== ''), which);
  }
});

for (const c of CASES) {
  test(`diff gates, ${c.finding} ${c.name}: the library and the command line call the same blocks new`, async () => {
    const [a, b] = (['a', 'b'] as const).map((side) => analyzeBuffer(readFileSync(join(ROOT, pathOf(c, side))), { source: pathOf(c, side) }));
    const d = diffReports(a!, b!);
    for (const which of FAIL_ON_NEW) {
      const gate = failOnNew(d, which);
      const got = gate.grown.map((x) => `${x.context}/${x.size} x${x.blocks}`).join(', ');
      assert.equal(got, c.newTo[which], `library, --fail-on-new ${which}: ${c.situation}`);
      assert.equal(gate.tripped, got !== '', `library, --fail-on-new ${which}: tripped`);
      const cli = await runMain(['diff', pathOf(c, 'a'), pathOf(c, 'b'), '--fail-on-new', which, '--format', 'json']);
      assert.equal(cli.status, got === '' ? 0 : 1, `spylog diff --fail-on-new ${which}: ${cli.stderr}`);
      // The message names each new group as the library's result does.
      if (got !== '') for (const x of gate.grown) assert.match(cli.stderr, new RegExp(`${x.size} bytes x ${x.blocks} in ${x.context}\\b`), which);
      else assert.equal(cli.stderr, '', which);
    }
  });
}
