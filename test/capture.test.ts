// Real captures: DebugView (pids interleaved), several runs in one file, realloc chains,
// the CRT dump dialect, user dialects, data hints, and logs that match no dialect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer, createAnalyzer, type AnalyzeOptions } from '../src/analyze.js';
import { csvHeader, renderCsvRows } from '../src/report/csv.js';
import { renderText } from '../src/report/text.js';
import { PLAIN } from '../src/report/style.js';
import { dataHint } from '../src/hint/datahint.js';
import { parseUserDialect } from '../src/dialect/user.js';
import { crtDialect } from '../src/dialect/crt.js';
import { noDialectMatched, nothingToJudge } from '../src/verdict/nothing.js';
import { parseDebugViewLine } from '../src/capture/debugview.js';
import { TranscriptFrame, frameOf, isRunnerLine } from '../src/capture/frames.js';
import type { Report } from '../src/model/report.js';
import { assertGolden, ROOT, spylog } from './helpers.js';

const CAPTURE = join(ROOT, 'fixtures', 'capture');
/** A capture fixture, read with the dialect file next to it (`NAME.dialect.json`) if any. */
function analyzeCapture(name: string, opts: AnalyzeOptions = {}): Report {
  const dialectFile = join(CAPTURE, name.replace(/\.log$/, '.dialect.json'));
  const dialect = existsSync(dialectFile) ? { dialect: parseUserDialect(readFileSync(dialectFile, 'utf8'), dialectFile) } : {};
  return analyzeBuffer(readFileSync(join(CAPTURE, name)), { source: `fixtures/capture/${name}`, ...dialect, ...opts });
}

for (const name of readdirSync(CAPTURE)
  .filter((f) => f.endsWith('.log'))
  .sort()) {
  test(`golden: fixtures/capture/${name}`, () => {
    const report = analyzeCapture(name);
    const base = `capture__${name.replace(/\.log$/, '')}`;
    assertGolden('report', `${base}.txt`, renderText(report, PLAIN));
    assertGolden('report', `${base}.json`, JSON.stringify(report, null, 2) + '\n');
    assertGolden('report', `${base}.csv`, csvHeader() + renderCsvRows(report));
  });
}

test('DebugView columns: relative and wall-clock time, with and without a pid', () => {
  assert.deepEqual(parseDebugViewLine('12\t0.00012345\t[4242] MALLOC SPY: 0x10 - 8 bytes allocated'), {
    pid: 4242,
    message: 'MALLOC SPY: 0x10 - 8 bytes allocated',
  });
  assert.deepEqual(parseDebugViewLine('3\t10:23:45.123\tObject released'), { pid: null, message: 'Object released' });
  assert.deepEqual(parseDebugViewLine('3\t10:23:45 AM\t[7] x'), { pid: 7, message: 'x' });
  assert.equal(parseDebugViewLine('MALLOC SPY: 0x10 - 8 bytes allocated'), null);
});

test('DebugView with interleaved pids: one analysis per process, the same address in two processes is no conflict', () => {
  const r = analyzeCapture('debugview-pids.log');
  assert.equal(r.capture, 'debugview');
  assert.deepEqual(
    r.processes!.map((p) => [
      p.pid,
      p.report!.truncation,
      p.report!.summary['true-leak'].blocks,
      p.report!.summary.exitprocess.blocks,
      p.report!.allocs,
    ]),
    [
      [1111, 'complete', 1, 1, 2],
      [2222, 'complete', 0, 0, 1],
      [888, 'complete', 0, 0, 0],
    ],
  );
  assert.deepEqual(r.anomalies, [], 'pid 2222 reuses pid 1111\u2019s address in its own address space');
  assert.equal(r.lines, 22);
  assert.deepEqual(r.summary['true-leak'], { blocks: 1, bytes: 64 });
  // Line numbers stay the file's.
  assert.deepEqual(
    r.blocks.map((b) => [b.pid, b.address, b.allocLine, b.category]),
    [
      [1111, '0x0013BBB0', 6, 'exitprocess'],
      [1111, '0x0023A000', 10, 'true-leak'],
    ],
  );
});

test('a DebugView capture of one process reads like the same log without columns', () => {
  const dv = readFileSync(join(CAPTURE, 'debugview-wallclock.log'), 'utf8');
  const plain = dv
    .split('\n')
    .map((l) => l.split('\t').slice(2).join('\t'))
    .join('\n');
  const a = analyzeBuffer(dv);
  const b = analyzeBuffer(plain);
  assert.equal(a.capture, 'debugview');
  assert.equal(a.processes, undefined);
  assert.deepEqual({ ...a, capture: undefined, bytes: 0 }, { ...b, capture: undefined, bytes: 0 });
});

test('two runs in one file: each its own verdict, the file gets the sum and the worst truncation', () => {
  const r = analyzeCapture('two-runs.log');
  assert.deepEqual(
    r.runs!.map((x) => [
      x.index,
      x.firstLine,
      x.lastLine,
      x.report!.truncation,
      x.report!.summary['true-leak'].blocks,
      x.report!.summary.unresolved.blocks,
    ]),
    [
      [1, 1, 13, 'complete', 1, 0],
      [2, 14, 25, 'possibly-truncated', 0, 1],
    ],
  );
  assert.equal(r.truncation, 'possibly-truncated');
  assert.equal(r.allocs, 4);
  assert.deepEqual(r.summary.exitprocess, { blocks: 1, bytes: 44 });
  assert.deepEqual(r.summary.unresolved, { blocks: 1, bytes: 44 });
  assert.deepEqual(r.anomalies, [], 'run 2 reallocating run 1\u2019s addresses is no conflict');
  assert.ok(r.evidence.every((e) => /^run [12] \(lines/.test(e)));
});

test('a run is not split before the previous one finished', () => {
  const r = analyzeBuffer(
    [
      'CoInitialize() returns 0x00000000',
      'MALLOC SPY: 0x10 - 8 bytes allocated',
      'CoInitialize() returns 0x00000001',
      'Called CoUninitialize()',
      '',
    ].join('\n'),
  );
  assert.equal(r.runs, undefined);
});

test('realloc chain A→B→C: one block, its address and size follow; realloc to 0 bytes frees', () => {
  const r = analyzeCapture('realloc-chain.log');
  assert.equal(r.reallocs, 4);
  assert.deepEqual(r.anomalies, []);
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.size, b.allocLine, b.context, b.reallocs, b.category]),
    [
      ['0x0013A030', 44, 3, 'CLSIDFromProgID', 0, 'exitprocess'],
      ['0x00230A00', 128, 13, 'BuildName', 2, 'true-leak'],
    ],
  );
  assert.deepEqual(r.summary.freed, { blocks: 2, bytes: 256 + 24 });
  assert.deepEqual(r.blocks[1]!.dataHint, { kind: 'utf16-text', offset: 0, text: 'Hello, w\u2026' });
});

test('CRT debug heap dump: detected without --dialect, every dumped block a leak with its allocation number', () => {
  const r = analyzeCapture('crt-dump.log');
  assert.equal(r.dialect?.name, 'crt');
  assert.equal(r.truncation, 'complete');
  assert.deepEqual(r.anomalies, []);
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.size, b.context, b.category, b.data?.slice(0, 11)]),
    [
      ['0x00C07A10', 12, '#640 (client block)', 'true-leak', '98 B1 5A 77'],
      ['0x00C08E30', 24, '#812 (normal block)', 'true-leak', '48 00 65 00'],
      ['0x00C08E80', 16, 'c:\\src\\spytest\\main.cpp(42) #813 (normal block)', 'true-leak', '07 00 00 00'],
    ],
  );
  assert.equal(r.blocks[0]!.dataHint?.kind, 'vtable');
  assert.equal(noDialectMatched(r), null);
});

