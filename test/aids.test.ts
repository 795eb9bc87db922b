// The leak-hunting aids (issue 17): allocation ordinals, per-test attribution, known runtime
// holders. Each is checked on what a user sees: the report's fields and the CLI's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeBuffer } from '../src/analyze.js';
import { spylog } from './helpers.js';

const ordinals = (log: string) =>
  analyzeBuffer(log)
    .blocks.map((b) => `${b.address}:${b.ordinal ?? 'null'}`)
    .join(' ');

test('ordinals: every allocation line of the run counts, failed ones and reallocs of NULL too; a realloc keeps its block', () => {
  const log = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00001000 - 16 bytes allocated', // #1
    'MALLOC SPY: 0x00000000 - 99 bytes allocated', // #2: failed (PreAlloc ran)
    'MALLOC SPY: allocation of 77 bytes failed', // #3
    'MALLOC SPY: 0x00000000 - reallocated to 0x00002000, 32 bytes', // #4: realloc(NULL, n)
    'MALLOC SPY: 0x00001000 - reallocated to 0x00003000, 64 bytes', // #1 moves, keeps #1
    'MALLOC SPY: 0x00009000 - reallocated to 0x00004000, 8 bytes', // an unknown block: no ordinal
    'MALLOC SPY: 0x00005000 - 24 bytes allocated', // #5
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00006000 - 12 bytes: 01 02 03 04 05 06 07 08 09 0A 0B 0C ............', // first seen in the dump
    '',
  ].join('\n');
  assert.equal(ordinals(log), '0x00003000:1 0x00002000:4 0x00004000:null 0x00005000:5 0x00006000:null');
});

test('ordinals: counted per run, from the run (or file) start, whether or not a registration line was printed', () => {
  const run = (n: number) => [`CoInitialize() returns 0x00000000`, `MALLOC SPY: 0x0000${n}000 - 16 bytes allocated`, 'Called CoUninitialize()'];
  const two = [...run(1), 'CoRevokeMallocSpy() returns 0x80070005', ...run(2), 'MALLOC SPY: 0x00007000 - 8 bytes allocated', ''].join('\n');
  const r = analyzeBuffer(two);
  assert.equal(r.runs?.length, 2);
  assert.deepEqual(
    r.blocks.map((b) => [b.run, b.ordinal]),
    [
      [1, 1],
      [2, 1],
      [2, 2],
    ],
  );
});

test('ordinals from the CLI: JSON, CSV, the text groups, and the CI messages', () => {
  const json = JSON.parse(spylog(['report', '-f', 'json', 'fixtures/w2k-console.log']).stdout);
  const leaks = json.blocks.filter((b: { category: string }) => b.category === 'true-leak');
  assert.deepEqual(
    leaks.map((b: { allocLine: number; ordinal: number }) => [b.allocLine, b.ordinal]),
    [
      [3, 1],
      [5, 2],
    ],
  );
  const csv = spylog(['report', '-f', 'csv', 'fixtures/w2k-console.log']).stdout.split('\r\n');
  assert.ok(csv[0]!.endsWith(',data,ordinal'));
  assert.ok(csv[1]!.endsWith(',1'), csv[1]);
  assert.match(spylog(['report', 'fixtures/w2k-console.log']).stdout, /\| true-leak +\| CoTaskMemAlloc +\| +64 \| +2 \| +128 \| 3, 5 \(#1-2\) +\|/);
  const junit = spylog(['check', 'fixtures/w2k-console.log', '-f', 'junit']);
  assert.equal(junit.status, 1);
  assert.match(junit.stdout, /Allocation ordinals #1, #2 \(the Nth allocation since the spy was registered/);
});
