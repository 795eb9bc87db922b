// The CLI as users run it: bin/spylog.js in a child process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, fixture, spylog } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'spylog-cli-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

test('report is the default command; text goes to stdout, exit 0', () => {
  const a = spylog(['report', 'fixtures/w2k-console.log']);
  const b = spylog(['fixtures/w2k-console.log']);
  assert.equal(a.status, 0);
  assert.equal(a.stderr, '');
  assert.match(a.stdout, /^spylog report: fixtures\/w2k-console\.log\nLEAKS: 2 true leaks \(128 bytes\)/);
  assert.equal(b.stdout, a.stdout);
});

test('--format json prints one spylog/report@1 object per log, one per line', () => {
  const r = spylog(['report', '--format', 'json', 'fixtures/w2k-console.log', 'fixtures/nt4-clean.log']);
  assert.equal(r.status, 0);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.length, 2);
  const [a, b] = lines.map((l) => JSON.parse(l));
  assert.equal(a.schema, 'spylog/report@1');
  assert.equal(a.source, 'fixtures/w2k-console.log');
  assert.deepEqual(a.summary['true-leak'], { blocks: 2, bytes: 128 });
  assert.equal(b.source, 'fixtures/nt4-clean.log');
  assert.equal(b.truncation, 'complete');
});

test('--format csv writes one header, then a row per non-freed block of each log', () => {
  const r = spylog(['-f', 'csv', 'fixtures/real/leak2-redirected.log', 'fixtures/real/leak2-exitfree-redirected.log']);
  const rows = r.stdout.trimEnd().split('\r\n');
  assert.equal(rows[0], 'source,address,size,category,context,allocLine,freeLine,inDump,decidedBy,data,ordinal');
  assert.equal(rows.length, 5);
  assert.match(rows[1]!, /^fixtures\/real\/leak2-redirected\.log,0x000000000034C9C0,64,unresolved,CoTaskMemAlloc,3,,true,log,/);
  assert.match(rows[4]!, /,exitprocess,CoTaskMemAlloc,5,16,true,log,/);
});

test('- reads standard input, also UTF-16LE', () => {
  const r = spylog(['report', '-f', 'json', '-'], { input: readFileSync(fixture('w2k-utf16le.log')) });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.equal(report.source, '-');
  assert.equal(report.encoding, 'utf16le-bom');
  assert.deepEqual(report.summary.exitprocess, { blocks: 11, bytes: 784 });
});

test('--assume-complete turns unresolved blocks into true leaks, decided by assume-complete', () => {
  const r = spylog(['-f', 'json', '--assume-complete', 'fixtures/w2k-redirected.log']);
  const report = JSON.parse(r.stdout);
  assert.equal(report.truncation, 'possibly-truncated');
  assert.deepEqual(report.summary['true-leak'], { blocks: 13, bytes: 912 });
  const leaks = report.blocks.filter((b: { category: string }) => b.category === 'true-leak');
  assert.equal(leaks.length, 13);
  assert.ok(leaks.every((b: { decidedBy: string }) => b.decidedBy === 'assume-complete'));
});

test('bad input: missing file, directory, bad usage: exit 2 with one line naming the file', () => {
  const missing = spylog(['report', 'no/such.log']);
  assert.equal(missing.status, 2);
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, 'spylog: cannot read no/such.log: no such file\n');
  const dir = spylog(['report', 'fixtures']);
  assert.equal(dir.status, 2);
  assert.equal(dir.stderr, 'spylog: cannot read fixtures: is a directory\n');
  const usage = spylog(['report', '--format', 'xml', 'fixtures/empty.log']);
  assert.equal(usage.status, 2);
  assert.equal(usage.stderr, "spylog: --format must be one of text, json, csv (got 'xml'); see spylog report --help\n");
  assert.doesNotMatch(usage.stderr, /\n\s+at /, 'no stack trace');
  const none = spylog([]);
  assert.equal(none.status, 2);
  const twice = spylog(['-', '-'], { input: '' });
  assert.equal(twice.status, 2);
  assert.match(twice.stderr, /standard input \(-\) can be read only once/);
});