test('a second CRT dump after a finished one is a second run', () => {
  const dump = [
    'Detected memory leaks!',
    'Dumping objects ->',
    '{5} normal block at 0x00C08E80, 4 bytes long.',
    ' Data: <    > 00 00 00 00 ',
    'Object dump complete.',
  ];
  const r = analyzeBuffer([...dump, ...dump, ''].join('\r\n'));
  assert.equal(r.runs?.length, 2);
  assert.deepEqual(r.anomalies, []);
});

test('user dialect: named regexes for events and markers, broken spy lines become anomalies', () => {
  const r = analyzeCapture('heaptrace.log');
  assert.equal(r.dialect?.name, 'heaptrace');
  assert.deepEqual(
    r.anomalies.map((a) => `${a.kind}@${a.line}`),
    ['unknown-free@12', 'malformed-spy-line@13'],
  );
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.size, b.category, b.reallocs]),
    [
      ['0x5200', 64, 'exitprocess', 1],
      ['0x5300', 8, 'true-leak', 0],
    ],
  );
  assert.equal(r.phases.revoke?.hresult, '0x80070005');
  assert.equal(r.anomalyCounts['count-mismatch'], undefined, 'frees without a count are not compared');
});

test("a user dialect's `hresult` group read as the built-in dialect reads it: hex or a name (attack notes #159)", () => {
  const dialect = parseUserDialect(
    JSON.stringify({
      name: 'named',
      alloc: '^HEAP alloc (?<address>0x[0-9a-f]+) (?<size>\\d+)$',
      free: '^HEAP free (?<address>0x[0-9a-f]+)$',
      dumpStart: '^HEAP leaks:$',
      dumpEntry: '^  (?<address>0x[0-9a-f]+) (?<size>\\d+)$',
      spyLine: '^HEAP ',
      markers: { register: '^spy on (?<hresult>\\S+)', coUninitialize: '^uninit done$', revoke: '^spy off (?<hresult>\\S+)' },
    }),
    'named.json',
  );
  const run = (revoke: string) =>
    analyzeBuffer(
      ['spy on S_OK', 'HEAP alloc 0x00a00010 44', 'object created', 'uninit done', `spy off ${revoke}`, 'HEAP leaks:', '  0x00a00010 44', ''].join(
        '\n',
      ),
      { dialect },
    );
  for (const revoke of ['0x80070005', '80070005', 'E_ACCESSDENIED']) {
    const r = run(revoke);
    // E_ACCESSDENIED read as 0xE was a revoke that succeeded: the redirected run complete, the runtime's block a true leak.
    assert.deepEqual([r.phases.revoke?.hresult, r.truncation], ['0x80070005', 'possibly-truncated'], revoke);
  }
});

test('a bad dialect file is one error naming the reason', () => {
  const cases: [string, RegExp][] = [
    ['not json', /not valid JSON/],
    ['[]', /expected a JSON object/],
    ['{"alloc": "(?<address>x"}', /"alloc" is not a valid regular expression/],
    ['{"alloc": "(?<address>\\\\w+)"}', /"alloc" needs the named group \(\?<size>\.\.\.\)/],
    ['{"alloc": "(?<address>\\\\w+) (?<size>\\\\d+) (?<colour>\\\\w+)"}', /unknown named group \(\?<colour>/],
    ['{"free": "(?<address>\\\\w+)"}', /needs at least an "alloc" or a "dumpEntry"/],
    ['{"alloc": "(?<address>\\\\w+) (?<size>\\\\d+)", "alocate": "x"}', /unknown key "alocate"/],
    ['{"alloc": "(?<address>\\\\w+) (?<size>\\\\d+)", "markers": {"revoked": "x"}}', /unknown marker "revoked"/],
    ['{"alloc": 42}', /"alloc" must be a non-empty string/],
  ];
  for (const [text, why] of cases) {
    assert.throws(
      () => parseUserDialect(text, 'd.json'),
      (err: Error) => err.name === 'SpylogError' && /^bad dialect file d\.json: /.test(err.message) && why.test(err.message),
      text,
    );
  }
});

test('a file that matches no dialect says so, with the dialects tried; empty files and spy logs do not', () => {
  const r = analyzeCapture('unknown-format.log');
  assert.deepEqual(r.dialect, { name: 'mallocspy', tried: ['mallocspy', 'crt'], matched: false });
  assert.match(noDialectMatched(r)!, /unknown-format\.log: no line matches any dialect \(tried: mallocspy, crt\)/);
  assert.equal(noDialectMatched(analyzeBuffer('')), null);
  assert.equal(noDialectMatched(analyzeBuffer(readFileSync(join(ROOT, 'fixtures', 'program-only.log')))), null);
  const garbage = analyzeBuffer(Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x0a, 0x00, 0x41, 0x0a]));
  assert.ok(typeof garbage.truncation === 'string', 'binary input is a report, not a crash');
});

test('data hints: vtable pointers (32- and 64-bit), BSTR-like UTF-16, ASCII; text is not a pointer', () => {
  assert.deepEqual(dataHint('98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00', '0x0013A030', 44), { kind: 'vtable', pointer: '0x775AB198' });
  assert.deepEqual(dataHint('48 1C 3A 7E F8 7F 00 00 01 00 00 00 00 00 00 00', '0x000000000034C030', 32), {
    kind: 'vtable',
    pointer: '0x00007FF87E3A1C48',
  });
  assert.deepEqual(dataHint('F8 00 34 00 26 00 00 00 56 00 42 00 53 00 63 00', '0x0000000000377800', 48), {
    kind: 'utf16-text',
    offset: 8,
    text: 'VBSc\u2026',
  });
  assert.deepEqual(dataHint('48 65 6C 6C 6F 20 77 6F 72 6C 64 00', '0x00230000', 12), { kind: 'ascii-text', offset: 0, text: 'Hello world' });
  assert.equal(dataHint('00 00 00 00 CD CD CD CD', '0x00230000', 8), undefined);
  assert.equal(dataHint('08 BC 13 00', '0x00230000', 4), undefined, 'a heap pointer is not an image pointer');
  assert.equal(dataHint(null, '0x10', 4), undefined);
});

test('every capture fixture gives the same report however it is chunked (detection spans chunks)', () => {
  for (const name of ['debugview-pids.log', 'two-runs.log', 'crt-dump.log']) {
    const bytes = readFileSync(join(CAPTURE, name));
    const whole = analyzeBuffer(bytes);
    for (const size of [1, 7, 64]) {
      const a = createAnalyzer();
      for (let i = 0; i < bytes.length; i += size) a.write(bytes.subarray(i, i + size));
      assert.deepEqual(a.end(), whole, `${name} in ${size}-byte chunks`);
    }
  }
});

