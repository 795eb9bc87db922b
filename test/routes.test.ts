// One analysis, every route: a line reaches the tracker from its bytes (the byte path),
// as decoded text (the text path), or as an event from a dialect's classifier (what a
// user dialect does), in one piece or one byte at a time. Every shipped log must give the
// identical report by every route: the routes share one grammar and one decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer, createAnalyzer, type AnalyzeOptions } from '../src/analyze.js';
import { mallocSpyDialect, type Dialect } from '../src/dialect/dialect.js';
import { parseUserDialect } from '../src/dialect/user.js';
import type { Report } from '../src/model/report.js';
import { ROOT, everyFixtureLog } from './helpers.js';

/** MallocSpyTest's wording as a dialect without the byte path: its alloc and free lines reach the tracker as events. */
function eventRouteDialect(): Dialect {
  const { fastPath: _fastPath, ...plain } = mallocSpyDialect();
  return plain;
}

function oneByteAtATime(bytes: Buffer, options: AnalyzeOptions): Report {
  const a = createAnalyzer(options);
  for (let i = 0; i < bytes.length; i++) a.write(bytes.subarray(i, i + 1));
  return a.end();
}

/** The report without what names the route (a named dialect lists only itself as tried). */
function comparable(r: Report): string {
  const { dialect: _dialect, ...rest } = r;
  return JSON.stringify(rest);
}

/** `whole` (the byte path's report of `bytes`) again by the text path, one byte at a time and, for MallocSpyTest's wording, as events. */
function assertSameByEveryRoute(bytes: Buffer, whole: Report, viaEvents: boolean): void {
  const routes: [string, Report][] = [
    ['text path', analyzeBuffer(bytes, { bytePath: false })],
    ['one byte at a time', oneByteAtATime(bytes, {})],
  ];
  if (viaEvents) routes.push(['events', analyzeBuffer(bytes, { dialect: eventRouteDialect() })]);
  for (const [name, r] of routes) assert.equal(comparable(r), comparable(whole), name);
}

for (const log of everyFixtureLog()) {
  test(`every route gives the same report: ${log.path}`, () => {
    const bytes = readFileSync(join(ROOT, log.path));
    const base: AnalyzeOptions = { source: log.path };
    if (log.dialectFile) base.dialect = parseUserDialect(readFileSync(log.dialectFile, 'utf8'), log.dialectFile);
    const whole = analyzeBuffer(bytes, base);
    const expected = JSON.stringify(whole);
    assert.equal(JSON.stringify(analyzeBuffer(bytes, { ...base, bytePath: false })), expected, 'text path');
    if (bytes.length <= 300_000) assert.equal(JSON.stringify(oneByteAtATime(bytes, base)), expected, 'one byte at a time');
    // The event route applies to logs in MallocSpyTest's wording (the others have their own dialect).
    if (!log.dialectFile && whole.dialect === undefined) {
      const viaEvents = analyzeBuffer(bytes, { ...base, dialect: eventRouteDialect() });
      assert.equal(comparable(viaEvents), comparable(whole), 'events from a dialect');
    }
  });
}

/**
 * MallocSpyTest's wording as a user's dialect file: regexes, no byte path, its own
 * program-line reading. A user dialect cannot see a spy line cut in the middle of its
 * prefix (that needs the prefix, not a regex), a damaged dump entry nor a count that is
 * not one, and words its malformed lines itself; on logs without these, it must give the
 * same report.
 */
const MALLOCSPY_AS_JSON = JSON.stringify({
  name: 'mallocspy-as-regexes',
  alloc: '^MALLOC SPY: (?<address>0x[0-9A-Fa-f]{1,16}) - (?<size>\\d{1,15}) bytes allocated[ \\t]*$',
  free: '^MALLOC SPY: (?<address>0x[0-9A-Fa-f]{1,16}) - freed(?: \\(realloc to 0 bytes\\))?, (?<remaining>\\d{1,15}) blocks? remaining[ \\t]*$',
  realloc: '^MALLOC SPY: (?<from>0x[0-9A-Fa-f]{1,16}) - reallocated to (?<to>0x[0-9A-Fa-f]{1,16}), (?<size>\\d{1,15}) bytes[ \\t]*$',
  dumpStart: '^MALLOC SPY: detected memory leaks![ \\t]*$',
  dumpEntry: '^(?<address>0x[0-9A-Fa-f]{1,16}) - (?<size>\\d{1,15}) bytes:(?<data>(?: [0-9A-Fa-f]{2}){0,16})',
  spyLine: '^MALLOC SPY: ',
  markers: {
    register: '^\\s*CoRegisterMallocSpy\\(\\) returns (?<hresult>(?:0x)?[0-9A-Fa-f]{1,8})',
    revoke: '^\\s*CoRevokeMallocSpy\\(\\) returns (?<hresult>(?:0x)?[0-9A-Fa-f]{1,8})',
    coUninitialize: '^\\s*Called (?:Co|Ole)Uninitialize\\(\\)\\s*$',
    runStart: '^\\s*(?:CoInitialize|CoInitializeEx|OleInitialize)\\(',
  },
});

