// The command line's error paths end, with the right code and one line of words: a stderr
// that cannot be written, output folders that cannot be made (also where Node's recursive
// mkdir spins), a full disk, and bugs that must not pass for a bad file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { BIN, ROOT, runMain } from './helpers.js';
import { analyzeLog, type Io } from '../src/cli/io.js';
import { makeFolders } from '../src/cli/output.js';
import { writeError } from '../src/cli/write-error.js';
import { SpylogError } from '../src/errors.js';
import { builtinDialect } from '../src/dialect/registry.js';

const tmp = mkdtempSync(join(tmpdir(), 'spylog-hardening-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const LOG = 'fixtures/w2k-console.log';

/** spylog with stdout and stderr sent to the given files (paths), or captured. A hang fails the test (killed after a minute), it never blocks the run. */
function spawnTo(args: string[], to: { stdout?: string; stderr?: string } = {}) {
  const fds = [to.stdout, to.stderr].map((p) => (p === undefined ? 'pipe' : openSync(p, 'w')));
  try {
    return spawnSync(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', fds[0]!, fds[1]!],
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    });
  } finally {
    for (const fd of fds) if (typeof fd === 'number') closeSync(fd);
  }
}

test('a stderr that cannot be written ends the run with exit 2 (a missing log, a usage error, a warning)', (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full here (Windows)');
  for (const args of [
    ['report', 'missing.log'],
    ['report', '--bogus', LOG],
    ['baseline', LOG],
    ['report', 'fixtures/capture/unknown-format.log'],
  ]) {
    const r = spawnTo(args, { stderr: '/dev/full' });
    assert.equal(r.signal, null, `${args.join(' ')}: killed, it did not end`);
    assert.equal(r.status, 2, args.join(' '));
  }
});

test('a full disk on stdout: exit 2 and one line, for every format and command', (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full here (Windows)');
  const runs = [
    ['report', LOG],
    ['report', '-f', 'json', LOG],
    ['report', '-f', 'csv', LOG],
    ['check', LOG],
    ['diff', LOG, LOG],
    ['baseline', 'fixtures/w2k-console-noleak.log'],
  ];
  for (const args of runs) {
    const r = spawnTo(args, { stdout: '/dev/full' });
    assert.equal(r.status, 2, args.join(' '));
    assert.equal(r.stderr, 'spylog: cannot write the output: the disk is full\n', args.join(' '));
  }
});

test('output folders: made when missing, refused in words when they cannot be (also in /proc, where Node spins)', async () => {
  const out = join(tmp, 'new', 'deeper', 'junit.xml');
  const made = await runMain(['check', LOG, '-f', 'junit', '-o', out]);
  assert.equal(made.status, 1, made.stderr);
  assert.match(readFileSync(out, 'utf8'), /^<\?xml/);
  writeFileSync(join(tmp, 'plain'), 'a file');
  const notFolder = await runMain(['check', LOG, '-o', join(tmp, 'plain', 'sub', 'x.txt')]);
  assert.equal(notFolder.status, 2);
  assert.equal(notFolder.stderr, `spylog: cannot write ${join(tmp, 'plain', 'sub', 'x.txt')}: a part of the path is a file, not a folder\n`);
  const html = await runMain([LOG, '--html', join(tmp, 'plain', 'r.html')]);
  assert.equal(html.status, 2);
  assert.match(html.stderr, /: a part of the path is a file, not a folder\n$/);
  assert.equal(html.stdout, '', 'refused before the report is printed');
  if (existsSync('/proc/self')) {
    // procfs answers ENOENT for a child of /proc and EEXIST for /proc: fs.mkdir({recursive}) never returns.
    for (const path of ['/proc/nope/x.xml', '/proc/self/nope/x.xml']) {
      const r = spawnTo(['check', LOG, '-o', path]);
      assert.equal(r.signal, null, `${path}: killed, it did not end`);
      assert.equal(r.status, 2);
      assert.equal(r.stderr, `spylog: cannot write ${path}: a folder on the way does not exist and cannot be created\n`);
    }
  }
  await makeFolders(join(tmp, 'a', 'b', 'c'));
  await makeFolders(join(tmp, 'a', 'b', 'c')); // already there: nothing to do
  assert.ok(existsSync(join(tmp, 'a', 'b', 'c')));
});

test('write errors are words; an error that is not the system`s is a bug, not a file`s fault', () => {
  const enospc = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.equal(writeError('out.xml', enospc).message, 'cannot write out.xml: the disk is full');
  assert.equal(
    writeError('out.xml', Object.assign(new Error('x'), { code: 'EEXIST' })).message,
    'cannot write out.xml: a part of the path is a file, not a folder',
  );
  assert.throws(() => writeError('out.xml', new RangeError('Invalid string length')), RangeError);
});

test('a bug while a log is read stays a bug (main throws it, cli.ts exits 70), never "cannot read FILE"', async () => {
  const evil = {
    ...builtinDialect('mallocspy', {}),
    recognizes: () => true,
    classify: () => {
      throw new TypeError('a bug');
    },
  };
  delete (evil as { fastPath?: unknown }).fastPath;
  const io: Io = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
  };
  await assert.rejects(analyzeLog(join(ROOT, LOG), io, { dialect: evil }), (err: Error) => err instanceof TypeError && !(err instanceof SpylogError));
  // From standard input too: the throw inside the stream's 'data' handler used to be uncaught (exit 1, a "failed gate").
  const stdin = new PassThrough();
  stdin.end(readFileSync(join(ROOT, LOG)));
  await assert.rejects(analyzeLog('-', { ...io, stdin }, { dialect: evil }), (err: Error) => err instanceof TypeError);
  // A real file error still names the file.
  await assert.rejects(analyzeLog(join(tmp, 'missing.log'), io, {}), (err: Error) => err instanceof SpylogError && /no such file/.test(err.message));
});