test('CLI: --dialect with a bad file exits 2 with one line; an unmatched log warns on stderr', () => {
  const bad = spylog(['report', '--dialect', 'fixtures/capture/heaptrace.log', 'fixtures/empty.log']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /^spylog: bad dialect file fixtures\/capture\/heaptrace\.log: not valid JSON/);
  // One line: the file text JSON.parse quotes is shown escaped (its line break as \x0A).
  assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
  assert.match(bad.stderr, /"=== run 1\\x0A"\.\.\. is not valid JSON\)\n$/);
  const user = spylog(['report', '-f', 'json', '--dialect', 'fixtures/capture/heaptrace.dialect.json', 'fixtures/capture/heaptrace.log']);
  assert.equal(user.status, 0, user.stderr);
  assert.equal(JSON.parse(user.stdout).summary['true-leak'].blocks, 1);
  const unknown = spylog(['report', 'fixtures/capture/unknown-format.log']);
  assert.equal(unknown.status, 0);
  assert.match(unknown.stderr, /no line matches any dialect \(tried: mallocspy, crt\)/);
  const crt = spylog(['report', '--dialect', 'crt', 'fixtures/w2k-console.log']);
  assert.match(crt.stderr, /no line matches the crt dialect/);
});

test("CI job logs: the runner's time column is stripped when the first line has it, and only then", () => {
  const run = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00130000 - 64 bytes allocated',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00130000 - 64 bytes: 4C 45 41 4B 00 00 00 00 00 00 00 00 00 00 00 00 LEAK............',
  ];
  const stamped = (lines: string[]) => lines.map((l, i) => `2026-11-30T10:15:${String(i).padStart(2, '0')}.1234567Z ${l}`);
  const plain = analyzeBuffer(run.join('\n') + '\n');
  const ci = analyzeBuffer(
    stamped(['##[group]Run .\\spytest.exe', '##[endgroup]', ...run, '##[error]Process completed with exit code 1.']).join('\n') + '\n',
  );
  assert.equal(ci.capture, 'ci-log');
  assert.equal(plain.capture, undefined);
  // The same blocks and the same verdict: the runner's last line is not the program's (line 7 + 2 is the revoke).
  assert.deepEqual([ci.truncation, ci.summary.unresolved.blocks, ci.blocks[0]!.allocLine], [plain.truncation, 1, 3 + 2]);
  assert.match(ci.evidence.join(' '), /program's last line \(7\)/);
  // Seconds without a fraction, and an empty line as the runner writes it (the time, no blank).
  const bare = analyzeBuffer(['2026-11-30T10:15:00Z ' + run[0], '2026-11-30T10:15:00Z', ...stamped(run.slice(1))].join('\n') + '\n');
  assert.equal(bare.capture, 'ci-log');
  assert.equal(bare.allocs, 1);
  // A plain log whose later lines hold a time stays plain: the first line that is not blank decides.
  const late = analyzeBuffer([...run.slice(0, 2), ...stamped(run.slice(2))].join('\n') + '\n');
  assert.equal(late.capture, undefined);
  assert.equal(late.allocs, 0);
  // Near misses of the column are not it: no 'Z', a local offset, no blank before the text.
  for (const first of [
    '2026-11-30T10:15:00.1234567 CoInitialize()',
    '2026-11-30T10:15:00+01:00 CoInitialize()',
    '2026-11-30T10:15:00.1ZCoInitialize()',
  ]) {
    assert.equal(analyzeBuffer(first + '\n' + stamped(run.slice(1)).join('\n') + '\n').capture, undefined, first);
  }
});

test("a program's banner that starts with the time does not make a CI job log: its bytes are the program's, the 4096-byte rules read them (attack notes #74)", () => {
  // EXIT_FREE_RUN with its dump before the exit-time free.
  const run = (banner: string) => [
    banner,
    ...EXIT_FREE_RUN.slice(0, -1),
    'MALLOC SPY: detected memory leaks!',
    '0x00130000 - 64 bytes: 4C 45 41 4B 00 00 00 00 00 00 00 00 00 00 00 00 LEAK............',
    '0x00130100 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    EXIT_FREE_RUN.at(-1)!,
  ];
  // A banner padded so that the file is exactly 2 x 4096 bytes: whole buffers, the leak undecided.
  const text = (banner: string) => run(banner).join('\n') + '\n';
  const pad = (head: string) => head + '.'.repeat(8192 - Buffer.byteLength(text(head)));
  for (const head of ['SpyTest ', '2026-11-30T10:15:01Z SpyTest ', '2026-11-30T10:15:01.1234567Z SpyTest ']) {
    const r = analyzeBuffer(text(pad(head)));
    assert.equal(Buffer.byteLength(text(pad(head))), 8192);
    assert.deepEqual([r.capture, r.truncation, r.summary.unresolved.blocks], [undefined, 'possibly-truncated', 1], head);
  }
  // Two lines with the time make one.
  const stamped = run('SpyTest').map((l) => `2026-11-30T10:15:00.1234567Z ${l}`);
  assert.equal(analyzeBuffer(stamped.join('\n') + '\n').capture, 'ci-log');
});

test('the frame is decided by the first two lines that are not blank, and by nothing else', () => {
  const T = '2026-11-30T10:15:00.1234567Z ';
  const STARS = '*'.repeat(22);
  // Undecided after one line only where that line may open a frame.
  assert.equal(frameOf([]), undefined);
  assert.equal(frameOf([T + 'MallocSpyTest']), undefined);
  assert.equal(frameOf([STARS]), undefined);
  assert.equal(frameOf(['  ' + STARS + '\r']), undefined);
  assert.equal(frameOf(['MallocSpyTest']), null);
  // Two lines decide.
  assert.equal(frameOf([T + 'x', T + 'y']), 'ci-log');
  assert.equal(frameOf([T + 'MallocSpyTest 1.0', 'CoInitialize() returns 0x00000000']), null);
  assert.equal(frameOf([STARS, 'Windows PowerShell transcript start']), 'transcript');
  assert.equal(frameOf([STARS, 'PowerShell transcript start\r']), 'transcript');
  assert.equal(frameOf([STARS, 'PowerShell transcript started']), null);
  assert.equal(frameOf([STARS, T + 'PowerShell transcript start']), null);
  // A transcript opens at the file's first line: a star rule behind the time is not one.
  assert.equal(frameOf([T + STARS, 'Windows PowerShell transcript start']), null);
  assert.equal(frameOf(['*'.repeat(21), 'Windows PowerShell transcript start']), null);
});

