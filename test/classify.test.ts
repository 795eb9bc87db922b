// The line classifier: every line becomes one event, malformed input included. Address keys
// are the address's value (parse/address.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyLine } from '../src/parse/line.js';
import { SpyScanner } from '../src/parse/scan.js';
import { compileParseContext, type ParseContext } from '../src/parse/options.js';

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
  assert.equal(c('\u0000\u0001garbage').type, 'unreadable');
  assert.equal(c('bad \uFFFD byte').type, 'unreadable');
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

test("PowerShell's transcript lines are the console's, written as PowerShell writes them; look-alikes stay the program's", () => {
  const consoleLines = [
    '**********************',
    'Windows PowerShell transcript start',
    'PowerShell transcript end',
    'Start time: 20261130101500',
    'End time: 20261130101502',
    'Command start time: 20261130101501',
    'Transcript started, output file is C:\\work\\spy.log',
    'Username: BUILD7\\dev',
    'RunAs User: BUILD7\\dev',
    'Configuration Name: ',
    'Machine: BUILD7 (Microsoft Windows NT 10.0.19045.0)',
    'Host Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'Process ID: 4242',
    'PSVersion: 5.1.19041.5247',
    'OS: Microsoft Windows 10.0.19045',
    'Platform: Win32NT',
    'PS C:\\work\\spy> Stop-Transcript',
  ];
  for (const line of consoleLines) assert.equal(c(line).type, 'console', line);
  const programLines = [
    '*********************', // 21 stars: a program's own rule
    '***********************',
    'PowerShell transcript started',
    'Start time: 10:15:00',
    'Username: dev',
    'Machine: BUILD7',
    'Process ID: 0x1092',
    'OS: Windows 2000',
    'Platform: x86',
  ];
  for (const line of programLines) assert.equal(c(line).type, 'program', line);
});

test('hostile lines shaped like the transcript header are classified in linear time', () => {
  // Four times the longest line the analysis reads, so that a quadratic pattern would take minutes.
  const long = 4 * 65_536;
  for (const [line, type] of [
    ['Machine: ' + ' ('.repeat(long / 2), 'program'],
    ['Machine: ' + 'x (y)'.repeat(long / 5) + '(', 'program'],
    ['Username: ' + '\\'.repeat(long), 'program'],
    ['Username: a\\' + 'b'.repeat(long) + ' ', 'console'], // trimmed first: `a\\bbb…`
    ['Transcript started, output file is ' + '*'.repeat(long), 'console'],
    ['*'.repeat(long), 'program'],
  ] as const) {
    const t = process.hrtime.bigint();
    assert.equal(c(line).type, type, line.slice(0, 20));
    // A hang guard, not a speed goal: linear is a millisecond here, quadratic minutes.
    assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 2_000, line.slice(0, 20));
  }
});