test("a user dialect file in MallocSpyTest's wording reads the clean shipped logs exactly like the built-in", () => {
  const dialect = parseUserDialect(MALLOCSPY_AS_JSON, 'mallocspy-as-regexes.json');
  let compared = 0;
  for (const log of everyFixtureLog()) {
    if (log.dialectFile) continue;
    const bytes = readFileSync(join(ROOT, log.path));
    const builtin = analyzeBuffer(bytes, { source: log.path });
    const broken = ['malformed-spy-line', 'malformed-dump-entry', 'unreadable-count'].reduce((n, k) => n + (builtin.anomalyCounts[k] ?? 0), 0);
    if (builtin.dialect !== undefined || broken > 0) continue;
    // A run that never reaches CoUninitialize quotes the dialect's marker (a regex here) in its evidence.
    if (builtin.phases.coUninitialize === null && builtin.phases.dump === null) continue;
    const user = analyzeBuffer(bytes, { source: log.path, dialect });
    assert.equal(comparable(user), comparable(builtin), log.path);
    compared++;
  }
  assert.ok(compared >= 20, `${compared} logs compared`);
});

test('every route ends a dump and forgets a broken line at an alloc or free line alike', () => {
  // The line after a dump's last entry ends the dump (what it does not list is missing
  // from it), and a spy line that does not parse only cuts the log when it is the last line.
  const log = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00100000 - 16 bytes allocated',
    'MALLOC SPY: 0x00100020 - 32 bytes allocated',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00100000 - 16 bytes: 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 ABCDEFGHIJKLMNOP',
    'MALLOC SPY: 0x00100020 - freed, 1 blocks remaining',
    'MALLOC SPY: 0x0010 - fr',
    'MALLOC SPY: 0x00100040 - 8 bytes allocated',
    '',
  ].join('\r\n');
  const bytes = Buffer.from(log);
  const whole = analyzeBuffer(bytes);
  assert.equal(whole.truncation, 'complete');
  assert.equal(whole.anomalyCounts['not-in-dump'], 1);
  assertSameByEveryRoute(bytes, whole, true);
});

test('every route reads a free whose count went below zero as a free (attack notes #95)', () => {
  const log = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00100000 - 16 bytes allocated',
    'MALLOC SPY: 0x00100020 - 32 bytes allocated',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: 0x00100000 - freed, -1 blocks remaining',
    'MALLOC SPY: 0x00100020 - freed, 18446744073709551615 blocks remaining',
    '',
  ].join('\r\n');
  const bytes = Buffer.from(log);
  const whole = analyzeBuffer(bytes);
  assert.deepEqual([whole.truncation, whole.summary.exitprocess.blocks, whole.anomalyCounts['unreadable-count']], ['complete', 2, 2]);
  assertSameByEveryRoute(bytes, whole, true);
});