test("PowerShell transcripts: the header and footer are the console's where a transcript's blocks are, and only there", () => {
  const run = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00130100 - 44 bytes allocated',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: 0x00130300 - 78 bytes allocated',
    'MALLOC SPY: 0x00130300 - freed, 1 blocks remaining',
  ];
  const header = (user: string) => [
    '**********************',
    'Windows PowerShell transcript start',
    'Start time: 20261130101500',
    `Username: ${user}`,
    `RunAs User: ${user}`,
    'Configuration Name: ',
    'Machine: BUILD7 (Microsoft Windows NT 10.0.19045.0)',
    'Host Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'Process ID: 4242',
    'PSVersion: 5.1.19041.5247',
    'A field of a later version: its value',
    '**********************',
    'Transcript started, output file is C:\\work\\spy.log',
    'PS C:\\work\\spy> .\\spytest.exe | Out-Host',
  ];
  const footer = [
    '**********************',
    'Command start time: 20261130101503',
    '**********************',
    'PS C:\\work\\spy> Stop-Transcript',
    '**********************',
    'Windows PowerShell transcript end',
    'End time: 20261130101503',
    '**********************',
  ];
  const read = (lines: string[]) => analyzeBuffer(lines.join('\r\n') + '\r\n');
  // Every header field is the header's, whatever its shape (a service account, a name with a blank, an unknown field): the free after the revoke is exit-time output.
  for (const user of ['BUILD7\\dev', 'NT AUTHORITY\\SYSTEM', 'PC\\John Smith']) {
    const r = read([...header(user), ...run, ...footer]);
    assert.deepEqual([r.capture, r.truncation, r.summary['true-leak'].blocks, r.summary.exitprocess.blocks], ['transcript', 'complete', 1, 1], user);
  }
  // The same shapes printed by the program itself, as its last line: its own (the free before it an ordinary one; nothing follows it).
  for (const last of [
    'Process ID: 4242',
    'OS: Microsoft Windows 10.0.19045',
    'Machine: BUILD7 (x86)',
    'Start time: 20261130101600',
    'PSVersion: 1.2',
    'End time: 20261130101600',
  ]) {
    const r = read([...header('BUILD7\\dev'), ...run, last, ...footer]);
    assert.deepEqual([r.truncation, r.summary.freed.blocks, r.summary.unresolved.blocks], ['possibly-truncated', 1, 1], last);
  }
  // In a plain log the footer is the program's too.
  const plain = read([...run, ...footer]);
  assert.deepEqual([plain.capture, plain.truncation, plain.summary.unresolved.blocks], [undefined, 'possibly-truncated', 1]);
  for (const line of ['##[group]Run .\\spytest.exe', '##[endgroup]', '##[error]Process completed with exit code 1.', '[command]C:\\spytest.exe'])
    assert.ok(isRunnerLine(line), line);
  assert.ok(!isRunnerLine('## [error] not the runner'));
  // Bounded on hostile lines four times the longest line the analysis reads (a hang guard, not a speed goal).
  const frame = new TranscriptFrame();
  assert.ok(frame.isFrame('**********************', 1));
  const long = 4 * 65_536;
  for (const [i, line] of [
    'Windows PowerShell transcript end' + ' '.repeat(long) + 'x',
    'End time: ' + '1'.repeat(long),
    '*'.repeat(long),
  ].entries()) {
    const t = process.hrtime.bigint();
    frame.isFrame(line, 2 + i);
    assert.ok(Number(process.hrtime.bigint() - t) / 1e6 < 2_000, line.slice(0, 20));
  }
});

/** A run that leaks 0x00130000: its revoke fails, and no exit-time output follows. */
const LEAK_RUN = [
  'CoInitialize() returns 0x00000000',
  'CoRegisterMallocSpy() returns 0x00000000',
  'MALLOC SPY: 0x00130000 - 64 bytes allocated',
  'Called CoUninitialize()',
  'CoRevokeMallocSpy() returns 0x80070005',
];

/** A run that leaks 0x00130000 and shows 0x00130100 freed at exit: its revoke fails, part of the exit-time output is there. */
const EXIT_FREE_RUN = [
  'CoInitialize() returns 0x00000000',
  'CoRegisterMallocSpy() returns 0x00000000',
  'MALLOC SPY: 0x00130000 - 64 bytes allocated',
  'MALLOC SPY: 0x00130100 - 44 bytes allocated',
  'Called CoUninitialize()',
  'CoRevokeMallocSpy() returns 0x80070005',
  'MALLOC SPY: 0x00130100 - freed, 1 blocks remaining',
];

/** `banner`, a pad line and `lines`, exactly `bytes` long as the program wrote them (LF each, before text mode's CR). */
function writtenAs(bytes: number, lines: readonly string[], banner: readonly string[] = []): string[] {
  const written = [...banner, ...lines].reduce((n, l) => n + l.length + 1, 0);
  return [...banner, 'Pad ' + '.'.repeat(bytes - written - 5), ...lines];
}

test("the 4096-byte rules count the program's bytes, without the console's lines around them (attack notes #71)", () => {
  // A run whose lines, as the program wrote them (LF, before text mode's CR), are exactly 4096 bytes; the exit-time output is partly there.
  const program = writtenAs(4096, EXIT_FREE_RUN);
  assert.equal(
    program.reduce((n, l) => n + l.length + 1, 0),
    4096,
  );
  const redirected = program.join('\r\n') + '\r\n';
  const alone = analyzeBuffer(redirected);
  assert.equal(alone.truncation, 'possibly-truncated');
  const framed = {
    'cmd, redirected with echo on': 'C:\\work\\spy>spytest.exe\r\n' + redirected + '\r\nC:\\work\\spy>',
    'a PowerShell transcript':
      [
        '**********************',
        'PowerShell transcript start',
        'Start time: 20261130101700',
        '**********************',
        'PS C:\\work\\spy> .\\spytest.exe | Out-Host',
      ].join('\r\n') +
      '\r\n' +
      redirected +
      [
        'PS C:\\work\\spy> Stop-Transcript',
        '**********************',
        'PowerShell transcript end',
        'End time: 20261130101703',
        '**********************',
      ].join('\r\n') +
      '\r\n',
  };
  for (const [what, text] of Object.entries(framed)) {
    const r = analyzeBuffer(text);
    assert.deepEqual([r.truncation, r.summary.unresolved.blocks], ['possibly-truncated', 1], what);
    assert.match(r.evidence.join(' '), /exactly 1 × 4096 as the program wrote them/, what);
  }
});

test('a file of only blank lines or only a BOM has nothing to judge, like an empty one (attack notes #76)', () => {
  for (const bytes of [[0xff, 0xfe], [0xef, 0xbb, 0xbf], [0x0a], [0x0d, 0x0a, 0x0d, 0x0a, 0x0d, 0x0a]]) {
    const r = analyzeBuffer(Buffer.from(bytes), { source: 'x.log' });
    assert.match(nothingToJudge(r) ?? '', /no line matches/, JSON.stringify(bytes));
  }
  assert.match(nothingToJudge(analyzeBuffer(Buffer.alloc(0), { source: 'x.log' })) ?? '', /is empty/);
});

test('the 4096-byte rules: the exit-time output counted from the last line that is not blank, and a UTF-8 BOM both ways (attack notes #77, #79)', () => {
  const head = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    ...Array.from(
      { length: 80 },
      (_, i) => `MALLOC SPY: 0x${(0x130000 + i * 0x40).toString(16).toUpperCase().padStart(8, '0')} - 44 bytes allocated`,
    ),
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
  ];
  // Exit-time frees, as the program wrote them (LF), exactly 4096 bytes: the buffer after them was lost.
  const frees: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < 4096 - 100; i++) {
    const line = `MALLOC SPY: 0x${(0x130000 + i * 0x40).toString(16).toUpperCase().padStart(8, '0')} - freed, ${79 - i} blocks remaining`;
    frees.push(line);
    bytes += line.length + 1;
  }
  // The last one padded with the blanks a spy line may end in.
  frees[frees.length - 1] += ' '.repeat(4096 - bytes);
  assert.equal(
    frees.reduce((n, l) => n + l.length + 1, 0),
    4096,
  );
  const redirected = [...head, ...frees].join('\r\n') + '\r\n';
  const verdict = (text: string) => {
    const r = analyzeBuffer(text);
    return `${r.truncation} ${r.summary.unresolved.blocks}`;
  };
  const alone = verdict(redirected);
  assert.match(alone, /^possibly-truncated /);
  // cmd's empty line and prompt after it (`prog | more`), and a BOM before it (an editor's, PowerShell's).
  assert.equal(verdict(redirected + '\r\nC:\\work\\spy>'), alone);
  // An empty line after it that the C runtime did not write (another program's `echo.`): both ends tried.
  assert.equal(verdict(redirected + '\r\n'), alone);
  assert.equal(verdict('\ufeff' + redirected), alone);
  assert.equal(verdict('\ufeff' + redirected + '\r\nC:\\work\\spy>'), alone);
  // A run whose own output is whole buffers (no exit-time output after its dump), with a BOM before it.
  const whole = writtenAs(8192, LEAK_RUN).join('\r\n') + '\r\n';
  const plain = analyzeBuffer(whole);
  assert.match(plain.evidence.join(' '), /exactly 2 × 4096 as the program wrote them/);
  const bom = analyzeBuffer('\ufeff' + whole);
  assert.deepEqual([bom.truncation, bom.evidence], [plain.truncation, plain.evidence]);
});