test('bad input: a directory as standard input (`spylog - < dir`) is an error, not an empty log', () => {
  const fd = openSync(join(ROOT, 'fixtures'), 'r');
  try {
    for (const command of ['report', 'check']) {
      const r = spawnSync(process.execPath, [BIN, command, '-'], { stdio: [fd, 'pipe', 'pipe'], encoding: 'utf8' });
      assert.equal(r.status, 2, command);
      assert.equal(r.stdout, '', command);
      assert.equal(r.stderr, 'spylog: cannot read standard input: it is a directory\n', command);
    }
  } finally {
    closeSync(fd);
  }
});

test('one unreadable log among several: the others are reported, exit 2', () => {
  const r = spylog(['-f', 'json', 'fixtures/nt4-clean.log', 'missing.log']);
  assert.equal(r.status, 2);
  assert.equal(JSON.parse(r.stdout).source, 'fixtures/nt4-clean.log');
  assert.equal(r.stderr, 'spylog: cannot read missing.log: no such file\n');
});

test('an unreadable file (permissions) is exit 2 naming the file', (t) => {
  if (process.getuid?.() === 0) {
    t.skip('root reads files whatever their mode');
    return;
  }
  const path = join(tmp, 'locked.log');
  writeFileSync(path, 'x\n', { mode: 0o000 });
  const r = spylog(['report', path]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr, `spylog: cannot read ${path}: permission denied\n`);
});

test('empty file: a valid report saying the log has no events', () => {
  const r = spylog(['-f', 'json', 'fixtures/empty.log']);
  assert.equal(r.status, 0);
  const report = JSON.parse(r.stdout);
  assert.equal(report.lines, 0);
  assert.deepEqual(report.evidence, ['the log is empty: it has no events']);
});

test('binary garbage: anomalies, no crash', () => {
  const path = join(tmp, 'random.bin');
  const bytes = Buffer.alloc(300_000);
  let x = 12345;
  for (let i = 0; i < bytes.length; i++) bytes[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  writeFileSync(path, bytes);
  const r = spylog(['-f', 'json', path]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(report.anomalyCounts['unreadable-line'] > 0);
  assert.equal(report.allocs, 0);
});

test('a 50 MB line without a newline: bounded memory (runs in a 48 MB heap), an anomaly, truncated', () => {
  const path = join(tmp, 'long.log');
  const fd = openSync(path, 'w');
  writeSync(fd, 'CoInitialize() returns 0x00000000\nMALLOC SPY: 0x10 - 8 bytes allocated\n');
  const chunk = Buffer.alloc(1 << 20, 'A');
  for (let i = 0; i < 50; i++) writeSync(fd, chunk);
  closeSync(fd);
  const r = spawnSync(process.execPath, ['--max-old-space-size=48', BIN, '-f', 'json', path], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr.slice(0, 500));
  const report = JSON.parse(r.stdout);
  assert.equal(report.lines, 3);
  assert.equal(report.truncation, 'truncated');
  assert.equal(report.anomalies[0].kind, 'overlong-line');
  assert.equal(report.anomalies[0].line, 3);
  assert.equal(report.blocks[0].category, 'unresolved');
});

test('a closed stdout pipe is a quiet exit, not a crash', () => {
  // bash reports spylog's own exit status (PIPESTATUS[0]), not head's.
  const r = spawnSync(
    'bash',
    ['-c', `"${process.execPath}" "${BIN}" -f csv fixtures/copyproxy-unreleased.log | head -c 10 >/dev/null; echo "status=\${PIPESTATUS[0]}"`],
    { cwd: ROOT, encoding: 'utf8' },
  );
  assert.equal(r.stdout, 'status=0\n');
  assert.equal(r.stderr, '');
});

test('colour only when asked for or on a TTY, never with NO_COLOR', () => {
  const plain = spylog(['fixtures/w2k-console.log']);
  assert.doesNotMatch(plain.stdout, /\x1b\[/);
  const forced = spylog(['fixtures/w2k-console.log'], { env: { NO_COLOR: '', FORCE_COLOR: '1' } });
  assert.match(forced.stdout, /\x1b\[31m/);
  const both = spylog(['fixtures/w2k-console.log'], { env: { NO_COLOR: '1', FORCE_COLOR: '1' } });
  assert.doesNotMatch(both.stdout, /\x1b\[/);
});

test('--help and --version exit 0 on stdout', () => {
  const help = spylog(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /^Usage: spylog \[report\] \[options\] <logs\.\.\.>\n/);
  const version = spylog(['--version']);
  assert.equal(version.status, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});
