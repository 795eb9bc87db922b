// Golden files for `spylog check` in every format: a passing log, a leaking log, an
// undecided (possibly truncated) log, the same decided by a baseline, and a stale
// baseline. Regenerate with `npm run golden`, then read the diff before committing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { assertGolden, fixture, runMain } from './helpers.js';

const CASES: [name: string, args: string[], status: number][] = [
  ['pass', ['fixtures/w2k-console-noleak.log'], 0],
  ['leak', ['fixtures/w2k-console.log'], 1],
  ['undecided', ['fixtures/w2k-redirected.log'], 1],
  ['baseline-leak', ['fixtures/w2k-redirected.log', '-b', 'fixtures/baselines/w2k-known-runtime.csv'], 1],
  ['baseline-stale', ['fixtures/w2k-redirected-noleak.log', '-b', 'fixtures/baselines/w2k-stale.csv'], 0],
  // GoogleTest's lines: one JUnit case per test, the leaking one failing.
  ['gtest', ['fixtures/gtest-three-tests.log'], 1],
];
const FORMATS: [format: string, ext: string][] = [
  ['text', 'txt'],
  ['json', 'json'],
  ['junit', 'xml'],
  ['sarif', 'sarif'],
  ['codequality', 'codequality.json'],
  ['github', 'github.txt'],
  ['markdown', 'md'],
];

for (const [name, args, status] of CASES) {
  test(`golden: check ${args.join(' ')}`, async () => {
    for (const [format, ext] of FORMATS) {
      const r = await runMain(['check', ...args, '-f', format]);
      assert.equal(r.status, status, `${format}: ${r.stderr}`);
      // The analysis time is the one thing that differs between two runs.
      assertGolden('check', `${name}.${ext}`, r.stdout.replace(/ time="\d+\.\d{3}"/g, ' time="0.000"'));
    }
  });
}

test('the shipped baseline is what `spylog baseline` makes of the console run', async () => {
  const r = await runMain(['baseline', 'fixtures/w2k-console-noleak.log']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(fixture('baselines/w2k-known-runtime.csv'), 'utf8'));
});