test("the 4096-byte rules find where the program's bytes start after the console's lines of several commands, and before its own rule of stars (attack notes #82, #83)", () => {
  const STARS = '**********************';
  // The program's own output, exactly 2 x 4096 bytes as it wrote them (LF), with a banner of its own.
  const whole = (banner: string[]) => writtenAs(8192, LEAK_RUN, banner);
  const header = [
    '**********************',
    'Windows PowerShell transcript start',
    'Start time: 20261130101500',
    'Username: BUILD7\\dev',
    '**********************',
    'Transcript started, output file is C:\\work\\spy.log',
  ];
  const footer = [
    'PS C:\\work\\spy> Stop-Transcript',
    '**********************',
    'Windows PowerShell transcript end',
    'End time: 20261130101503',
    '**********************',
  ];
  const cases: Record<string, string[]> = {
    'cmd: two commands, an empty line between': [
      'C:\\work\\spy>set OANOCACHE=1',
      '',
      'C:\\work\\spy>spytest.exe | more',
      ...whole([]),
      '',
      'C:\\work\\spy>',
    ],
    'cmd: a command with output first': [
      'C:\\work\\spy>echo start',
      'start',
      '',
      'C:\\work\\spy>spytest.exe | more',
      ...whole([]),
      '',
      'C:\\work\\spy>',
    ],
    "a transcript: an earlier command's output": [
      ...header,
      'PS C:\\work\\spy> Get-Date',
      '',
      'Monday, November 30, 2026 10:15:01 AM',
      '',
      'PS C:\\work\\spy> .\\spytest.exe | Out-Host',
      ...whole([]),
      ...footer,
    ],
    "a transcript: the program's banner between rules of stars": [
      ...header,
      'PS C:\\work\\spy> .\\spytest.exe | Out-Host',
      ...whole([STARS, 'SpyTest 1.0', STARS]),
      ...footer,
    ],
    // #84: a script's own line right before the program's, no console line between.
    'a transcript of a script: its Write-Host first': [
      ...header,
      'PS C:\\work\\spy> .\\leaktest.ps1',
      'Running the leak test',
      ...whole(['SpyTest 1.0']),
      ...footer,
    ],
    // #88: a longer banner after the script's line; a blank line of the program's first.
    'a transcript of a script, a banner of three lines': [
      ...header,
      'PS C:\\work\\spy> .\\leaktest.ps1',
      'Running the leak test',
      ...whole(['SpyTest 1.0', '(c) Example', 'Options: none']),
      ...footer,
    ],
    "a batch file's echo, then the program's blank line": [
      'C:\\work\\spy>leaktest.bat',
      'Running the leak test',
      ...whole(['', 'SpyTest 1.0']),
      '',
      'C:\\work\\spy>',
    ],
    // A console paste that starts with a batch file's output, its prompt only after the run.
    "a batch file's output, the prompt only after the run": ['Running the leak test', ...whole(['SpyTest 1.0']), '', 'C:\\work\\spy>'],
  };
  for (const [what, lines] of Object.entries(cases)) {
    const r = analyzeBuffer(lines.join('\r\n') + (lines[lines.length - 1]!.endsWith('>') ? '' : '\r\n'));
    assert.deepEqual([r.truncation, r.summary.unresolved.blocks], ['possibly-truncated', 1], `${what}: ${r.evidence.join(' | ')}`);
    assert.match(r.evidence.join(' '), /exactly 2 × 4096 as the program wrote them/, what);
  }
});

test('the 4096-byte rules read a run the same whether the lines before it were held in full or only counted (attack notes #85)', () => {
  // Run 2 shows part of its exit-time output; its own output is exactly 2 x 4096 bytes as written,
  // after a prompt that thousands of lines of `dir` came before: only the 4096-byte rule sees the loss.
  const second = writtenAs(8192, EXIT_FREE_RUN, ['banner 1', 'banner 2', 'banner 3', 'banner 4', 'banner 5']);
  const first = [
    'C:\\work\\spy>a.exe',
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x00000000',
  ];
  const dir = Array.from({ length: 4200 }, (_, i) => `C:\\work\\spy\\file${i}.txt`);
  const text = [...first, '', 'C:\\work\\spy>dir /b /s', ...dir, '', 'C:\\work\\spy>spytest.exe | more', ...second, '', 'C:\\work\\spy>'].join(
    '\r\n',
  );
  for (const holdLines of [5, undefined, 1e6]) {
    const r = analyzeBuffer(text, { holdLines }).runs![1]!.report!;
    assert.deepEqual([r.truncation, r.summary.unresolved.blocks], ['possibly-truncated', 1], `${holdLines}`);
    assert.match(r.evidence.join(' '), /exactly 2 × 4096 as the program wrote them/, `${holdLines}`);
  }
});

/** A CRT log in 1-, 7- and 64-byte pieces gives the whole buffer's report (the reader holds pieces across lines). */
function crtInPieces(text: string): Report {
  const bytes = Buffer.from(text);
  const whole = analyzeBuffer(bytes);
  for (const size of [1, 7, 64]) {
    const a = createAnalyzer();
    for (let i = 0; i < bytes.length; i += size) a.write(bytes.subarray(i, i + size));
    assert.deepEqual(a.end(), whole, `${size}-byte chunks`);
  }
  return whole;
}

