// diffReports over fixture pairs: the article's NT 4 vs Windows 2000 logs, the same
// generated program on NT 4 and on 2000, a run against itself, a run with one added leak,
// and a truncated run against a complete one.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeBuffer } from '../src/analyze.js';
import { diffReports, matchBlocks } from '../src/diff/diff.js';
import { failOnNew } from '../src/diff/gate.js';
import { assessWeaknesses } from '../src/diff/weakness.js';
import type { DiffResult } from '../src/diff/schema.js';
import { CATEGORIES, type Category } from '../src/model/block.js';
import type { Report, ReportBlock } from '../src/model/report.js';
import { render, runLines } from '../fixtures/synth.js';
import { fixture } from './helpers.js';

function analyzeFixture(name: string): Report {
  return analyzeBuffer(readFileSync(fixture(name)), { source: name });
}

function diffFixtures(a: string, b: string): DiffResult {
  return diffReports(analyzeFixture(a), analyzeFixture(b));
}

/** Category deltas that are not zero, as `category: blocks/bytes`. */
function changedCategories(d: DiffResult): Record<string, string> {
  const out: Record<string, string> = {};
  for (const c of CATEGORIES) {
    const t = d.categories[c].delta;
    if (t.blocks !== 0 || t.bytes !== 0) out[c] = `${t.blocks}/${t.bytes}`;
  }
  return out;
}

