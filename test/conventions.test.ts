// The command line behaves as users of ripgrep and eslint expect, on Windows too: help
// always works, mistakes are refused by name in one line with a suggestion, output fits the
// terminal, wildcards are expanded by spylog, output folders are created, a full disk is an
// error, colour follows the flags and the environment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, fixture, runMain, spylog } from './helpers.js';
import { displayWidth, wrapText } from '../src/report/width.js';
import { formatProgress } from '../src/cli/progress.js';
import { closest } from '../src/cli/args.js';
import { expandLogArgs, splitWildcard } from '../src/cli/expand.js';
import { wantColour, wantUnicode, outputWidth } from '../src/cli/terminal.js';

const tmp = mkdtempSync(join(tmpdir(), 'spylog-conventions-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

/** A usage error: nothing on stdout, exactly one line on stderr, exit 2. */
function usageError(r: { status: number | null; stdout: string; stderr: string }, line: string | RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
  if (typeof line === 'string') assert.equal(r.stderr, `${line}\n`);
  else assert.match(r.stderr, line);
}

test('help: -h, --help, help, help <command>, <command> -h, <command> help: exit 0, though logs are required', async () => {
  for (const args of [
    ['-h'],
    ['--help'],
    ['help'],
    ['report', '-h'],
    ['-h', 'report'],
    ['check', '--help'],
    ['help', 'check'],
    ['check', 'help'],
    ['diff', '-h'],
    ['baseline', '-h'],
    ['report', 'x.log', '-h'],
  ]) {
    const r = await runMain(args);
    assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr, '', args.join(' '));
    assert.match(r.stdout, /^Usage: spylog /, args.join(' '));
  }
  assert.match((await runMain(['help', 'check'])).stdout, /^Usage: spylog check \[options\] <log>\n/);
  assert.match((await runMain(['-h'])).stdout, /\nCommands:\n {2}report <logs\.\.\.> /);
  // Every option of a command is in its help, with its short name.
  const report = (await runMain(['report', '-h'])).stdout;
  for (const o of [
    '-f, --format FORMAT',
    '-b, --baseline FILE',
    '--assume-complete',
    '--dialect NAME|FILE',
    '-q, --quiet',
    '--html FILE',
    '--color',
    '--version',
  ]) {
    assert.ok(report.includes(o), o);
  }
  assert.match(report, /Exit status: 0 success; 1 a gate failed .*70 internal error/s);
  usageError(
    await runMain(['help', 'chek']),
    "spylog: no command 'chek' (did you mean 'check'?); the commands are report, diff, check, baseline; see spylog --help",
  );
});

test('--version prints the version alone', async () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  for (const args of [['--version'], ['report', '--version']])
    assert.deepEqual(await runMain(args), { status: 0, stdout: `${pkg.version}\n`, stderr: '' });
});

test('unknown options are refused by name, with a suggestion, in one line, whatever follows them', async () => {
  const msg = 'spylog: unknown option --asume-complete (did you mean --assume-complete?); see spylog report --help';
  usageError(await runMain(['report', '--asume-complete', 'fixtures/w2k-console.log']), msg);
  usageError(await runMain(['--asume-complete', 'fixtures/w2k-console.log']), msg);
  usageError(await runMain(['report', '--asume-complete', 'a.log', 'b.log']), msg); // never swallows a.log and goes on
  usageError(
    await runMain(['fixtures/w2k-console.log', '--fromat', 'json']),
    'spylog: unknown option --fromat (did you mean --format?); see spylog report --help',
  );
  usageError(await runMain(['check', 'x.log', '--no-qiet']), 'spylog: unknown option --no-qiet (did you mean --no-quiet?); see spylog check --help');
  usageError(await runMain(['check', 'x.log', '--bogus']), 'spylog: unknown option --bogus; see spylog check --help');
  usageError(await runMain(['x.log', '-x']), /^spylog: unknown option -x \(report's short options: -f -b -q -h\); see spylog report --help\n$/);
  // An option of another command says so (baseline's reference run must decide itself).
  usageError(
    await runMain(['baseline', '--assume-complete', 'fixtures/w2k-console.log']),
    'spylog: unknown option --assume-complete: report, diff and check take it, baseline does not; see spylog baseline --help',
  );
  usageError(await runMain(['report', '--quiet=yes', 'x.log']), "spylog: --quiet takes no value (got '--quiet=yes'); see spylog report --help");
});

test('a mistyped command is refused with a suggestion, unless a file has that name', async () => {
  usageError(
    await runMain(['reprot', 'x.log']),
    "spylog: unknown command 'reprot' (did you mean 'report'?); no file has that name either; see spylog --help",
  );
  usageError(await runMain(['chekc']), /did you mean 'check'\?/);
  writeFileSync(join(tmp, 'check'), 'MALLOC SPY: 0x10 - 8 bytes allocated\n');
  // `spylog diff` is a command, a file called `dif` is a log: no suggestion then.
  writeFileSync(join(tmp, 'dif'), 'MALLOC SPY: 0x10 - 8 bytes allocated\n');
  const r = await runMain(['-f', 'json', 'dif'], { cwd: tmp });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).source, 'dif');
  assert.equal(closest('diif', ['report', 'diff', 'check', 'baseline']), 'diff');
  assert.equal(closest('zzz', ['report', 'diff']), null);
});

