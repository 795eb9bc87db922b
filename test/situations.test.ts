// The logs real programs and consoles write (fixtures/situations, fixtures/real/wine2):
// each log's verdict against the expectation written by reading it line by line
// (fixtures/situations/expected.json, explained in fixtures/situations/README.md), not
// against what spylog printed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeBuffer, type AnalyzeOptions } from '../src/analyze.js';
import { BlockTable } from '../src/track/blocks.js';
import { buildBaseline, renderBaseline } from '../src/baseline/build.js';
import { diffReports } from '../src/diff/diff.js';
import { CATEGORIES, type Category } from '../src/model/block.js';
import type { Report } from '../src/model/report.js';
import { ROOT, runMain } from './helpers.js';

interface Expectation {
  log?: string;
  truncation: string;
  summary: Record<Category, number>;
  anomalies: Record<string, number> | null;
  anomalyLines?: number[];
  options?: { baseline: string | null; assumeComplete: boolean };
  runs?: { lines: [number, number]; truncation: string; summary: Record<Category, number> }[];
  findings?: { kind: string; context: string; size: number; blocks: number; firstLine: number }[];
  commands?: { args: string[]; exit: number }[];
  diff?: {
    a: string;
    pairs: { size: number; a: { category: Category; context: string }; b: { category: Category; context: string } }[];
    unpaired?: { side: 'a' | 'b'; size: number; category: Category; context: string }[];
    failOnNew?: Record<string, number>;
  };
}

const EXPECTED = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'situations', 'expected.json'), 'utf8')) as Record<string, Expectation>;

const read = (path: string) => readFileSync(join(ROOT, path));

function analyze(path: string, options: AnalyzeOptions = {}): Report {
  return analyzeBuffer(read(path), { source: path, ...options });
}

const blocksOf = (summary: Report['summary']) => Object.fromEntries(CATEGORIES.map((c) => [c, summary[c].blocks]));

for (const [key, want] of Object.entries(EXPECTED)) {
  const log = want.log ?? key.replace(/#.*$/, '');
  test(`situation: ${key}`, async () => {
    const options: AnalyzeOptions = { assumeComplete: want.options?.assumeComplete ?? false };
    if (want.options?.baseline) options.baseline = buildBaseline(analyze(want.options.baseline));
    const r = analyze(log, options);
    const why = `${r.truncation}: ${r.evidence.join(' | ')}`;
    assert.equal(r.truncation, want.truncation, why);
    assert.deepEqual(blocksOf(r.summary), want.summary, why);
    if (want.anomalies) assert.deepEqual(r.anomalyCounts, want.anomalies);
    if (want.anomalyLines)
      assert.deepEqual(
        [...new Set(r.anomalies.map((a) => a.line))].sort((x, y) => x - y),
        want.anomalyLines,
      );
    if (want.runs) {
      assert.equal(r.runs?.length, want.runs.length, 'runs');
      want.runs.forEach((run, i) => {
        const got = r.runs![i]!;
        assert.deepEqual([got.firstLine, got.lastLine], run.lines);
        assert.equal(got.report!.truncation, run.truncation, `run ${i + 1}: ${got.report!.evidence.join(' | ')}`);
        assert.deepEqual(blocksOf(got.report!.summary), run.summary, `run ${i + 1}`);
      });
    }
    for (const f of want.findings ?? []) {
      assert.ok(
        r.findings.some(
          (g) => g.kind === f.kind && g.context === f.context && g.size === f.size && g.blocks === f.blocks && g.firstLine === f.firstLine,
        ),
        `${JSON.stringify(f)} among ${JSON.stringify(r.findings.map((g) => g.message))}`,
      );
    }
    if (want.diff) {
      const d = diffReports(analyze(want.diff.a), r);
      for (const p of want.diff.pairs) {
        assert.ok(
          d.moves.some(
            (m) =>
              m.size === p.size &&
              m.from.category === p.a.category &&
              m.from.context === p.a.context &&
              m.to.category === p.b.category &&
              m.to.context === p.b.context,
          ),
          `move ${JSON.stringify(p)} among ${JSON.stringify(d.moves)}`,
        );
      }
      const paired = d.moves.reduce((n, m) => n + m.blocks, 0);
      assert.equal(paired, want.diff.pairs.length, `moves ${JSON.stringify(d.moves)}`);
    }
    if (want.commands) {
      const dir = mkdtempSync(join(tmpdir(), 'spylog-situation-'));
      try {
        for (const c of want.commands) {
          const args = c.args.map((a) => {
            const m = /^<spylog baseline of (.+)>$/.exec(a);
            if (!m) return a;
            const file = join(dir, 'baseline.csv');
            const reference = analyze(m[1]!);
            writeFileSync(file, renderBaseline(buildBaseline(reference), reference));
            return file;
          });
          const got = await runMain(args);
          assert.equal(got.status, c.exit, `spylog ${c.args.join(' ')}: ${got.stdout.slice(0, 300)} ${got.stderr}`);
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
}

test('blocks allocated before a mass free keep the call that follows them when the live table compacts its rows', () => {
  // 10,000 blocks, then 9,000 of them freed and 500 more allocated, all before the next
  // program line: the table moves its rows together while 1,500 of them wait for their call.
  const lines = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000', 'Setup() returns 0x00000000'];
  const hex = (n: number): string => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
  for (let i = 0; i < 10_000; i++) lines.push(`MALLOC SPY: ${hex(0x100000 + i * 16)} - 16 bytes allocated`);
  for (let i = 0; i < 9000; i++) {
    lines.push(`MALLOC SPY: ${hex(0x100000 + i * 16)} - freed, 1 blocks remaining`);
    if (i % 18 === 0) lines.push(`MALLOC SPY: ${hex(0x900000 + i * 16)} - 32 bytes allocated`);
  }
  lines.push('Leaky() returns 0x00000000', 'Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x00000000', '');
  const report = analyzeBuffer(Buffer.from(lines.join('\n')), { source: 'compact.log' });
  const alive = report.blocks.filter((b) => b.freeLine === null);
  assert.equal(alive.length, 1000 + 500);
  assert.deepEqual([...new Set(alive.map((b) => b.context))], ['Leaky']);
  assert.equal(alive.filter((b) => b.size === 32).length, 500);
  // The same allocations and frees on a bare table: it does compact (with these numbers and its thresholds).
  const table = new BlockTable();
  const alloc = (key: number): void => void table.put(key, table.newRow(16, 1, 1, null));
  let compactions = 0;
  for (let i = 0; i < 10_000; i++) alloc(0x100000 + i * 16);
  for (let i = 0; i < 9000; i++) {
    table.release(table.take(0x100000 + i * 16, true));
    if (table.sparse) {
      table.compactRows();
      compactions++;
    }
    if (i % 18 === 0) alloc(0x900000 + i * 16);
  }
  assert.ok(compactions >= 1, `${compactions} compactions`);
});