test('every route reads a line with lone CRs as what was written last: a progress indicator, then a spy line (attack notes #94)', () => {
  const log = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00131000 - 64 bytes allocated',
    'CoCreateInstance() returns 0x00000000',
    'Working 10%\rWorking 50%\rMALLOC SPY: 0x00132000 - 40 bytes allocated',
    'Working 100%\rMALLOC SPY: 0x00131000 - freed, 1 blocks remaining',
    '\rDone \r  ',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    'Dumping\r0x00132000 - 40 bytes: 4C 45 41 4B 00 00 00 00 00 00 00 00 00 00 00 00 LEAK............',
    'MALLOC SPY: 0x00132000 - freed, 0 blocks remaining',
    '',
  ].join('\r\n');
  const bytes = Buffer.from(log);
  const whole = analyzeBuffer(bytes);
  assert.deepEqual([whole.allocs, whole.frees, whole.anomalyCounts], [2, 2, {}]);
  assert.deepEqual(
    whole.blocks.map((b) => [b.address, b.category, b.context, b.inDump]),
    [['0x00132000', 'exitprocess', 'Done', true]],
  );
  assertSameByEveryRoute(bytes, whole, true);
  // A spy event with text written over it after a CR happened: its line is read (attack notes #101).
  const over = Buffer.from(
    [
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x00131000 - 64 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'MALLOC SPY: 0x00131000 - freed, 0 blocks remaining\rdone',
      'Called CoUninitialize()',
      '',
    ].join('\r\n'),
  );
  const read = analyzeBuffer(over);
  assert.deepEqual([read.frees, read.summary.freed.blocks + read.summary.couninitialize.blocks, read.anomalyCounts], [1, 1, {}]);
  assertSameByEveryRoute(over, read, true);
  // In a DebugView capture too, and a line of only CRs and blanks is blank.
  const dv = Buffer.from(
    ['0\t0\t[5] CoRegisterMallocSpy() returns 0x00000000', '1\t0\t[5] 50%\rMALLOC SPY: 0x10 - 4 bytes allocated', '2\t0\t[5] \r \r', ''].join('\r\n'),
  );
  const r = analyzeBuffer(dv);
  assert.deepEqual([r.allocs, r.anomalyCounts], [1, {}]);
  assertSameByEveryRoute(dv, r, false);
});

test("every route goes on with a dump past another thread's plain line inside it (attack notes #92)", () => {
  const head = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
  ];
  const rest = [
    '0x0023A000 - 64 bytes: 4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD LEAK#1..........',
    // A block the dump alone knows (its allocation line was lost to two threads' printf).
    '0x0023A100 - 64 bytes: 4C 45 41 4B 23 32 00 CD CD CD CD CD CD CD CD CD LEAK#2..........',
  ];
  for (const inside of [['Worker 2 finished'], ['Worker 2 finished', '', 'Worker 3 finished']]) {
    const log = [...head, ...inside, ...rest, 'Done', 'MALLOC SPY: 0x0013A030 - freed, 2 blocks remaining', ''].join('\r\n');
    const bytes = Buffer.from(log);
    const whole = analyzeBuffer(bytes);
    assert.deepEqual(whole.anomalyCounts, { 'dump-unknown-block': 1 }, inside.join('|'));
    assert.deepEqual(
      whole.blocks.map((b) => [b.address, b.category, b.inDump]),
      [
        ['0x0013A030', 'exitprocess', true],
        ['0x0023A000', 'true-leak', true],
        ['0x0023A100', 'true-leak', true],
      ],
    );
    assert.deepEqual(whole.phases.dump, { line: 8, entries: 3 });
    assertSameByEveryRoute(bytes, whole, true);
  }
});