test('other usage errors are one line too, naming what is wrong', async () => {
  usageError(await runMain(['report']), 'spylog: no log file given: spylog report <logs...> (- reads standard input); see spylog report --help');
  usageError(await runMain([]), /^spylog: no log file given: /);
  usageError(
    await runMain(['diff', 'a']),
    'spylog: diff needs 2 log files (got 1): spylog diff <a> <b> (- reads standard input); see spylog diff --help',
  );
  usageError(await runMain(['check', 'a', 'b']), "spylog: unexpected argument 'b': spylog check <log>; see spylog check --help");
  usageError(
    await runMain(['x.log', '--format', 'jsn']),
    "spylog: --format must be one of text, json, csv (got 'jsn'; did you mean json?); see spylog report --help",
  );
  usageError(await runMain(['x.log', '--max-line-length', 'abc']), "spylog: --max-line-length needs a number (got 'abc'); see spylog report --help");
  usageError(await runMain(['x.log', '--max-line-length', '0x10']), /needs a number \(got '0x10'\)/);
  usageError(await runMain(['x.log', '--html']), 'spylog: --html needs a value (FILE); see spylog report --help');
  usageError(await runMain(['x.log', '--baseline', '--assume-complete']), 'spylog: --baseline needs a value (FILE); see spylog report --help');
  usageError(
    await runMain(['x.log', '--color=sometimes']),
    "spylog: --color takes always, never or auto (got 'sometimes'); see spylog report --help",
  );
});

