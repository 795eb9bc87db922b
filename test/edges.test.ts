// Edge cases found in review: cut spy lines, odd UTF-16, hostile dialect keys, bad option
// values, empty logs and logs with no spy event at the CI gate, output failures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeBuffer, createAnalyzer } from '../src/analyze.js';
import { BIN, ROOT, fixture, runMain, spylog } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'spylog-edges-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

test('a log cut inside the spy prefix: truncated, and the exit-time frees before it stay exit-time', () => {
  const whole = readFileSync(fixture('w2k-cut4096.log'));
  const cut = whole.subarray(0, whole.length - 23); // ends "...remaining\nMALLOC SP"
  assert.match(cut.toString('latin1'), /\nMALLOC SP$/);
  const r = analyzeBuffer(cut);
  assert.equal(r.truncation, 'truncated');
  assert.deepEqual(r.summary.exitprocess, { blocks: 2, bytes: 260 });
  assert.equal(r.anomalies.at(-1)?.kind, 'malformed-spy-line');
});

test('a run cut inside a spy line and glued to the next run keeps its exit-time free', () => {
  const run1 = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x10 - 8 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: 0x10 - freed, 0 blocks remaining',
  ].join('\n');
  const r = analyzeBuffer(run1 + '\nMALLOC SPCoInitialize() returns 0x00000000\nCoRegisterMallocSpy() returns 0x00000000\n');
  const block = r.blocks.find((b) => b.address === '0x10');
  assert.equal(block?.category, 'exitprocess');
  assert.ok(r.anomalies.some((a) => a.kind === 'malformed-spy-line' && a.line === 8));
});

test('a cut dump entry is a malformed spy line, not program output', () => {
  const r = analyzeBuffer('MALLOC SPY: detected memory leaks!\n0x0013A8F8 - 4');
  assert.equal(r.anomalies[0]?.kind, 'malformed-spy-line');
  assert.equal(r.truncation, 'truncated');
});

test('UTF-16LE with an odd number of bytes: the cut shows (truncated: the last line, U+FFFD, has no line end)', () => {
  const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('CoInitialize() returns 0x00000000\r\n', 'utf16le'), Buffer.from([0x4d])]);
  const r = analyzeBuffer(bytes);
  assert.equal(r.truncation, 'truncated');
  assert.match(r.evidence[0]!, /^the last line \(2\) has no line end/);
});

test('a window overflow inside CoUninitialize is reported at the marker line', () => {
  const lines = ['Object released'];
  for (let i = 1; i <= 30; i++) lines.push(`MALLOC SPY: 0x${i.toString(16)} - 8 bytes allocated`);
  for (let i = 1; i <= 30; i++) lines.push(`MALLOC SPY: 0x${i.toString(16)} - freed, ${30 - i} blocks remaining`);
  lines.push('Called CoUninitialize()');
  const r = analyzeBuffer(lines.join('\n') + '\n', { windowLimit: 10 });
  const overflow = r.anomalies.find((a) => a.kind === 'window-overflow');
  assert.equal(overflow?.line, 62);
});

