// Every output of `check` and `diff` is written in pieces, each before the next is made: the
// pieces must join to exactly the string the reporter returns (and that the goldens hold),
// whatever the size of the pieces and however slowly the output drains; and an output too
// big for one string (a check of 300,000 leaked blocks lists each twice) must be valid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { analyzeBuffer } from '../src/analyze.js';
import { parseBaseline } from '../src/baseline/read.js';
import { gate, type CheckResult } from '../src/check/gate.js';
import { CHECK_FORMATS, CHECK_PARTS, CHECK_REPORTERS } from '../src/check/reporters/index.js';
import { DIFF_FORMATS, DIFF_PARTS, DIFF_REPORTERS, diffReports } from '../src/diff/index.js';
import { writeParts } from '../src/cli/io.js';
import { writeOutputFile } from '../src/cli/output.js';
import { jsonBytes, jsonPieces } from '../src/text/json.js';
import { joinAll } from '../src/text/pieces.js';
import type { Report } from '../src/model/report.js';
import { PLAIN } from '../src/report/style.js';
import { BIN, ROOT, everyFixtureLog, fixture, runMain } from './helpers.js';

const GENEROUS = { timeout: 120_000 };
const OPTIONS = { name: 'x', elapsedMs: 1234, tool: { version: '0.1.0' } };

const tmp = mkdtempSync(join(tmpdir(), 'spylog-streamed-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

/** A stream that takes one byte at a time, asynchronously: every write but the first waits for 'drain'. */
function slowSink(): { stream: Writable; text: () => string; writes: () => number } {
  const chunks: Buffer[] = [];
  let writes = 0;
  const stream = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _enc, done) {
      writes++;
      chunks.push(Buffer.from(chunk));
      setImmediate(done);
    },
  });
  return { stream, text: () => Buffer.concat(chunks).toString('utf8'), writes: () => writes };
}

function analyze(path: string, baseline?: string): Report {
  return analyzeBuffer(readFileSync(fixture(path)), {
    source: path,
    ...(baseline ? { baseline: parseBaseline(readFileSync(fixture(baseline), 'utf8'), baseline) } : {}),
  });
}

/** Leaks that make long arrays (the JSON writer walks arrays longer than 64): 1,000 blocks at 30 sites. */
function manyLeaks(blocks: number, sites: number, source = 'many.log'): Report {
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  const perSite = Math.ceil(blocks / sites);
  for (let i = 0; i < blocks; i++) {
    lines.push(`MALLOC SPY: 0x${(0x100000 + i * 16).toString(16).toUpperCase()} - ${16 + (Math.floor(i / perSite) % 7) * 8} bytes allocated`);
    if ((i + 1) % perSite === 0 || i === blocks - 1) lines.push(`Site${Math.floor(i / perSite)}() returns 0x00000000`);
  }
  lines.push('MALLOC SPY: 0x7FFF0000 - 8 bytes allocated', 'Called CoUninitialize()');
  lines.push('CoRevokeMallocSpy() returns 0x80070005', `MALLOC SPY: 0x7FFF0000 - freed, ${blocks} blocks remaining`);
  return analyzeBuffer(lines.join('\n') + '\n', { source });
}