test('CRT leak reports real programs print that the reader could not place: never a clean pass (attack notes #106)', () => {
  // The report cut after its header (the process killed, the capture stopped): the C runtime
  // prints the header only when blocks leaked, so one at least is undecided.
  const cut = crtInPieces(
    ["'spytest.exe' (Win32): Loaded 'C:\\Windows\\System32\\ole32.dll'.", 'Detected memory leaks!', 'Dumping objects ->', ''].join('\r\n'),
  );
  assert.equal(cut.dialect?.name, 'crt');
  assert.equal(cut.truncation, 'possibly-truncated');
  assert.deepEqual(cut.unseen, { unresolved: { blocks: 1, line: 2, by: 'report' } });
  assert.match(cut.evidence.join('\n'), /the leak report at line 2 lists no block, though the C runtime prints it only when blocks leaked/);
  // DebugView with Force Carriage Returns: each report call of an entry on a line of its own.
  const pieces = crtInPieces(
    [
      '0\t0.00000000\t[6712] spytest: starting',
      '1\t0.00010000\t[6712] Detected memory leaks!',
      '2\t0.00020000\t[6712] Dumping objects ->',
      '3\t0.00030000\t[6712] c:\\src\\spytest\\main.cpp(42) : ',
      '4\t0.00040000\t[6712] {813} ',
      '5\t0.00050000\t[6712] normal block at 0x00C08E80, 16 bytes long.',
      '6\t0.00060000\t[6712]  Data: <                > 07 00 00 00 CD CD CD CD CD CD CD CD CD CD CD CD ',
      '7\t0.00070000\t[6712] {812} ',
      '8\t0.00080000\t[6712] normal block at 0x00C08E30, 24 bytes long.',
      '9\t0.00090000\t[6712]  Data: <H e l l o   w o > 48 00 65 00 6C 00 6C 00 6F 00 20 00 77 00 6F 00 ',
      '10\t0.00100000\t[6712] Object dump complete.',
      '',
    ].join('\r\n'),
  );
  assert.deepEqual(
    pieces.blocks.map((b) => [b.address, b.size, b.context, b.category, b.allocLine, b.data?.slice(0, 11)]),
    [
      ['0x00C08E30', 24, '#812 (normal block)', 'true-leak', null, '48 00 65 00'],
      ['0x00C08E80', 16, 'c:\\src\\spytest\\main.cpp(42) #813 (normal block)', 'true-leak', null, '07 00 00 00'],
    ],
  );
  assert.deepEqual(pieces.anomalies, []);
  // _CrtMemDumpAllObjectsSince (the checkpoint idiom) prints no header: `Dumping objects ->` starts the dump.
  const since = crtInPieces(
    [
      '[ RUN      ] Parser.KeepsName',
      '16 bytes in 1 Normal Blocks.',
      'Dumping objects ->',
      'c:\\src\\spytest\\parser_test.cpp(42) : {813} normal block at 0x00C08E80, 16 bytes long.',
      ' Data: <                > 07 00 00 00 CD CD CD CD CD CD CD CD CD CD CD CD ',
      'Object dump complete.',
      '[       OK ] Parser.KeepsName (1 ms)',
      '',
    ].join('\n'),
  );
  assert.deepEqual([since.summary['true-leak'].blocks, since.anomalyCounts['dump-entry-outside-dump']], [1, undefined]);
  // A piece that no entry follows is the program's line again.
  const lone = crtInPieces(['Detected memory leaks!', 'c:\\src\\a.cpp(42) :', 'Object dump complete.', ''].join('\n'));
  assert.equal(lone.unseen?.unresolved?.by, 'report');
});

test('a Windows PowerShell 5.1 capture (UTF-16LE) of a run of whole 4096-byte buffers is possibly truncated, as the same bytes in UTF-8 (attack notes #109)', () => {
  // PowerShell reads the program's stdout from a pipe the C runtime fills in 4096-byte buffers and
  // writes each line again as UTF-16LE with CR LF.
  const text = writtenAs(4096, EXIT_FREE_RUN).join('\r\n') + '\r\n';
  const utf8 = analyzeBuffer(text);
  assert.equal(utf8.truncation, 'possibly-truncated');
  for (const bom of [true, false]) {
    const bytes = Buffer.concat([Buffer.from(bom ? [0xff, 0xfe] : []), Buffer.from(text, 'utf16le')]);
    const r = analyzeBuffer(bytes);
    assert.equal(r.encoding, bom ? 'utf16le-bom' : 'utf16le');
    assert.equal(r.truncation, 'possibly-truncated');
    // The same rule, saying what it counted: not the file's own bytes (twice as many).
    assert.deepEqual(
      r.evidence,
      // PowerShell writes every line again with CR LF: the CRs are its own.
      utf8.evidence.map((e) => e.replace(/^the file /, "the file's text, decoded from UTF-16LE, ").replace('text mode added', 'PowerShell added')),
    );
    assert.deepEqual(r.summary, utf8.summary);
  }
  // Two characters longer: no whole buffers (one longer is PowerShell's line end on 4096 bytes: attack
  // notes #131), and the exit-time free shows the run whole.
  const longer = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace('Pad ', 'Pad ..'), 'utf16le')]);
  assert.equal(analyzeBuffer(longer).truncation, 'complete');
});

test("a capture that re-encoded the program's output (PowerShell) is counted in characters too: one byte each in its code page (attack notes #116)", () => {
  // The program printed a German path in its OEM code page: `ö` is one byte in its 4096-byte
  // buffers, one UTF-16 code unit in PowerShell's file, and two bytes of the UTF-8 text spylog reads.
  const banner = ['Reading C:\\Users\\J\u00f6rg\\spy.ini'];
  const oem = writtenAs(4096, EXIT_FREE_RUN, banner).join('\r\n') + '\r\n';
  const ps51 = (text: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
  const r = analyzeBuffer(ps51(oem));
  assert.equal(r.truncation, 'possibly-truncated');
  assert.match(
    r.evidence[0]!,
    /^the file's text, decoded from UTF-16LE and counted in characters \(one byte each in the program's code page\), is 4,105 characters, exactly 1 \u00d7 4096 as the program wrote them \(PowerShell added a CR to each of 9 line ends/,
  );
  // The same run under `chcp 65001`: the program wrote `ö` as two UTF-8 bytes, which the text has as they were.
  const utf8Pad = writtenAs(4096 - 1, EXIT_FREE_RUN, banner).join('\r\n') + '\r\n';
  const chcp = analyzeBuffer(ps51(utf8Pad));
  assert.equal(chcp.truncation, 'possibly-truncated');
  assert.match(chcp.evidence[0]!, /^the file's text, decoded from UTF-16LE, is 4,105 bytes, exactly 1 \u00d7 4096/);
  // Two characters more: whole buffers in no count, and the exit-time free shows the run whole.
  assert.equal(analyzeBuffer(ps51(oem.replace('Pad ', 'Pad ..'))).truncation, 'complete');
  // PowerShell 7.0–7.3's `>` and 5.1's `Out-File -Encoding utf8` re-encode the same output as UTF-8 (with a BOM for Out-File).
  for (const bom of [[], [0xef, 0xbb, 0xbf]]) {
    const r8 = analyzeBuffer(Buffer.concat([Buffer.from(bom), Buffer.from(oem, 'utf8')]));
    assert.equal(r8.truncation, 'possibly-truncated');
    assert.match(
      r8.evidence[0]!,
      /^the file, counted in characters \(one byte each in the program's code page\), is 4,105 characters, exactly 1 \u00d7 4096/,
    );
  }
  // A program writing UTF-8 (`chcp 65001`, cmd's `>`), then a blank line that is not the program's: the
  // span in bytes to before it has the bytes of the span in characters to the file's end (`€` is 2
  // more), but not its CR LF count; neither may hide the other (attack notes #130).
  const euro = writtenAs(4096 - 2, EXIT_FREE_RUN, ['Preis: 5 \u20ac']).join('\r\n') + '\r\n\r\n';
  const blankEnd = analyzeBuffer(Buffer.from(euro));
  assert.equal(blankEnd.truncation, 'possibly-truncated');
  assert.match(blankEnd.evidence[0]!, /^the file up to line 9 is 4,105 bytes, exactly 1 \u00d7 4096 as the program wrote them/);
  // cmd's `>` of the program writing its code page: the file has its bytes, read as they are (`\u00f6` is 0x94 in code page 850).
  const raw = Buffer.from(oem, 'latin1');
  raw[raw.indexOf(0xf6)] = 0x94;
  const cmd = analyzeBuffer(raw);
  assert.equal(cmd.truncation, 'possibly-truncated');
  assert.match(cmd.evidence[0]!, /^the file is 4,105 bytes, exactly 1 \u00d7 4096/);
  // Characters outside the BMP (a surrogate pair: one character, two code units, four bytes) and a
  // lone surrogate (three bytes of WTF-8) on several lines, the count read at every line start.
  const many = writtenAs(4096, EXIT_FREE_RUN, ['\u{1F600} caf\u00e9', 'x\ud800y \u20ac', '\u00e9\u00e9\u00e9']).join('\r\n') + '\r\n';
  assert.equal(analyzeBuffer(ps51(many)).truncation, 'possibly-truncated');
  // Every chunking reads the same counts (the decoder notes where wide characters are, per line).
  for (const bytes of [ps51(oem), ps51(many)]) {
    const whole = JSON.stringify(analyzeBuffer(bytes));
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const a = createAnalyzer();
      for (let i = 0; i < bytes.length; i += size) a.write(bytes.subarray(i, i + size));
      assert.equal(JSON.stringify(a.end()), whole, `${size}-byte pieces`);
    }
  }
});

test('PowerShell ends the last line it read with CR LF: whole buffers that ended just before a LF are counted so (attack notes #131)', () => {
  // The program's buffer ended just before the LF of its last line (4096 bytes without it): the
  // file holds that line whole, ended by PowerShell.
  const lines = writtenAs(4097, EXIT_FREE_RUN);
  const text = lines.join('\r\n') + '\r\n';
  for (const bytes of [
    Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), // Windows PowerShell 5.1's `>`
    Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]), // `Out-File -Encoding utf8`
  ]) {
    const r = analyzeBuffer(bytes);
    assert.equal(r.truncation, 'possibly-truncated');
    assert.match(
      r.evidence[0]!,
      /exactly 1 \u00d7 4096 as the program wrote them \((?:PowerShell|text mode) added a CR to each of 8 line ends after buffering, and PowerShell ended the last line, which the program's buffer cut before its line end\)/,
    );
  }
  // A transcript, PowerShell 7's without a BOM too: the same.
  const stars = '**********************';
  const transcript = [
    stars,
    'PowerShell transcript start',
    'Start time: 20261130101700',
    stars,
    'Transcript started, output file is C:\\work\\spy\\spy.log',
    'PS C:\\work\\spy> .\\clbhold.exe | Out-Host',
    ...lines,
    'PS C:\\work\\spy> Stop-Transcript',
    stars,
    'PowerShell transcript end',
    'End time: 20261130101703',
    stars,
  ];
  assert.equal(analyzeBuffer(transcript.join('\r\n') + '\r\n').truncation, 'possibly-truncated');
  // cmd's `>` writes what the buffer held: no line end, cut.
  assert.equal(analyzeBuffer(text.slice(0, -2)).truncation, 'truncated');
  // A UTF-8 file without a BOM: cmd's, whose CR LF files are the commonest, or PowerShell 7's `Out-File`;
  // nothing tells them apart, and the extra chance is not taken (a known limit: attack notes #136).
  assert.equal(analyzeBuffer(text).truncation, 'complete');
});

