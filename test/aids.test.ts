// The leak-hunting aids (issue 17): allocation ordinals, per-test attribution, known runtime
// holders. Each is checked on what a user sees: the report's fields and the CLI's output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeBuffer } from '../src/analyze.js';
import { KNOWN_HOLDERS, isBstr } from '../src/hint/holders.js';
import { parsePattern } from '../src/baseline/pattern.js';
import { compileTestPatterns, readTestLine } from '../src/parse/tests.js';
import { junitErrors } from './ci-formats.js';
import { renderText } from '../src/report/text.js';
import { PLAIN } from '../src/report/style.js';
import { gate } from '../src/check/gate.js';
import { renderJunit } from '../src/check/reporters/junit.js';
import { CHECK_REPORTERS } from '../src/check/reporters/index.js';
import { renderHtml } from '../src/report/html.js';
import { BIN, fixture, spylog } from './helpers.js';

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

test('tests: GoogleTest by default; each block has its test, each test what its blocks became', () => {
  const r = JSON.parse(spylog(['report', '-f', 'json', 'fixtures/gtest-three-tests.log']).stdout);
  assert.equal(r.truncation, 'complete');
  const row = (name: string) => r.tests.find((t: { name: string }) => t.name === name);
  assert.deepEqual(
    r.tests.map((t: { name: string; startLine: number; endLine: number; outcome: string; allocs: number }) => [
      t.name,
      t.startLine,
      t.endLine,
      t.outcome,
      t.allocs,
    ]),
    [
      ['ReportTest.BuildsTitle', 7, 20, 'passed', 7],
      ['ReportTest.FreesWhatItAllocates', 21, 26, 'passed', 2],
      ['FieldCacheTest.CachesFieldNames', 30, 34, 'passed', 2],
    ],
  );
  // The leaking test: its leak, and the runtime memory its CLSIDFromProgID and CoCreateInstance made.
  assert.deepEqual(row('ReportTest.BuildsTitle').summary, {
    freed: { blocks: 2, bytes: 60 },
    couninitialize: { blocks: 2, bytes: 120 },
    exitprocess: { blocks: 2, bytes: 260 },
    'true-leak': { blocks: 1, bytes: 64 },
    unresolved: { blocks: 0, bytes: 0 },
  });
  // The clean test freed everything while it ran; the cache test's entry outlived it and was freed at tear-down.
  assert.deepEqual(row('ReportTest.FreesWhatItAllocates').summary.freed, { blocks: 2, bytes: 168 });
  assert.deepEqual(row('ReportTest.FreesWhatItAllocates').freedAfterTest, { blocks: 0, bytes: 0 });
  assert.deepEqual(row('FieldCacheTest.CachesFieldNames').summary.freed, { blocks: 2, bytes: 64 });
  assert.deepEqual(row('FieldCacheTest.CachesFieldNames').freedAfterTest, { blocks: 1, bytes: 48 });
  // Every block says its test; the leak's context is its call, blocks freed in a test are named after it.
  for (const b of r.blocks) assert.equal(b.test, 'ReportTest.BuildsTitle', b.address);
  // Per-test counts add up to the run's.
  for (const c of ['freed', 'couninitialize', 'exitprocess', 'true-leak', 'unresolved'] as const) {
    const sum = r.tests.reduce((s: number, t: { summary: Record<string, { bytes: number }> }) => s + t.summary[c]!.bytes, 0);
    assert.equal(sum, r.summary[c].bytes, c);
  }
  const text = spylog(['report', 'fixtures/gtest-three-tests.log']).stdout;
  assert.match(text, /\| ReportTest\.BuildsTitle +\| +64 B \| +- \| +380 B \| +- \|/);
  assert.match(text, /\| FieldCacheTest\.CachesFieldNames +\| +- \| +- \| +- \| +48 B \|/);
});

