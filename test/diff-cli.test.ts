// `spylog diff` end to end: outputs against golden files (UPDATE_GOLDEN=1 rewrites them;
// read a rewritten file before committing it), exit codes, and bad input.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertGolden, ROOT, spylog } from './helpers.js';

const CASES: [string, string, string][] = [
  ['article', 'fixtures/article-nt4.log', 'fixtures/article-win2000.log'],
  ['added-leaks', 'fixtures/w2k-console-noleak.log', 'fixtures/w2k-console.log'],
  ['redirected-vs-console', 'fixtures/w2k-redirected.log', 'fixtures/w2k-console.log'],
];

describe('spylog diff output', () => {
  for (const [name, a, b] of CASES) {
    for (const format of ['text', 'json', 'csv'] as const) {
      test(`${name} (${format})`, () => {
        const r = spylog(['diff', a, b, '--format', format]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(r.stderr, '');
        assertGolden('diff', `${name}.${format === 'text' ? 'txt' : format}`, r.stdout);
      });
    }
  }

  test('JSON is spylog/diff@1 with all five categories and both truncations', () => {
    const r = spylog(['diff', 'fixtures/nt4-clean.log', 'fixtures/nt4-leak1.log', '--format', 'json']);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a parsed JSON document, read field by field
    const d = JSON.parse(r.stdout) as Record<string, any>;
    assert.equal(d.schema, 'spylog/diff@1');
    assert.deepEqual(Object.keys(d.categories), ['freed', 'couninitialize', 'exitprocess', 'true-leak', 'unresolved']);
    assert.deepEqual(d.categories.unresolved, { a: { blocks: 0, bytes: 0 }, b: { blocks: 1, bytes: 64 }, delta: { blocks: 1, bytes: 64 } });
    assert.deepEqual(d.truncation, { a: 'complete', b: 'possibly-truncated' });
    assert.equal(d.groups.length, 1);
    assert.equal(d.weak, true);
  });

  test('a run against itself: no changed group', () => {
    const r = spylog(['diff', 'fixtures/w2k-console.log', 'fixtures/w2k-console.log']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /No group changed: 17 blocks not freed by the program match one to one/);
    assert.match(r.stdout, /Comparison: sound/);
  });
});

describe('spylog diff exit codes', () => {
  test('--fail-on-new true-leak exits 1 with one line naming the new leak', () => {
    const r = spylog(['diff', 'fixtures/w2k-console-noleak.log', 'fixtures/w2k-console.log', '--fail-on-new', 'true-leak']);
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'spylog: --fail-on-new true-leak: B has 2 new blocks (128 bytes) that A does not: 64 bytes x 2 in CoTaskMemAlloc\n');
    assert.match(r.stdout, /^\+ 64 bytes x 2 in CoTaskMemAlloc: true-leak \(B only; B lines 3, 5\)$/m);
  });

  test('--fail-on-new passes when B has nothing new of that kind', () => {
    const fixed = spylog(['diff', 'fixtures/w2k-console.log', 'fixtures/w2k-console-noleak.log', '--fail-on-new', 'any']);
    assert.equal(fixed.status, 0, fixed.stderr);
    const other = spylog(['diff', 'fixtures/w2k-console-noleak.log', 'fixtures/w2k-console.log', '--fail-on-new', 'unresolved']);
    assert.equal(other.status, 0, other.stderr);
  });

  test('--fail-on-new on a weak comparison says so', () => {
    const r = spylog(['diff', 'fixtures/nt4-clean.log', 'fixtures/nt4-leak1.log', '--fail-on-new', 'unresolved', '-f', 'json']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^spylog: --fail-on-new unresolved: B has 1 new block \(64 bytes\).*\(the comparison is weak: see the output\)\n$/);
  });

  test('an unreadable side exits 2 and names the file', () => {
    const r = spylog(['diff', 'fixtures/w2k-console.log', 'fixtures/no-such.log']);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, 'spylog: cannot read fixtures/no-such.log: no such file\n');
    const dir = spylog(['diff', 'fixtures', 'fixtures/w2k-console.log']);
    assert.equal(dir.status, 2);
    assert.equal(dir.stderr, 'spylog: cannot read fixtures: is a directory\n');
  });

  test('one side may be standard input, not both', () => {
    const input = readFileSync(join(ROOT, 'fixtures', 'w2k-console.log'));
    const r = spylog(['diff', 'fixtures/w2k-console-noleak.log', '-', '--format', 'json'], { input });
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout) as { b: { source: string }; categories: Record<string, { delta: { blocks: number } }> };
    assert.equal(d.b.source, '-');
    assert.equal(d.categories['true-leak']?.delta.blocks, 2);
    const both = spylog(['diff', '-', '-'], { input });
    assert.equal(both.status, 2);
    assert.match(both.stderr, /^spylog: standard input \(-\) can be only one side of a diff\n/);
  });

  test('usage errors exit 2', () => {
    for (const args of [
      ['diff', 'fixtures/w2k-console.log'],
      ['diff', 'a', 'b', '--fail-on-new', 'sometimes'],
      ['diff', 'a', 'b', '-f', 'xml'],
    ]) {
      const r = spylog(args);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, /^spylog: /, args.join(' '));
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    }
  });
});