test("a program line in code page 850 with a byte Windows-1252 leaves undefined is the program's, not unreadable (attack notes #138)", () => {
  // `Pr\u00fcfung beendet` in code page 850 (`\u00fc` is 0x81), printed after the program's own free;
  // the exit-time free of the runtime's block was lost. Read as unreadable, the program's last line
  // was the revoke, the program's free exit-time output, and the run `complete`: a true leak.
  const run = [...EXIT_FREE_RUN, 'Pr\u0081fung beendet'].join('\r\n') + '\r\n';
  for (const bytes of [Buffer.from(run, 'latin1'), Buffer.from(run.replace('\u0081', '\ufffd'), 'utf8')]) {
    const r = analyzeBuffer(bytes);
    assert.equal(r.anomalyCounts['unreadable-line'], undefined);
    assert.equal(r.truncation, 'possibly-truncated');
    assert.deepEqual([r.summary['true-leak'].blocks, r.summary.unresolved.blocks], [0, 1]);
  }
  // Control bytes are still garbage.
  assert.equal(analyzeBuffer([...EXIT_FREE_RUN, 'Pr\u0001fung'].join('\n') + '\n').anomalyCounts['unreadable-line'], 1);
});

test("cmd's German `pause` in the console's code page, or as PowerShell misdecodes it, is the console's line (attack notes #140)", () => {
  // The run shows its exit-time free; the console's pause after it has no line end (Ctrl+F5).
  const run = EXIT_FREE_RUN.join('\r\n') + '\r\n';
  const english = analyzeBuffer(run + 'Press any key to continue . . . ');
  assert.deepEqual([english.truncation, english.summary['true-leak'].blocks], ['complete', 1]);
  for (const bytes of [
    Buffer.from(run + 'Dr\u0081cken Sie eine beliebige Taste . . . ', 'latin1'), // code page 850: `\u00fc` is 0x81
    Buffer.from(run + 'Dr\ufffdcken Sie eine beliebige Taste . . . \r\n', 'utf8'), // PowerShell, UTF-8 OutputEncoding
    Buffer.from(run + 'Dr?cken Sie eine beliebige Taste . . . ', 'latin1'), // a best-fit conversion
  ]) {
    const r = analyzeBuffer(bytes);
    assert.deepEqual([r.truncation, r.summary['true-leak'].blocks, r.summary.unresolved.blocks], ['complete', 1, 0], r.evidence.join(' '));
  }
  // A program line of that length with other characters is still the program's.
  assert.equal(analyzeBuffer(run + 'Dr\u0081cken Sie eine beliebige Tasse . . .\r\n').truncation, 'possibly-truncated');
});

