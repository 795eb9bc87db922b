// The baseline file: patterns, what a reference run writes, and reading it back (every
// malformed file is a BAD_BASELINE naming the file and line).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeBuffer } from '../src/analyze.js';
import { buildBaseline, renderBaseline } from '../src/baseline/build.js';
import { parseBaseline } from '../src/baseline/read.js';
import { derivePattern, formatPattern, looksLikePointer, matchesPattern, parsePattern } from '../src/baseline/pattern.js';
import { SpylogError } from '../src/errors.js';
import { stableContext } from '../src/parse/program.js';
import { fixture } from './helpers.js';

const hex = (s: string) => s.split(' ').map((h) => parseInt(h, 16));

test('pointers: heap and DLL addresses are, small integers and text are not', () => {
  assert.equal(looksLikePointer(hex('58 A2 13 00')), true); // 0x0013A258, a heap address
  assert.equal(looksLikePointer(hex('98 B1 5A 77')), true); // 0x775AB198, inside a DLL
  assert.equal(looksLikePointer(hex('54 00 00 00')), false);
  assert.equal(looksLikePointer(hex('4D 00 69 00')), false); // "Mi" in UTF-16
  assert.equal(looksLikePointer(hex('4C 45 41 4B')), false); // "LEAK"
  assert.equal(looksLikePointer(hex('CD CD CD CD')), false); // above user space
  assert.equal(looksLikePointer(hex('C0 C9 34 00 00 00 00 00')), true); // 64-bit heap address
  assert.equal(looksLikePointer(hex('4C 45 41 4B 23 31 00 CD')), false);
});

test('derivePattern: bytes that differ between blocks and pointer words become ??', () => {
  const p = derivePattern(['58 A2 13 00 0A 00 00 00 41 00 44 00', '58 A2 13 00 10 00 00 00 41 00 4C 00'], 4);
  assert.equal(formatPattern(p), '?? ?? ?? ?? ?? 00 00 00 41 00 ?? 00');
  assert.deepEqual(derivePattern([null, null], 4), []);
  assert.equal(formatPattern(derivePattern(['4C 45 41 4B 23 31 00 CD', '4C 45 41 4B 23 32 00 CD'], 8)), '4C 45 41 4B 23 ?? 00 CD');
});

test('matchesPattern: wildcards, no data, shorter dumps', () => {
  const p = parsePattern('4C ?? 41');
  assert.ok(Array.isArray(p));
  assert.equal(matchesPattern('4C 45 41 4B', p), true);
  assert.equal(matchesPattern('4C 45 42 4B', p), false);
  assert.equal(matchesPattern(null, p), true);
  assert.equal(matchesPattern('4C', p), true);
  assert.equal(parsePattern('4C ?Z'), 'bad pattern byte "?Z" (expected two hex digits or ??)');
});

test('a console capture gives one row per (context, size) of runtime-held blocks, complete for all contexts', () => {
  const report = analyzeBuffer(readFileSync(fixture('w2k-console.log')), { source: 'w2k-console.log' });
  const baseline = buildBaseline(report);
  // 11 exitprocess blocks in 7 signatures; the 2 true leaks are not runtime memory.
  assert.deepEqual(
    baseline.entries.map((e) => `${e.context}/${e.size}x${e.count}`),
    [
      'CLSIDFromProgID/16x1',
      'CLSIDFromProgID/20x1',
      'CLSIDFromProgID/32x4',
      'CLSIDFromProgID/44x1',
      'CLSIDFromProgID/48x1',
      'CLSIDFromProgID/96x1',
      'CLSIDFromProgID/216x2',
    ],
  );
  const text = renderBaseline(baseline, report);
  assert.match(text, /^# complete: \*$/m);
  assert.match(text, /^CLSIDFromProgID,48,1,\?\? \?\? \?\? \?\? 20 00 00 00 41 00 63 00 74 00 69 00,reference line 18$/m);
  // What it writes, it reads back.
  const back = parseBaseline(text, 'kr.csv');
  assert.deepEqual(
    back.entries.map(({ line: _l, ...e }) => e),
    baseline.entries.map(({ line: _l, ...e }) => e),
  );
  assert.deepEqual([...back.complete], ['*']);
  assert.equal(back.entries[0]!.line, 8); // after 6 comment lines and the header
});

test('blocks allocated inside ExitProcess are not baseline material', () => {
  const log = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00100000 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: 0x00200000 - 8 bytes allocated',
    'MALLOC SPY: 0x00200000 - freed, 1 blocks remaining',
    'MALLOC SPY: 0x00100000 - freed, 0 blocks remaining',
    '',
  ].join('\n');
  const baseline = buildBaseline(analyzeBuffer(log));
  assert.deepEqual(
    baseline.entries.map((e) => `${e.context}/${e.size}`),
    ['CLSIDFromProgID/44'],
  );
});

test('reading: comments, a note, BOM, CRLF, an optional count, directives per context', () => {
  const text =
    '\uFEFF# made by hand\r\n# complete: CLSIDFromProgID\r\n#complete:Foo, Bar\r\ncontext,size,pattern,note\r\n\r\nCLSIDFromProgID,44,98 ?? 5A 77,"the classic, 44 bytes"\r\n';
  const b = parseBaseline(text, 'kr.csv');
  assert.deepEqual([...b.complete], ['CLSIDFromProgID', 'Foo, Bar']);
  assert.equal(b.entries.length, 1);
  assert.deepEqual(
    { ...b.entries[0]!, pattern: formatPattern(b.entries[0]!.pattern) },
    {
      context: 'CLSIDFromProgID',
      size: 44,
      count: 1,
      pattern: '98 ?? 5A 77',
      note: 'the classic, 44 bytes',
      line: 6,
    },
  );
});

