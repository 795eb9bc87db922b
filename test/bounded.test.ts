// Bounded on every input: no path whose time grows faster than the input or whose memory
// grows with the log instead of with the blocks it reports. Each adversarial input is made
// here, at a size where the quadratic code this replaced took ten times the (generous)
// timeout; the assertions check the output, the timeout the growth. Speed itself is
// measured by `npm run bench -- --stress`, never here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeBuffer } from '../src/analyze.js';
import { matchBlocks } from '../src/diff/diff.js';
import { pairMoves } from '../src/diff/moves.js';
import { matchBaseline } from '../src/baseline/match.js';
import { parseBaseline } from '../src/baseline/read.js';
import { buildBaseline, renderBaseline } from '../src/baseline/build.js';
import { parseUserDialect } from '../src/dialect/user.js';
import { renderCsvRows } from '../src/report/csv.js';
import { jsonText } from '../src/text/json.js';
import type { Category } from '../src/model/block.js';
import type { ReportBlock } from '../src/model/report.js';
import { SpylogError } from '../src/errors.js';
import { gate } from '../src/check/gate.js';
import { CHECK_REPORTERS, CHECK_FORMATS } from '../src/check/reporters/index.js';
import { PLAIN } from '../src/report/style.js';
import { renderHtml, BLOCKS_SHOWN } from '../src/report/html.js';

/**
 * A test whose body must end within a minute. Node's `timeout` cannot stop a synchronous
 * body (it passes however long it ran), so the time is asserted once the body returns.
 */
function bounded(name: string, body: () => void): void {
  test(name, () => {
    const started = performance.now();
    body();
    const seconds = (performance.now() - started) / 1000;
    assert.ok(seconds < 60, `${seconds.toFixed(1)} s: the code this replaced took ten times the bound`);
  });
}

function block(i: number, over: Partial<ReportBlock> = {}): ReportBlock {
  return {
    address: `0x${(0x100000 + i * 16).toString(16).toUpperCase()}`,
    size: 16,
    category: 'unresolved',
    context: 'CLSIDFromProgID',
    allocLine: i + 3,
    freeLine: null,
    inDump: false,
    data: null,
    decidedBy: 'log',
    reallocs: 0,
    ordinal: i + 1,
    ...over,
  };
}

bounded('CRT dialect: lines of blanks (read during detection of every log) cost linear time', () => {
  // 2 MB of 64 K-character lines: ~80 s with the old ^\s*(.*?) : entry regex.
  const line = ' '.repeat(65_000) + 'x\n';
  const log = 'Detected memory leaks!\n' + line.repeat(32);
  const r = analyzeBuffer(log);
  assert.equal(r.dialect?.name, 'crt');
  assert.equal(r.lines, 33);
});

bounded('a thousand dumps over four hundred thousand live blocks', () => {
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < 400_000; i++) lines.push(`MALLOC SPY: 0x${(0x100000 + i * 16).toString(16)} - 8 bytes allocated`);
  lines.push('Called CoUninitialize()');
  for (let i = 0; i < 1000; i++) lines.push('MALLOC SPY: detected memory leaks!', `0x${(0x100000).toString(16)} - 8 bytes: 00`);
  const r = analyzeBuffer(lines.join('\n') + '\n');
  assert.equal(r.anomalyCounts['not-in-dump'], 1000);
  assert.match(r.anomalies.find((a) => a.kind === 'not-in-dump')!.message, /^399,?999 blocks alive .* \(first: 0x100010\)$/);
});

bounded('diff: a million blocks with the same dump data are matched in linear time', () => {
  const as = Array.from({ length: 1_000_000 }, (_, i) => block(i, { data: '41 42' }));
  const bs = Array.from({ length: 1_000_001 }, (_, i) => block(i, { data: '41 42' }));
  const { aOnly, bOnly, matched } = matchBlocks(as, bs);
  assert.deepEqual([aOnly.length, bOnly.length, matched], [0, 1, 1_000_000]);
});