test("every route goes on with a dump past another thread's spy events inside it (attack notes #105)", () => {
  const head = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x0013A0C0 - 16 bytes allocated',
    'MALLOC SPY: 0x0013A0E0 - 24 bytes allocated',
    'Started 2 worker threads',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
  ];
  const rest = [
    '0x0013A0E0 - 24 bytes: 01 00 00 00 CD CD CD CD CD CD CD CD CD CD CD CD ................',
    // A block the dump alone knows (its allocation line was lost to two threads' printf).
    '0x0023A000 - 64 bytes: 4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD LEAK#1..........',
  ];
  const worker = [
    // A worker frees its block while the main thread dumps; the dump listed 0x0013A0C0 already in one case.
    ['MALLOC SPY: 0x0013A0C0 - freed, 3 blocks remaining'],
    ['MALLOC SPY: 0x0013A0C0 - freed, 3 blocks remaining', 'Worker 1 finished', 'MALLOC SPY: 0x00140000 - 8 bytes allocated'],
  ];
  for (const inside of worker) {
    // The spy's counts, as it keeps them: the worker's allocation is one more block.
    const more = inside.length > 1 ? 1 : 0;
    const exit = [`MALLOC SPY: 0x0013A0E0 - freed, ${2 + more} blocks remaining`, `MALLOC SPY: 0x0013A030 - freed, ${1 + more} blocks remaining`];
    const log = [...head, ...inside, ...rest, ...exit, ''].join('\r\n');
    const bytes = Buffer.from(log);
    const whole = analyzeBuffer(bytes);
    assert.equal(whole.truncation, 'complete', inside.join('|'));
    // The lost allocation line puts the spy's count one ahead until the dump shows its block.
    const anomalies: Record<string, number> = { 'count-out-of-order': 1, 'dump-unknown-block': 1 };
    if (more) anomalies['not-in-dump'] = 1; // the worker's block, allocated after the dump began
    assert.deepEqual(whole.anomalyCounts, anomalies, inside.join('|'));
    assert.deepEqual(
      whole.blocks.map((b) => [b.address, b.category, b.inDump]),
      [
        ['0x0013A030', 'exitprocess', true],
        ['0x0013A0E0', 'exitprocess', true],
        ...(more ? [['0x00140000', 'true-leak', false]] : []),
        ['0x0023A000', 'true-leak', true],
      ],
    );
    assert.deepEqual(whole.phases.dump, { line: 9, entries: 3 });
    assert.equal(whole.phases.exitEvents, 2, 'the worker events inside the dump are no exit-time output');
    assertSameByEveryRoute(bytes, whole, true);
  }
  // The worker frees a block the dump listed already, and the dump goes on: a block it never lists is still missing.
  const listedThenFreed = analyzeBuffer(
    [
      ...head,
      '0x0013A0C0 - 16 bytes: 00 00 00 00 CD CD CD CD CD CD CD CD CD CD CD CD ................',
      'MALLOC SPY: 0x0013A0C0 - freed, 3 blocks remaining',
      rest[1],
      '',
    ].join('\r\n'),
  );
  assert.deepEqual(
    listedThenFreed.anomalies.filter((a) => a.kind === 'not-in-dump').map((a) => a.message),
    ['1 block alive in this log is missing from the dump (first: 0x0013A0E0)'],
  );
  // Nothing but exit-time frees after the dump: a block it missed is still said to be missing, once.
  const missed = analyzeBuffer(
    [...head, 'MALLOC SPY: 0x0013A030 - freed, 2 blocks remaining', 'MALLOC SPY: 0x0013A0E0 - freed, 1 blocks remaining', ''].join('\r\n'),
  );
  assert.deepEqual(
    missed.anomalies.filter((a) => a.kind === 'not-in-dump').map((a) => [a.line, a.message]),
    [[9, '2 blocks alive in this log are missing from the dump (first: 0x0013A0C0)']],
  );
});

test("every route reads a run appended as UTF-16LE to a UTF-8 file (Windows PowerShell 5.1's >>; attack notes #91)", () => {
  const clean = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00130000 - 32 bytes allocated',
    'Called CoUninitialize()',
    'MALLOC SPY: 0x00130000 - freed, 0 blocks remaining',
    'CoRevokeMallocSpy() returns 0x00000000',
  ];
  const leak = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00132000 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x00131000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x00131000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00132000 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    '0x00131000 - 64 bytes: 4C 45 41 4B 00 00 00 00 00 00 00 00 00 00 00 00 LEAK............',
    'MALLOC SPY: 0x00132000 - freed, 1 blocks remaining',
    '',
    'C:\\work>',
  ];
  const alone = analyzeBuffer(Buffer.from(leak.join('\r\n') + '\r\n'));
  assert.deepEqual([alone.truncation, alone.summary['true-leak'].blocks], ['complete', 1]);
  for (const bom of [[], [0xff, 0xfe]]) {
    const bytes = Buffer.concat([Buffer.from(clean.join('\r\n') + '\r\n'), Buffer.from(bom), Buffer.from(leak.join('\r\n') + '\r\n', 'utf16le')]);
    const whole = analyzeBuffer(bytes);
    assert.deepEqual(whole.anomalyCounts, {}, `BOM ${bom.length}`);
    assert.equal(whole.runs!.length, 2);
    // The appended run reads as it does alone, its last LF's second byte no cut line.
    assert.deepEqual([whole.runs![1]!.report!.truncation, whole.runs![1]!.report!.summary], [alone.truncation, alone.summary], `BOM ${bom.length}`);
    assertSameByEveryRoute(bytes, whole, true);
  }
  // And cmd's >> again after it: the third part's first line is plain text, not the NUL of the last LF before it (attack notes #102).
  const three = Buffer.concat([
    Buffer.from(clean.join('\r\n') + '\r\n'),
    Buffer.from(leak.join('\r\n') + '\r\n', 'utf16le'),
    Buffer.from(clean.join('\r\n') + '\r\n'),
  ]);
  const thrice = analyzeBuffer(three);
  // (The second run's trailing empty line and prompt are held for the next run, as between any two runs.)
  assert.deepEqual([thrice.runs!.map((x) => x.firstLine), thrice.anomalyCounts], [[1, 7, 7 + leak.length - 2], {}]);
  assertSameByEveryRoute(three, thrice, true);
  // NULs that are not UTF-16 text stay unreadable, and a lone NUL after the last line of a UTF-8 file is a cut line.
  const garbage = analyzeBuffer(Buffer.concat([Buffer.from(clean.join('\n') + '\n'), Buffer.alloc(64), Buffer.from('\n\0')]));
  assert.deepEqual([garbage.anomalyCounts['unreadable-line'], garbage.truncation], [2, 'truncated']);
});