test('positionals: -, words after --, names that look like numbers or commands', async () => {
  const json = async (args: string[], cwd = tmp) => {
    const r = await runMain(['-f', 'json', ...args], { cwd, stdin: 'MALLOC SPY: 0x10 - 8 bytes allocated\n' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => (JSON.parse(l) as { source: string }).source);
  };
  writeFileSync(join(tmp, '-odd.log'), 'MALLOC SPY: 0x10 - 8 bytes allocated\n');
  writeFileSync(join(tmp, '123'), 'MALLOC SPY: 0x10 - 8 bytes allocated\n');
  assert.deepEqual(await json(['--', '-odd.log', 'check']), ['-odd.log', 'check']); // after --: logs, never options or a command
  assert.deepEqual(await json(['123', '-']), ['123', '-']);
  const r = await runMain(['check', '-q', '--', '-odd.log'], { cwd: tmp });
  assert.notEqual(r.status, 2, r.stderr);
  // Options before the command word.
  assert.match((await runMain(['-q', 'check', join(tmp, 'dif')])).stdout, /^spylog check: /);
});

test('the text report fits 80 and 120 columns (the terminal, COLUMNS when piped, 80 by default)', async () => {
  const widest = (text: string) => Math.max(...text.split('\n').map(displayWidth));
  const logs = [
    'fixtures/w2k-console.log',
    'fixtures/capture/two-runs.log',
    'fixtures/capture/crt-dump.log',
    'fixtures/w2k-addr64.log',
    'fixtures/copyproxy-released.log',
    'fixtures/garbage.log',
  ];
  for (const log of logs) {
    for (const columns of [80, 120]) {
      const tty = await runMain([log], { stdoutIsTTY: true, columns, env: { NO_COLOR: '1', LANG: 'en_US.UTF-8' } });
      assert.equal(tty.status, 0, tty.stderr);
      assert.ok(widest(tty.stdout) <= columns, `${log} at ${columns}: ${widest(tty.stdout)} columns`);
      assert.match(tty.stdout, /┌─/, 'box characters on a UTF-8 terminal');
      // Every line of a table is as wide as its top border: no box is broken.
      const tables = tty.stdout.split('\n').filter((l) => /^[┌│└]/.test(l));
      const borders = tty.stdout.split('\n').filter((l) => l.startsWith('┌'));
      assert.ok(borders.length >= 1);
      for (const l of tables) assert.ok([...borders.map(displayWidth)].includes(displayWidth(l)), `${log} at ${columns}: ${l}`);
      const piped = await runMain([log], { env: { NO_COLOR: '1', COLUMNS: String(columns) } });
      assert.ok(widest(piped.stdout) <= columns);
      assert.doesNotMatch(piped.stdout, /[─│┌’…]/, 'ASCII off a terminal');
    }
  }
  // 120 columns: the whole block table with its data column, one line per dumped block.
  const wide = await runMain(['fixtures/w2k-console.log'], { env: { NO_COLOR: '1', COLUMNS: '120' } });
  assert.match(wide.stdout, /\| data \(first block\) +\|\n/);
  assert.match(wide.stdout, /\n {2}0x0023A000 {2}4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD {2}\|LEAK#1\.{10}\| {2}text "LEAK#1"\n/);
  // Default: 80; a bad COLUMNS is ignored; a terminal's own width wins over COLUMNS.
  assert.equal(outputWidth(undefined, {}), 80);
  assert.equal(outputWidth(undefined, { COLUMNS: 'wide' }), 80);
  assert.equal(outputWidth(132, { COLUMNS: '50' }), 132);
});

test('wrapping keeps every word, counts East Asian wide characters as two columns', () => {
  assert.equal(displayWidth('中文ab'), 6);
  assert.equal(displayWidth('\x1b[31mred\x1b[39m'), 3);
  for (const line of wrapText('CLSIDFromProgID 中文中文中文中文中文 {0000-1111-2222-3333-4444} done', 12, '  '))
    assert.ok(displayWidth(line) <= 12, line);
  assert.equal(wrapText('a b c', 3, '  ').join('|'), 'a b|  c');
  assert.equal(wrapText('abcdefgh', 3).join('|'), 'abc|def|gh');
});

test('tables are box characters on a Windows console, ASCII when redirected', async () => {
  const tty = await runMain(['fixtures/w2k-console.log'], { stdoutIsTTY: true, columns: 120, platform: 'win32', env: { NO_COLOR: '1' } });
  assert.match(tty.stdout, /┌────────────────┬/);
  assert.match(tty.stdout, /program’s leak/);
  const redirected = await runMain(['fixtures/w2k-console.log'], { platform: 'win32' });
  assert.match(redirected.stdout, /\+----------------\+/);
  assert.doesNotMatch(redirected.stdout, /[^\x00-\x7f]/, 'pure ASCII: `type` and PowerShell 5.1 read it in the OEM code page');
  assert.equal(wantUnicode(true, {}, 'win32'), true);
  assert.equal(wantUnicode(true, { LANG: 'C' }, 'linux'), false);
  assert.equal(wantUnicode(false, { LANG: 'en_US.UTF-8' }, 'linux'), false);
});

test('colour: --color[=WHEN], --no-color, NO_COLOR, FORCE_COLOR (0 is off), TERM=dumb, else the terminal', async () => {
  const coloured = async (args: string[], env: Record<string, string>, tty: boolean) =>
    /\x1b\[/.test((await runMain([...args, 'fixtures/w2k-console.log'], { env, stdoutIsTTY: tty, columns: 100 })).stdout);
  const none = { NO_COLOR: '' };
  assert.equal(await coloured([], none, false), false);
  assert.equal(await coloured([], none, true), true);
  assert.equal(await coloured(['--color'], none, false), true);
  assert.equal(await coloured(['--color=always'], none, false), true);
  assert.equal(await coloured(['--colour=yes'], none, false), true);
  assert.equal(await coloured(['--no-color'], none, true), false);
  assert.equal(await coloured(['--color=never'], none, true), false);
  assert.equal(await coloured(['--color=auto'], none, true), true);
  assert.equal(await coloured([], { ...none, FORCE_COLOR: '0' }, true), false); // the bug
  assert.equal(await coloured([], { ...none, FORCE_COLOR: 'false' }, true), false);
  assert.equal(await coloured([], { ...none, FORCE_COLOR: '1' }, false), true);
  assert.equal(await coloured([], { NO_COLOR: '1' }, true), false);
  assert.equal(await coloured([], { NO_COLOR: '1', FORCE_COLOR: '1' }, true), false);
  assert.equal(await coloured(['--color'], { NO_COLOR: '1' }, false), true); // the flag wins
  assert.equal(wantColour(undefined, { TERM: 'dumb' }, true), false);
  assert.equal(wantColour(undefined, { FORCE_COLOR: '' }, false), true);
});

test('wildcards: expanded by spylog (cmd and PowerShell pass them on), sorted, literal names first', async () => {
  const dir = join(tmp, 'wild');
  mkdirSync(join(dir, 'logs', 'sub'), { recursive: true });
  const log = 'CoInitialize() returns 0x00000000\nMALLOC SPY: 0x10 - 8 bytes allocated\n';
  for (const f of ['run2.log', 'run10.log', 'Run1.LOG', 'run[1].log', 'notes.txt']) writeFileSync(join(dir, 'logs', f), log);
  writeFileSync(join(dir, 'logs', 'sub', 'deep.log'), log);
  const sources = async (args: string[], platform = 'linux') => {
    const r = await runMain(['-f', 'csv', ...args], { cwd: dir, platform });
    assert.equal(r.status, 0, r.stderr);
    return [
      ...new Set(
        r.stdout
          .split('\r\n')
          .slice(1, -1)
          .map((row) => row.split(',')[0]),
      ),
    ];
  };
  assert.deepEqual(await sources(['logs/*.log']), ['logs/run10.log', 'logs/run2.log', 'logs/run[1].log']);
  // Windows (simulated: the matches are Windows paths, which Linux cannot open): backslashes,
  // case-insensitive, sorted as `dir` does, matches joined with `\`.
  const win = (args: string[]) => expandLogArgs(args, { platform: 'win32', cwd: dir });
  assert.deepEqual(await win(['logs\\*.log']), ['logs\\Run1.LOG', 'logs\\run10.log', 'logs\\run2.log', 'logs\\run[1].log']);
  assert.deepEqual(await win(['logs/RUN?.LOG']), ['logs\\Run1.LOG', 'logs\\run2.log']);
  assert.ok((await win(['logs\\**\\*.log'])).includes('logs\\sub\\deep.log'));
  assert.deepEqual(await win(['logs\\run[1].log']), ['logs\\run[1].log']);
  // An existing file is taken as it is, even with wildcard characters in its name.
  assert.deepEqual(await sources(['logs/run[1].log']), ['logs/run[1].log']);
  usageError(await runMain(['logs/*.etl'], { cwd: dir }), 'spylog: no file matches logs/*.etl');
  // Among other logs, like a missing file: the others are reported, exit 2.
  const mixed = await runMain(['-f', 'csv', 'logs/*.etl', 'logs/run2.log'], { cwd: dir });
  assert.equal(mixed.status, 2);
  assert.equal(mixed.stderr, 'spylog: no file matches logs/*.etl\n');
  assert.match(mixed.stdout, /^source,.*\r\nlogs\/run2\.log,/);
  // One-log commands take a wildcard that names one file, and refuse one that names several.
  const one = await runMain(['check', 'logs/sub/*.log'], { cwd: dir });
  assert.notEqual(one.status, 2, one.stderr);
  assert.match(one.stdout, /^spylog check: logs\/sub\/deep\.log\n/);
  usageError(
    await runMain(['check', 'logs/*.log'], { cwd: dir }),
    /^spylog: logs\/\*\.log matches 3 files \(logs\/run10\.log, logs\/run2\.log, \.\.\.\); one log must be a single file\n$/,
  );
  assert.deepEqual(splitWildcard('C:\\logs\\2024-*\\*.log', 'win32'), { base: 'C:\\logs', pattern: '2024-*/*.log' });
  assert.deepEqual(splitWildcard('\\\\server\\share\\*.log', 'win32'), { base: '\\\\server\\share\\', pattern: '*.log' });
  assert.deepEqual(splitWildcard('logs\\x(1)*.log', 'win32'), { base: 'logs', pattern: 'x\\(1\\)*.log' });
  // The real thing, through a shell that passes the quoted pattern on.
  const spawned = spylog(['-f', 'csv', join(dir, 'logs', 'run?.log')]);
  assert.equal(spawned.status, 0, spawned.stderr);
  assert.match(spawned.stdout, /run2\.log/);
});

test('disk full: the report to stdout and --html are one line and exit 2', (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full here (Windows)');
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  // main() resolved with 0 after the stream's error handler had set 2: the worst code must stay.
  const stdout = sh(`"${process.execPath}" "${BIN}" report fixtures/w2k-console.log > /dev/full`);
  assert.equal(stdout.status, 2);
  assert.equal(stdout.stderr, 'spylog: cannot write the output: the disk is full\n');
  const html = sh(`"${process.execPath}" "${BIN}" report fixtures/w2k-console.log --html /dev/full > /dev/null`);
  assert.equal(html.status, 2);
  assert.equal(html.stderr, 'spylog: cannot write /dev/full: the disk is full\n');
  assert.ok(existsSync('/dev/full'), 'a device is never removed');
});

test('the progress line never reaches the last column, whatever the path', () => {
  const name = 'C:\\Users\\developer\\captures\\2026-11-30\\very-long-run-name-redirected.log';
  for (const columns of [40, 60, 80, 120, 200]) {
    const line = formatProgress(name, 512e6, 1200e6, 5000, columns);
    assert.ok(displayWidth(line) <= columns - 1, `${columns}: ${line}`);
    assert.ok(line.endsWith('%') || /MB/.test(line), line);
  }
  assert.match(formatProgress(name, 512e6, 1200e6, 5000, 60), /^spylog: \.\.\.\S*\.log \[#+-+\] +42%/);
  assert.equal(formatProgress('run.log', 512e6, 1200e6, 5000, 120), 'spylog: run.log [##########--------------]  42%  512.0/1,200.0 MB  102.4 MB/s');
});

test('a dialect file saved by Notepad (UTF-8 BOM) or PowerShell 5.1 (UTF-16LE BOM) reads like plain UTF-8', () => {
  const json = readFileSync(fixture('capture/heaptrace.dialect.json'), 'utf8');
  const want = spylog(['-f', 'json', '--dialect', fixture('capture/heaptrace.dialect.json'), 'fixtures/capture/heaptrace.log']);
  assert.equal(want.status, 0, want.stderr);
  for (const [name, bytes] of [
    ['bom8.json', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(json)])],
    ['bom16.json', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json.replace(/\n/g, '\r\n'), 'utf16le')])],
  ] as const) {
    writeFileSync(join(tmp, name), bytes);
    const r = spylog(['-f', 'json', '--dialect', join(tmp, name), 'fixtures/capture/heaptrace.log']);
    assert.equal(r.status, 0, `${name}: ${r.stderr}`);
    assert.deepEqual(JSON.parse(r.stdout).summary, JSON.parse(want.stdout).summary);
  }
});