bounded('diff: moves among 300,000 groups pair in linear time, only what can be the same memory', () => {
  const left: ReportBlock[] = [];
  const joined: ReportBlock[] = [];
  for (let i = 0; i < 300_000; i++) {
    left.push(block(i, { context: `Call${i}`, category: 'true-leak' }));
    joined.push(block(i, { context: `Call${i}`, category: 'unresolved' }));
    left.push(block(i, { context: `A${i}`, category: 'couninitialize', size: 24 }));
    joined.push(block(i, { context: `B${i}`, category: 'exitprocess', size: 24 }));
  }
  // A new leak never pairs with runtime memory that has no identical data.
  joined.push(block(0, { context: 'CoTaskMemAlloc', category: 'true-leak', size: 24 }));
  const moves = pairMoves(left, joined);
  const count = (from: Category, to: Category) =>
    moves.filter((m) => m.from.category === from && m.to.category === to).reduce((s, m) => s + m.blocks, 0);
  assert.equal(count('true-leak', 'unresolved'), 300_000);
  assert.equal(count('couninitialize', 'exitprocess'), 300_000);
  assert.equal(count('couninitialize', 'true-leak'), 0);
});

bounded('a baseline of 5,000 rows over 400,000 blocks is matched by (context, size), not rows x blocks', () => {
  const blocks = Array.from({ length: 400_000 }, (_, i) => block(i, { context: `Ctx${i % 10_000}`, size: 8 + (i % 7) }));
  const rows = ['context,size,count'];
  for (let i = 0; i < 5000; i++) rows.push(`Ctx${i},${8 + (i % 7)},1000`);
  const baseline = parseBaseline(rows.join('\n') + '\n', 'rows.csv');
  const match = matchBaseline(blocks, baseline, (b) => b.category === 'unresolved');
  assert.ok(match.decided > 0);
  assert.equal(match.decided, blocks.filter((b) => b.category === 'exitprocess').length);
});

test('a call name is cut like any context: a 64 K name is not copied into every row', () => {
  const name = 'N'.repeat(64_000);
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < 100; i++) lines.push(`MALLOC SPY: 0x${(0x100000 + i * 16).toString(16)} - 8 bytes allocated`);
  lines.push(`${name}() returns 0x00000000`, 'Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005');
  const r = analyzeBuffer(lines.join('\n') + '\n', { maxLineLength: 100_000 });
  assert.equal(r.blocks[0]!.context, 'N'.repeat(80));
  assert.ok(renderCsvRows(r).length < 20_000);
});

bounded('ten thousand runs: whole reports for a hundred parts, summaries for the rest, listings capped, counts exact', () => {
  const run = (i: number) =>
    [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: garbled',
      `MALLOC SPY: 0x${(0x100000 + i * 16).toString(16)} - 16 bytes allocated`,
      'Leak() returns 0x00000000',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
    ].join('\n');
  const runs = 10_000;
  const r = analyzeBuffer(Array.from({ length: runs }, (_, i) => run(i)).join('\n') + '\n');
  assert.equal(r.runs!.length, runs);
  assert.equal(r.runs!.filter((x) => x.report).length, 100, 'the first 99 and the one holding the end');
  assert.ok(r.runs![runs - 1]!.report, 'the last run is whole');
  assert.deepEqual(r.runs![500]!.verdict?.summary.unresolved, { blocks: 1, bytes: 16 });
  assert.equal(r.summary.unresolved.blocks, runs);
  assert.equal(r.blocks.length, runs);
  assert.equal(r.anomalyCounts['malformed-spy-line'], runs);
  assert.equal(r.anomalies.filter((a) => a.kind === 'malformed-spy-line').length, 100);
  assert.ok(r.evidence.length < 500, `${r.evidence.length} evidence lines`);
  assert.match(r.evidence.at(-1)!, /^9,?900 more parts not listed here \(9,?900 possibly-truncated\)/);
});

bounded('a million-finding log: findings listed up to a bound, counted exactly', () => {
  // Each pile of two blocks freed together is a deferred release at threshold 2.
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < 50_000; i++) {
    lines.push('MALLOC SPY: 0x100000 - 8 bytes allocated', 'MALLOC SPY: 0x100010 - 8 bytes allocated');
    lines.push('MALLOC SPY: 0x100000 - freed, 1 blocks remaining', 'MALLOC SPY: 0x100010 - freed, 0 blocks remaining');
  }
  lines.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x00000000');
  const r = analyzeBuffer(lines.join('\n') + '\n', { episodeThreshold: 2 });
  assert.equal(r.findings.length, 1000);
  assert.deepEqual(r.findingCounts, { 'deferred-release': 50_000 });
});