test("plain bytes appended to a UTF-16LE file (cmd's >> after PowerShell's >) are read as such, in any chunking (attack notes #91)", () => {
  const run = (address: string, exit: boolean) => [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00132000 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    `MALLOC SPY: ${address} - 64 bytes allocated`,
    `CoTaskMemAlloc(64) returns ${address}`,
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00132000 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    `${address} - 64 bytes: 4C 45 41 4B 00 00 00 00 00 00 00 00 00 00 00 00 LEAK............`,
    ...(exit ? ['MALLOC SPY: 0x00132000 - freed, 1 blocks remaining'] : []),
  ];
  const text = (lines: string[]) => lines.join('\r\n') + '\r\n';
  const second = text(run('0x00131000', true));
  const alone = analyzeBuffer(Buffer.from(second));
  assert.deepEqual([alone.truncation, alone.summary['true-leak'].blocks], ['complete', 1]);
  // The plain part's first line may be empty, one character, or UTF-8 (attack notes #104).
  for (const [first, lead] of [
    [text(run('0x00130000', true)), ''],
    ['', ''],
    [text(run('0x00130000', true)), '\r\n'],
    [text(run('0x00130000', true)), 'A\r\n'],
    [text(run('0x00130000', true)), 'テスト開始\r\n'],
  ] as const) {
    // PowerShell's capture (BOM, UTF-16LE), then the plain bytes of the next run; or a capture of nothing, only the BOM.
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(first, 'utf16le'), Buffer.from(lead + second)]);
    const whole = analyzeBuffer(bytes);
    const last = whole.runs ? whole.runs.at(-1)!.report! : whole;
    assert.deepEqual([last.truncation, last.summary], [alone.truncation, alone.summary], `first run: ${first.length > 0}`);
    assert.deepEqual(whole.anomalyCounts, {});
    assertSameByEveryRoute(bytes, whole, true);
    for (const size of [2, 3, 5, 16, 17, 31]) {
      const a = createAnalyzer({});
      for (let i = 0; i < bytes.length; i += size) a.write(bytes.subarray(i, i + size));
      assert.equal(JSON.stringify(a.end()), JSON.stringify(whole), `${size}-byte pieces`);
    }
  }
  // UTF-16 text that is not ASCII stays UTF-16: lines of Japanese, Chinese, Cyrillic, Greek (a banner), in any chunking.
  // Kana and many CJK characters are two bytes of ASCII text each (attack notes #99).
  const words = [
    'たしかにそうです',
    'ないしはそのようなもの',
    '中文中文中文中文中文',
    '内存泄漏检测完成，没有发现问题',
    'Утечки памяти не обнаружены',
    'Δεν βρέθηκαν διαρροές μνήμης',
  ];
  const wide = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text([...words, ...run('0x00130000', true)]), 'utf16le')]);
  const r = analyzeBuffer(wide);
  assert.deepEqual([r.runs, r.truncation, r.anomalyCounts], [undefined, 'complete', {}]);
  for (const size of [3, 16, 17]) {
    const a = createAnalyzer({});
    for (let i = 0; i < wide.length; i += size) a.write(wide.subarray(i, i + size));
    assert.equal(JSON.stringify(a.end()), JSON.stringify(r), `${size}-byte pieces`);
  }
});