test('tests: test lines stay program lines; without tests a report has no tests key and no test on blocks', () => {
  const log = readFileSync(fixture('gtest-three-tests.log'));
  const withTests = analyzeBuffer(log);
  const without = analyzeBuffer(log, { tests: null });
  assert.equal(without.tests, undefined);
  assert.ok(without.blocks.every((b) => !('test' in b)));
  // The verdict, the phases, every block's category and line are the same: only the test columns and a test's context differ.
  for (const key of ['truncation', 'evidence', 'summary', 'phases', 'allocs', 'frees', 'anomalyCounts', 'findings'] as const)
    assert.deepEqual(withTests[key], without[key], key);
  assert.deepEqual(
    withTests.blocks.map((b) => [b.address, b.category, b.allocLine, b.freeLine, b.ordinal, b.decidedBy]),
    without.blocks.map((b) => [b.address, b.category, b.allocLine, b.freeLine, b.ordinal, b.decidedBy]),
  );
  const plain = JSON.parse(spylog(['report', '-f', 'json', 'fixtures/w2k-console.log']).stdout);
  assert.equal(plain.tests, undefined);
  assert.ok(plain.blocks.every((b: object) => !('test' in b)));
});

test('tests: check -f junit has a case per test, failing for the test that leaked, valid against junit-10.xsd', () => {
  const r = spylog(['check', 'fixtures/gtest-three-tests.log', '-f', 'junit']);
  assert.equal(r.status, 1);
  assert.deepEqual(junitErrors(r.stdout), []);
  const cases = [...r.stdout.matchAll(/<testcase classname="spylog\.gtest-three-tests\.tests" name="([^"]+)" time="0"(\/?)>/g)].map((m) => [
    m[1],
    m[2],
  ]);
  assert.deepEqual(cases, [
    ['ReportTest.BuildsTitle', ''],
    ['ReportTest.FreesWhatItAllocates', '/'],
    ['FieldCacheTest.CachesFieldNames', ''],
  ]);
  assert.match(
    r.stdout,
    /name="ReportTest\.BuildsTitle" time="0">\n {6}<failure message="ReportTest\.BuildsTitle allocated 1 block \(64 bytes\) that was never freed: a true leak" type="true-leak">/,
  );
  assert.match(
    r.stdout,
    /name="FieldCacheTest\.CachesFieldNames" time="0">\n {6}<system-out>1 block \(48 bytes\) freed after the test ended \(a cache\?\)<\/system-out>/,
  );
  // A leak the gate tolerates (--max-leaks 1) is a warning: the case is skipped, with the message.
  const tolerated = spylog(['check', 'fixtures/gtest-three-tests.log', '-f', 'junit', '--max-leaks', '1']);
  assert.equal(tolerated.status, 0);
  assert.deepEqual(junitErrors(tolerated.stdout), []);
  assert.match(
    tolerated.stdout,
    /name="ReportTest\.BuildsTitle" time="0">\n {6}<skipped message="warning: ReportTest\.BuildsTitle allocated 1 block/,
  );
});

const HARNESS = [
  'CoInitialize() returns 0x00000000',
  'CoRegisterMallocSpy() returns 0x00000000',
  '=== BEGIN parser/keeps-name 12:00:01 ===',
  'MALLOC SPY: 0x00001000 - 16 bytes allocated',
  '=== END parser/keeps-name: FAIL ===',
  '=== BEGIN parser/clean 12:00:02 ===',
  'MALLOC SPY: 0x00002000 - 8 bytes allocated',
  'MALLOC SPY: 0x00002000 - freed, 1 blocks remaining',
  '=== END parser/clean: PASS ===',
  'Called CoUninitialize()',
  'CoRevokeMallocSpy() returns 0x80070005',
  'MALLOC SPY: detected memory leaks!',
  '0x00001000 - 16 bytes: 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 41 AAAAAAAAAAAAAAAA',
  '',
].join('\n');

