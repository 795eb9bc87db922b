// The generated fixtures are what the documented generator writes: regenerate them
// into a temporary folder and compare byte for byte.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FIXTURES, ROOT } from './helpers.js';

test('fixtures/generate.ts reproduces every generated fixture byte for byte', () => {
  const out = mkdtempSync(join(tmpdir(), 'spylog-fixtures-'));
  try {
    const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'fixtures', 'generate.js'), out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const generated = readdirSync(out).filter((f) => f.endsWith('.log'));
    assert.ok(generated.length >= 15, `generator wrote ${generated.length} logs`);
    for (const name of generated) {
      assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(FIXTURES, name))), `${name} differs from the committed fixture`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('real logs are byte-identical copies of shared/real-logs when that folder is present', (t) => {
  const shared = join(ROOT, '..', 'shared', 'real-logs');
  let names: string[];
  try {
    names = readdirSync(shared).filter((f) => f.endsWith('.log'));
  } catch {
    t.skip('shared/real-logs is not next to this clone');
    return;
  }
  for (const name of names) {
    assert.ok(readFileSync(join(shared, name)).equals(readFileSync(join(FIXTURES, 'real', name))), name);
  }
});

test('fixtures/situations/make.mjs reproduces every situation log byte for byte', () => {
  const out = mkdtempSync(join(tmpdir(), 'spylog-situations-'));
  try {
    const r = spawnSync(process.execPath, [join(FIXTURES, 'situations', 'make.mjs'), out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const made = readdirSync(out).filter((f) => f.endsWith('.log'));
    const shipped = readdirSync(join(FIXTURES, 'situations')).filter((f) => f.endsWith('.log'));
    assert.deepEqual(made.sort(), shipped.sort());
    for (const name of made) assert.ok(readFileSync(join(out, name)).equals(readFileSync(join(FIXTURES, 'situations', name))), name);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

test('the wine2 captures are byte-identical copies of shared/real-logs/wine2 when that folder is present', (t) => {
  const shared = join(ROOT, '..', 'shared', 'real-logs', 'wine2');
  let names: string[];
  try {
    names = readdirSync(shared).filter((f) => f.endsWith('.log'));
  } catch {
    t.skip('shared/real-logs/wine2 is not next to this clone');
    return;
  }
  assert.ok(names.length >= 12);
  for (const name of names) assert.ok(readFileSync(join(shared, name)).equals(readFileSync(join(FIXTURES, 'real', 'wine2', name))), name);
});
