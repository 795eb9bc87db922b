// A file of several runs or processes is judged part by part, and the file's report only
// adds the parts up: under any decider (--assume-complete, a baseline), every category of
// the file is the sum of its parts', every block is in the same category in its part and
// in the file, and every finding says the category its blocks ended in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer, type AnalyzeOptions } from '../src/analyze.js';
import { buildBaseline } from '../src/baseline/build.js';
import { parseUserDialect } from '../src/dialect/user.js';
import { CATEGORIES, type Category } from '../src/model/block.js';
import type { Report, ReportBlock } from '../src/model/report.js';
import { gate } from '../src/check/gate.js';
import { ROOT, everyFixtureLog, fixture } from './helpers.js';

/** The single-run reports a report is made of, each with the tag its blocks carry in the file. */
function leaves(r: Report, tag: { pid?: number | null; run?: number } = {}): { report: Report; tag: { pid?: number | null; run?: number } }[] {
  if (r.processes) return r.processes.flatMap((p) => leaves(p.report!, { ...tag, pid: p.pid }));
  if (r.runs) return r.runs.flatMap((x) => leaves(x.report!, { ...tag, run: x.index }));
  return [{ report: r, tag }];
}

const blockId = (b: ReportBlock, tag: { pid?: number | null; run?: number }) =>
  JSON.stringify([tag.pid ?? b.pid, tag.run ?? b.run, b.address, b.allocLine]);

function assertAddsUp(name: string, file: Report): void {
  const parts = leaves(file);
  assert.ok(parts.length > 1, `${name}: several parts`);
  for (const c of CATEGORIES) {
    const sum = parts.reduce((s, p) => ({ blocks: s.blocks + p.report.summary[c].blocks, bytes: s.bytes + p.report.summary[c].bytes }), {
      blocks: 0,
      bytes: 0,
    });
    assert.deepEqual(file.summary[c], sum, `${name}: ${c} is the sum of the parts`);
  }
  // Processes with several runs are themselves sums.
  for (const p of file.processes ?? []) {
    if (!p.report!.runs) continue;
    for (const c of CATEGORIES) {
      const sum: number = p.report!.runs.reduce((s, x) => s + x.report!.summary[c].blocks, 0);
      assert.equal(p.report!.summary[c].blocks, sum, `${name}: pid ${p.pid} ${c}`);
    }
  }
  const inParts = new Map<string, Category>();
  for (const { report, tag } of parts) for (const b of report.blocks) inParts.set(blockId(b, tag), b.category);
  assert.equal(file.blocks.length, inParts.size, `${name}: the file lists the parts' blocks`);
  for (const b of file.blocks)
    assert.equal(b.category, inParts.get(blockId(b, {})), `${name}: ${b.address} (line ${b.allocLine}) is decided alike in its part and in the file`);
  // Every unbounded-growth finding says the category its blocks ended in, in its part and in the file.
  for (const { report, tag } of parts) {
    for (const f of report.findings) {
      if (f.kind !== 'unbounded-growth') continue;
      const group = report.blocks.filter((b) => b.context === f.context && b.size === f.size && b.category === f.category);
      assert.equal(group.length, f.blocks, `${name}: ${f.message}`);
      const inFile = file.findings.find(
        (g) => g.kind === 'unbounded-growth' && g.context === f.context && g.size === f.size && g.run === tag.run && g.pid === tag.pid,
      );
      assert.equal(inFile?.kind === 'unbounded-growth' && inFile.category, f.category, `${name}: the file's finding`);
    }
  }
  // The gate reads the same decision.
  const result = gate(file);
  assert.equal(
    result.leaks.reduce((s, g) => s + g.blocks.length, 0),
    file.summary['true-leak'].blocks,
  );
  assert.equal(
    result.unresolved.reduce((s, g) => s + g.blocks.length, 0),
    file.summary.unresolved.blocks,
  );
  if (file.baseline) {
    const sum = (k: 'matched' | 'decided' | 'convicted') => parts.reduce((s, p) => s + (p.report.baseline?.[k] ?? 0), 0);
    assert.deepEqual(
      [file.baseline.matched, file.baseline.decided, file.baseline.convicted],
      [sum('matched'), sum('decided'), sum('convicted')],
      `${name}: baseline`,
    );
  }
}

const read = (name: string) => readFileSync(fixture(name), 'utf8');

/** Several shipped runs appended to one file, as CI appends with `>>`. */
const appended = ['w2k-console.log', 'w2k-redirected.log', 'copyproxy-unreleased.log', 'nt4-leak1.log', 'w2k-redirected-noleak.log']
  .map(read)
  .join('');

/** Two runs printed through OutputDebugString by two processes at once, as DebugView saves them. */
function debugView(): string {
  const a = read('w2k-redirected.log').split('\n').filter(Boolean);
  const b = read('copyproxy-unreleased.log').split('\n').filter(Boolean);
  const out: string[] = [];
  let seq = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (i < a.length) out.push(`${seq++}\t${(seq / 1000).toFixed(8)}\t[4242] ${a[i]}`);
    if (i < b.length) out.push(`${seq++}\t${(seq / 1000).toFixed(8)}\t[5150] ${b[i]}`);
  }
  return out.join('\r\n') + '\r\n';
}

const baseline = buildBaseline(analyzeBuffer(readFileSync(fixture('w2k-console-noleak.log')), { source: 'w2k-console-noleak.log' }));

test('the parts add up to the file under --assume-complete and under a baseline', () => {
  const inputs: [string, string | Buffer, AnalyzeOptions][] = [
    ['appended runs', appended, {}],
    ['DebugView pids', debugView(), {}],
  ];
  for (const log of everyFixtureLog()) {
    const bytes = readFileSync(join(ROOT, log.path));
    const dialect = log.dialectFile ? { dialect: parseUserDialect(readFileSync(log.dialectFile, 'utf8'), log.dialectFile) } : {};
    const r = analyzeBuffer(bytes, dialect);
    if (r.runs || r.processes) inputs.push([log.path, bytes, dialect]);
  }
  assert.ok(inputs.length >= 4, 'the shipped multi-part captures are among them');
  for (const [name, input, options] of inputs) {
    for (const [how, deciders] of [
      ['the log alone', {}],
      ['--assume-complete', { assumeComplete: true }],
      ['a baseline', { baseline }],
      ['a baseline, then --assume-complete', { baseline, assumeComplete: true }],
    ] as const) {
      assertAddsUp(`${name} with ${how}`, analyzeBuffer(input, { ...options, ...deciders }));
    }
  }
});

test('a baseline decides per run: each run of an appended file is matched on its own', () => {
  const r = analyzeBuffer(appended, { baseline });
  const runs = r.runs!;
  assert.equal(runs.length, 5);
  // The redirected runs (2 and 5) lost their exit-time frees: the baseline decides those blocks; the console run shows them freed.
  assert.deepEqual(
    runs.map((x) => [x.report!.baseline!.matched, x.report!.baseline!.decided]),
    [
      [11, 0],
      [11, 11],
      [0, 0],
      [0, 0],
      [11, 11],
    ],
  );
  assert.equal(r.baseline!.stale.length > 0, true, 'runs 3 and 4 hold none of the rows');
});