test('an empty baseline file is refused (a failed `spylog baseline > known.csv` leaves one)', async () => {
  for (const text of ['', '\r\n', '# only a comment\n']) {
    writeFileSync(join(tmp, 'empty.csv'), text);
    const r = await runMain(['check', 'fixtures/w2k-redirected.log', '-b', join(tmp, 'empty.csv')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /^spylog: .*empty\.csv:1: the baseline is empty \(it needs at least the header line that spylog baseline writes\)\n$/);
  }
});

test('spylog - at a keyboard says how to end the input', async () => {
  const { main } = await import('../src/cli/main.js');
  const { PassThrough, Writable } = await import('node:stream');
  const chunks: string[] = [];
  const err = new Writable({
    write(c: Buffer, _e, done) {
      chunks.push(String(c));
      done();
    },
  });
  const stdin = new PassThrough();
  stdin.end('');
  const sink = new Writable({ write: (_c, _e, done) => done() });
  await main(['-'], {
    stdin,
    stdout: sink,
    stderr: err,
    env: { NO_COLOR: '1' },
    stdoutIsTTY: false,
    stderrIsTTY: false,
    stdinIsTTY: true,
    platform: 'win32',
  });
  assert.equal(chunks.join(''), 'spylog: reading the log from the keyboard; end it with Ctrl+Z, Enter\n');
});