test('JSON in pieces is exactly JSON.stringify, for nested runs and parts kept as summaries', () => {
  const run = (i: number) =>
    [
      'CoInitialize() returns 0x00000000',
      `MALLOC SPY: 0x${(0x100 + i).toString(16)} - 4 bytes allocated`,
      'CoRevokeMallocSpy() returns 0x80070005',
    ].join('\n');
  const r = analyzeBuffer(Array.from({ length: 300 }, (_, i) => run(i)).join('\n') + '\n');
  assert.equal(jsonText(r), JSON.stringify(r));
  const odd = { a: undefined, b: [undefined, () => 1, ...Array.from({ length: 100 }, (_, i) => ({ i, x: undefined }))], c: 'é\u2028' };
  assert.equal(jsonText(odd), JSON.stringify(odd));
});

test('CSV cells cannot be formulas; baselines round-trip contexts that start with # or = or end with a blank', () => {
  // A context is the program line's text cut to 80 characters: the cut may end in a blank.
  const contexts = ['=HYPERLINK("http://x")', '+cmd', '-2+3', '@SUM(A1)', '# phase 1', 'c'.repeat(79) + ' cache warmed'];
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  contexts.forEach((c, i) => lines.push(`MALLOC SPY: 0x${(0x1000 + i * 16).toString(16)} - 8 bytes allocated`, c));
  lines.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', 'MALLOC SPY: detected memory leaks!');
  contexts.forEach((_, i) => lines.push(`0x${(0x1000 + i * 16).toString(16)} - 8 bytes: 00`));
  contexts.forEach((_, i) => lines.push(`MALLOC SPY: 0x${(0x1000 + i * 16).toString(16)} - freed, ${contexts.length - 1 - i} blocks remaining`));
  const reference = analyzeBuffer(lines.join('\n') + '\n', { source: 'console.log' });
  assert.equal(reference.summary.exitprocess.blocks, contexts.length);
  const csv = renderCsvRows(reference);
  for (const row of csv.trim().split('\r\n')) {
    for (const cell of row.split(',')) assert.doesNotMatch(cell, /^"?[=+\-@\t]/, row);
  }
  // The redirected run lost the frees; its baseline (made from the console run) decides every block.
  const baseline = parseBaseline(renderBaseline(buildBaseline(reference), reference), 'b.csv');
  const held = reference.blocks.map((b) => b.context);
  assert.ok(held.includes('c'.repeat(79) + ' '));
  assert.deepEqual(
    baseline.entries.map((e) => e.context),
    [...held].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
  );
  const redirected = lines.slice(0, lines.length - contexts.length).join('\n') + '\n';
  const r = analyzeBuffer(redirected, { baseline });
  assert.equal(r.summary['true-leak'].blocks, 0);
  assert.equal(r.summary.exitprocess.blocks, contexts.length);
});

test('a baseline without a header, with a column named twice, a dialect with a key twice: FILE:LINE: reason', () => {
  const refused = (f: () => unknown, message: RegExp) =>
    assert.throws(f, (err: unknown) => err instanceof SpylogError && message.test(err.message), String(message));
  refused(() => parseBaseline('', 'e.csv'), /^e\.csv:1: the baseline is empty/);
  refused(() => parseBaseline('# only a comment\n\n', 'e.csv'), /^e\.csv:1: the baseline is empty/);
  refused(() => parseBaseline('# complete: *\ncontext,size,size\nX,1,2\n', 'd.csv'), /^d\.csv:2: the column "size" is named twice/);
  refused(
    () =>
      parseUserDialect('{\n  "alloc": "^a (?<address>\\\\w+) (?<size>\\\\d+)$",\n  "alloc": "^b (?<address>\\\\w+) (?<size>\\\\d+)$"\n}', 'x.json'),
    /^x\.json:3: bad dialect file: "alloc" is given twice/,
  );
});

bounded('every check format of a gate group of 300,000 leaked blocks (one call, one size)', () => {
  const n = 300_000;
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < n; i++) lines.push(`MALLOC SPY: 0x${(0x100000 + i * 16).toString(16).toUpperCase()} - 16 bytes allocated`);
  lines.push('Leak() returns 0x00000000', 'MALLOC SPY: 0x7FFF0000 - 8 bytes allocated', 'Called CoUninitialize()');
  lines.push('CoRevokeMallocSpy() returns 0x80070005', `MALLOC SPY: 0x7FFF0000 - freed, ${n} blocks remaining`);
  const result = gate(analyzeBuffer(lines.join('\n') + '\n', { source: 'big.log' }));
  assert.equal(result.passed, false);
  for (const format of CHECK_FORMATS) {
    const out = CHECK_REPORTERS[format](result, PLAIN, { name: 'big' });
    // One finding for the one group: its count, never one entry per block.
    assert.match(out, /300,000|300000/, format);
    assert.ok(format === 'json' || out.length < 200_000, `${format}: ${out.length} characters`);
  }
  // The JSON lists every block, in its group and in the report: valid, with the right counts.
  const json = JSON.parse(CHECK_REPORTERS.json(result, PLAIN)) as { leaks: { blocks: unknown[] }[]; report: { blocks: unknown[] } };
  assert.deepEqual(
    json.leaks.map((g) => g.blocks.length),
    [n],
  );
  assert.equal(json.report.blocks.length, n + 1);
});