test('dump entries read from their bytes and from their text agree on every odd entry', () => {
  // Typed from what spies print: lower-case hex, fewer bytes than 16, a size under the bytes
  // shown, an ascii column that looks like hex or is not UTF-8, trailing blanks, CR CR LF, a
  // token that is not a hex byte, no blank after the colon (read all the same), a block the log never allocated.
  const lines: (string | Buffer)[] = [
    'CoRegisterMallocSpy() returns 0x00000000\n',
    'MALLOC SPY: 0x00130000 - 48 bytes allocated\n',
    'MALLOC SPY: 0x00130040 - 4 bytes allocated\n',
    'MALLOC SPY: 0x00130080 - 20 bytes allocated\n',
    'MALLOC SPY: 0x001300b0 - 0 bytes allocated\n',
    'MALLOC SPY: 0x001300c0 - 24 bytes allocated\n',
    'MALLOC SPY: 0x001300e0 - 32 bytes allocated\n',
    'MALLOC SPY: 0x00130120 - 16 bytes allocated\n',
    'MALLOC SPY: 0x00130160 - 8 bytes allocated\n',
    'Called CoUninitialize()\n',
    'CoRevokeMallocSpy() returns 0x80070005\n',
    'MALLOC SPY: detected memory leaks!\n',
    '0x00130000 - 48 bytes: 47 4b 56 36 46 48 44 43 60 5a 04 4D 45 4F 58 7B GKV6FHDC`Z.MEOX{\n',
    '0x00130040 - 4 bytes: 41 42 43 44 AB CD DE F0 12 34 56 78 9A BC DE F0 ABCD............\n',
    '0x00130080 - 20 bytes: 4C 42 7F 44 AB CD\n',
    '0x001300B0 - 0 bytes:\n',
    Buffer.concat([
      Buffer.from('0x001300c0 - 24 bytes: 5C 5A F3 17 B1 CC 56 C0 55 56 47 22 F7 09 46 4D \\Z'),
      Buffer.from([0xe9, 0xe8, 0xff]),
      Buffer.from('..V.UVG"..FM\r\r\n'),
    ]),
    '0x001300e0 - 33 bytes: D7 8C 55 59 46 55 4A E2 4D 38 58 52 41 30 28 8A ..UYFUJ.M8XRA0(.   \r\n',
    '0x00130120 - 16 bytes: 59 46 48 39 7E 23 C4 47 4D 56 FB 1A 42 46 B7 5Z YFH9~#.GMV..BF.Z\n',
    '0x00130160 - 8 bytes:01 02 03 04 05 06 07 08 ........\n',
    '0x00130200 - 8 bytes: 01 02 03 04 05 06 07 08 ........\n',
    'MALLOC SPY: 0x00130000 - freed, 8 blocks remaining\n',
  ];
  const bytes = Buffer.concat(lines.map((l) => (typeof l === 'string' ? Buffer.from(l) : l)));
  const whole = analyzeBuffer(bytes);
  const data = Object.fromEntries(whole.blocks.map((b) => [b.address, b.data]));
  assert.deepEqual(data, {
    '0x00130000': '47 4B 56 36 46 48 44 43 60 5A 04 4D 45 4F 58 7B',
    '0x00130040': '41 42 43 44',
    '0x00130080': '4C 42 7F 44 AB CD',
    '0x001300b0': '',
    '0x001300c0': '5C 5A F3 17 B1 CC 56 C0 55 56 47 22 F7 09 46 4D',
    '0x001300e0': 'D7 8C 55 59 46 55 4A E2 4D 38 58 52 41 30 28 8A',
    '0x00130120': '59 46 48 39 7E 23 C4 47 4D 56 FB 1A 42 46 B7',
    '0x00130160': '01 02 03 04 05 06 07 08',
    '0x00130200': '01 02 03 04 05 06 07 08',
  });
  assert.equal(whole.anomalyCounts['dump-size-mismatch'], 1);
  assert.equal(whole.anomalyCounts['dump-unknown-block'], 1);
  assertSameByEveryRoute(bytes, whole, true);
});

