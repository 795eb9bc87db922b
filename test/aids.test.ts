// The leak-hunting aids (issue 17): allocation ordinals, per-test attribution, known runtime
// holders. Each is checked on what a user sees: the report's fields and the CLI's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeBuffer } from '../src/analyze.js';
import { KNOWN_HOLDERS, isBstr } from '../src/hint/holders.js';
import { parsePattern } from '../src/baseline/pattern.js';
import { fixture, spylog } from './helpers.js';

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

test('known holders: the knowledge file is versioned data, every entry sourced, every pattern and shape readable', () => {
  assert.equal(KNOWN_HOLDERS.schema, 'spylog/known-holders@1');
  assert.ok(Number.isInteger(KNOWN_HOLDERS.version) && KNOWN_HOLDERS.version >= 1);
  const ids = KNOWN_HOLDERS.holders.map((h) => h.id);
  assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  for (const h of KNOWN_HOLDERS.holders) {
    assert.ok(h.holder && h.message && h.recognised, h.id);
    assert.ok(h.decides === null || h.decides === 'exitprocess', h.id);
    assert.ok(h.sources.length > 0, `${h.id} has a source`);
    for (const s of h.sources) assert.ok(s.title && s.url && s.says, `${h.id}: ${s.title}`);
    if (h.match.pattern !== undefined) assert.equal(typeof parsePattern(h.match.pattern), 'object', h.id);
    if (h.match.shape !== undefined) assert.equal(h.match.shape, 'bstr');
    assert.ok(Object.keys(h.match).length > 0, `${h.id} matches something`);
  }
  // The BSTR cache's blocks look like leaked BSTRs: that entry must never decide.
  assert.equal(KNOWN_HOLDERS.holders.find((h) => h.id === 'oleaut32-bstr-cache')?.decides, null);
});

test("known holders: the article's 44-byte block is hinted; --trust-known-holders decides it, and only it", () => {
  const plain = JSON.parse(spylog(['report', '-f', 'json', 'fixtures/article-win2000.log']).stdout);
  const block = plain.blocks.find((b: { size: number }) => b.size === 44);
  assert.equal(block.category, 'unresolved');
  assert.equal(block.decidedBy, 'log');
  assert.equal(block.hint.id, 'clbcatq-clsidfromprogid-44');
  assert.equal(block.hint.source, 'https://www.ikriv.com/dev/cpp/IMallocSpy/');
  assert.match(block.hint.message, /clbcatq\.dll .* ExitProcess/);
  assert.equal(plain.blocks.find((b: { size: number }) => b.size === 28).hint, undefined, 'a block without data gets no hint');
  const text = spylog(['report', 'fixtures/article-win2000.log']).stdout;
  assert.match(text, /Known runtime holders \(a hint decides nothing unless --trust-known-holders is\ngiven\):\n {2}clbcatq\.dll/);

  const trusted = JSON.parse(spylog(['report', '-f', 'json', '--trust-known-holders', 'fixtures/article-win2000.log']).stdout);
  const decided = trusted.blocks.find((b: { size: number }) => b.size === 44);
  assert.equal(decided.category, 'exitprocess');
  assert.equal(decided.decidedBy, 'known-holder');
  assert.deepEqual(trusted.summary.unresolved, { blocks: 1, bytes: 28 });
  assert.ok(trusted.evidence.some((e: string) => e.startsWith('--trust-known-holders: 1 never-freed block that fits memory a known runtime holder')));
  // After the holders, --assume-complete takes what is left.
  const both = JSON.parse(spylog(['report', '-f', 'json', '--trust-known-holders', '--assume-complete', 'fixtures/article-win2000.log']).stdout);
  assert.deepEqual(
    both.blocks.map((b: { size: number; category: string; decidedBy: string }) => `${b.size} ${b.category} ${b.decidedBy}`),
    ['28 true-leak assume-complete', '44 exitprocess known-holder'],
  );
  const junit = spylog(['check', 'fixtures/article-win2000.log', '-f', 'junit']).stdout;
  assert.match(junit, /Known runtime holder: clbcatq\.dll \(the COM\+ catalog\), loaded by CLSIDFromProgID: looks like the 44-byte block/);
  assert.equal(spylog(['check', 'fixtures/article-win2000.log', '--trust-known-holders', '--assume-complete', '-f', 'json']).status, 1);
});