test('--max-line-length has an upper bound (16 MiB): a clear usage error before anything is read', async () => {
  for (const value of ['1e12', '16777217']) {
    const r = await runMain([LOG, '--max-line-length', value]);
    assert.equal(r.status, 2);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `spylog: --max-line-length must be a whole number from 80 to 16777216 (got ${Number(value)})\n`);
  }
  assert.equal((await runMain([LOG, '--max-line-length', '16777216'])).status, 0);
});

test('a dialect file and a baseline are read from regular files only, up to a size', async () => {
  for (const device of ['/dev/zero', '/dev/null']) {
    if (!existsSync(device)) continue;
    const d = await runMain([LOG, '--dialect', device]);
    assert.equal(d.status, 2);
    assert.equal(
      d.stderr,
      `spylog: cannot read dialect file ${device}: not a regular file (a dialect is read from a file, not a device or a pipe) (built-in dialects: mallocspy, crt)\n`,
    );
    const b = await runMain(['check', LOG, '-b', device]);
    assert.equal(b.status, 2);
    assert.equal(b.stderr, `spylog: cannot read ${device}: not a regular file (a baseline is read from a file, not a device or a pipe)\n`);
  }
  const fifo = join(tmp, 'fifo');
  if (spawnSync('mkfifo', [fifo]).status === 0) {
    // Opening a FIFO without a writer would wait forever: it is refused before it is opened.
    const r = spawnTo(['check', LOG, '-b', fifo]);
    assert.equal(r.signal, null, 'killed: it waited for a writer');
    assert.equal(r.status, 2);
  }
  const big = join(tmp, 'big.dialect.json');
  writeFileSync(big, Buffer.alloc(1024 * 1024 + 1, 0x20));
  const r = await runMain([LOG, '--dialect', big]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /: 1,048,577 bytes, larger than a dialect may be \(1 MiB\)/);
});

test('-o - and --html - are refused (they would write a file named -), before the log is read', async () => {
  const cwd = mkdtempSync(join(tmp, 'dash-'));
  const o = await runMain(['check', join(ROOT, LOG), '-f', 'junit', '-o', '-'], { cwd });
  assert.equal(o.status, 2);
  assert.match(o.stderr, /^spylog: -o - is not standard output here: give the format that goes to standard output last, without -o/);
  const h = await runMain([join(ROOT, LOG), '--html', '-'], { cwd });
  assert.equal(h.status, 2);
  assert.equal(h.stdout, '');
  assert.equal(h.stderr, 'spylog: --html needs a file name: standard output gets the --format report, not the HTML one\n');
  assert.ok(!existsSync(join(cwd, '-')));
});