test('tests: --test-start / --test-end for a harness of ones own, with an outcome group; either replaces GoogleTest', () => {
  const dir = mkdtempSync(join(tmpdir(), 'spylog-tests-'));
  try {
    const log = join(dir, 'harness.log');
    writeFileSync(log, HARNESS);
    const args = [
      'report',
      '-f',
      'json',
      log,
      '--test-start',
      String.raw`^=== BEGIN (?<name>\S+)`,
      '--test-end',
      String.raw`^=== END (?<name>\S+): (?<outcome>PASS|FAIL) ===$`,
    ];
    const r = JSON.parse(spylog(args).stdout);
    assert.deepEqual(
      r.tests.map((t: { name: string; outcome: string; summary: { unresolved: { blocks: number } } }) => [
        t.name,
        t.outcome,
        t.summary.unresolved.blocks,
      ]),
      [
        ['parser/keeps-name', 'failed', 1],
        ['parser/clean', 'passed', 0],
      ],
    );
    // A start line's context ends with the test's name (the time after it would change every run); an end line's is the name.
    assert.deepEqual(
      r.blocks.map((b: { test: string; context: string }) => [b.test, b.context]),
      [['parser/keeps-name', 'parser/keeps-name']],
    );
    // End lines only (Catch2's `--durations yes`): a test covers what happened since the previous one ended.
    const endOnly = JSON.parse(spylog(['report', '-f', 'json', log, '--test-end', String.raw`^=== END (?<name>[^\s:]+)`]).stdout);
    assert.deepEqual(
      endOnly.tests.map((t: { name: string; startLine: number | null; endLine: number; allocs: number }) => [
        t.name,
        t.startLine,
        t.endLine,
        t.allocs,
      ]),
      [
        ['parser/keeps-name', null, 5, 1],
        ['parser/clean', null, 9, 1],
      ],
    );
    // Start lines only: a test runs until the next one starts.
    const startOnly = JSON.parse(spylog(['report', '-f', 'json', log, '--test-start', String.raw`^=== BEGIN (?<name>\S+)`]).stdout);
    assert.deepEqual(
      startOnly.tests.map((t: { name: string; outcome: string }) => [t.name, t.outcome]),
      [
        ['parser/keeps-name', 'ended'],
        ['parser/clean', 'ended'],
      ],
    );
    // GoogleTest's lines are no longer read once the user describes another runner.
    const gtest = JSON.parse(
      spylog(['report', '-f', 'json', 'fixtures/gtest-three-tests.log', '--test-end', String.raw`^=== END (?<name>[^\s:]+)`]).stdout,
    );
    assert.equal(gtest.tests, undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tests: a bad --test-start or --test-end is a usage error, before any log is read', () => {
  const cases: [string, RegExp][] = [
    ['(', /^spylog: --test-start "\(": not a valid regular expression/],
    [String.raw`^\[ RUN +\] \S+`, /needs a named group \(\?<name>\.\.\.\) for the test/],
    [String.raw`^(?<name>\w+) \k<name>$`, /cannot be run in linear time on every line: write it without a backreference/],
    [String.raw`^(?<name>\w+)(?= )`, /cannot be run in linear time on every line: .* a lookahead/],
    [String.raw`^(?<=x)(?<name>\w+)`, /cannot be run in linear time on every line/],
    [String.raw`^(?<name>\w{1,64})$`, /counts of at most 16/],
  ];
  for (const [pattern, why] of cases) {
    const r = spylog(['report', 'fixtures/no-such.log', '--test-start', pattern]);
    assert.equal(r.status, 2, pattern);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, why);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  }
});

test('tests: a user pattern runs in linear time, however it nests, on the lines that made backtracking take minutes', { timeout: 60_000 }, () => {
  // Each took more than a minute on one of these lines (or in the old guard's own probe) and
  // passed that guard; the linear engine runs each in milliseconds.
  const patterns = [
    String.raw`^TEST (?<name>.*.*.*.*)END$`,
    String.raw`(?<name>\x41*\x41*\x41*\x41*\x41*)!`,
    String.raw`(?<name>([\x41-\x5a]|[\x41-\x5a])*)$`,
    String.raw`^RUN (?<name>(\w|\d)*)$`,
    String.raw`(?<name>(a|a)*)$`,
    String.raw`^(?<name>(\w+\s?)*)$`,
    String.raw`(?<name>(a+)+)b`,
  ];
  const lines = [
    'TEST ' + 'x'.repeat(1000),
    'A'.repeat(1000),
    'A'.repeat(40) + '!',
    'RUN ' + '0'.repeat(1000) + '!',
    'a'.repeat(1000) + '!',
    'w '.repeat(500) + '!',
  ];
  // What each pattern finds on each line (the length of the name; null: not a test line, as
  // an empty name is not): worked out by hand, since backtracking cannot be asked.
  const found: (number | null)[][] = [
    [null, null, null, null, null, null],
    [null, null, 40, null, null, null],
    [null, 1000, null, null, null, null],
    [null, null, null, null, null, null],
    [null, null, null, null, null, null],
    [1005, 1000, null, null, null, null],
    [null, null, null, null, null, null],
  ];
  // And on a short line, where backtracking is quick, the same name as V8's usual engine.
  const short = ['TEST abcEND', 'AAA!', 'xyzABC', 'RUN a1_2', 'baaa', 'one two three', 'xaaab'];
  patterns.forEach((p, k) => {
    const started = performance.now();
    const tests = compileTestPatterns([p], []);
    const names = lines.map((line) => readTestLine(line, tests)?.name.length ?? null);
    // Generous: linear is milliseconds; backtracking was minutes.
    assert.ok(performance.now() - started < 5_000, p);
    assert.deepEqual(names, found[k], p);
    const expected = new RegExp(p).exec(short[k]!)?.groups?.name;
    assert.ok(expected, `${p} matches ${short[k]}`);
    assert.equal(readTestLine(short[k]!, tests)?.name, expected, p);
  });
  // And through the command line: a log with such lines, every attack pattern, done.
  const dir = mkdtempSync(join(tmpdir(), 'spylog-redos-'));
  try {
    const log = join(dir, 'redos.log');
    writeFileSync(
      log,
      [
        'CoInitialize() returns 0x00000000',
        'CoRegisterMallocSpy() returns 0x00000000',
        ...lines,
        'Called CoUninitialize()',
        'CoRevokeMallocSpy() returns 0x00000000',
        '',
      ].join('\n'),
    );
    for (const p of patterns) {
      const r = spawnSync(process.execPath, [BIN, 'report', '-q', log, '--test-start', p], { encoding: 'utf8', timeout: 20_000 });
      assert.equal(r.status, 0, `${p}: ${r.stderr}${r.error ? String(r.error) : ''}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tests: a user pattern still finds the name and where it ends (the context of a start line)', () => {
  const tests = compileTestPatterns([String.raw`^=== BEGIN (?<name>\S+) ===`], [String.raw`^=== END (?<name>[^\s:]+): (?<outcome>PASS|FAIL)`]);
  assert.deepEqual(readTestLine('=== BEGIN a/b === 12:00:01', tests), { kind: 'start', name: 'a/b', outcome: 'ended', nameEnd: 13 });
  assert.deepEqual(readTestLine('=== END a/b: FAIL', tests), { kind: 'end', name: 'a/b', outcome: 'failed', nameEnd: 11 });
  assert.equal(readTestLine('=== BEGIN  ===', tests), null);
});

test('tests: the text table shows the 20 that leaked most, then a count; a file of two runs tags its tests, JUnit names them apart', () => {
  const lines = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
  let live = 0;
  for (let i = 1; i <= 25; i++) {
    const a = `0x${(0x10000 + i * 0x100).toString(16).toUpperCase().padStart(8, '0')}`;
    lines.push(`[ RUN      ] Many.Test${i}`, `MALLOC SPY: ${a} - ${i * 8} bytes allocated`);
    // Tests 7 and 19 leak their block; the others free it.
    if (i === 7 || i === 19) live++;
    else lines.push(`MALLOC SPY: ${a} - freed, ${live} blocks remaining`);
    lines.push(`[       OK ] Many.Test${i} (0 ms)`);
  }
  lines.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', '');
  const report = analyzeBuffer(lines.join('\n'), { assumeComplete: true });
  assert.equal(report.tests?.length, 25);
  const text = renderText(report, PLAIN);
  const rows = text.split('\n').filter((l) => /^\| Many\.Test\d+ /.test(l));
  assert.equal(rows.length, 20);
  assert.deepEqual(
    rows.slice(0, 2).map((l) => l.split('|')[1]!.trim()),
    ['Many.Test19', 'Many.Test7'],
  );
  assert.match(text, /\n {2}5 more tests not shown \(none with true leaks or unresolved blocks; --format json lists every test\)\n/);

  // Two runs of one binary appended to one file: each test once per run.
  const twice = Buffer.concat([readFileSync(fixture('gtest-three-tests.log')), readFileSync(fixture('gtest-three-tests.log'))]);
  const both = analyzeBuffer(twice, { source: 'two.log' });
  assert.equal(both.runs?.length, 2);
  assert.deepEqual(
    both.tests?.map((t) => `${t.run} ${t.name} ${t.summary['true-leak'].blocks}`),
    [
      '1 ReportTest.BuildsTitle 1',
      '1 ReportTest.FreesWhatItAllocates 0',
      '1 FieldCacheTest.CachesFieldNames 0',
      '2 ReportTest.BuildsTitle 1',
      '2 ReportTest.FreesWhatItAllocates 0',
      '2 FieldCacheTest.CachesFieldNames 0',
    ],
  );
  const junit = renderJunit(gate(both));
  assert.deepEqual(junitErrors(junit), []);
  assert.deepEqual(
    [...junit.matchAll(/classname="spylog\.two\.tests" name="([^"]+)" time="0">\n {6}<failure/g)].map((m) => m[1]),
    ['ReportTest.BuildsTitle (run 1)', 'ReportTest.BuildsTitle (run 2)'],
  );
});

test('ordinals: every block of a long run keeps its own, across the growth of the tables that hold them', () => {
  const lines = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
  // 3,000 blocks alive at once, and every tenth freed again (through the freed window).
  for (let i = 1; i <= 3000; i++) lines.push(`MALLOC SPY: 0x${(0x100000 + i * 16).toString(16).toUpperCase().padStart(8, '0')} - 16 bytes allocated`);
  let live = 3000;
  for (let i = 10; i <= 3000; i += 10)
    lines.push(`MALLOC SPY: 0x${(0x100000 + i * 16).toString(16).toUpperCase().padStart(8, '0')} - freed, ${--live} blocks remaining`);
  lines.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', '');
  const r = analyzeBuffer(lines.join('\n'));
  const blocks = r.blocks.filter((b) => b.category === 'unresolved' || b.category === 'couninitialize');
  assert.equal(blocks.length, 3000);
  for (const b of blocks) assert.equal(b.ordinal, b.allocLine! - 2, b.address);
});

const NESTED = [
  'CoInitialize() returns 0x00000000',
  'CoRegisterMallocSpy() returns 0x00000000',
  '[ RUN      ] A.One',
  'MALLOC SPY: 0x00001000 - 10 bytes allocated',
  '[ RUN      ] A.Two',
  'MALLOC SPY: 0x00002000 - 20 bytes allocated',
  '[       OK ] A.Two (0 ms)',
  'MALLOC SPY: 0x00003000 - 30 bytes allocated',
  '[       OK ] A.One (0 ms)',
  '[ RUN      ] A.Rep',
  'MALLOC SPY: 0x00004000 - 40 bytes allocated',
  '[       OK ] A.Rep (0 ms)',
  '[ RUN      ] A.Rep',
  'MALLOC SPY: 0x00005000 - 50 bytes allocated',
  '[  FAILED  ] A.Rep (0 ms)',
  '[ RUN      ] A.Unterminated',
  'MALLOC SPY: 0x00006000 - 60 bytes allocated',
  '[  FAILED  ] A.Other (0 ms)',
  'MALLOC SPY: 0x00007000 - 70 bytes allocated',
  'Called CoUninitialize()',
  'CoRevokeMallocSpy() returns 0x80070005',
  'MALLOC SPY: detected memory leaks!',
  ...[1, 2, 3, 4, 5, 6, 7].map((k) => `0x0000${k}000 - ${k}0 bytes: 00 00 00 00`),
  '',
].join('\n');

test('tests: a test started inside another runs inside it; a repeated name is told apart by its iteration; a stray end line is an anomaly', () => {
  const r = analyzeBuffer(NESTED, { source: 'nest.log', assumeComplete: true });
  assert.deepEqual(
    r.tests!.map((t) => [t.name, t.startLine, t.endLine, t.outcome, t.allocs, t.iteration]),
    [
      // A.Two ran inside A.One: A.One's allocations are #1 and #3 (after A.Two ended), and its end line ends it.
      ['A.One', 3, 9, 'passed', 2, undefined],
      ['A.Two', 5, 7, 'passed', 1, undefined],
      ['A.Rep', 10, 12, 'passed', 1, 1],
      ['A.Rep', 13, 15, 'failed', 1, 2],
      ['A.Unterminated', 16, null, 'not-ended', 2, undefined],
    ],
  );
  assert.deepEqual(
    r.blocks.map((b) => [b.ordinal, b.test, b.testIteration]),
    [
      [1, 'A.One', undefined],
      [2, 'A.Two', undefined],
      [3, 'A.One', undefined],
      [4, 'A.Rep', 1],
      [5, 'A.Rep', 2],
      [6, 'A.Unterminated', undefined],
      [7, 'A.Unterminated', undefined],
    ],
  );
  assert.deepEqual(
    r.anomalies.filter((a) => a.kind === 'test-end-not-running').map((a) => [a.line, a.message]),
    [[18, 'an end line for A.Other, which is not running (A.Unterminated is, since line 16): it ends no test']],
  );
  // JUnit: one case per test, each listing its own blocks; the second A.Rep named apart.
  const junit = renderJunit(gate(r));
  assert.deepEqual(junitErrors(junit), []);
  const cases = junit.split('<testcase classname="spylog.nest.tests" ').slice(1);
  assert.deepEqual(
    cases.map((c) => [/^name="([^"]*)"/.exec(c)![1], c.match(/\(#\d\)/g)?.join(' ')]),
    [
      ['A.One', '(#1) (#3)'],
      ['A.Two', '(#2)'],
      ['A.Rep', '(#4)'],
      ['A.Rep (iteration 2)', '(#5)'],
      ['A.Unterminated', '(#6) (#7)'],
    ],
  );
  // The same test nested in a suite of a harness of one's own: the suite's blocks are those outside the test.
  const harness = analyzeBuffer(
    [
      'CoRegisterMallocSpy() returns 0x00000000',
      '=== BEGIN suite ===',
      'MALLOC SPY: 0x00001000 - 10 bytes allocated',
      '=== BEGIN suite/test ===',
      'MALLOC SPY: 0x00002000 - 20 bytes allocated',
      '=== END suite/test: PASS ===',
      '=== END suite: PASS ===',
      'MALLOC SPY: 0x00001000 - freed, 1 blocks remaining',
      'MALLOC SPY: 0x00002000 - freed, 0 blocks remaining',
      'TearDown() returns 0x00000000',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x00000000',
      '',
    ].join('\n'),
    { tests: compileTestPatterns([String.raw`^=== BEGIN (?<name>\S+) ===$`], [String.raw`^=== END (?<name>[^\s:]+): (?<outcome>PASS|FAIL) ===$`]) },
  );
  assert.deepEqual(
    harness.tests!.map((t) => [t.name, t.outcome, t.allocs, t.summary.freed.blocks, t.freedAfterTest.blocks]),
    [
      ['suite', 'passed', 1, 1, 1],
      ['suite/test', 'passed', 1, 1, 1],
    ],
  );
});

test('tests: a name is well-formed as a context is, one spelling in every format; bidi and invisible characters never reach the CI formats or the page raw', () => {
  const name = 'Lone\ud800Bidi\u202Etxt.exe\u2066Zero\u200bX';
  const text = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    `=== BEGIN ${name} ===`,
    'MALLOC SPY: 0x00001000 - 16 bytes allocated',
    `=== END ${name}: FAIL ===`,
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00001000 - 16 bytes: 00 00 00 00',
    '',
  ].join('\r\n');
  // UTF-16LE with a BOM (PowerShell's `>`) keeps the lone surrogate in the log.
  const log = Buffer.from('\ufeff' + text, 'utf16le');
  const tests = compileTestPatterns([String.raw`^=== BEGIN (?<name>.+) ===$`], [String.raw`^=== END (?<name>.+): (?<outcome>PASS|FAIL) ===$`]);
  const r = analyzeBuffer(log, { source: 'u16.log', tests, assumeComplete: true });
  const wellFormed = name.toWellFormed();
  assert.equal(r.tests![0]!.name, wellFormed);
  assert.deepEqual(
    r.blocks.map((b) => [b.test, b.context]),
    [[wellFormed, wellFormed]],
  );
  const result = gate(r);
  assert.match(renderJunit(result), new RegExp(`name="${wellFormed.replace(/[.]/g, '\\.')}"`));
  const bidi = /[\u200B-\u200F\u202A-\u202E\u2066-\u2069]/;
  for (const format of ['github', 'markdown'] as const) {
    const out = CHECK_REPORTERS[format](result, PLAIN, {});
    assert.doesNotMatch(out, bidi, format);
    assert.match(out, /Lone\uFFFDBidi<U\+202E>txt/, format);
  }
  const html = renderHtml([r]);
  assert.doesNotMatch(html, bidi);
  assert.match(html, /Lone\uFFFDBidi&lt;U\+202E&gt;txt/);
});