test('DebugView lines read from their bytes and from their text agree on every odd column', () => {
  // As DebugView saves them: relative and wall-clock times (with AM/PM), with and without
  // the pid column, a pid too long for a number, a pid column that is not one, two blanks
  // after the pid, a continuation line, a message that is no spy line, CR LF and LF.
  const log = [
    '0\t0.00001274\t[4312] CoInitialize() returns 0x00000000\r\n',
    '1\t0.00003641\t[4312] CoRegisterMallocSpy() returns 0x00000000\r\n',
    '2\t0.00006576\t[4312] MALLOC SPY: 0x00130000 - 48 bytes allocated\r\n',
    '3\t10:23:45 AM\t[4312] MALLOC SPY: 0x00130040 - 256 bytes allocated\r\n',
    '4\t10:23:45.123\t[77] CoRegisterMallocSpy() returns 0x00000000\n',
    '5\t10:23:45.124\t[77]MALLOC SPY: 0x00220000 - 16 bytes allocated\n',
    '6\t10:23:45.125\t[77]  MALLOC SPY: 0x00220040 - 16 bytes allocated\n',
    '7\t0.1\t[12a] MALLOC SPY: 0x00330000 - 8 bytes allocated\n',
    '8\t0.2\t[12345678901234567890] MALLOC SPY: 0x00440000 - 8 bytes allocated\n',
    '9\t0.3\tMALLOC SPY: 0x00550000 - 8 bytes allocated\n',
    'MALLOC SPY: 0x00660000 - 8 bytes allocated\n',
    '10\t0.4 PM\t[4312] MALLOC SPY: 0x00130000 - freed, 1 blocks remaining   \r\n',
    '11\t0.5\t[77] MALLOC SPY: 0x00220000 - freed, 0 blocks remaining\n',
    '12\t0.6\t[4312] Called CoUninitialize()\r\n',
  ].join('');
  const bytes = Buffer.from(log);
  const whole = analyzeBuffer(bytes);
  assert.equal(whole.capture, 'debugview');
  assert.deepEqual(
    whole.processes?.map((p) => p.pid),
    [4312, 77, null, 12345678901234567000],
  );
  assertSameByEveryRoute(bytes, whole, false);
});

test("a DebugView message may hold U+2028 or a CR: still its process's line, read alike whole and in pieces", () => {
  const lines = [
    '0\t0\t[5] CoRegisterMallocSpy() returns 0x00000000\n',
    '1\t0\t[6] CoRegisterMallocSpy() returns 0x00000000\n',
    '2\t0\t[5] X\u2028 0x10 - 4 bytes allocated\n',
    '3\t0.3\t[6] Object\u2028released\n',
    '4\t0.4\t[6] Object\rreleased too\n',
  ];
  const bytes = Buffer.from(lines.join(''));
  const options: AnalyzeOptions = { markers: { spyPrefix: 'X\u2028 ' } };
  const whole = analyzeBuffer(bytes, options);
  assert.equal(whole.allocs, 1, 'the prefix with U+2028 matches');
  const pid6 = whole.processes!.find((p) => p.pid === 6)!;
  assert.equal(pid6.lastLine, 5, "pid 6's messages with U+2028 and a CR are its own");
  const first = Buffer.from(lines[0]!);
  const chunked = createAnalyzer(options);
  chunked.write(first);
  chunked.write(bytes.subarray(first.length));
  for (const [name, r] of [
    ['text path', analyzeBuffer(bytes, { ...options, bytePath: false })],
    ['in two pieces', chunked.end()],
  ] as const) {
    assert.equal(comparable(r), comparable(whole), name);
  }
});

test('a spy prefix with a lone surrogate is read the text way only: whole and in pieces alike', () => {
  const options: AnalyzeOptions = { markers: { spyPrefix: '\uD800 ' } };
  const head = 'CoRegisterMallocSpy() returns 0x00000000\n';
  const bytes = Buffer.from(head + '\uFFFD 0x10 - 4 bytes allocated\n');
  const whole = analyzeBuffer(bytes, options);
  const chunked = createAnalyzer(options);
  chunked.write(bytes.subarray(0, head.length));
  chunked.write(bytes.subarray(head.length));
  assert.equal(comparable(chunked.end()), comparable(whole));
  assert.equal(whole.allocs, 0, 'a decoded U+FFFD is not the lone surrogate the prefix names');
});