test("console hosts' own lines are the console's; a path with an arrow and a sentence starting with `More` are the program's (attack notes #145, #148, #150)", () => {
  const run = EXIT_FREE_RUN.join('\r\n') + '\r\n';
  const read = (text: string) => {
    const r = analyzeBuffer(text);
    return [r.truncation, r.summary['true-leak'].blocks, r.summary.unresolved.blocks];
  };
  // After the program exited: Visual Studio 2019+ (pasted without a last line end), Windows Terminal,
  // a VS Code task, and prompts. The exit-time free is the run's last output: complete, the leak a true leak.
  for (const tail of [
    '\r\nC:\\work\\spy\\x64\\Debug\\MallocSpyTest.exe (process 14236) exited with code 0.\r\n' +
      'To automatically close the console when debugging stops, enable Tools->Options->Debugging->Automatically close the console when debugging stops.\r\n' +
      'Press any key to close this window . . .',
    'C:\\work\\spy\\Debug\\spy.exe (process 8) exited with code -1073741819 (0xc0000005).\r\n',
    '\r\n[process exited with code 0 (0x00000000)]\r\nYou can now close this terminal with Ctrl+D, or press Enter to restart.\r\n',
    '\r\n *  Terminal will be reused by tasks, press any key to close it. \r\n',
    'C:\\work\\spy>',
    'C:\\Program Files>dir\r\n',
    'C:\\work\\spy >', // prompt $P$S$G (attack notes #158)
    '\r\n *  The terminal process "C:\\Windows\\System32\\cmd.exe /d /c spy.exe" terminated with exit code: 1. \r\n', // #157
    'PS C:\\work> ',
    'C:\\>',
    // Visual Studio in German, and Git for Windows' bash (attack notes #163).
    '\r\nC:\\work\\spy\\Debug\\MallocSpyTest.exe (Prozess 14236) wurde mit Code 0 beendet.\r\nDrücken Sie eine beliebige Taste, um dieses Fenster zu schließen...',
    '\r\nuser@HOST MINGW64 /c/work/spy\r\n$ ',
    '\r\nuser@HOST MINGW64 ~/spy (main)\r\n$ ',
    // PowerShell's prompt in a UNC folder, and starship's or oh-my-posh's lone `❯` (attack notes #204).
    'PS Microsoft.PowerShell.Core\\FileSystem::\\\\fileserver\\builds\\spy> ',
    '\r\nPS Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share>> ', // a nested prompt, at a share's root
    'PS Microsoft.PowerShell.Core\\FileSystem::\\\\srv\\Spy Tools (x86)>.\\spy.exe\r\n', // with the next command
    'PS Microsoft.PowerShell.Core\\FileSystem::C:\\work\\spy> ',
    '\r\n\u276F ',
  ])
    assert.deepEqual(read(run + tail), ['complete', 1, 0], tail);
  // The program's own last line after its free (a redirected run: the ExitProcess output was lost).
  for (const tail of [
    'C:\\work\\spy\\leaks.csv -> 4 blocks written',
    'C:\\work\\out.xml => saved',
    'C:\\work\\a b.txt: 4 entries > limit',
    // Not the hosts' exact shapes (attack notes #152).
    'Child regsvr32.exe (process 4120) exited with code 0.',
    '[process exited with code 0]',
    ' *  Executing task: cleanup',
    'admin@HOST MINGW64 build finished',
    '$ 5 blocks',
    // A program's `❯ …` or lone `?` (attack notes #204).
    '\u276F Option 1',
    '\u276F\u276F',
    '?',
    '\u00e9',
    'PS Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share\\leaks.csv -> 4 blocks written',
    'Microsoft.PowerShell.Core\\FileSystem::\\\\server\\share>',
  ])
    assert.deepEqual(read(run + tail + '\r\n'), ['possibly-truncated', 0, 1], tail);
  // A sentence that starts with `More` and trails off is no elision: nothing is missing.
  const more = [...EXIT_FREE_RUN.slice(0, 4), 'More than one provider registered, using the first...', ...EXIT_FREE_RUN.slice(4)];
  assert.deepEqual(read(more.join('\r\n') + '\r\n'), ['complete', 1, 0]);
});

test('a Ctrl+Z after the last line end is the end-of-file mark `copy` writes, not a cut line, whatever the chunks (attack notes #143)', () => {
  const chunked = (bytes: Buffer, size: number) => {
    const a = createAnalyzer();
    for (let i = 0; i < bytes.length; i += size) a.write(bytes.subarray(i, i + size));
    return a.end();
  };
  // A console capture showing its exit-time free; and a redirected run of exactly one whole buffer as the program wrote it.
  const consoleRun = EXIT_FREE_RUN.join('\r\n') + '\r\n';
  const redirected = writtenAs(4096, EXIT_FREE_RUN).join('\r\n') + '\r\n';
  for (const [text, truncation] of [
    [consoleRun, 'complete'],
    [redirected, 'possibly-truncated'],
  ] as const) {
    const without = analyzeBuffer(text);
    assert.equal(without.truncation, truncation);
    for (const mark of ['\x1a', '\x1a\x1a']) {
      for (const size of [1, 3, 1 << 20]) {
        const r = chunked(Buffer.from(text + mark, 'latin1'), size);
        assert.deepEqual(
          [r.truncation, r.summary, r.lines, r.anomalyCounts],
          [truncation, without.summary, without.lines, without.anomalyCounts],
          `${size}`,
        );
      }
    }
  }
  assert.match(analyzeBuffer(consoleRun + '\x1a').evidence.join(' '), /the Ctrl\+Z after it is the end-of-file mark/);
  // Ctrl+Z after text with no line end: the last line was cut, and is still read so; after the
  // console's prompt (a paste saved without a last line end), the paste is whole (attack notes #155).
  assert.equal(analyzeBuffer(consoleRun + 'Obj\x1a').truncation, 'truncated');
  for (const size of [1, 1 << 20]) assert.equal(chunked(Buffer.from(consoleRun + '\r\nC:\\work\\spy>\x1a', 'latin1'), size).truncation, 'complete');
  // UTF-16 captures joined by `copy`: one odd 0x1A byte at the end (attack notes #154).
  const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(consoleRun, 'utf16le')]);
  for (const size of [1, 3, 1 << 20]) {
    const r = chunked(Buffer.concat([utf16, Buffer.from([0x1a])]), size);
    assert.deepEqual([r.truncation, r.summary['true-leak'].blocks, r.anomalyCounts], ['complete', 1, {}], `${size}`);
  }
});

test('CRT dumps that may list nothing, and a header apart from its dump (attack notes #115)', () => {
  // _CrtMemDumpAllObjectsSince with nothing allocated since the checkpoint: no leak, nothing lost.
  const empty = analyzeBuffer(
    ['[ RUN      ] Parser.KeepsName', 'Dumping objects ->', 'Object dump complete.', '[       OK ] Parser.KeepsName (1 ms)', ''].join('\n'),
    {
      dialect: crtDialect,
    },
  );
  assert.deepEqual([empty.unseen, empty.summary.unresolved.blocks, empty.summary['true-leak'].blocks], [undefined, 0, 0]);
  // A blank or another line between the header and its `Dumping objects ->`: one dump, one leak.
  for (const between of [[''], ['spytest: exiting']]) {
    const r = crtInPieces(
      [
        'Detected memory leaks!',
        ...between,
        'Dumping objects ->',
        '{813} normal block at 0x00C08E80, 16 bytes long.',
        ' Data: <    > 07 00 00 00',
        'Object dump complete.',
        '',
      ].join('\n'),
    );
    assert.deepEqual([r.runs, r.unseen, r.summary['true-leak'].blocks], [undefined, undefined, 1], between.join('|'));
  }
});

test('the run splitter reads exit-time output as the verdict does: frees before the dump leave the process running (attack notes #129)', () => {
  // Run 1 (redirected) frees a block between its refused revoke and its dump, and shows no exit
  // output: its process may go on into run 2 and share its C runtime buffer. The two runs, as
  // the program wrote them, are exactly 2 x 4096 bytes, so run 2's lost tail is possible.
  const head = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00120000 - 44 bytes allocated',
    'MALLOC SPY: 0x00120100 - 16 bytes allocated',
  ];
  const tail = [
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: 0x00120100 - freed, 1 blocks remaining',
    'MALLOC SPY: detected memory leaks!',
    '0x00120000 - 44 bytes: 98 B1 5A 77 ..Zw',
  ];
  // Run 2 complete on its own: its exit-time free is there.
  const lines = writtenAs(2 * 4096, [...tail, ...EXIT_FREE_RUN], head);
  const r = analyzeBuffer(lines.join('\r\n') + '\r\n');
  assert.deepEqual(
    r.runs!.map((p) => [p.report!.truncation, p.report!.summary['true-leak'].blocks, p.report!.summary.unresolved.blocks]),
    [
      ['possibly-truncated', 0, 1],
      ['possibly-truncated', 0, 1],
    ],
  );
});