describe('diffReports', () => {
  test("the article's NT 4 log against its Windows 2000 log: CoUninitialize cleanup gone, undecided blocks, weak", () => {
    const d = diffFixtures('article-nt4.log', 'article-win2000.log');
    assert.deepEqual(changedCategories(d), { couninitialize: '-3/-248', unresolved: '2/72' });
    assert.deepEqual(
      d.groups.map((g) => `${g.delta.blocks > 0 ? '+' : '-'} ${g.size} x ${Math.abs(g.delta.blocks)} ${g.context}: ${g.category} ${g.change}`),
      [
        '- 216 x 1 CoCreateInstance: couninitialize removed',
        '+ 44 x 1 unknown (first seen in the dump): unresolved added',
        '- 16 x 2 CoCreateInstance: couninitialize removed',
        '+ 28 x 1 CLSIDFromProgID: unresolved added',
      ],
    );
    assert.equal(d.weak, true);
    assert.deepEqual(d.truncation, { a: 'complete', b: 'possibly-truncated' });
    assert.ok(
      d.weaknesses.some((w) => w.startsWith('B (article-win2000.log) is possibly truncated')),
      d.weaknesses.join('\n'),
    );
    assert.ok(
      d.weaknesses.some((w) => w.startsWith('B has 8 anomalies')),
      d.weaknesses.join('\n'),
    );
  });

  test('the same generated program on NT 4 and on 2000: runtime-held blocks move from couninitialize to exitprocess, nothing else', () => {
    for (const seed of [1, 0x1234, 0x57324b30]) {
      const nt4 = analyzeBuffer(render(runLines({ os: 'nt4', seed })), { source: 'nt4' });
      const w2k = analyzeBuffer(render(runLines({ os: 'w2k', seed })), { source: 'w2k' });
      const d = diffReports(nt4, w2k);
      const moved = d.categories.exitprocess.delta;
      assert.ok(moved.blocks > 0, `seed ${seed}: some blocks are held until ExitProcess on 2000`);
      assert.deepEqual(changedCategories(d), {
        couninitialize: `${-moved.blocks}/${-moved.bytes}`,
        exitprocess: `${moved.blocks}/${moved.bytes}`,
      });
      // Every changed group is a block that left CoUninitialize in A or joined ExitProcess in B,
      // and the sizes that left are exactly the sizes that arrived.
      const left: number[] = [];
      const arrived: number[] = [];
      for (const g of d.groups) {
        if (g.category === 'couninitialize' && g.delta.blocks < 0) left.push(...Array<number>(-g.delta.blocks).fill(g.size));
        else if (g.category === 'exitprocess' && g.change === 'added') arrived.push(...Array<number>(g.delta.blocks).fill(g.size));
        else assert.fail(`seed ${seed}: unexpected group ${JSON.stringify(g)}`);
      }
      assert.deepEqual(left.sort(), arrived.sort());
      // ...and the moves pair every one of them: couninitialize in A became exitprocess in B.
      assert.ok(d.moves.every((m) => m.from.category === 'couninitialize' && m.to.category === 'exitprocess'));
      assert.equal(
        d.moves.reduce((t, m) => t + m.blocks, 0),
        moved.blocks,
      );
      assert.equal(
        d.moves.reduce((t, m) => t + m.bytes, 0),
        moved.bytes,
      );
      assert.equal(d.weak, false, d.weaknesses.join('\n'));
    }
  });

  test('a run against itself is an empty diff', () => {
    for (const name of ['w2k-console.log', 'article-win2000.log', 'copyproxy-unreleased.log']) {
      const r = analyzeFixture(name);
      const d = diffReports(r, r);
      assert.deepEqual(d.groups, [], name);
      assert.deepEqual(changedCategories(d), {}, name);
      assert.equal(d.unchanged.blocks, r.blocks.length, name);
    }
  });

  test('one added leak on NT 4: exactly that leak, and the comparison is weak because B looks truncated', () => {
    const d = diffFixtures('nt4-clean.log', 'nt4-leak1.log');
    assert.deepEqual(changedCategories(d), { unresolved: '1/64' });
    assert.equal(d.groups.length, 1);
    const [g] = d.groups;
    assert.deepEqual(
      { ...g },
      {
        context: 'CoTaskMemAlloc',
        size: 64,
        category: 'unresolved',
        a: { blocks: 0, bytes: 0 },
        b: { blocks: 1, bytes: 64 },
        delta: { blocks: 1, bytes: 64 },
        change: 'added',
        aOnlyLines: [],
        bOnlyLines: [3],
      },
    );
    // NT 4 has no exit-time frees, so a failed revoke with nothing after it reads as a cut log.
    assert.equal(d.weak, true);
    assert.equal(d.truncation.b, 'possibly-truncated');
  });

  test('two added leaks on 2000, both logs complete: exactly those, a sound comparison', () => {
    const d = diffFixtures('w2k-console-noleak.log', 'w2k-console.log');
    assert.deepEqual(changedCategories(d), { 'true-leak': '2/128' });
    assert.deepEqual(
      d.groups.map((g) => [g.context, g.size, g.category, g.delta.blocks, g.bOnlyLines]),
      [['CoTaskMemAlloc', 64, 'true-leak', 2, [3, 5]]],
    );
    assert.equal(d.weak, false);
    assert.deepEqual(d.weaknesses, []);
  });

  test('truncated against complete: the diff says the comparison is weak, and why', () => {
    const d = diffFixtures('w2k-redirected.log', 'w2k-console.log');
    assert.equal(d.weak, true);
    assert.deepEqual(d.truncation, { a: 'possibly-truncated', b: 'complete' });
    assert.equal(d.weaknesses.length, 1);
    assert.match(d.weaknesses[0] ?? '', /^A \(w2k-redirected\.log\) is possibly truncated: CoRevokeMallocSpy failed/);
    assert.deepEqual(changedCategories(d), { exitprocess: '11/784', 'true-leak': '2/128', unresolved: '-13/-912' });
    // A tail cut inside the exit-time frees is weak too.
    const cut = diffFixtures('w2k-console.log', 'w2k-cut4096.log');
    assert.equal(cut.truncation.b, 'truncated');
    assert.ok(
      cut.weaknesses.some((w) => w.startsWith('B (w2k-cut4096.log) is truncated')),
      cut.weaknesses.join('\n'),
    );
  });

  test('very different event counts make the comparison weak', () => {
    const d = diffFixtures('w2k-console.log', 'copyproxy-released.log');
    assert.ok(
      d.weaknesses.some((w) => w.startsWith('very different event counts: A has 25 allocations and 23 frees')),
      d.weaknesses.join('\n'),
    );
  });

  test('groups are sorted by the size of their byte change, a moved block kept next to its twin', () => {
    const d = diffFixtures('w2k-redirected.log', 'w2k-console.log');
    const bytes = d.groups.map((g) => Math.abs(g.delta.bytes));
    assert.deepEqual(
      bytes,
      [...bytes].sort((x, y) => y - x),
    );
    assert.deepEqual(
      d.groups.slice(0, 2).map((g) => `${g.context} ${g.size} ${g.category} ${g.delta.blocks}`),
      ['CLSIDFromProgID 216 unresolved -2', 'CLSIDFromProgID 216 exitprocess 2'],
    );
  });
});