test('a malformed baseline is BAD_BASELINE with file and line', () => {
  const cases: [string, RegExp][] = [
    ['context,size\nA,44\nB,x\n', /^kr\.csv:3: size "x" is not a whole number of bytes$/],
    ['context,size,count\nA,44,two\n', /^kr\.csv:2: count "two" is not a positive whole number$/],
    ['# c\ncontext,sise\nA,44\n', /^kr\.csv:2: unknown column "sise"/],
    ['context,note\nA,x\n', /^kr\.csv:1: the header has no "size" column$/],
    ['context,size,pattern\nA,4,41 42 4\n', /^kr\.csv:2: bad pattern byte "4"/],
    ['context,size,pattern\nA,2,41 42 43\n', /^kr\.csv:2: the pattern has 3 bytes but the block only 2$/],
    ['context,size\nA,44\nB,4,extra\n', /^kr\.csv:3: Invalid Record Length/],
    ['context,size\n"A,44\n', /^kr\.csv:\d+: Quote Not Closed/],
    ['context,size\n,44\n', /^kr\.csv:2: empty context$/],
    ['# complete:\ncontext,size\n', /^kr\.csv:1: a "# complete:" line needs a context name/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => parseBaseline(text, 'kr.csv'),
      (err: unknown) => err instanceof SpylogError && err.code === 'BAD_BASELINE' && message.test(err.message),
      `${JSON.stringify(text)} should fail with ${message}`,
    );
  }
});

test('a 0-byte block is a valid baseline row (CoTaskMemAlloc(0) is a real allocation)', () => {
  const b = parseBaseline('# complete: *\ncontext,size,count\nCLSIDFromProgID,0,1\n', 'zero.csv');
  assert.deepEqual(
    b.entries.map((e) => [e.context, e.size, e.count]),
    [['CLSIDFromProgID', 0, 1]],
  );
});

test("a context's pointers read as <address>: a rerun at other addresses matches its baseline and keeps its CI identity (attack notes #202)", async () => {
  // The runtime's blocks are allocated before a program line that names a heap pointer; the
  // rerun's heap is elsewhere. 32-bit and 64-bit pointers; an HRESULT and a count stay.
  const run = (heap: string, wide: string) =>
    [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      `MALLOC SPY: 0x${heap}1C0 - 12 bytes allocated`,
      `SpyEarlyHold: 1 block held, first at 0x${heap}1C0 (flags 0x00000002)`,
      `MALLOC SPY: 0x${wide}6DA0 - 48 bytes allocated`,
      `Called CoTaskMemFree(0x${wide}6DA0), next 0x80070005`,
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      `0x${heap}1C0 - 12 bytes: 48 45 4C 44 11 11 11 11 11 11 11 11             HELD........`,
      `0x${wide}6DA0 - 48 bytes: 48 45 4C 44 22 22 22 22 22 22 22 22 22 22 22 22 HELD""""""""""""`,
      `MALLOC SPY: 0x${heap}1C0 - freed, 1 blocks remaining`,
      `MALLOC SPY: 0x${wide}6DA0 - freed, 0 blocks remaining`,
    ].join('\r\n') + '\r\n';
  const reference = analyzeBuffer(run('0034D', '000000000037'));
  assert.deepEqual(
    reference.blocks.map((b) => b.context),
    ['SpyEarlyHold: 1 block held, first at <address> (flags 0x00000002)', 'Called CoTaskMemFree(<address>), next 0x80070005'],
  );
  const baseline = parseBaseline(renderBaseline(buildBaseline(reference), reference), 'b.csv');
  const rerun = run('0041A', '0000000001C2').replace(/MALLOC SPY: 0x[0-9A-F]+ - freed.*\r\n/g, '');
  // Every CI format names a finding by its context and size (README "Identity"): the same in the rerun.
  assert.deepEqual(
    analyzeBuffer(rerun).blocks.map((b) => b.context),
    reference.blocks.map((b) => b.context),
  );
  // A 32-bit `%p` pointer past 16 MB (#223).
  assert.equal(stableContext('Created CParser at 02A3B4C8'), 'Created CParser at <address>');
  // The same pointers as MSVC's `%p` prints them (no `0x`) (#216).
  for (const printed of [(p: string) => p.slice(2)]) {
    const respelled = (log: string) =>
      log.replace(/(first at |CoTaskMemFree\()(0x[0-9A-F]+)/g, (_, before: string, p: string) => before + printed(p));
    assert.deepEqual(
      analyzeBuffer(respelled(rerun)).blocks.map((b) => b.context),
      reference.blocks.map((b) => b.context),
    );
  }
  // What is no pointer stays: a CLSID's groups name a class, counts, flags and HRESULT failures the same every run.
  // So do short and other hex: flags, CRCs, hashes, 16-digit numbers; read as pointers, two calls were one context (#218).
  for (const same of [
    'Creating {0002DF01-0000-0000-C000-000000000046}',
    'processed 12345678 rows',
    'flags 0x00000002, hr 0x8007000E',
    'CoCreateInstance clsctx=0x40004',
    'hash 0x9F3A2B4C5D6E7F80',
    'order 1234567890123456',
  ]) {
    assert.equal(stableContext(same), same);
  }
  const checked = analyzeBuffer(rerun, { baseline });
  assert.deepEqual(checked.summary['true-leak'], { blocks: 0, bytes: 0 });
  assert.deepEqual(checked.summary.exitprocess, { blocks: 2, bytes: 60 });
});