test('a dialect file naming inherited properties is a clear error, not a crash', () => {
  for (const [i, text] of ['{"constructor":"x"}', '{"markers":{"toString":"x"}}'].entries()) {
    const path = join(tmp, `d${i}.json`);
    writeFileSync(path, text);
    const r = spylog(['report', 'fixtures/w2k-console.log', '--dialect', path]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(r.stderr, /^spylog: .*unknown/);
  }
});

test('bad option values are usage errors (exit 2), not silent defaults', () => {
  for (const args of [
    ['--max-line-length', '0'],
    ['--max-line-length', 'abc'],
    ['--max-line-length', '1.5'],
    ['--episode-threshold', 'abc'],
    ['--spy-prefix', ''],
    ['--spy-prefix', 'X\nY'],
    ['--couninitialize-marker', ' '],
  ]) {
    const r = spylog(['report', 'fixtures/w2k-console.log', ...args]);
    assert.equal(r.status, 2, args.join(' '));
    assert.match(r.stderr, new RegExp(`^spylog: ${args[0]} (must|needs a number)`));
  }
});

test('check and baseline refuse an empty log: a program that printed nothing must not pass', () => {
  const check = spylog(['check', 'fixtures/empty.log']);
  assert.equal(check.status, 2);
  assert.equal(check.stderr, 'spylog: fixtures/empty.log is empty: there is nothing to check\n');
  const baseline = spylog(['baseline', 'fixtures/empty.log']);
  assert.equal(baseline.status, 2);
  assert.equal(baseline.stdout, '');
});

test('an output failure (full disk) is one line and exit 2, not a stack trace', (t) => {
  if (!existsSync('/dev/full')) {
    t.skip('no /dev/full here');
    return;
  }
  const r = spawnSync('sh', ['-c', `"${process.execPath}" "${BIN}" check fixtures/w2k-console.log > /dev/full`], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.equal(r.stderr, 'spylog: cannot write the output: the disk is full\n');
});

test('a spy log with no spy event read has nothing to judge: the spy lines in another wording, a registration COM refused, no spy at all (attack notes #199, #201)', async () => {
  const head = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
  const logs: Record<string, { lines: string[]; says: RegExp }> = {
    // A 64-bit build printing `%p` (no `0x`), killed by abort() before CoUninitialize, two blocks alive.
    'x64-pct-p': {
      lines: [
        ...head,
        'MALLOC SPY: 000001D2F3A4B5C0 - 64 bytes allocated',
        'CoTaskMemAlloc(64) returns 000001D2F3A4B5C0',
        'MALLOC SPY: 000001D2F3A4B640 - 44 bytes allocated',
        'CLSIDFromProgID() returns 0x00000000',
      ],
      says: /: 2 lines look like the spy's but no spy event could be read \(the first at line 3\): the spy words its lines in a way the mallocspy dialect does not read/,
    },
    // A spy whose QueryInterface does not answer IID_IMallocSpy: E_INVALIDARG, and the revoke finds nothing registered.
    einvalidarg: {
      lines: [
        head[0]!,
        'CoRegisterMallocSpy() returns 0x80070057',
        'CoTaskMemAlloc(64) returns 0x0023A000 (deliberately never freed)',
        'Called CoUninitialize()',
        'CoRevokeMallocSpy() returns 0x800401FC',
      ],
      says: /: no spy event, and the spy was never installed: CoRegisterMallocSpy failed with 0x80070057: this call installed no spy \(line 2\)/,
    },
    // The spy writes to stderr (or OutputDebugString) while `> log` captured stdout.
    elsewhere: {
      lines: [
        'CoInitialize() returns 0x00000000',
        'CLSIDFromProgID() returns 0x00000000',
        'CoCreateInstance() returns 0x00000000',
        'Called CoUninitialize()',
      ],
      says: /: no spy event and no registration of the spy: no spy watched this run, or it printed elsewhere/,
    },
  };
  for (const [name, { lines, says }] of Object.entries(logs)) {
    const path = join(tmp, `${name}.log`);
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    const check = await runMain(['check', path]);
    assert.equal(check.status, 2, name);
    assert.match(check.stderr, says, name);
    const baseline = await runMain(['baseline', path]);
    assert.equal(baseline.status, 2, name);
    assert.equal(baseline.stdout, '', name);
    const diff = await runMain(['diff', 'fixtures/w2k-console.log', path, '--fail-on-new', 'any']);
    assert.equal(diff.status, 2, name);
    const report = await runMain(['report', path]);
    assert.match(report.stdout.split('\n')[1]!, /^NOTHING TO JUDGE: /, name);
  }
  // The one exception: a spy registered and revoked with nothing in between is judged (and passes).
  const quiet = await runMain(['check', 'fixtures/program-only.log']);
  assert.equal(quiet.status, 0, quiet.stderr);
});

test('a registration that worked in any wording or part is a spy watching; one COM refused, also printed with %d, is none (attack notes #206, #209-#211)', async () => {
  const check = async (name: string, lines: string[]) => {
    const path = join(tmp, `${name}.log`);
    writeFileSync(path, lines.join('\r\n') + '\r\n');
    return runMain(['check', path]);
  };
  const clean = (register: string, revoke = 'CoRevokeMallocSpy() returns 0x00000000') => [
    'CoInitialize() returns 0x00000000',
    register,
    'Object released',
    'Called CoUninitialize()',
    revoke,
  ];
  // Judged, and clean: the registration in another wording (#209), a second one refused while the first is installed (#210).
  for (const [name, lines] of Object.entries({
    colons: clean('::CoRegisterMallocSpy(&g_spy) returns S_OK', '::CoRevokeMallocSpy() returns S_OK'),
    hr: clean('hr = CoRegisterMallocSpy(&spy) returned 0x0'),
    args: clean('CoRegisterMallocSpy(&spy) returns 0x00000000', 'CoRevokeMallocSpy(): 0x00000000'),
    twice: clean('CoRegisterMallocSpy() returns 0x00000000\r\nCoRegisterMallocSpy() returns 0x800401FB'),
    // Success said further on, or in words (#219).
    doneHr: clean('CoRegisterMallocSpy done, hr=0x0'),
    ok: clean('CoRegisterMallocSpy OK'),
    bracketOk: clean('[ OK ] CoRegisterMallocSpy'),
    wide: clean('CoRegisterMallocSpy returns 0x0000000000000000'),
    // DebugView: another process's line ends the capture (#211).
    debugview: [
      '1\t0.0\t[100] CoInitialize() returns 0x00000000',
      '2\t0.1\t[100] CoRegisterMallocSpy() returns 0x00000000',
      '3\t0.2\t[100] Called CoUninitialize()',
      '4\t0.3\t[100] CoRevokeMallocSpy() returns 0x00000000',
      '5\t0.4\t[200] svchost: heartbeat',
    ],
  })) {
    const r = await check(name, lines);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
  }
  // Refused, printed with %d (E_INVALIDARG), or in another wording: nothing to judge (#206).
  for (const register of [
    'CoRegisterMallocSpy() returns -2147024809',
    '::CoRegisterMallocSpy(&spy) returns E_INVALIDARG',
    'CoRegisterMallocSpy() returns 0xFFFFFFFF80070057', // widened to 64 bits
    'CoRegisterMallocSpy() returns 2147942487', // %u
    'ERROR: CoRegisterMallocSpy(&spy) failed, hr=0x80070057',
  ]) {
    const r = await check('refused', clean(register, 'CoRevokeMallocSpy() returns -2147221500'));
    assert.equal(r.status, 2, register);
    assert.match(r.stderr, /the spy was never installed: CoRegisterMallocSpy failed with 0x80070057/, register);
  }
  // A line that names the call with no result is no registration: nothing to judge either (#215).
  for (const register of [
    'CoRegisterMallocSpy failed',
    'Calling CoRegisterMallocSpy...',
    'Skipping CoRegisterMallocSpy (SPY not set)',
    // A success word inside a failure, another call's hr=0 (#221, #222).
    'CoRegisterMallocSpy: Object is already registered.',
    'CoRegisterMallocSpy: expected S_OK, got 0x800401FB',
    'CoRegisterMallocSpy ... OK? no: 0x80070057',
    'CoRegisterMallocSpy refused (after CoInitialize hr=0x0)',
    'CoRegisterMallocSpy pending (CoInitialize hr=0x0)',
  ]) {
    const r = await check('unsaid', clean(register, 'Done.'));
    assert.equal(r.status, 2, register);
    assert.match(r.stderr, /no spy event and no registration of the spy/, register);
  }
});

/** The console capture fixture as a console paste's lines (CR LF), `edit` applied to its lines. */
function consoleLines(edit: (lines: string[]) => string[] = (l) => l, end = '\r\n'): string {
  const lines = readFileSync(fixture('w2k-console.log'), 'latin1').split('\n');
  if (lines.at(-1) === '') lines.pop();
  return edit(lines).join('\r\n') + end;
}

test('what the next command printed after the prompt is the console’s, not the program’s last line (attack notes #227)', async () => {
  for (const [name, trailer] of Object.entries({
    cmd: ['', 'C:\\work\\spy>echo %ERRORLEVEL%', '1', '', 'C:\\work\\spy>'],
    powershell: ['PS C:\\work\\spy> $LASTEXITCODE', '1', 'PS C:\\work\\spy> '],
    dir: ['', 'C:\\work\\spy>dir /b', 'spy.exe', 'spy-console.txt', '', 'C:\\work\\spy>'],
    // Another program's output after the prompt: a test binary's lines, a tool's call line (#229).
    gtest: [
      '',
      'C:\\work\\spy>unit_tests.exe',
      '[==========] Running 1 test from 1 test suite.',
      '[ RUN      ] Registry.Check',
      '[       OK ] Registry.Check (0 ms)',
      '',
      'C:\\work\\spy>',
    ],
    call: ['', 'C:\\work\\spy>regtool.exe /check', 'DllRegisterServer() returns 0x00000000', '', 'C:\\work\\spy>'],
  })) {
    const path = join(tmp, `next-command-${name}.log`);
    writeFileSync(
      path,
      // The prompt last, printed without a line end.
      consoleLines((l) => [...l, ...trailer], ''),
    );
    const r = await runMain(['report', '--format', 'json', path]);
    const report = JSON.parse(r.stdout);
    // As the paste without them: complete, its 11 exit-time frees held by the runtime, 2 true leaks.
    assert.equal(report.truncation, 'complete', name);
    assert.deepEqual([report.summary.exitprocess.blocks, report.summary['true-leak'].blocks], [11, 2], name);
    assert.equal(report.phases.lastProgramLine, 46, name);
    const gate = await runMain(['check', '--unresolved', 'warn', path]);
    assert.equal(gate.status, 1, name);
  }
});

test('a spy line the console wrapped at its width is read as one line (attack notes #228)', () => {
  const a = (n: number) => '0x' + n.toString(16).toUpperCase().padStart(16, '0');
  const lines = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
  lines.push(
    `MALLOC SPY: ${a(0x13a000)} - 216 bytes allocated`,
    `MALLOC SPY: ${a(0x13a100)} - 44 bytes allocated`,
    'CLSIDFromProgID() returns 0x00000000',
  );
  for (let i = 0; i < 100; i++) lines.push(`MALLOC SPY: ${a(0x23a000 + i * 0x40)} - 64 bytes allocated`, 'CoTaskMemAlloc(64) returns');
  lines.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', 'MALLOC SPY: detected memory leaks!');
  for (let i = 0; i < 100; i++) lines.push(`${a(0x23a000 + i * 0x40)} - 64 bytes: 4C 45 41 4B`);
  // 81 characters: the count's third digit pushes `g` past column 80.
  lines.push(
    `MALLOC SPY: ${a(0x13a000)} - freed (realloc to 0 bytes), 101 blocks remaining`,
    `MALLOC SPY: ${a(0x13a100)} - reallocated to ${a(0x13a200)}, 88 bytes`,
    `MALLOC SPY: ${a(0x13a200)} - freed, 100 blocks remaining`,
  );
  const whole = analyzeBuffer(lines.join('\r\n') + '\r\n');
  assert.deepEqual([whole.truncation, whole.summary['true-leak'].blocks, whole.summary.exitprocess.blocks], ['complete', 100, 2]);
  // (Narrower, dump entries wrap too: a row of an entry with fewer bytes is an entry in itself.)
  for (const width of [80, 60, 50]) {
    const rows = lines.flatMap((l) => (l.length > width ? [l.slice(0, width), l.slice(width)] : [l]));
    assert.ok(rows.length > lines.length, `${width}`);
    const wrapped = analyzeBuffer(rows.join('\r\n') + '\r\n');
    assert.deepEqual(
      // (Line numbers move: each wrapped line is two.)
      [wrapped.truncation, wrapped.summary, wrapped.anomalies.map((x) => x.kind)],
      [whole.truncation, whole.summary, whole.anomalies.map((x) => x.kind)],
      `wrapped at ${width} columns`,
    );
  }
  // A spy line cut short with a whole line after it stays what it was: a malformed line, then that line.
  const cut = analyzeBuffer(lines.slice(0, 3).join('\n') + '\nMALLOC SPY: 0x10 - fre\nMALLOC SPY: 0x20 - 8 bytes allocated\nDone.\n');
  assert.deepEqual(
    cut.anomalies.map((x) => [x.kind, x.line]),
    [['malformed-spy-line', 4]],
  );
  assert.equal(cut.allocs, 2);
});

test('a block reallocated inside ExitProcess is held at its size before: a redirected run’s block fits its baseline row (attack notes #224)', async () => {
  // The console run: the runtime's 216-byte block (line 9, dumped at 216) is reallocated to 432 during ExitProcess, then freed.
  const reference = join(tmp, 'exit-realloc-console.log');
  writeFileSync(
    reference,
    consoleLines((l) => [
      ...l.slice(0, 61),
      'MALLOC SPY: 0x0013A070 - reallocated to 0x0013B000, 432 bytes',
      'MALLOC SPY: 0x0013B000 - freed, 11 blocks remaining',
      ...l.slice(62),
    ]),
  );
  const report = JSON.parse((await runMain(['report', '--format', 'json', reference])).stdout);
  const held = report.blocks.find((b: { allocLine: number }) => b.allocLine === 9);
  assert.deepEqual([held.category, held.size, held.exitSize, held.reallocs], ['exitprocess', 216, 432, 1]);
  assert.equal(report.summary.exitprocess.bytes, 784);
  const made = await runMain(['baseline', reference]);
  assert.equal(made.status, 0, made.stderr);
  assert.match(made.stdout, /^CLSIDFromProgID,216,2,/m);
  assert.doesNotMatch(made.stdout, /,432,/);
  const baseline = join(tmp, 'exit-realloc.csv');
  writeFileSync(baseline, made.stdout);
  // The redirected run of the same program: its runtime blocks are all in the baseline; only its 2 own leaks fail.
  const gate = await runMain(['check', '--format', 'json', fixture('w2k-redirected.log'), '--baseline', baseline]);
  const checked = JSON.parse(gate.stdout);
  assert.deepEqual([checked.report.summary['true-leak'].blocks, checked.report.summary.exitprocess.blocks], [2, 11]);
  const diff = await runMain(['diff', reference, fixture('w2k-redirected.log'), '--fail-on-new', 'any']);
  assert.equal(diff.status, 0, diff.stderr);
});

test('baseline refuses a console paste whose start scrolled out: its runtime blocks have no call (attack notes #225)', async () => {
  const path = join(tmp, 'scrolled-off.log');
  writeFileSync(
    path,
    consoleLines((l) => l.slice(24)),
  );
  const r = await runMain(['baseline', path]);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /11 blocks freed at exit \(0x0013A030, \.\.\.\) were first seen in the dump: their allocation lines are not in the log \(its start scrolled out/,
  );
  // The whole paste still makes one.
  const whole = join(tmp, 'whole-paste.log');
  writeFileSync(whole, consoleLines());
  assert.equal((await runMain(['baseline', whole])).status, 0);
});

test('a time in a context line is no part of its name: a rerun’s blocks fit the baseline (attack notes #226)', async () => {
  const named = (ms: number) => consoleLines((l) => l.map((x, i) => (i === 23 ? `Looked up ADODB.Recordset in ${ms} ms (12:03:4${ms % 10})` : x)));
  const reference = join(tmp, 'timing-console.log');
  writeFileSync(reference, named(16));
  const made = await runMain(['baseline', reference]);
  assert.match(made.stdout, /^Looked up ADODB\.Recordset in <duration> \(<time>\),216,2,/m);
  const baseline = join(tmp, 'timing.csv');
  writeFileSync(baseline, made.stdout);
  const rerun = join(tmp, 'timing-rerun.log');
  writeFileSync(rerun, named(23));
  const gate = JSON.parse((await runMain(['check', '--format', 'json', rerun, '--baseline', baseline])).stdout);
  assert.deepEqual(gate.report.summary['true-leak'].blocks, 2);
  assert.deepEqual(
    gate.checks.map((c: { id: string; outcome: string }) => [c.id, c.outcome]),
    [
      ['true-leaks', 'fail'],
      ['unresolved', 'pass'],
      ['baseline', 'pass'],
    ],
  );
  // Numbers that name what the call did stay.
  const sized = analyzeBuffer(
    ['CoRegisterMallocSpy() returns 0x00000000', 'MALLOC SPY: 0x10 - 8 bytes allocated', 'Read 16 bytes from 3 items', ''].join('\n'),
  );
  assert.equal(sized.blocks[0]?.context, 'Read 16 bytes from 3 items');
});

/** A 64-bit console run with no leak of its own: `n` runtime blocks dumped and freed at exit by realloc to 0 (81 columns from 100 blocks on), after `pad` alloc/free pairs. */
function wideRun(pad: number, n: number): string[] {
  const a = (x: number) => '0x' + x.toString(16).toUpperCase().padStart(16, '0');
  const lines = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < pad; i++)
    lines.push(`MALLOC SPY: ${a(0x500000)} - 32 bytes allocated`, `MALLOC SPY: ${a(0x500000)} - freed, 0 blocks remaining`);
  lines.push('Warmup() returns 0x00000000');
  for (let i = 0; i < n; i++) lines.push(`MALLOC SPY: ${a(0x13a000 + i * 0x40)} - 44 bytes allocated`);
  lines.push(
    'CLSIDFromProgID() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
  );
  for (let i = 0; i < n; i++) lines.push(`${a(0x13a000 + i * 0x40)} - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00`);
  for (let i = 0; i < n; i++) lines.push(`MALLOC SPY: ${a(0x13a000 + i * 0x40)} - freed (realloc to 0 bytes), ${n - 1 - i} blocks remaining`);
  return lines;
}

test('a wrapped spy line is joined on every input path and chunking, past the first chunk too (attack notes #230)', async () => {
  const lines = wideRun(1200, 120);
  const rows = lines.flatMap((l) => (l.length > 80 ? [l.slice(0, 80), l.slice(80)] : [l]));
  const whole = Buffer.from(lines.join('\r\n') + '\r\n');
  const wrapped = Buffer.from(rows.join('\r\n') + '\r\n');
  assert.ok(wrapped.length > 128 * 1024 && rows.length - lines.length === 20);
  const expected = analyzeBuffer(whole, { source: 'x' });
  assert.deepEqual([expected.truncation, expected.summary.exitprocess.blocks], ['complete', 120]);
  const same = (r: typeof expected, how: string) =>
    assert.deepEqual([r.truncation, r.summary, r.anomalies.map((x) => x.kind)], [expected.truncation, expected.summary, []], how);
  same(analyzeBuffer(wrapped, { source: 'x' }), 'one buffer');
  same(analyzeBuffer(wrapped, { source: 'x', bytePath: false }), 'decoded path');
  for (const size of [1, 7, 100, 4096, 65536]) {
    const a = createAnalyzer({ source: 'x' });
    for (let i = 0; i < wrapped.length; i += size) a.write(wrapped.subarray(i, i + size));
    same(a.end(), `${size}-byte chunks`);
  }
  const path = join(tmp, 'wide-wrapped.log');
  writeFileSync(path, wrapped);
  assert.equal((await runMain(['check', path])).status, 0);
  assert.equal((await runMain(['check', '-'], { stdin: wrapped })).status, 0);
});

test('a block reallocated inside ExitProcess whose free was lost is still held at its size before (attack notes #231, #235)', async () => {
  // The redirected twin whose last whole buffer ended between the exit-time realloc and its free.
  const console = consoleLines((l) => [
    ...l.slice(0, 61),
    'MALLOC SPY: 0x0013A070 - reallocated to 0x0013B000, 432 bytes',
    'MALLOC SPY: 0x0013B000 - freed, 11 blocks remaining',
    ...l.slice(62),
  ]);
  const redirected = readFileSync(fixture('w2k-redirected.log'), 'latin1').split('\n').slice(0, 60);
  const kept = [
    ...redirected,
    'MALLOC SPY: 0x0013A030 - freed, 12 blocks remaining',
    'MALLOC SPY: 0x0013A070 - reallocated to 0x0013B000, 432 bytes',
    '',
  ].join('\n');
  // Whole buffers: a banner makes the file exactly 2 x 4096 bytes (the C runtime wrote nothing after them).
  const cut = 'Spy test build 42 ' + 'x'.repeat(8192 - kept.length - 19) + '\n' + kept;
  assert.equal(cut.length, 8192);
  const report = analyzeBuffer(cut);
  // Line 10: the banner came first.
  const block = report.blocks.find((b) => b.allocLine === 10)!;
  assert.deepEqual([block.category, block.size, block.exitSize], ['unresolved', 216, 432]);
  const reference = join(tmp, 'exit-realloc-ref.log');
  const baseline = join(tmp, 'exit-realloc-ref.csv');
  const redirect = join(tmp, 'exit-realloc-cut.log');
  writeFileSync(reference, console);
  writeFileSync(redirect, cut);
  writeFileSync(baseline, (await runMain(['baseline', reference])).stdout);
  const gate = JSON.parse((await runMain(['check', '--format', 'json', redirect, '--baseline', baseline])).stdout);
  // Only the program's own two leaks fail; the realloc'd block is the runtime's, decided by the baseline.
  assert.deepEqual([gate.report.summary['true-leak'].blocks, gate.report.summary.exitprocess.blocks], [2, 11]);
  assert.equal((await runMain(['diff', reference, redirect, '--fail-on-new', 'any'])).status, 0);
  // Counted past the window, the bytes are the listed ones' (#235).
  for (const windowLimit of [1, 10_000]) assert.equal(analyzeBuffer(console, { windowLimit }).summary.exitprocess.bytes, 784, `${windowLimit}`);
});

test('baseline refuses a reference with lines missing: frees of blocks it never showed, a run that never reached CoUninitialize (attack notes #233, #234)', async () => {
  const cases: [string, string, RegExp][] = [
    // Only the exit-time frees and a prompt left of the paste.
    [
      'exit-frees-only',
      [...readFileSync(fixture('w2k-console-noleak.log'), 'latin1').split('\n').slice(-12, -1), '', 'C:\\work\\spy>'].join('\r\n'),
      /11 frees of blocks the log never showed \(line 1\)/,
    ],
    ['early-exit', readFileSync(fixture('situations/early-exit-console.log'), 'latin1'), /never reached CoUninitialize nor dumped/],
    // A garbled allocation line: named as such, not only as a lost start.
    [
      'garbled',
      consoleLines((l) => l.map((x, i) => (i === 7 ? x + 'MALLOC SPY: 0x0013A070 - 216 bytes allocated' : x)).filter((_, i) => i !== 8)),
      /first seen in the dump: their allocation lines are not in the log \(its start scrolled out of the console window, or the lines are garbled/,
    ],
  ];
  for (const [name, text, says] of cases) {
    const path = join(tmp, `${name}.log`);
    writeFileSync(path, text);
    const r = await runMain(['baseline', path]);
    assert.equal(r.status, 2, name);
    assert.equal(r.stdout, '', name);
    assert.match(r.stderr, says, name);
  }
});

test('dates and times of day in their usual spellings are no part of a context (attack notes #232)', () => {
  const contextOf = (line: string) =>
    analyzeBuffer(['CoRegisterMallocSpy() returns 0x00000000', 'MALLOC SPY: 0x10 - 8 bytes allocated', line, ''].join('\n')).blocks[0]?.context;
  for (const [line, context] of <[string, string][]>[
    ['2026-12-01T12:03:44.123Z Looked up ADODB.Recordset', '<time> Looked up ADODB.Recordset'],
    ['[2026-12-01 12:03:44] Looked up', '[<time>] Looked up'],
    ['Looked up at 12:03:44PM', 'Looked up at <time>'],
    ['12:03 Looked up', '<time> Looked up'],
    ['Looked up, elapsed 00:01.016', 'Looked up, elapsed <time>'],
    ['Looked up on 01.12.2026', 'Looked up on <time>'],
    ['Loaded msxml 6.30.17763 (16 items)', 'Loaded msxml 6.30.17763 (16 items)'],
  ]) {
    assert.equal(contextOf(line), context, line);
  }
});

test('a prompt inside the run (a batch file the program runs) hides none of its own lines; after the run, colour codes and `...` are the console’s too (attack notes #236, #238)', async () => {
  // `system("setup.bat")` mid-run: cmd echoes the batch's command with its prompt into the program's console.
  const batch = ['', 'C:\\work\\spy>echo Registering components', 'Registering components'];
  const midRun = join(tmp, 'batch-mid-run.log');
  writeFileSync(
    midRun,
    consoleLines((l) => [...l.slice(0, 23), ...batch, ...l.slice(23)]),
  );
  const report = JSON.parse((await runMain(['report', '--format', 'json', midRun])).stdout);
  assert.equal(report.truncation, 'complete');
  // The runtime's blocks keep their call: the batch's output is no program line, the program's call line after it is one.
  assert.deepEqual(
    [...new Set(report.blocks.filter((b: { category: string }) => b.category === 'exitprocess').map((b: { context: string }) => b.context))],
    ['CLSIDFromProgID'],
  );
  // A crash after the batch: the program's call line after the prompt is still its last line, with no spy output after it.
  const crash = analyzeBuffer(
    readFileSync(fixture('situations/crash-console-prompt.log'), 'latin1')
      .split('\r\n')
      .flatMap((line) => (line === 'CoCreateInstance() returns 0x00000000' ? [...batch, line] : [line]))
      .join('\r\n'),
  );
  assert.equal(crash.truncation, 'possibly-truncated');
  // After the run: another command's colour codes and an elision-looking `...` are the console's.
  for (const [name, trailer] of Object.entries({
    ansi: ['', 'C:\\work\\spy>git status', '\x1b[32mOn branch main\x1b[m', 'nothing to commit, working tree clean', '', 'C:\\work\\spy>'],
    elision: ['', 'C:\\work\\spy>build.cmd', 'Compiling...', '...', 'Build succeeded.', '', 'C:\\work\\spy>'],
  })) {
    const after = analyzeBuffer(consoleLines((l) => [...l, ...trailer], ''));
    assert.deepEqual([after.truncation, after.summary.exitprocess.blocks, after.summary['true-leak'].blocks], ['complete', 11, 2], name);
  }
});

test('baseline takes a reference whose other parts never reach CoUninitialize but show nothing of the runtime (attack notes #237)', async () => {
  const path = (name: string) => join(tmp, `${name}.log`);
  // DebugView: another process's chatter. A second tool with no spy after the run. A crashed run with nothing left alive before a whole one.
  const crashed = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00500000 - 8 bytes allocated',
    'MALLOC SPY: 0x00500000 - freed, 0 blocks remaining',
    'Object released',
  ];
  writeFileSync(
    path('then-good'),
    consoleLines((l) => [...crashed, ...l]),
  );
  writeFileSync(
    path('tool-after'),
    consoleLines((l) => [...l, '', 'C:\\work\\spy>regtool /check', 'CoInitialize() returns 0x00000000', 'DllRegisterServer() returns 0x00000000']),
  );
  for (const log of [fixture('capture/debugview-pids.log'), path('then-good'), path('tool-after')]) {
    const r = await runMain(['baseline', log]);
    assert.equal(r.status, 0, `${log}: ${r.stderr}`);
    assert.match(r.stdout, /^# complete: \*$/m, log);
  }
  // A run of several that exits early with blocks alive is named.
  // (an `exit()` after its last line: its exit-time free is visible, one block stays alive).
  const early = [
    ...crashed.slice(0, 3),
    'MALLOC SPY: 0x00500100 - 16 bytes allocated',
    'Object released',
    'MALLOC SPY: 0x00500100 - freed, 1 blocks remaining',
  ];
  writeFileSync(
    path('early-then-good'),
    consoleLines((l) => [...early, ...l]),
  );
  const refused = await runMain(['baseline', path('early-then-good')]);
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /run 1 \(line 1\) never reached CoUninitialize nor dumped .*, yet left blocks alive/);
});

test('the next command’s lines are the console’s when a prompt or the input’s end closes them, not when the program’s output goes on; a run over at CoUninitialize without a revoke has trailers too; a fixture’s own end line is its test’s (attack notes #239, #240, #243, #245)', () => {
  const tool = ['', 'C:\\work\\spy>regtool /register Reports.dll', 'DllRegisterServer() returns 0x00000000', '', 'C:\\work\\spy>'];
  // CoUninitialize, then the exit-time frees on the console, no revoke nor dump (#239).
  const noRevoke = analyzeBuffer(consoleLines((l) => [...l.slice(0, 45), ...l.slice(60), ...tool], ''));
  assert.deepEqual([noRevoke.truncation, noRevoke.summary.exitprocess.blocks, noRevoke.summary['true-leak'].blocks], ['complete', 11, 2]);
  // A paste that ends with the next command's output, no prompt after it: the input's end closes it (#245).
  for (const trailer of [
    ['', 'C:\\work\\spy>echo %ERRORLEVEL%', '0'],
    ['', 'user@host MINGW64 /c/work/spy', '$ git sta'],
  ]) {
    const unclosed = analyzeBuffer(consoleLines((l) => [...l, ...trailer]));
    assert.deepEqual(
      [unclosed.truncation, unclosed.summary.exitprocess.blocks, unclosed.summary['true-leak'].blocks],
      ['complete', 11, 2],
      trailer[1],
    );
  }
  // The program's own spy output after the prompt's lines: a batch file it ran echoed the prompt,
  // and the lines are its own (#240); its last line is the batch's output.
  const batch = analyzeBuffer(
    consoleLines((l) => [
      ...l.slice(0, 60),
      '',
      'C:\\work\\spy>echo Removing temporary registration',
      'Removing temporary registration',
      ...l.slice(60),
    ]),
  );
  assert.equal(batch.phases?.lastProgramLine, 63);
  assert.deepEqual([batch.truncation, batch.summary.exitprocess.blocks], ['complete', 11]);
  // A fixture that revokes per test and runs a batch in TearDown: the `[ OK ]` after the batch's prompt is its test's (#243).
  const perTest = [
    '[ RUN      ] SpyTest.A',
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00100050 - 32 bytes allocated',
    'MALLOC SPY: 0x00100050 - freed, 0 blocks remaining',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x00000000',
    '',
    'C:\\work\\spy>del /q temp\\*.*',
    '[       OK ] SpyTest.A (2 ms)',
    '[ RUN      ] SpyTest.B',
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x00000000',
    '[       OK ] SpyTest.B (0 ms)',
    '',
  ];
  const tests = analyzeBuffer(perTest.join('\n')).tests!;
  assert.deepEqual(
    tests.map((t) => [t.name, t.outcome]),
    [
      ['SpyTest.A', 'passed'],
      ['SpyTest.B', 'passed'],
    ],
  );
});

test('baseline refuses a file whose parts past the first hundred are kept only as summaries (attack notes #241)', async () => {
  // 101 appended runs of a leak-free program and the reference run last: run 100 is kept only as a summary.
  const run = readFileSync(fixture('w2k-console-noleak.log'), 'latin1');
  const path = join(tmp, 'many-runs.log');
  writeFileSync(path, run.repeat(102));
  const r = await runMain(['baseline', path]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /part(s)? of the file \(past its first hundred runs or processes\) (is|are) kept only as a summary/);
});

test('a long next-command output after a run over at CoUninitialize, closed by a prompt; a batch mid-run in a second COM session (attack notes #246, #250)', () => {
  // CoUninitialize, the exit-time frees, no revoke nor dump; then `dir` of 100 lines and a prompt (#246).
  const dir = ['', 'C:\\work\\spy>dir /b', ...Array.from({ length: 100 }, (_, i) => `file${i}.txt`), '', 'C:\\work\\spy>'];
  const noRevoke = analyzeBuffer(consoleLines((l) => [...l.slice(0, 45), ...l.slice(60), ...dir], ''));
  assert.deepEqual([noRevoke.truncation, noRevoke.summary.exitprocess.blocks, noRevoke.summary['true-leak'].blocks], ['complete', 11, 2]);
  // A first COM session ended, a second begun; mid-run a batch echoes a prompt: the run is not over (#250).
  const batch = ['', 'C:\\work\\spy>echo Registering components', 'Registering components'];
  const twoSessions = analyzeBuffer(
    consoleLines((l) => [
      ...l.slice(0, 2),
      'Called CoUninitialize()',
      'CoInitialize() returns 0x00000000',
      ...l.slice(2, 23),
      ...batch,
      ...l.slice(23),
    ]),
  );
  assert.deepEqual([...new Set(twoSessions.blocks.filter((b) => b.category === 'exitprocess').map((b) => b.context))], ['CLSIDFromProgID']);
});

test('after an early exit() and a prompt, the next command’s colour codes are the console’s (attack notes #252)', () => {
  const early = readFileSync(fixture('situations/early-exit-console.log'), 'latin1').replace(/\r?\n?C:\\work\\spy>\s*$/, '');
  const trailer = [
    '',
    'C:\\work\\spy>git log --color=always -1',
    '\x1b[33mcommit 1a2b3c4\x1b[m',
    'Author: A <a@example.com>',
    '',
    '    Fix the leak',
    '',
    'C:\\work\\spy>',
  ];
  const r = analyzeBuffer(early + '\r\n' + trailer.join('\r\n'));
  const alone = analyzeBuffer(readFileSync(fixture('situations/early-exit-console.log')));
  assert.deepEqual([r.truncation, r.summary['true-leak'].blocks], [alone.truncation, alone.summary['true-leak'].blocks]);
  assert.deepEqual([r.truncation, r.summary['true-leak'].blocks], ['complete', 3]);
});