describe('matchBlocks', () => {
  const block = (allocLine: number, data: string | null, category: Category = 'true-leak'): ReportBlock => ({
    address: `0x${allocLine.toString(16)}`,
    size: 16,
    category,
    context: 'Leaky',
    allocLine,
    freeLine: null,
    inDump: data !== null,
    data,
    decidedBy: 'log',
    reallocs: 0,
    ordinal: allocLine,
  });

  test('pairs identical dump data first, then the rest in order', () => {
    const a = [block(1, 'AA'), block(2, 'BB')];
    const b = [block(10, 'CC'), block(11, 'BB'), block(12, 'DD')];
    const m = matchBlocks(a, b);
    assert.equal(m.matched, 2);
    assert.deepEqual(m.aOnly, []);
    // BB pairs with BB; AA then pairs with the first unpaired B block (CC): DD is the new one.
    assert.deepEqual(
      m.bOnly.map((x) => x.allocLine),
      [12],
    );
  });

  test('without data, the later blocks of the larger side are the unmatched ones', () => {
    const m = matchBlocks([block(1, null), block(2, null), block(3, null)], [block(5, null)]);
    assert.equal(m.matched, 1);
    assert.deepEqual(
      m.aOnly.map((x) => x.allocLine),
      [2, 3],
    );
    assert.deepEqual(m.bOnly, []);
  });
});

describe('failOnNew', () => {
  test('trips on a new true leak, not when there is none', () => {
    const d = diffFixtures('w2k-console-noleak.log', 'w2k-console.log');
    const gate = failOnNew(d, 'true-leak');
    assert.equal(gate.tripped, true);
    assert.equal(gate.message, '--fail-on-new true-leak: B has 2 new blocks (128 bytes) that A does not: 64 bytes x 2 in CoTaskMemAlloc');
    assert.equal(failOnNew(d, 'unresolved').tripped, false);
    const fixed = diffFixtures('w2k-console.log', 'w2k-console-noleak.log');
    for (const which of ['true-leak', 'unresolved', 'any'] as const) assert.equal(failOnNew(fixed, which).tripped, false, which);
  });

  test('`any`: a block that was unresolved in A and is a true leak in B is not new', () => {
    const d = diffFixtures('w2k-redirected.log', 'w2k-console.log');
    assert.equal(failOnNew(d, 'true-leak').tripped, true);
    assert.equal(failOnNew(d, 'any').tripped, false);
    // The other way round, B cannot tell its runtime-held blocks from leaks, but A showed them
    // freed at exit: the same memory, undecided, and nothing new (attack notes #149).
    const back = diffFixtures('w2k-console.log', 'w2k-redirected.log');
    for (const which of ['true-leak', 'unresolved', 'any'] as const) assert.equal(failOnNew(back, which).tripped, false, which);
  });

  test('a B that lost its exit-time output (piped, redirected): its new leak, undecided, trips every gate; the runtime blocks A showed freed at exit do not (attack notes #149)', () => {
    // A: the clean program on a console; B: a build that leaks two blocks, its stdout a pipe.
    const d = diffFixtures('w2k-console-noleak.log', 'w2k-redirected.log');
    assert.equal(d.truncation.b, 'possibly-truncated');
    for (const which of ['true-leak', 'unresolved', 'any'] as const) {
      const gate = failOnNew(d, which);
      assert.deepEqual(
        gate.grown.map((x) => [x.context, x.size, x.blocks, x.undecided]),
        [['CoTaskMemAlloc', 64, 2, 2]],
        which,
      );
    }
    assert.match(
      failOnNew(d, 'true-leak').message,
      /64 bytes x 2 in CoTaskMemAlloc \(all are undecided in B, which may be truncated: a leak, or memory the runtime holds\)$/,
    );
    // The clean build through the same pipe: nothing new for any gate (`unresolved` and `any` failed on the 11 runtime blocks).
    const clean = diffFixtures('w2k-console-noleak.log', 'w2k-redirected-noleak.log');
    for (const which of ['true-leak', 'unresolved', 'any'] as const) assert.equal(failOnNew(clean, which).tripped, false, which);
  });

  test("a diff's moves: A's runtime block pairs with B's block of its own call before one of another call (attack notes #164)", () => {
    // A on a console: clbcatq's 44-byte block freed at exit. B redirected: the same block (its
    // heap pointer moved, so no identical data), undecided; and a new object's 44-byte block
    // freed in CoUninitialize, in CoCreateInstance. Paired across calls first, B's own copy was
    // new. What each gate calls new on this pair and on the other findings' pairs:
    // fixtures/diff-gates/cases.json (test/diff-gates.test.ts).
    const d = diffReports(analyzeFixture('diff-gates/164-own-call-first-a.log'), analyzeFixture('diff-gates/164-own-call-first-b.log'));
    assert.deepEqual(
      d.moves.map((m) => [m.from.category, m.from.context, m.to.category, m.to.context]),
      [['exitprocess', 'CLSIDFromProgID', 'unresolved', 'CLSIDFromProgID']],
    );
  });
});

