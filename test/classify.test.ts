// The line classifier: every line becomes one event, malformed input included. Address keys
// are the address's value (parse/address.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLine } from '../src/parse/line.js';
import { SpyScanner } from '../src/parse/scan.js';
import { compileParseContext, type ParseContext } from '../src/parse/options.js';
import { UNREADABLE_COUNT } from '../src/parse/events.js';
import { lastWritten, parseHresult } from '../src/parse/program.js';

const ctx = compileParseContext();
const classify = (line: string, context: ParseContext) => classifyLine(line, context, new SpyScanner(context));
const c = (line: string) => classify(line, ctx);

test('spy events: alloc, free (both spellings), realloc, realloc-to-0 free, failed allocation', () => {
  assert.deepEqual(c('MALLOC SPY: 0x0013BBB0 - 28 bytes allocated'), {
    type: 'alloc',
    address: { text: '0x0013BBB0', key: 0x13bbb0 },
    size: 28,
  });
  assert.deepEqual(c('MALLOC SPY: 0x0013c150 - freed, 18 blocks remaining'), {
    type: 'free',
    address: { text: '0x0013c150', key: 0x13c150 },
    remaining: 18,
  });
  assert.equal(c('MALLOC SPY: 0x1 - freed, 1 block remaining').type, 'free');
  assert.deepEqual(c('MALLOC SPY: 0x000000000034CCE0 - reallocated to 0x0000000000376030, 256 bytes'), {
    type: 'realloc',
    from: { text: '0x000000000034CCE0', key: 0x34cce0 },
    to: { text: '0x0000000000376030', key: 0x376030 },
    size: 256,
  });
  assert.equal(c('MALLOC SPY: 0x0013C150 - freed (realloc to 0 bytes), 3 blocks remaining').type, 'free');
  assert.deepEqual(c('MALLOC SPY: allocation of 64 bytes failed'), { type: 'alloc-failed', size: 64 });
  assert.deepEqual(c('MALLOC SPY: detected memory leaks!'), { type: 'dump-start' });
  assert.equal(c('MALLOC SPY: 0x0013BBB0 - 28 bytes allocated  ').type, 'alloc', 'trailing blanks are tolerated');
});

test('dump entries keep the hex bytes only, also for blocks shorter than 16 bytes', () => {
  assert.deepEqual(c('0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............'), {
    type: 'dump-entry',
    address: { text: '0x0013A8F8', key: 0x13a8f8 },
    size: 44,
    data: '98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00',
  });
  const short = c('0x0013A8F8 - 2 bytes: 41 42' + ' '.repeat(42) + 'AB');
  assert.equal(short.type === 'dump-entry' && short.data, '41 42');
  const cut = c('0x0013A8F8 - 44 bytes: 98 B1 5');
  assert.equal(cut.type === 'dump-entry' && cut.data, '98 B1');
});

test('a free whose count is not one still frees: -1, or -1 as an unsigned 64-bit number (attack notes #95); a size that is too long is no allocation', () => {
  for (const count of ['-1', '18446744073709551615', '4294967295000000', '-18446744073709551615'])
    assert.deepEqual(c(`MALLOC SPY: 0x0013C0C0 - freed, ${count} blocks remaining`), {
      type: 'free',
      address: { text: '0x0013C0C0', key: 0x13c0c0 },
      remaining: UNREADABLE_COUNT,
    });
  assert.equal((c('MALLOC SPY: 0x0013C0C0 - freed, 999999999999999 blocks remaining') as { remaining: number }).remaining, 999999999999999);
  for (const line of [
    'MALLOC SPY: 0x0013C0C0 - freed,  blocks remaining',
    'MALLOC SPY: 0x0013C0C0 - freed, - blocks remaining',
    'MALLOC SPY: 0x0013C0C0 - freed, 1x blocks remaining',
    'MALLOC SPY: 0x0013C0C0 - 18446744073709551615 bytes allocated',
  ])
    assert.equal(c(line).type, 'malformed', line);
});

