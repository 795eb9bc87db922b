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

  // MallocSpyTest with clbcatq's three blocks (44, 32, 24 bytes in CLSIDFromProgID), as Windows
  // prints them: NT 4 frees them inside CoUninitialize, Windows 2000 at exit, which a pipe loses.
  const RUNTIME = [44, 32, 24].map((size, i) => ({ size, address: `0x0013A9${i}0` }));
  const spyRun = (opts: { windows: 'nt4' | 'w2k'; piped: boolean; leaks: { address: string; size: number; context: string }[] }): string => {
    const l = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
    // A leak in CLSIDFromProgID is allocated before the runtime's blocks of that call (B lists it first).
    for (const k of opts.leaks) if (k.context === 'CLSIDFromProgID') l.push(`MALLOC SPY: ${k.address} - ${k.size} bytes allocated`);
    for (const r of RUNTIME) l.push(`MALLOC SPY: ${r.address} - ${r.size} bytes allocated`);
    l.push('CLSIDFromProgID() returns 0x00000000');
    for (const k of opts.leaks)
      if (k.context !== 'CLSIDFromProgID') l.push(`MALLOC SPY: ${k.address} - ${k.size} bytes allocated`, `${k.context}() returns 0x00000000`);
    let alive = RUNTIME.length + opts.leaks.length;
    if (opts.windows === 'nt4') for (const r of RUNTIME) l.push(`MALLOC SPY: ${r.address} - freed, ${--alive} blocks remaining`);
    l.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', 'MALLOC SPY: detected memory leaks!');
    for (const r of opts.windows === 'w2k' ? RUNTIME : []) l.push(`${r.address} - ${r.size} bytes: 98 B1 5A 77 08 BC 13 00 ..Zw....`);
    for (const k of opts.leaks) l.push(`${k.address} - ${k.size} bytes: 4C 45 41 4B 00 CD CD CD LEAK....`);
    if (opts.windows === 'w2k' && !opts.piped) for (const r of RUNTIME) l.push(`MALLOC SPY: ${r.address} - freed, ${--alive} blocks remaining`);
    return l.join('\r\n') + '\r\n';
  };
  const gates = (a: string, b: string) => {
    const d = diffReports(analyzeBuffer(a), analyzeBuffer(b));
    return (['true-leak', 'unresolved', 'any'] as const).map((which) =>
      failOnNew(d, which)
        .grown.map((x) => `${x.context}/${x.size} x${x.blocks}`)
        .join(', '),
    );
  };
  const leak = (n: number, size = 64, context = 'CoTaskMemAlloc') => ({ address: `0x0023A${n}00`, size, context });

  test("the gates follow the moves the diff pairs: NT 4 against Windows 2000, both sides piped, a second leak of a known leak's call (attack notes #151, #156, #160)", () => {
    // NT 4 on a console against a clean Windows 2000 build through a pipe: the runtime's blocks pair as moves.
    assert.deepEqual(gates(spyRun({ windows: 'nt4', piped: false, leaks: [] }), spyRun({ windows: 'w2k', piped: true, leaks: [] })), ['', '', '']);
    // Both sides piped.
    assert.deepEqual(gates(spyRun({ windows: 'w2k', piped: true, leaks: [] }), spyRun({ windows: 'w2k', piped: true, leaks: [] })), ['', '', '']);
    // A knows one leak; B, piped, leaks a second block of the same call and size: one new block for every gate.
    const known = spyRun({ windows: 'w2k', piped: false, leaks: [leak(0)] });
    assert.deepEqual(gates(known, spyRun({ windows: 'w2k', piped: true, leaks: [leak(0), leak(1)] })), Array(3).fill('CoTaskMemAlloc/64 x1'));
    assert.deepEqual(gates(known, spyRun({ windows: 'w2k', piped: true, leaks: [leak(0)] })), ['', '', '']);
    // Windows 2000 on a console against NT 4 through a pipe with a new leak of a runtime block's size and call:
    // B still shows that runtime block (freed in CoUninitialize), so its undecided block is new.
    const nt4Leak = spyRun({ windows: 'nt4', piped: true, leaks: [leak(0, 44, 'CLSIDFromProgID')] });
    assert.deepEqual(gates(spyRun({ windows: 'w2k', piped: false, leaks: [] }), nt4Leak), Array(3).fill('CLSIDFromProgID/44 x1'));
  });

  test("A's undecided block that B shows freed at exit offsets no new leak of B at its call and size (attack notes #162)", () => {
    // A through a pipe: the runtime's blocks undecided. B on a console: the same blocks freed at
    // exit (paired on their dump data), and a new 44-byte leak in CLSIDFromProgID.
    const a = spyRun({ windows: 'w2k', piped: true, leaks: [] });
    const b = spyRun({ windows: 'w2k', piped: false, leaks: [leak(0, 44, 'CLSIDFromProgID')] });
    // `any` summed +1 true leak and -1 unresolved at CLSIDFromProgID/44 to nothing new, and passed.
    assert.deepEqual(gates(a, b), ['CLSIDFromProgID/44 x1', '', 'CLSIDFromProgID/44 x1']);
    // A's leak that B cannot decide (B piped) offsets no second leak of B either.
    const known = spyRun({ windows: 'w2k', piped: false, leaks: [leak(0, 44, 'CLSIDFromProgID')] });
    const second = spyRun({ windows: 'w2k', piped: true, leaks: [leak(0, 44, 'CLSIDFromProgID'), leak(1, 44, 'CLSIDFromProgID')] });
    assert.deepEqual(gates(known, second), Array(3).fill('CLSIDFromProgID/44 x1'));
    assert.deepEqual(gates(b, b), ['', '', '']);
    // The same with B's runtime block's data changed (its heap pointer moved): A's undecided block
    // pairs with B's block freed at exit of its call, not with B's new leak beside it.
    const lines = (l: string[]) => l.join('\r\n') + '\r\n';
    const head = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
    const shutdown = ['CoCreateInstance() returns 0x00000000', 'Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005'];
    const piped = lines([
      ...head,
      'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      ...shutdown,
      'MALLOC SPY: detected memory leaks!',
      '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    ]);
    const consoleLeak = lines([
      ...head,
      'MALLOC SPY: 0x0013A800 - 44 bytes allocated',
      'MALLOC SPY: 0x0013A948 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      ...shutdown,
      'MALLOC SPY: detected memory leaks!',
      '0x0013A800 - 44 bytes: 4C 45 41 4B 00 CD CD CD CD CD CD CD CD CD CD CD LEAK............',
      '0x0013A948 - 44 bytes: 98 B1 5A 77 58 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
      'MALLOC SPY: 0x0013A948 - freed, 1 blocks remaining',
    ]);
    assert.deepEqual(gates(piped, consoleLeak), ['CLSIDFromProgID/44 x1', '', 'CLSIDFromProgID/44 x1']);
  });

  test('blocks whose dump data are alike pair across calls; zeros, counts and text that starts alike tell nothing (attack notes #173-#175, #179-#181, #183)', () => {
    const lines = (l: string[]) => l.join('\r\n') + '\r\n';
    const head = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
    const shutdown = ['Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', 'MALLOC SPY: detected memory leaks!'];
    // #173: A redirected, clbcatq's block undecided in CLSIDFromProgID; B on a console allocates
    // it in CoCreateInstance (freed at exit) and leaks a new 44-byte block in CLSIDFromProgID.
    const a173 = lines([
      ...head,
      'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    ]);
    const b173 = lines([
      ...head,
      'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'MALLOC SPY: 0x0013C150 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      ...shutdown,
      '0x0013A8F8 - 44 bytes: 98 B1 5A 77 58 BC 13 00 01 00 00 00 01 00 11 00 ..ZwX...........',
      '0x0013C150 - 44 bytes: 4E 45 57 4C 45 41 4B 00 CD CD CD CD CD CD CD CD NEWLEAK.........',
      'MALLOC SPY: 0x0013A8F8 - freed, 1 blocks remaining',
    ]);
    assert.deepEqual(gates(a173, b173), ['CLSIDFromProgID/44 x1', '', 'CLSIDFromProgID/44 x1']);
    // #174: A redirected with its known leak undecided; B on a console: the same leak (a pointer
    // in it moved) and a new buffer of its size and call, freed by an atexit handler.
    const record = (address: string, pointer: string) => `${address} - 64 bytes: 53 45 54 31 00 00 00 00 ${pointer} 00 00 00 00 00 SET1......4.....`;
    const a174 = lines([
      ...head,
      'MALLOC SPY: 0x0034C9C0 - 64 bytes allocated',
      'CoTaskMemAlloc(64) returns 0x0034C9C0',
      ...shutdown,
      record('0x0034C9C0', '10 CA 34 00'),
    ]);
    const b174 = lines([
      ...head,
      'MALLOC SPY: 0x0034CB30 - 64 bytes allocated',
      'MALLOC SPY: 0x0034CB80 - 64 bytes allocated',
      'CoTaskMemAlloc(64) returns 0x0034CB80',
      ...shutdown,
      '0x0034CB30 - 64 bytes: 43 41 43 48 45 00 CD CD CD CD CD CD CD CD CD CD CACHE...........',
      record('0x0034CB80', 'D0 CB 34 00'),
      'MALLOC SPY: 0x0034CB30 - freed, 1 blocks remaining',
    ]);
    // `true-leak` counts a block A could not decide and B calls a leak as new (see the README); `any` does not.
    assert.deepEqual(gates(a174, b174), ['CoTaskMemAlloc/64 x1', '', '']);
    // #175: A on Windows 2000 (a 32-byte runtime block, its first field a NULL link, freed at
    // exit); B on NT 4 frees it in CoUninitialize (no dump data) and leaks a zeroed 32-byte struct.
    const a175 = lines([
      ...head,
      'MALLOC SPY: 0x0013A8F8 - 32 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      ...shutdown,
      '0x0013A8F8 - 32 bytes: 00 00 00 00 A0 BC 13 00 02 00 00 00 10 00 00 00 ................',
      'MALLOC SPY: 0x0013A8F8 - freed, 0 blocks remaining',
    ]);
    const b175 = lines([
      ...head,
      'CLSIDFromProgID() returns 0x00000000',
      'MALLOC SPY: 0x00142A10 - 32 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'MALLOC SPY: 0x00142B60 - 32 bytes allocated',
      'LoadOptions() returns 0x00000000',
      'MALLOC SPY: 0x00142A10 - freed, 1 blocks remaining',
      ...shutdown,
      '0x00142B60 - 32 bytes: 00 00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 ................',
    ]);
    assert.deepEqual(gates(a175, b175), Array(3).fill('LoadOptions/32 x1'));
    // A small number first (a count, a reference count) is no pointer either.
    const counted = (log: string) => log.replace(': 00 00 00 00 ', ': 02 00 00 00 ');
    assert.deepEqual(gates(counted(a175), counted(b175)), Array(3).fill('LoadOptions/32 x1'));
    // Identical, but a count and zeros: no block's own (#183).
    const flagged = (log: string) => log.replace(/: 0[02] 00 00 00 [0-9A-F ]{35}/, ': 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00');
    assert.deepEqual(gates(flagged(a175), flagged(b175)), Array(3).fill('LoadOptions/32 x1'));
    // The same with B's leak all zeros: identical data, but no block's own.
    assert.deepEqual(
      gates(a175.replace('00 00 00 00 A0 BC 13 00 02 00 00 00 10 00 00 00', '00'.concat(' 00'.repeat(15))), b175.replace('03 00', '00 00')),
      Array(3).fill('LoadOptions/32 x1'),
    );
    // #181: a path that starts as A's runtime block's does (`C:\\`), B on NT 4 freeing its copy in CoUninitialize.
    const path = (address: string, text: string) =>
      `${address} - 520 bytes: ${[...text].map((c) => c.charCodeAt(0).toString(16).toUpperCase() + ' 00').join(' ')} ${[...text].map((c) => c + '.').join('')}`;
    const a181 = lines([
      ...head,
      'MALLOC SPY: 0x0013C2A8 - 520 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      path('0x0013C2A8', 'C:\\WINNT'),
      'MALLOC SPY: 0x0013C2A8 - freed, 0 blocks remaining',
    ]);
    const b181 = lines([
      ...head,
      'MALLOC SPY: 0x00142A10 - 520 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'MALLOC SPY: 0x00142E58 - 520 bytes allocated',
      'GetModulePath() returns 0x00000000',
      'MALLOC SPY: 0x00142A10 - freed, 1 blocks remaining',
      ...shutdown,
      path('0x00142E58', 'C:\\work\\'),
    ]);
    assert.deepEqual(gates(a181, b181), Array(3).fill('GetModulePath/520 x1'));
    // #185: the same 16 bytes, 8 characters of two paths under `C:\\WINNT`: text tells no block from another.
    assert.deepEqual(
      gates(a181, b181.replace(path('0x00142E58', 'C:\\work\\'), path('0x00142E58', 'C:\\WINNT'))),
      Array(3).fill('GetModulePath/520 x1'),
    );
    // #184, #189: identical bytes of a fill (`FF` set by memset -1, page heap's `C0` behind a
    // count, the heap's BAADF00D under a debugger, a table of -1 entries).
    for (const fill of [
      'FF'.concat(' FF'.repeat(15)),
      'C0'.concat(' C0'.repeat(15)),
      '02 00 00 00'.concat(' C0'.repeat(12)),
      '0D F0 AD BA '.repeat(4).trim(),
      'FF '.repeat(12).concat('00 00 00 00'),
      // Behind a count and a size (#195).
      '01 00 00 00 20 00 00 00 0D F0 AD BA 0D F0 AD BA',
      '01 00 00 00 FF FF FF FF FF FF FF FF 00 00 00 00',
    ]) {
      const filled = (log: string) => log.replace(/: [0-9A-F]{2}( [0-9A-F]{2}){15} /, `: ${fill} `);
      assert.deepEqual(gates(filled(a175), filled(b175)), Array(3).fill('LoadOptions/32 x1'), fill);
    }
    // #186: two objects of one class (one vtable) in A, both undecided; B on a console: the known
    // leak at its call, the runtime's object freed at exit. Each of A's is B's of its own call.
    const stream = (address: string, handle: string) => `${address} - 40 bytes: 70 91 4F 77 01 00 00 00 ${handle} 00 10 00 00 p.Ow............`;
    const a186 = lines([
      ...head,
      'MALLOC SPY: 0x00143BE0 - 40 bytes allocated',
      'CreateStreamOnHGlobal() returns 0x00000000',
      'MALLOC SPY: 0x00144058 - 40 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      stream('0x00143BE0', 'E0 3B 14'),
      stream('0x00144058', '58 40 14'),
    ]);
    const b186 = lines([
      ...head,
      'MALLOC SPY: 0x00143C20 - 40 bytes allocated',
      'CreateStreamOnHGlobal() returns 0x00000000',
      'MALLOC SPY: 0x00144190 - 40 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      stream('0x00143C20', '20 3C 14'),
      stream('0x00144190', '90 41 14'),
      'MALLOC SPY: 0x00144190 - freed, 1 blocks remaining',
    ]);
    assert.deepEqual(gates(a186, b186), ['CreateStreamOnHGlobal/40 x1', '', '']);
    // #190: one runtime object undecided in A; B frees it at exit in another call and leaks a new
    // object of its class at A's block's call: B has one more such block than A, and it is new.
    const a190 = lines([
      ...head,
      'MALLOC SPY: 0x00144058 - 40 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      stream('0x00144058', '58 40 14'),
    ]);
    const b190 = lines([
      ...head,
      'MALLOC SPY: 0x00144190 - 40 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'MALLOC SPY: 0x00143C20 - 40 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      stream('0x00144190', '90 41 14'),
      stream('0x00143C20', '20 3C 14'),
      'MALLOC SPY: 0x00144190 - freed, 1 blocks remaining',
    ]);
    assert.deepEqual(gates(a190, b190), ['CoCreateInstance/40 x1', '', 'CoCreateInstance/40 x1']);
    // #191: A on Windows 2000 frees the object at exit; B on NT 4 frees it in CoUninitialize at the
    // same call (no data) and leaks a new object of its class elsewhere: the leak is new.
    const a191 = lines([
      ...head,
      'MALLOC SPY: 0x00144058 - 40 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      stream('0x00144058', '58 40 14'),
      'MALLOC SPY: 0x00144058 - freed, 0 blocks remaining',
    ]);
    const b191 = lines([
      ...head,
      'MALLOC SPY: 0x00142A10 - 40 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'MALLOC SPY: 0x00142B60 - 40 bytes allocated',
      'OpenSettings() returns 0x00000000',
      'MALLOC SPY: 0x00142A10 - freed, 1 blocks remaining',
      ...shutdown,
      stream('0x00142B60', 'A8 2B 14'),
    ]);
    assert.deepEqual(gates(a191, b191), Array(3).fill('OpenSettings/40 x1'));
    // #180: A redirected: the runtime's node and the known leak (a count first), both undecided;
    // B on a console: the node in another call, freed at exit, and the same leak. Nothing new for `any`.
    const a180 = lines([
      ...head,
      'MALLOC SPY: 0x0013A8F8 - 32 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'MALLOC SPY: 0x0013BBE0 - 32 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      '0x0013A8F8 - 32 bytes: 00 00 00 00 A0 BC 13 00 02 00 00 00 10 00 00 00 ................',
      '0x0013BBE0 - 32 bytes: 01 00 00 00 48 BC 13 00 07 00 00 00 00 00 00 00 ....H...........',
    ]);
    const b180 = lines([
      ...head,
      'MALLOC SPY: 0x0013A8F8 - 32 bytes allocated',
      'MALLOC SPY: 0x0013BBE0 - 32 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      ...shutdown,
      '0x0013A8F8 - 32 bytes: 00 00 00 00 D0 BC 13 00 02 00 00 00 10 00 00 00 ................',
      '0x0013BBE0 - 32 bytes: 01 00 00 00 08 BC 13 00 07 00 00 00 00 00 00 00 ................',
      'MALLOC SPY: 0x0013A8F8 - freed, 1 blocks remaining',
    ]);
    assert.deepEqual(gates(a180, b180), ['CoCreateInstance/32 x1', '', '']);
    // #179: a BSTR OLEAUT32's cache held until exit in A, leaked in B (identical data): new to `any` as to `true-leak`.
    const bstr = (freed: boolean) =>
      lines([
        ...head,
        'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
        'CLSIDFromProgID() returns 0x00000000',
        'MALLOC SPY: 0x0013C0F0 - 48 bytes allocated',
        'SysAllocString() returns 0x0013C0F4',
        ...(freed ? ['Called SysFreeString(0x0013C0F4)'] : []),
        ...shutdown,
        '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
        '0x0013C0F0 - 48 bytes: 28 00 00 00 53 00 63 00 72 00 69 00 70 00 74 00 (...S.c.r.i.p.t.',
        ...(freed ? ['MALLOC SPY: 0x0013C0F0 - freed, 1 blocks remaining'] : []),
        `MALLOC SPY: 0x0013A8F8 - freed, ${freed ? 0 : 1} blocks remaining`,
        'C:\\work\\spy>',
      ]);
    assert.deepEqual(gates(bstr(true), bstr(false)), ['SysAllocString/48 x1', '', 'SysAllocString/48 x1']);
  });

  test("A's runtime block pairs with B's block of its own call before a block of another call (attack notes #164)", () => {
    // A on a console: clbcatq's 44-byte block freed at exit. B redirected: the same block (its
    // heap pointer moved, so no identical data), undecided; and a new object's 44-byte block
    // freed in CoUninitialize, in CoCreateInstance. Paired across calls first, B's own copy was new.
    const a = [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'CoCreateInstance() returns 0x00000000',
      'Object released',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
      'MALLOC SPY: 0x0013A8F8 - freed, 0 blocks remaining',
    ];
    const b = [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x0013A948 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'MALLOC SPY: 0x0013B010 - 44 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'Object released',
      'MALLOC SPY: 0x0013B010 - freed, 1 blocks remaining',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      '0x0013A948 - 44 bytes: 98 B1 5A 77 58 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    ];
    const crlf = (l: string[]) => l.join('\r\n') + '\r\n';
    const d = diffReports(analyzeBuffer(crlf(a)), analyzeBuffer(crlf(b)));
    assert.deepEqual(
      d.moves.map((m) => [m.from.category, m.from.context, m.to.category, m.to.context]),
      [['exitprocess', 'CLSIDFromProgID', 'unresolved', 'CLSIDFromProgID']],
    );
    assert.deepEqual(gates(crlf(a), crlf(b)), ['', '', '']);
    // The same B with a new 44-byte leak in CLSIDFromProgID: new to every gate.
    const leaking = [...b.slice(0, 3), 'MALLOC SPY: 0x0013A9A0 - 44 bytes allocated', ...b.slice(3)];
    leaking.push('0x0013A9A0 - 44 bytes: 4C 45 41 4B 00 CD CD CD CD CD CD CD CD CD CD CD LEAK............');
    assert.deepEqual(gates(crlf(a), crlf(leaking)), Array(3).fill('CLSIDFromProgID/44 x1'));
    // The block B frees in CoUninitialize in the same call (a second ProgID looked up): B's undecided
    // block, whose data start as A's block's, is still A's (attack notes #167).
    const second = [...b.slice(0, 4), 'MALLOC SPY: 0x0013B010 - 44 bytes allocated', 'CLSIDFromProgID() returns 0x00000000', ...b.slice(5)];
    assert.deepEqual(gates(crlf(a), crlf(second)), ['', '', '']);
    // The same with the runtime's block holding text (its ProgID, identical in both runs): text
    // identifies a block at its own call (attack notes #188).
    const progId = (l: string) =>
      l.replace(
        /: 98 B1 5A 77 [0-9A-F]{2} BC 13 00 01 00 00 00 01 00 11 00 \S+/,
        ': 41 00 44 00 4F 00 44 00 42 00 2E 00 52 00 65 00 A.D.O.D.B...R.e.',
      );
    assert.deepEqual(gates(crlf(a.map(progId)), crlf(second.map(progId))), ['', '', '']);
    // B allocates A's runtime block in another call now (an object created first) and shows it
    // freed at exit, and leaks a new 44-byte block in CLSIDFromProgID, its file cut inside the
    // exit-time output: the leak is new, though it is of the call A's block was (attack notes #169).
    const moved = [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x0013A948 - 44 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'Object released',
      'MALLOC SPY: 0x0013B010 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      '0x0013A948 - 44 bytes: 98 B1 5A 77 58 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
      '0x0013B010 - 44 bytes: 4C 45 41 4B 23 31 00 00 00 00 00 00 00 00 00 00 LEAK#1..........',
      'MALLOC SPY: 0x0013A948 - freed, 1 blocks remaining',
    ];
    assert.deepEqual(gates(crlf(a), crlf(moved) + 'MALLOC SPY: 0x0013'), Array(3).fill('CLSIDFromProgID/44 x1'));
  });
});

test("a possibly truncated side of several runs is explained by the part that is, not by run 1's complete evidence", () => {
  const r = analyzeBuffer(readFileSync('fixtures/situations/buf4096-appended.log'));
  const weak = assessWeaknesses(r, r);
  assert.match(weak[0]!, /^A \(.*\) is possibly truncated: run 2 \(lines 14\u2013100\): the run's output from line 14/);
});