test("B's exit-time output cut after A's first frees: B's never-freed blocks of A's later ones read as A reads them (attack notes #200, #179)", () => {
  // The real wine2 pair: B, redirected, kept the helper DLL's 12 exit-time frees and lost clbhold's 11.
  const a = analyzeFixture('real/wine2/helperdll-clbhold-msvcrt-console.log');
  const b = analyzeFixture('real/wine2/helperdll-clbhold-msvcrt-redirected.log');
  assert.equal(b.truncation, 'complete');
  assert.equal(b.summary['true-leak'].blocks, 12);
  const d = diffReports(a, b);
  assert.equal(d.truncation.b, 'possibly-truncated');
  assert.deepEqual(d.categories['true-leak'].b, { blocks: 1, bytes: 64 });
  assert.deepEqual(d.categories.exitprocess.b, { blocks: 23, bytes: 1387 });
  assert.deepEqual(d.groups, []);
  assert.match(
    d.weaknesses[0]!,
    /^B \(.*\) reads possibly truncated against A: 11 blocks \(637 bytes\) never freed in B are freed at exit in A after the 12 exit-time frees B shows, which are A's first/,
  );
  // B's own report is untouched.
  assert.equal(b.truncation, 'complete');
  // A block A frees at exit before one B shows freed is no cut: B lost nothing there, the block leaks (#179).
  const crlf = (l: string[]) => l.join('\r\n') + '\r\n';
  const run = (bstrFreedAtExit: boolean) =>
    crlf([
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'MALLOC SPY: 0x0013C0F0 - 48 bytes allocated',
      'SysAllocString() returns 0x0013C0F4',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
      '0x0013C0F0 - 48 bytes: 28 00 00 00 53 00 63 00 72 00 69 00 70 00 74 00 (...S.c.r.i.p.t.',
      ...(bstrFreedAtExit ? ['MALLOC SPY: 0x0013C0F0 - freed, 1 blocks remaining'] : []),
      `MALLOC SPY: 0x0013A8F8 - freed, ${bstrFreedAtExit ? 0 : 1} blocks remaining`,
    ]);
  const early = diffReports(analyzeBuffer(run(true)), analyzeBuffer(run(false)));
  assert.equal(early.truncation.b, 'complete');
  assert.equal(failOnNew(early, 'true-leak').tripped, true);
  // The same block freed last in A: B's output may have been cut before it.
  const last = (log: string) =>
    log.replace(/(MALLOC SPY: 0x0013C0F0 - freed, 1 blocks remaining\r\n)(MALLOC SPY: 0x0013A8F8 - freed, 0 blocks remaining\r\n)/, '$2$1');
  const lateA = last(run(true)).replace('0x0013A8F8 - freed, 0', '0x0013A8F8 - freed, 1').replace('0x0013C0F0 - freed, 1', '0x0013C0F0 - freed, 0');
  const late = diffReports(analyzeBuffer(lateA), analyzeBuffer(run(false)));
  assert.equal(late.truncation.b, 'possibly-truncated');
  assert.equal(failOnNew(late, 'true-leak').tripped, false);
  // A run of the blocks given, each allocated in its own call, freeing at exit the listed ones in that order.
  const exitRun = (blocks: { at: string; size: number; call: string; data: string }[], freedAtExit: string[]) => {
    let alive = blocks.length;
    return crlf([
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      ...blocks.flatMap((x) => [`MALLOC SPY: ${x.at} - ${x.size} bytes allocated`, `${x.call}() returns 0x00000000`]),
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      ...blocks.map((x) => `${x.at} - ${x.size} bytes: ${x.data}`),
      ...freedAtExit.map((at) => `MALLOC SPY: ${at} - freed, ${--alive} blocks remaining`),
    ]);
  };
  const X = { at: '0x0013A8F8', size: 44, call: 'CLSIDFromProgID', data: '98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00' };
  const Y = { at: '0x0013B010', size: 32, call: 'CoCreateInstance', data: '70 91 4F 77 01 00 00 00 E0 3B 14 00 00 10 00 00' };
  const Z = { at: '0x0013C0F0', size: 24, call: 'OpenCache', data: '48 45 4C 44 11 11 11 11 11 11 11 11 11 11 11 11' };
  const gate = (a: string, b: string) => failOnNew(diffReports(analyzeBuffer(a), analyzeBuffer(b)), 'true-leak').tripped;
  const reference = exitRun([X, Y, Z], [X.at, Y.at, Z.at]);
  // B kept A's first two frees and lost Z's: nothing new.
  assert.equal(gate(reference, exitRun([X, Y, Z], [X.at, Y.at])), false);
  // An atexit handler of B's frees the block A leaked (the leak fixed): it says nothing of the cut (#208).
  const fixed = { at: '0x0023A000', size: 64, call: 'CoTaskMemAlloc', data: '4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD' };
  const leaking = exitRun([fixed, X, Y, Z], [X.at, Y.at, Z.at]);
  assert.equal(gate(leaking, exitRun([fixed, X, Y, Z], [fixed.at, X.at, Y.at])), false);
  // Any other exit-time free of B's counts: B kept a free A never shows, then lost Z's, or leaks Z.
  assert.equal(gate(reference, exitRun([fixed, X, Y, Z], [fixed.at, X.at, Y.at])), true);
  // What B kept is not A's first frees (B has no X; it frees Y): no cut, B's Z is new.
  assert.equal(gate(reference, exitRun([Y, Z], [Y.at])), true);
  // B's block of Z's call and size holds other data: B's new leak, not A's runtime block (#205).
  assert.equal(gate(reference, exitRun([X, Y, { ...Z, data: '4C 45 41 4B 23 32 00 CD CD CD CD CD CD CD CD CD' }], [X.at, Y.at])), true);
});

test("a possibly truncated side of several runs is explained by the part that is, not by run 1's complete evidence", () => {
  const r = analyzeBuffer(readFileSync('fixtures/situations/buf4096-appended.log'));
  const weak = assessWeaknesses(r, r);
  assert.match(weak[0]!, /^A \(.*\) is possibly truncated: run 2 \(lines 14\u2013100\): the run's output from line 14/);
});