test('a line with lone CRs is what was written after the last CR that has any text', () => {
  const cases: [string, string][] = [
    ['item 1\ritem 2\rMALLOC SPY: 0x10 - 4 bytes allocated', 'MALLOC SPY: 0x10 - 4 bytes allocated'],
    ['\rDone', 'Done'],
    ['Done \r  ', 'Done '],
    ['\r', ''],
    ['\r\r \r', ''],
    [' \r \r', ' '],
    ['no CR at all', 'no CR at all'],
    ['a\r\r\rb', 'b'],
  ];
  for (const [line, written] of cases) assert.equal(lastWritten(line), written, JSON.stringify(line));
  // Linear in the line: a long run of CRs and blanks.
  assert.equal(lastWritten('x' + '\r '.repeat(200_000)), 'x');
});

test('malformed spy lines are events, not exceptions', () => {
  for (const line of [
    'MALLOC SPY: 0xZZZZ - ??? bytes allocated',
    'MALLOC SPY: 0x0013C0C0 - freed, 11 blo',
    'MALLOC SPY: 0x0013C0C0 - 12',
    'MALLOC SPY: 0x00000000000000000 - 1 bytes allocated',
    'MALLOC SPY: ',
  ]) {
    assert.equal(c(line).type, 'malformed', line);
  }
});

test('program lines: call names, markers with HRESULTs, elisions, binary, blanks', () => {
  assert.deepEqual(c('CLSIDFromProgID() returns 0x00000000'), {
    type: 'program',
    text: 'CLSIDFromProgID() returns 0x00000000',
    call: 'CLSIDFromProgID',
    marker: null,
    hresult: null,
  });
  const q = c('IUnknown::QueryInterface(IID_IDispatch) returns 0x00000000 (100 of 100 calls succeeded)');
  assert.equal(q.type === 'program' && q.call, 'IUnknown::QueryInterface');
  const revoke = c('CoRevokeMallocSpy() returns 0x80070005');
  assert.equal(revoke.type === 'program' && revoke.marker, 'revoke');
  assert.equal(revoke.type === 'program' && revoke.hresult, 0x80070005);
  const un = c('Called CoUninitialize()');
  assert.equal(un.type === 'program' && un.marker, 'couninitialize');
  assert.equal(un.type === 'program' && un.call, null);
  assert.equal(c('Object released').type, 'program');
  assert.equal(c('more leaks...').type, 'elision');
  assert.equal(c('more allocations...').type, 'elision');
  assert.equal(c('...').type, 'elision');
  // The program's sentences are not the article's elisions (attack notes #150).
  assert.equal(c('More than one provider registered, using the first...').type, 'program');
  assert.equal(c('More data available, reading on\u2026').type, 'program');
  assert.equal(c('\u0000\u0001garbage').type, 'unreadable');
  // U+FFFD is text a decoder wrote (PowerShell's, for a byte of the program's code page): the program's line (attack notes #138).
  assert.equal(c('Pr\uFFFDfung beendet').type, 'program');
  assert.equal(c('').type, 'blank');
  assert.equal(c('   ').type, 'blank');
});

test('markers are configurable', () => {
  const custom = compileParseContext({ spyPrefix: 'SPY> ', coUninitialize: ['uninit done'], dumpStart: 'SPY> leaks:' });
  assert.equal(classify('SPY> 0x10 - 8 bytes allocated', custom).type, 'alloc');
  assert.equal(classify('SPY> leaks:', custom).type, 'dump-start');
  const u = classify('uninit done', custom);
  assert.equal(u.type === 'program' && u.marker, 'couninitialize');
  assert.equal(classify('MALLOC SPY: 0x10 - 8 bytes allocated', custom).type, 'program');
});

test('HRESULTs as programs print them: hex, bare digits, by name, after `:`, `=`, `(` or `hr=` (attack notes #147)', () => {
  const read = (rest: string) => parseHresult(rest);
  assert.deepEqual(
    [
      ' 0x80070005',
      ' 00000000',
      ' 0',
      ' S_OK',
      ' E_ACCESSDENIED',
      ' CO_E_OBJISREG',
      ' hr=0x00000000',
      ' : 0x800401FB',
      ' (0x00000000)',
      ' = S_FALSE',
    ].map(read),
    [0x80070005, 0, 0, 0, 0x80070005, 0x800401fb, 0, 0x800401fb, 0, 1],
  );
  // Words that are no HRESULT: no result, as before.
  assert.deepEqual([' ok', ' E_SOMETHING_ELSE', ' failed', ''].map(read), [null, null, null, null]);
});