test('known holders: every never-freed block of the BSTR capture carries the BSTR-cache hint, which never decides', () => {
  const r = JSON.parse(spylog(['report', '-f', 'json', 'fixtures/real/wine2/bstr300-redirected.log']).stdout);
  assert.equal(r.blocks.length, 43);
  for (const b of r.blocks) {
    assert.equal(b.hint?.id, 'oleaut32-bstr-cache', b.address);
    assert.match(b.hint.message, /^leaked BSTR or kept by the BSTR cache: rerun with OANOCACHE=1 to tell/);
  }
  const trusted = JSON.parse(spylog(['report', '-f', 'json', '--trust-known-holders', 'fixtures/real/wine2/bstr300-redirected.log']).stdout);
  assert.deepEqual(trusted.summary, r.summary);
  assert.ok(!trusted.evidence.some((e: string) => e.includes('--trust-known-holders')));
  const text = spylog(['report', 'fixtures/real/wine2/bstr300-redirected.log']).stdout;
  assert.match(
    text,
    /OLEAUT32's BSTR cache: 43 unresolved blocks \(13,776 bytes\), lines 3-45 \(#1-43\)\n {4}leaked BSTR or kept by the BSTR cache: rerun with OANOCACHE=1 to tell/,
  );
});

test('known holders: blocks freed in the log get no hint; a complete log that shows a held block never freed keeps its verdict', () => {
  // w2k-console: the 44-byte clbcatq block is freed during ExitProcess: nothing to hint.
  const console = analyzeBuffer(readFileSync(fixture('w2k-console.log')));
  assert.ok(console.blocks.some((b) => b.size === 44 && b.category === 'exitprocess'));
  assert.equal(console.blocks.filter((b) => b.hint).length, 0);
  // A console capture (complete: exit-time frees follow) in which the clbcatq-shaped block was never freed.
  const log = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'MALLOC SPY: 0x0013A070 - 16 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    '0x0013A070 - 16 bytes: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ................',
    'MALLOC SPY: 0x0013A070 - freed, 1 blocks remaining',
    '',
  ].join('\n');
  for (const trust of [false, true]) {
    const r = analyzeBuffer(log, { trustKnownHolders: trust });
    assert.equal(r.truncation, 'complete');
    const b = r.blocks.find((x) => x.size === 44)!;
    assert.equal(b.category, 'true-leak');
    assert.equal(b.decidedBy, 'log');
    assert.equal(b.hint?.id, 'clbcatq-clsidfromprogid-44');
  }
});

test('known holders: the BSTR shape, 32- and 64-bit, and what is not a BSTR', () => {
  const hex = (s: string) => s.split(' ').map((h) => parseInt(h, 16));
  // 32-bit: length 6 ("ABC"), the characters, the NUL.
  assert.ok(isBstr(hex('06 00 00 00 41 00 42 00 43 00 00 00 AB AB AB AB'), 16, 4));
  // 64-bit (Wine's bstr300): 4 bytes of padding first.
  assert.ok(isBstr(hex('D8 02 34 00 06 00 00 00 41 00 42 00 43 00 00 00'), 16, 8));
  assert.ok(isBstr(hex('F8 00 34 00 DE 00 00 00 41 00 42 00 43 00 44 00'), 240, 8), 'a long string runs past the dump');
  assert.ok(!isBstr(hex('F8 00 34 00 DE 00 00 00 41 00 42 00 43 00 44 00'), 200, 8), 'longer than its block');
  assert.ok(!isBstr(hex('06 00 00 00 41 00 42 00 43 00 58 00 00 00 00 00'), 16, 4), 'no NUL where the length ends');
  assert.ok(!isBstr(hex('07 00 00 00 41 00 42 00 43 00 00 00 00 00 00 00'), 16, 4), 'an odd length is no UTF-16 string');
  assert.ok(!isBstr(hex('04 00 00 00 01 00 02 00 00 00 00 00 00 00 00 00'), 16, 4), 'control characters are no text');
  assert.ok(!isBstr(hex('00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00'), 16, 4), 'an empty string is any zeroed block');
  // The generated w2k logs' type-library strings (a pointer, then a length) are not a 32-bit BSTR.
  assert.ok(!isBstr(hex('58 A2 13 00 0A 00 00 00 41 00 44 00 4F 00 44 00'), 32, 4));
});