function results(): [string, CheckResult][] {
  const out: [string, CheckResult][] = [];
  for (const log of everyFixtureLog()) if (!log.dialectFile) out.push([log.path, gate(analyze(log.path.replace(/^fixtures\//, '')))]);
  out.push(['w2k-redirected.log with a baseline', gate(analyze('w2k-redirected.log', 'baselines/w2k-known-runtime.csv'))]);
  out.push(['a stale baseline', gate(analyze('w2k-redirected-noleak.log', 'baselines/w2k-stale.csv'))]);
  out.push(['1,000 leaks at 30 sites', gate(manyLeaks(1000, 30))]);
  return out;
}

test('every check format, written a character at a time to a slow stream or a file, is the whole string byte for byte', GENEROUS, async () => {
  const cases = results();
  assert.ok(cases.length > 20);
  let n = 0;
  for (const [name, result] of cases) {
    for (const format of CHECK_FORMATS) {
      const whole = CHECK_REPORTERS[format](result, PLAIN, OPTIONS);
      const parts = () => CHECK_PARTS[format](result, PLAIN, OPTIONS);
      assert.equal(joinAll(parts()), whole, `${name} ${format}: the pieces`);
      const sink = slowSink();
      await writeParts(sink.stream, parts(), 1);
      assert.equal(sink.text(), whole, `${name} ${format}: to a slow stream`);
      const file = join(tmp, `out-${n++}`);
      await writeOutputFile(file, parts(), 'write', 1);
      assert.equal(readFileSync(file, 'utf8'), whole, `${name} ${format}: to a file`);
    }
    // What the streamed formats replaced: one JSON.stringify of the whole.
    assert.equal(CHECK_REPORTERS.json(result, PLAIN), JSON.stringify(result) + '\n', `${name}: json`);
    assert.equal(joinAll(jsonPieces(result, 1)), JSON.stringify(result), `${name}: json in pieces of one character`);
    assert.deepEqual(Buffer.concat([...jsonBytes(result, 1)]), Buffer.from(JSON.stringify(result)), `${name}: json as bytes, pieces of one byte`);
    const quality = CHECK_REPORTERS.codequality(result, PLAIN, OPTIONS);
    assert.equal(quality, JSON.stringify(JSON.parse(quality), null, 2) + '\n', `${name}: codequality`);
  }
});

test('JSON as UTF-8 pieces is the bytes of JSON.stringify, in pieces of any size', () => {
  const item = (i: number) => ({
    n: i,
    text: i % 7 === 0 ? 'Hello, w\u2026' : i % 11 === 0 ? 'a\ud800b "q" \\ \n\u00e9' : 'x',
    none: undefined,
    f: () => 1,
  });
  const values: unknown[] = [
    {
      blocks: Array.from({ length: 1000 }, (_, i) => item(i)),
      empty: [],
      none: undefined,
      nested: [[...Array(100).keys()], 1, { deep: Array.from({ length: 70 }, (_, i) => [i, '\u00e9']) }],
    },
    Array.from({ length: 300 }, (_, i) => (i % 50 === 0 ? { long: Array(65).fill('\u2026') } : item(i))),
    Array.from({ length: 65 }, () => []),
    [],
    {},
    'text',
    42,
    null,
    manyLeaks(1000, 30),
  ];
  for (const value of values) {
    const whole = Buffer.from(JSON.stringify(value));
    for (const size of [1, 7, 1000, undefined]) {
      const pieces = [...jsonBytes(value, size)];
      assert.deepEqual(Buffer.concat(pieces), whole, `pieces of ${size ?? 'the default size'}`);
      assert.ok(pieces.every((p) => p.length > 0));
      if (size === 7 && whole.length > 10_000) assert.ok(pieces.length > 5, 'written in pieces');
    }
  }
});

test('every diff format, written a character at a time to a slow stream, is the whole string byte for byte', GENEROUS, async () => {
  const pairs: [string, Report, Report][] = [
    ['nt4 / w2k', analyze('article-nt4.log'), analyze('article-win2000.log')],
    ['redirected / console', analyze('w2k-redirected.log'), analyze('w2k-console.log')],
    ['300 sites / 1,000 leaks at 30 sites', manyLeaks(300, 300, 'a.log'), manyLeaks(1000, 30, 'b.log')],
  ];
  for (const [name, a, b] of pairs) {
    const diff = diffReports(a, b);
    assert.equal(DIFF_REPORTERS.json(diff), JSON.stringify(diff) + '\n', `${name}: json`);
    for (const format of DIFF_FORMATS) {
      const whole = DIFF_REPORTERS[format](diff, PLAIN);
      const sink = slowSink();
      await writeParts(sink.stream, DIFF_PARTS[format](diff, PLAIN), 1);
      assert.equal(sink.text(), whole, `${name} ${format}`);
      // The text is bounded (capped tables): one string; JSON and CSV come a member or a row at a time.
      if (format !== 'text') assert.ok(sink.writes() > 1, `${name} ${format}: written in pieces`);
    }
  }
});

test('a file written in pieces is appended to when asked, never removed', async () => {
  const file = join(tmp, 'summary.md');
  await writeOutputFile(file, 'first\n');
  await writeOutputFile(file, ['\n', 'sec', 'ond\n'], 'append', 2);
  assert.equal(readFileSync(file, 'utf8'), 'first\n\nsecond\n');
});

test('check -o: every output file is the same bytes as standard output', async () => {
  for (const format of CHECK_FORMATS) {
    const file = join(tmp, `cli-${format}`);
    const toFile = await runMain(['check', 'fixtures/w2k-console.log', '-f', format, '-o', file, '--name', 'x']);
    const toStdout = await runMain(['check', 'fixtures/w2k-console.log', '-f', format, '--name', 'x']);
    assert.equal(toFile.status, 1, toFile.stderr);
    const time = (s: string) => s.replace(/ time="\d+\.\d{3}"/g, ' time="0.000"');
    assert.equal(time(readFileSync(file, 'utf8')), time(toStdout.stdout), format);
  }
});

test('a streamed output that cannot be written: one line naming it, exit 2', (t) => {
  if (!existsSync('/dev/full')) return t.skip('no /dev/full here (Windows)');
  const sh = (cmd: string) => spawnSync('sh', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  for (const format of ['json', 'junit', 'codequality']) {
    const file = sh(`"${process.execPath}" "${BIN}" check fixtures/w2k-console.log -f ${format} -o /dev/full > /dev/null`);
    assert.equal(file.status, 2, format);
    assert.equal(file.stderr, 'spylog: cannot write /dev/full: the disk is full\n', format);
    const stdout = sh(`"${process.execPath}" "${BIN}" check fixtures/w2k-console.log -f ${format} > /dev/full`);
    assert.equal(stdout.status, 2, format);
    assert.equal(stdout.stderr, 'spylog: cannot write the output: the disk is full\n', format);
  }
  const diff = sh(`"${process.execPath}" "${BIN}" diff fixtures/article-nt4.log fixtures/article-win2000.log -f json > /dev/full`);
  assert.equal(diff.status, 2);
  assert.equal(diff.stderr, 'spylog: cannot write the output: the disk is full\n');
  const summary = sh(`GITHUB_STEP_SUMMARY=/dev/full "${process.execPath}" "${BIN}" check fixtures/w2k-console.log > /dev/null`);
  assert.equal(summary.status, 2);
  assert.equal(summary.stderr, 'spylog: cannot write /dev/full: the disk is full\n');
});

test('check -f json of 300,000 leaked blocks at 50,000 sites: valid JSON, each block in its group and in the report', () => {
  // Synchronous: Node's timeout cannot stop it, so its time is asserted at the end.
  const started = performance.now();
  const n = 300_000;
  const sites = 50_000;
  const result = gate(manyLeaks(n, sites, 'big.log'));
  // Written as the CLI writes it, in pieces; parsed whole here (~110 MB, within a string's limit).
  const pieces = [...CHECK_PARTS.json(result, PLAIN, {})];
  assert.ok(pieces.length > 100, `${pieces.length} pieces`);
  assert.ok(Math.max(...pieces.map((p) => p.length)) < 1 << 20, 'no piece is the whole');
  const parsed = JSON.parse(pieces.join('')) as {
    schema: string;
    passed: boolean;
    leaks: { blocks: unknown[] }[];
    unresolved: unknown[];
    report: { blocks: unknown[]; summary: { 'true-leak': { blocks: number } } };
  };
  assert.equal(parsed.schema, 'spylog/check@1');
  assert.equal(parsed.passed, false);
  assert.equal(parsed.leaks.length, sites);
  assert.equal(
    parsed.leaks.reduce((s, g) => s + g.blocks.length, 0),
    n,
  );
  assert.equal(parsed.unresolved.length, 0);
  assert.equal(parsed.report.summary['true-leak'].blocks, n);
  assert.equal(parsed.report.blocks.length, n + 1, 'the leaks and the block the runtime freed at exit');
  // The formats with an entry per site stream too, and stay well-formed.
  const junit = joinAll(CHECK_PARTS.junit(result, PLAIN, {}));
  assert.equal(junit.match(/<testcase /g)?.length, sites + 2, 'a case per site and per gate check');
  assert.match(junit, new RegExp(`<testsuites name="spylog" tests="${sites + 2}" failures="${sites + 1}" errors="0"`));
  const quality = JSON.parse(joinAll(CHECK_PARTS.codequality(result, PLAIN, {}))) as unknown[];
  assert.equal(quality.length, sites);
  assert.ok(performance.now() - started < 120_000, 'within two minutes');
});

test('a file read in recycled buffers gives the report of the same bytes in memory (UTF-8 and UTF-16LE, many chunks)', async () => {
  const { openLog } = await import('../src/read/source.js');
  const { analyzeStream } = await import('../src/analyze.js');
  const dir = mkdtempSync(join(tmpdir(), 'spylog-recycle-'));
  try {
    // Runs appended to each other, with addresses that differ from run to run: ~3 MB, a dozen reads.
    const run = readFileSync(fixture('w2k-console.log'), 'latin1');
    const runs: string[] = [];
    for (let i = 0; Buffer.byteLength(runs.join('')) < 3_000_000; i++)
      runs.push(run.replace(/0x0013/g, `0x${(0x13 + (i % 200)).toString(16).padStart(4, '0')}`));
    const text = runs.join('');
    for (const [name, bytes] of [
      ['utf8.log', Buffer.from(text, 'latin1')],
      ['utf16.log', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ] as const) {
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const source = await openLog(path, process.stdin);
      let recycled = 0;
      const streamed = await analyzeStream(source.stream, { source: path }, undefined, (chunk) => {
        recycled++;
        source.recycle!(chunk);
      });
      assert.ok(recycled > 8, `${name}: ${recycled} chunks`);
      assert.deepEqual(streamed, analyzeBuffer(bytes, { source: path }), name);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