test('the HTML page lists at most BLOCKS_SHOWN blocks, true leaks first, and says how many more there are', () => {
  const blocks: ReportBlock[] = [];
  for (let i = 0; i < BLOCKS_SHOWN + 500; i++) blocks.push(block(i, { category: 'exitprocess' }));
  for (let i = 0; i < 3; i++) blocks.push(block(BLOCKS_SHOWN + 500 + i, { category: 'true-leak', context: 'TheLeak' }));
  const lines = ['CoRegisterMallocSpy() returns 0x00000000', 'Called CoUninitialize()'];
  const report = { ...analyzeBuffer(lines.join('\n') + '\n'), blocks };
  const html = renderHtml([report]);
  const table = html.slice(html.indexOf('<table class="blocks'), html.indexOf('</table>', html.indexOf('<table class="blocks')));
  assert.equal(table.match(/<tr class="cat-/g)?.length, BLOCKS_SHOWN);
  assert.equal(table.match(/<tr class="cat-true-leak">/g)?.length, 3, 'the true leaks are among those shown');
  assert.match(html, /503 more are not/);
});

bounded('check -f junit over 20,000 tests that each leak a block: every case lists its own block, found through an index', () => {
  // A case per test used to look through every block of the report: 40,000 tests took 26 s.
  const n = 20_000;
  const lines = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
  const dump: string[] = [];
  for (let i = 0; i < n; i++) {
    const name = `Suite${i % 100}.Test${i}`;
    const freed = `0x${(0x100000 + i * 64).toString(16).toUpperCase()}`;
    const leaked = `0x${(0x100020 + i * 64).toString(16).toUpperCase()}`;
    lines.push(`[ RUN      ] ${name}`, `MALLOC SPY: ${freed} - 32 bytes allocated`, `MALLOC SPY: ${leaked} - 24 bytes allocated`);
    lines.push(`MALLOC SPY: ${freed} - freed, ${i + 1} blocks remaining`, `[       OK ] ${name} (0 ms)`);
    dump.push(`${leaked} - 24 bytes: 00 00 00 00`);
  }
  lines.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', 'MALLOC SPY: detected memory leaks!', ...dump);
  const result = gate(analyzeBuffer(lines.join('\n') + '\n', { source: 'tests.log' }));
  const xml = CHECK_REPORTERS.junit(result, PLAIN, { name: 'tests' });
  const cases = xml.split('<testcase classname="spylog.tests.tests" ').slice(1);
  assert.equal(cases.length, n);
  for (const i of [0, 1, n / 2, n - 1]) {
    const c = cases[i]!;
    assert.ok(c.startsWith(`name="Suite${i % 100}.Test${i}"`), c.slice(0, 80));
    // Its own block (allocated on its third line), and no other.
    assert.equal(c.match(/\(#\d+\)/g)?.join(), `(#${2 * i + 2})`);
    assert.match(c, new RegExp(`line ${5 * i + 5} \\(#${2 * i + 2}\\): 0x${(0x100020 + i * 64).toString(16).toUpperCase()}, 24 bytes`));
  }
});
