// Scenarios from SPEC §3 on small inline logs: phases, categories, context,
// completeness and its evidence, and every inconsistency as an anomaly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderJsonParts } from '../src/report/json.js';
import { analyzeBuffer } from '../src/analyze.js';
import type { Report } from '../src/model/report.js';

const log = (...lines: string[]) => lines.join('\n') + '\n';
const cats = (r: Report) => r.blocks.map((b) => `${b.address}:${b.category}:${b.context}:${b.decidedBy}`);
const kinds = (r: Report) => r.anomalies.map((a) => `${a.kind}@${a.line}`);

const HEAD = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];

test('NT 4 picture: frees right before `Called CoUninitialize()` are CoUninitialize cleanup', () => {
  const r = analyzeBuffer(
    log(
      ...HEAD,
      'CLSIDFromProgID() returns 0x00000000',
      'MALLOC SPY: 0x00139E90 - 216 bytes allocated',
      'MALLOC SPY: 0x00138650 - 16 bytes allocated',
      'CoCreateInstance() returns 0x00000000',
      'MALLOC SPY: 0x00138650 - freed, 1 blocks remaining',
      'Object released',
      'MALLOC SPY: 0x00139E90 - freed, 0 blocks remaining',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x00000000',
    ),
  );
  assert.equal(r.truncation, 'complete');
  assert.deepEqual(cats(r), ['0x00139E90:couninitialize:CoCreateInstance:log']);
  assert.deepEqual(r.summary.freed, { blocks: 1, bytes: 16 });
  assert.deepEqual(r.summary.couninitialize, { blocks: 1, bytes: 216 });
  assert.equal(r.blocks[0]!.allocLine, 4);
  assert.equal(r.blocks[0]!.freeLine, 9);
  assert.deepEqual(r.peak, { blocks: 2, bytes: 232, line: 5 });
  assert.deepEqual(r.anomalies, []);
});

const W2K = [
  ...HEAD,
  'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
  'CLSIDFromProgID() returns 0x00000000',
  'MALLOC SPY: 0x0013C000 - 64 bytes allocated',
  'CoTaskMemAlloc(64) returns 0x0013C000 (deliberately never freed)',
  'Object released',
  'Called CoUninitialize()',
  'CoRevokeMallocSpy() returns 0x80070005',
  'MALLOC SPY: detected memory leaks!',
  '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
  '0x0013C000 - 64 bytes: 4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD LEAK#1..........',
];

test('Windows 2000 console capture: exit-time frees are runtime-held, the rest is a true leak', () => {
  const r = analyzeBuffer(log(...W2K, 'MALLOC SPY: 0x0013A8F8 - freed, 1 blocks remaining'));
  assert.equal(r.truncation, 'complete');
  assert.deepEqual(cats(r), ['0x0013A8F8:exitprocess:CLSIDFromProgID:log', '0x0013C000:true-leak:CoTaskMemAlloc:log']);
  assert.equal(r.blocks[0]!.data, '98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00');
  assert.equal(r.blocks[0]!.inDump, true);
  assert.equal(r.phases.dump?.entries, 2);
  assert.equal(r.phases.exitEvents, 1);
  assert.ok(r.evidence.some((e) => e.includes('exit-time output is present')));
});

test('the same run redirected (ends at the dump): possibly truncated, blocks unresolved', () => {
  const r = analyzeBuffer(log(...W2K));
  assert.equal(r.truncation, 'possibly-truncated');
  assert.match(r.evidence[0]!, /CoRevokeMallocSpy failed with 0x80070005 \(line 9\) while 2 blocks were outstanding/);
  assert.deepEqual(cats(r), ['0x0013A8F8:unresolved:CLSIDFromProgID:log', '0x0013C000:unresolved:CoTaskMemAlloc:log']);
  const assumed = analyzeBuffer(log(...W2K), { assumeComplete: true });
  assert.deepEqual(cats(assumed), ['0x0013A8F8:true-leak:CLSIDFromProgID:assume-complete', '0x0013C000:true-leak:CoTaskMemAlloc:assume-complete']);
  assert.equal(assumed.truncation, 'possibly-truncated', '--assume-complete decides blocks, not the verdict');
});

test('a free of NULL after the dump is no exit-time output: the redirected run stays undecided (attack notes #97)', () => {
  const r = analyzeBuffer(log(...W2K, 'MALLOC SPY: 0x00000000 - freed, 2 blocks remaining'));
  assert.equal(r.truncation, 'possibly-truncated');
  assert.deepEqual(cats(r), ['0x0013A8F8:unresolved:CLSIDFromProgID:log', '0x0013C000:unresolved:CoTaskMemAlloc:log']);
  assert.deepEqual([r.frees, r.phases.exitEvents], [1, 0]);
  // A real free after it still is.
  const exit = analyzeBuffer(log(...W2K, 'MALLOC SPY: 0x00000000 - freed, 2 blocks remaining', 'MALLOC SPY: 0x0013A8F8 - freed, 1 blocks remaining'));
  assert.deepEqual([exit.truncation, exit.phases.exitEvents], ['complete', 1]);
});

test('a cut last line: truncated, with the cut event still applied when it parsed', () => {
  const text = log(...W2K) + 'MALLOC SPY: 0x0013A8F8 - freed, 1 blocks remaining';
  const r = analyzeBuffer(text);
  assert.equal(r.truncation, 'truncated');
  assert.match(r.evidence[0]!, /last line \(13\) has no line end/);
  assert.deepEqual(cats(r), ['0x0013A8F8:exitprocess:CLSIDFromProgID:log', '0x0013C000:unresolved:CoTaskMemAlloc:log']);
  const midEvent = analyzeBuffer(log(...W2K, 'MALLOC SPY: 0x0013A8F8 - freed, 1 bl'));
  assert.equal(midEvent.truncation, 'truncated');
  assert.ok(midEvent.evidence.some((e) => e.includes('incomplete spy event')));
});

test('a file of exactly k x 4096 bytes with blocks outstanding is possibly truncated', () => {
  let text = log(...HEAD, 'MALLOC SPY: 0x10 - 8 bytes allocated', 'CoTaskMemAlloc(8) returns 0x10');
  text += 'x'.repeat(4096 - text.length - 1) + '\n';
  assert.equal(Buffer.byteLength(text), 4096);
  const r = analyzeBuffer(text);
  assert.equal(r.truncation, 'possibly-truncated');
  assert.match(r.evidence.join(' '), /exactly 1 \u00d7 4096 bytes/);
  assert.equal(r.blocks[0]!.category, 'unresolved');
});

test('context: the next `Name() returns` line, else the next program line, else ExitProcess', () => {
  const r = analyzeBuffer(
    log(
      ...HEAD,
      'MALLOC SPY: 0x10 - 8 bytes allocated',
      'Marshal loop: 3 iterations',
      'MALLOC SPY: 0x20 - 8 bytes allocated',
      'IUnknown::QueryInterface(IID_IDispatch) returns 0x00000000',
      'Called CoUninitialize()',
      'MALLOC SPY: 0x30 - 8 bytes allocated',
    ),
  );
  assert.deepEqual(
    r.blocks.map((b) => b.context),
    ['Marshal loop: 3 iterations', 'IUnknown::QueryInterface', 'ExitProcess'],
  );
});

test('realloc: the block keeps its identity; size and address follow', () => {
  const r = analyzeBuffer(
    log(
      ...HEAD,
      'MALLOC SPY: 0x10 - 16 bytes allocated',
      'CoTaskMemAlloc(16) returns 0x10',
      'MALLOC SPY: 0x10 - reallocated to 0x40, 256 bytes',
      'CoTaskMemRealloc(0x10, 256) returns 0x40',
      'Called CoUninitialize()',
    ),
  );
  assert.equal(r.reallocs, 1);
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.size, b.context, b.allocLine, b.reallocs]),
    [['0x40', 256, 'CoTaskMemAlloc', 3, 1]],
  );
  assert.equal(r.peak.bytes, 256);
});

test('a free of the old pointer after a realloc moved the block is a double free, said as such', () => {
  const r = analyzeBuffer(
    log(
      ...HEAD,
      'MALLOC SPY: 0x10 - 16 bytes allocated', // 3
      'MALLOC SPY: 0x10 - reallocated to 0x40, 256 bytes', // 4
      'MALLOC SPY: 0x10 - freed, 1 blocks remaining', // 5: the old pointer
      'MALLOC SPY: 0x40 - freed, 0 blocks remaining', // 6
      'MALLOC SPY: 0x99 - freed, 0 blocks remaining', // 7: never allocated
      'Called CoUninitialize()',
    ),
  );
  assert.deepEqual(kinds(r), ['double-free@5', 'unknown-free@7']);
  assert.match(r.anomalies[0]!.message, /0x10 freed after a realloc moved its block/);
  assert.match(r.anomalies[1]!.message, /0x99, which is not alive in this log: never allocated in it, or freed over 4096 frees ago/);
});

test('a realloc of NULL that returns NULL is a failed allocation, never a block at NULL; a realloc to 0 bytes frees', () => {
  // As the harness's PostRealloc prints them: `old - reallocated to new, n bytes`.
  const r = analyzeBuffer(
    log(
      ...HEAD,
      'MALLOC SPY: 0x10 - 16 bytes allocated', // 3: #1
      'MALLOC SPY: 0x00000000 - reallocated to 0x00000000, 4096 bytes', // 4: #2, failed
      'MALLOC SPY: 0x20 - 8 bytes allocated', // 5: #3
      'MALLOC SPY: 0x20 - freed (realloc to 0 bytes), 1 blocks remaining', // 6
      'MALLOC SPY: 0x20 - reallocated to 0x00000000, 0 bytes', // 7: the same realloc's result
      'MALLOC SPY: 0x10 - reallocated to 0x00000000, 0 bytes', // 8: a spy that prints only this frees 0x10
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x00000000',
    ),
  );
  assert.deepEqual(kinds(r), ['allocation-failed@4']);
  assert.equal(r.truncation, 'complete');
  assert.deepEqual(r.summary.unresolved.blocks + r.summary['true-leak'].blocks, 0);
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.ordinal, b.freeLine]),
    [
      ['0x10', 1, 8],
      ['0x20', 3, 6],
    ],
  );
});

test('a run that crashed inside a call (its last lines are allocations) is possibly-truncated; a free after the last line is exit-time output', () => {
  const crashed = [
    ...HEAD,
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x10 - 16 bytes allocated', // inside CoCreateInstance, which never returned
    'MALLOC SPY: 0x20 - 24 bytes allocated',
  ];
  const r = analyzeBuffer(log(...crashed));
  assert.equal(r.truncation, 'possibly-truncated');
  assert.equal(r.summary.unresolved.blocks, 2);
  assert.match(r.evidence.join('\n'), /only allocations follow the program's last line \(2 spy events/);
  // A free after the last program line is what the spy printed during ExitProcess: the log shows the exit.
  const exited = analyzeBuffer(log(...crashed, 'MALLOC SPY: 0x20 - freed, 1 blocks remaining'));
  assert.equal(exited.truncation, 'complete');
  assert.equal(exited.summary['true-leak'].blocks, 1);
});

test("a known holder's hint on a block a complete log decided a true leak says the flag cannot change it", () => {
  const complete = log(
    ...HEAD,
    'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x0013A900 - 16 bytes allocated',
    'CoCreateInstance() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    '0x0013A900 - 16 bytes: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 ................',
    'MALLOC SPY: 0x0013A900 - freed, 1 blocks remaining', // exit-time output: the log is complete
  );
  for (const trust of [false, true]) {
    const r = analyzeBuffer(complete, { trustKnownHolders: trust });
    const b = r.blocks.find((x) => x.size === 44)!;
    assert.deepEqual([r.truncation, b.category, b.decidedBy, b.hint?.id], ['complete', 'true-leak', 'log', 'clbcatq-clsidfromprogid-44']);
    assert.match(b.hint!.message, /decided a true leak .* --trust-known-holders does not override that/);
  }
});

test('inconsistencies are anomalies with line numbers, and the analysis goes on', () => {
  const r = analyzeBuffer(
    log(
      ...HEAD,
      'MALLOC SPY: 0x10 - 8 bytes allocated', // 3
      'MALLOC SPY: 0x99 - freed, 1 blocks remaining', // 4: unknown address
      'MALLOC SPY: 0x10 - freed, 0 blocks remaining', // 5
      'MALLOC SPY: 0x10 - freed, 0 blocks remaining', // 6: double free
      'MALLOC SPY: 0x20 - 8 bytes allocated', // 7
      'MALLOC SPY: 0x20 - 9 bytes allocated', // 8: allocated again while alive
      'more allocations...', // 9
      'MALLOC SPY: 0xZZ - 1 bytes allocated', // 10
      'Called CoUninitialize()', // 11
      'CoRevokeMallocSpy() returns 0x80070005', // 12
      'MALLOC SPY: detected memory leaks!', // 13
      '0x20 - 4 bytes: 00 00 00 00             ....', // 14: other size
      '0x77 - 4 bytes: 00 00 00 00             ....', // 15: never allocated
      'MALLOC SPY: 0x20 - freed, 5 blocks remaining', // 16: count disagrees
    ),
  );
  assert.deepEqual(kinds(r), [
    'unknown-free@4',
    'double-free@6',
    'address-reused-while-alive@8',
    'elided-lines@9',
    'malformed-spy-line@10',
    'dump-size-mismatch@14',
    'dump-unknown-block@15',
    'count-mismatch@16',
  ]);
  assert.equal(r.truncation, 'possibly-truncated', 'lost lines make never-freed blocks undecidable');
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.category, b.allocLine]),
    [
      // freed with no program line between it and `Called CoUninitialize()`: that window
      ['0x10', 'couninitialize', 3],
      ['0x20', 'exitprocess', 8],
      ['0x77', 'unresolved', null],
    ],
  );
});

test('CoRevokeMallocSpy succeeding while blocks are alive means their frees are missing', () => {
  const r = analyzeBuffer(log(...HEAD, 'MALLOC SPY: 0x10 - 8 bytes allocated', 'Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x00000000'));
  assert.deepEqual(kinds(r), ['revoke-with-live-blocks@5']);
  assert.equal(r.truncation, 'possibly-truncated');
});

test('empty input and a log without spy events give valid reports', () => {
  const empty = analyzeBuffer('');
  assert.equal(empty.truncation, 'complete');
  assert.deepEqual(empty.evidence, ['the log is empty: it has no events']);
  assert.equal(empty.lines, 0);
  const quiet = analyzeBuffer(log(...HEAD, 'Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x00000000'));
  assert.deepEqual(quiet.evidence, ['the log has no spy events: the spy saw no allocation']);
});

test('a realloc that moves an address away does not make a later double free of it look unknown', () => {
  const r = analyzeBuffer(
    log(
      'MALLOC SPY: 0x3 - 4 bytes allocated',
      'MALLOC SPY: 0x3 - freed, 0 blocks remaining',
      'MALLOC SPY: 0x3 - 4 bytes allocated',
      'MALLOC SPY: 0x3 - reallocated to 0x9, 4 bytes',
      'MALLOC SPY: 0x3 - freed, 0 blocks remaining', // 5: 0x3 was freed at line 2 and not allocated since
    ),
  );
  assert.deepEqual(
    r.anomalies.filter((a) => a.kind.endsWith('-free')).map((a) => `${a.kind}@${a.line}`),
    ['double-free@5'],
  );
});

test('anomalies are bounded per kind but counted exactly', () => {
  const lines = Array.from({ length: 500 }, (_, i) => `MALLOC SPY: 0x${(i + 1).toString(16)} - freed, 0 blocks remaining`);
  const r = analyzeBuffer(log(...lines), { anomaliesPerKind: 10 });
  assert.equal(r.anomalies.length, 10);
  assert.equal(r.anomalyCounts['unknown-free'], 500);
});

test('a long stretch of frees without program output stays bounded (window limit)', () => {
  const lines = [...HEAD, 'Object released'];
  for (let i = 1; i <= 50; i++) lines.push(`MALLOC SPY: 0x${i.toString(16)} - 8 bytes allocated`);
  for (let i = 1; i <= 50; i++) lines.push(`MALLOC SPY: 0x${i.toString(16)} - freed, ${50 - i} blocks remaining`);
  lines.push('Called CoUninitialize()');
  const r = analyzeBuffer(log(...lines), { windowLimit: 20 });
  assert.deepEqual(r.summary.couninitialize, { blocks: 50, bytes: 400 });
  assert.equal(r.blocks.length, 20);
  assert.equal(r.anomalyCounts['window-overflow'], 1);
});

test('JSON in pieces is exactly JSON.stringify, with thousands of blocks and with nested run reports', () => {
  const many = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < 2500; i++) many.push(`MALLOC SPY: 0x${(0x100000 + 16 * i).toString(16)} - 8 bytes allocated`);
  many.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x00000000');
  const twoRuns = [...many, ...many.slice(0, 30), 'Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x00000000'];
  for (const text of [log(...many), log(...twoRuns)]) {
    const r = analyzeBuffer(text);
    assert.ok(r.blocks.length >= 2500);
    const parts = [...renderJsonParts(r)];
    assert.ok(parts.length >= 5, 'the blocks come in several pieces');
    assert.equal(parts.join(''), JSON.stringify(r) + '\n');
  }
  assert.ok(analyzeBuffer(log(...twoRuns)).runs !== undefined, 'the second log has nested run reports');
});

test('windowLimit that is not a whole number: the window holds as many frees as `count < limit` admits (no row past its columns)', () => {
  const hex = (i: number): string => `0x${(0x1000 + i * 16).toString(16).toUpperCase().padStart(8, '0')}`;
  const lines = ['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < 40; i++) lines.push(`MALLOC SPY: ${hex(i)} - 8 bytes allocated`);
  lines.push('Step() returns 0x00000000');
  for (let i = 0; i < 40; i++) lines.push(`MALLOC SPY: ${hex(i)} - freed, ${39 - i} blocks remaining`);
  lines.push('Called CoUninitialize()', '');
  for (const [limit, listed] of [
    [10.5, 11],
    [12, 12],
    [1e-9, 1],
  ] as const) {
    const r = analyzeBuffer(lines.join('\n'), { windowLimit: limit });
    assert.equal(r.summary.couninitialize.blocks, 40, `${limit}`);
    assert.equal(r.blocks.filter((b) => b.category === 'couninitialize').length, listed, `${limit}`);
  }
});

test("the console's last line decides nothing: a prompt without its line end or cut inside it is not a cut log; a spy line cut before it is", () => {
  const run = [
    ...HEAD,
    'MALLOC SPY: 0x00130000 - 64 bytes allocated',
    'MALLOC SPY: 0x00130100 - 44 bytes allocated',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00130000 - 64 bytes: 4C 45 41 4B 00 00 00 00 00 00 00 00 00 00 00 00 LEAK............',
    '0x00130100 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    'MALLOC SPY: 0x00130100 - freed, 1 blocks remaining',
  ].join('\r\n');
  const rules = (r: Report) => `${r.truncation} ${r.summary['true-leak'].blocks}/${r.summary.exitprocess.blocks}/${r.summary.unresolved.blocks}`;
  // cmd's prompt after the program exited, copied out of the console: no line end, or a CR without its LF.
  assert.equal(rules(analyzeBuffer(run + '\r\n\r\nC:\\work\\spy>')), 'complete 1/1/0');
  assert.equal(rules(analyzeBuffer(run + '\r\n\r\nC:\\work\\spy>\r')), 'complete 1/1/0');
  // The program's own last line so cut is a cut log (and the free before it an ordinary one).
  assert.equal(rules(analyzeBuffer(run + '\r\nDone.')), 'truncated 0/0/1');
  assert.equal(rules(analyzeBuffer(run + '\r\nDone.\r')), 'truncated 0/0/1');
  // A spy line cut short, then cmd's prompt, an empty line (Enter pressed) and the prompt again: truncated, at the spy line.
  const cut = analyzeBuffer(run + '\r\nMALLOC SPY: 0x00130000 - fre\r\nC:\\work\\spy>\r\n\r\nC:\\work\\spy>');
  assert.equal(rules(cut), 'truncated 0/1/1');
  assert.deepEqual(cut.evidence, ["the program's last line (11) is an incomplete spy event; only blank lines and the console's follow it"]);
  // A blank line alone after it: the same.
  assert.equal(rules(analyzeBuffer(run + '\r\nMALLOC SPY: 0x00130000 - fre\r\n\r\n')), 'truncated 0/1/1');
  // The same spy line followed by a line of the program's: an anomaly in the middle of the log, not a cut end
  // (the run is still undecided: nothing follows its last line, the failed revoke's exit-time output is missing).
  const middle = analyzeBuffer(run + '\r\nMALLOC SPY: 0x00130000 - fre\r\nDone.\r\n');
  assert.equal(rules(middle), 'possibly-truncated 0/0/1');
  assert.ok(!middle.evidence.some((e) => /incomplete spy event/.test(e)), middle.evidence.join(' | '));
});

// A console capture of a run that crashed: a progress indicator ate its only leak's allocation
// line (CR, then the spy's line glued after text). Only the spy's count still knows the block.
const LOST_ALLOC = [
  ...HEAD,
  '\rLoading 50%\rLoading 100%MALLOC SPY: 0x00132000 - 64 bytes allocated',
  'CoTaskMemAlloc(64) returns 0x00132000',
  'MALLOC SPY: 0x00133000 - 16 bytes allocated',
  'MALLOC SPY: 0x00133000 - freed, 1 blocks remaining',
  'Doing work',
];

test("blocks only the spy's count knows are never freed: a crash that lost a leak's allocation line does not pass (attack notes #103)", () => {
  const r = analyzeBuffer(log(...LOST_ALLOC));
  assert.equal(r.truncation, 'possibly-truncated');
  assert.deepEqual(r.blocks, [], 'nothing to list: no address, size or context');
  assert.deepEqual(r.unseen, { unresolved: { blocks: 1, line: 6, by: 'count' } });
  assert.deepEqual(r.summary.unresolved, { blocks: 1, bytes: 0 }, 'counted, with no bytes: the size is unknown');
  assert.match(r.evidence.join('\n'), /line 6, where it counts 1 block alive that this log never showed allocated/);
  // No baseline decides them (no size, no context); --assume-complete makes them leaks.
  const assumed = analyzeBuffer(log(...LOST_ALLOC), { assumeComplete: true });
  assert.deepEqual(assumed.unseen, { 'true-leak': { blocks: 1, line: 6, by: 'count' } });
  assert.deepEqual([assumed.summary['true-leak'].blocks, assumed.summary.unresolved.blocks], [1, 0]);
});

test('blocks the spy counts that the log does know are not counted again: a dump listing them, a drift that goes away, a lost free', () => {
  // The dump after the last count lists the lost block: it is born there, with its size.
  const dumped = analyzeBuffer(
    log(
      ...LOST_ALLOC,
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      '0x00132000 - 64 bytes: 00 00 00 00 ................',
    ),
  );
  assert.equal(dumped.unseen, undefined);
  assert.deepEqual(cats(dumped), ['0x00132000:unresolved:unknown (first seen in the dump):log']);
  assert.equal(dumped.summary.unresolved.blocks, 1);
  // Threads printing out of order: the count disagrees, then agrees again.
  const reordered = analyzeBuffer(
    log(
      ...HEAD,
      'MALLOC SPY: 0x10 - 8 bytes allocated',
      'MALLOC SPY: 0x20 - 8 bytes allocated',
      'MALLOC SPY: 0x10 - freed, 0 blocks remaining',
      'MALLOC SPY: 0x20 - freed, 0 blocks remaining',
    ),
  );
  assert.deepEqual([reordered.unseen, reordered.summary.unresolved.blocks], [undefined, 0]);
  // A lost free: the log knows more blocks than the spy; those are listed, none is unseen.
  const lostFree = analyzeBuffer(
    log(...HEAD, 'MALLOC SPY: 0x10 - 8 bytes allocated', 'MALLOC SPY: 0x20 - 8 bytes allocated', 'MALLOC SPY: 0x20 - freed, 0 blocks remaining'),
  );
  assert.deepEqual([lostFree.unseen, lostFree.summary.unresolved.blocks, lostFree.truncation], [undefined, 1, 'possibly-truncated']);
});

test('blocks only the count knows, in a file of several runs: summed over the runs, with the first run\u2019s line', () => {
  const second = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00140000 - freed, 2 blocks remaining',
    'Crashed',
  ];
  const r = analyzeBuffer(log(...LOST_ALLOC, ...second));
  assert.equal(r.runs?.length, 2);
  assert.deepEqual(
    r.runs!.map((p) => p.report?.unseen?.unresolved?.blocks),
    [1, 2],
  );
  assert.deepEqual(r.unseen, { unresolved: { blocks: 3, line: 6, by: 'count' } });
  assert.equal(r.summary.unresolved.blocks, 3);
});

test('a revoke COM refused with E_ACCESSDENIED while the log knew no block alive: one block at least lost its allocation line (attack notes #107)', () => {
  // Two threads at one address, printed out of order: the 64-byte block's allocation reads as a
  // reuse, the other thread's late free kills it, and the counts agree. Only COM's refusal says otherwise.
  const reordered = [
    ...HEAD,
    'MALLOC SPY: 0x0013A000 - 32 bytes allocated',
    'MALLOC SPY: 0x0013A000 - 64 bytes allocated',
    'MALLOC SPY: 0x0013A000 - freed, 0 blocks remaining',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
  ];
  const r = analyzeBuffer(log(...reordered));
  assert.equal(r.truncation, 'possibly-truncated');
  assert.deepEqual(r.unseen, { unresolved: { blocks: 1, line: 7, by: 'revoke' } });
  assert.deepEqual(r.summary.unresolved, { blocks: 1, bytes: 0 });
  assert.match(r.evidence.join('\n'), /while this log knew no block outstanding \(COM knew at least one/);
  // A dump that lists the block shows it: nothing unseen.
  const dumped = analyzeBuffer(log(...reordered, 'MALLOC SPY: detected memory leaks!', '0x0013A000 - 64 bytes: 00 ................'));
  assert.equal(dumped.unseen, undefined);
  assert.equal(dumped.summary.unresolved.blocks, 1);
  // A count after it says how many: here the unknown block freed at exit, nothing left.
  const freed = analyzeBuffer(log(...reordered, 'MALLOC SPY: 0x0013B000 - freed, 0 blocks remaining'));
  assert.equal(freed.unseen, undefined);
  // Refused with another HRESULT, or with blocks alive: nothing follows from it.
  assert.equal(analyzeBuffer(log(...reordered.slice(0, -1), 'CoRevokeMallocSpy() returns 0x800401FB')).unseen, undefined);
});

test('a log of spy lines only (a spy DLL in a silent program, a filtered log): what comes before the dump is not exit-time output (attack notes #110)', () => {
  const spyOnly = [
    'MALLOC SPY: 0x0013A000 - 28 bytes allocated',
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'MALLOC SPY: 0x0013A000 - freed, 1 blocks remaining',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
  ];
  // Redirected: nothing after the dump. The free came while the program ran; the 44 bytes are undecided.
  const redirected = analyzeBuffer(log(...spyOnly));
  assert.equal(redirected.truncation, 'possibly-truncated');
  assert.deepEqual([redirected.summary.freed.blocks, redirected.summary.exitprocess.blocks, redirected.phases.exitEvents], [1, 0, 0]);
  assert.deepEqual(cats(redirected), ['0x0013A030:unresolved:ExitProcess:log']);
  // On a console the exit-time free follows the dump, and the evidence names the dump, not "(null)".
  const console = analyzeBuffer(log(...spyOnly, 'MALLOC SPY: 0x0013A030 - freed, 0 blocks remaining'));
  assert.equal(console.truncation, 'complete');
  assert.deepEqual(cats(console), ['0x0013A030:exitprocess:ExitProcess:log']);
  assert.ok(
    console.evidence.includes('1 spy event follows the dump (line 4; the program printed no line of its own): the exit-time output is present'),
  );
  assert.doesNotMatch(console.evidence.join('\n'), /null/);
});

test('blocks only the spy knows, in runs decided differently: the file keeps each category apart', () => {
  // Run 1 crashed (possibly truncated: unresolved); run 2's revoke was refused while it knew no
  // block, and its exit-time output is there (complete: a true leak of unknown size).
  const second = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    'MALLOC SPY: 0x00150000 - 16 bytes allocated',
  ];
  const r = analyzeBuffer(log(...LOST_ALLOC, ...second));
  assert.deepEqual(
    r.runs!.map((p) => [p.report?.truncation, p.report?.unseen]),
    [
      ['possibly-truncated', { unresolved: { blocks: 1, line: 6, by: 'count' } }],
      ['complete', { 'true-leak': { blocks: 1, line: 11, by: 'revoke' } }],
    ],
  );
  assert.deepEqual(r.unseen, { unresolved: { blocks: 1, line: 6, by: 'count' }, 'true-leak': { blocks: 1, line: 11, by: 'revoke' } });
  assert.deepEqual([r.summary['true-leak'].blocks, r.summary.unresolved.blocks], [2, 1]);
});

test("what the spy's output shows is weighed against the rest of it: a later successful revoke, a counter below zero, an earlier session (attack notes #112, #113)", () => {
  const run = [
    ...HEAD,
    'MALLOC SPY: 0x10 - 8 bytes allocated',
    'MALLOC SPY: 0x20 - 8 bytes allocated',
    'MALLOC SPY: 0x10 - freed, 1 blocks remaining',
  ];
  // A spy that prints its count before decrementing: one ahead at every count; the revoke's S_OK says nothing was left.
  const early = analyzeBuffer(
    log(...run, 'MALLOC SPY: 0x20 - freed, 1 blocks remaining', 'Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x00000000'),
  );
  assert.deepEqual([early.unseen, early.summary.unresolved.blocks], [undefined, 0]);
  // A 32-bit counter below zero printed unsigned: no count at all, not four billion blocks.
  const u32 = analyzeBuffer(log(...run, 'MALLOC SPY: 0x20 - freed, 4294967295 blocks remaining'));
  assert.deepEqual([u32.unseen, u32.summary.unresolved.blocks, u32.anomalyCounts], [undefined, 0, { 'unreadable-count': 1 }]);
  assert.equal(analyzeBuffer(log(...run, 'MALLOC SPY: 0x20 - freed, 2147483647 blocks remaining')).unseen?.unresolved?.blocks, 2147483647);
  // A second COM session after a finished run, registering nothing: the spy still counts the
  // first session's runtime-held block, and refuses the second revoke for it. Until the second
  // session frees (or moves) one of those blocks, it may as well be a new process that lost a
  // leak's line: counted, the cautious way (attack notes #123). Once it does, the rest are discounted.
  const first = [
    ...HEAD,
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'MALLOC SPY: 0x0013A0C0 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    '0x0013A0C0 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
  ];
  const second = [
    'CoInitialize() returns 0x00000000',
    'MALLOC SPY: 0x00150000 - 16 bytes allocated',
    'MALLOC SPY: 0x00150000 - freed, 2 blocks remaining',
  ];
  assert.equal(analyzeBuffer(log(...first, ...second)).runs![1]!.report?.unseen?.unresolved?.blocks, 2, 'not yet shown to be that process');
  for (const end of [
    ['MALLOC SPY: 0x0013A0C0 - freed, 1 blocks remaining'],
    ['MALLOC SPY: 0x0013A0C0 - reallocated to 0x00170000, 48 bytes'],
    ['MALLOC SPY: 0x0013A0C0 - reallocated to 0x00000000, 0 bytes'], // a realloc to 0 bytes frees it (#127)
  ]) {
    for (const revoke of [[], ['Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005']]) {
      const r = analyzeBuffer(log(...first, ...second, ...end, ...revoke));
      assert.equal(r.runs?.length, 2);
      assert.equal(r.runs![1]!.report?.unseen, undefined, [...end, ...revoke].join('|'));
      assert.equal(r.runs![1]!.report?.anomalyCounts['unknown-free'] ?? r.runs![1]!.report?.anomalyCounts['unknown-realloc'], undefined);
    }
  }
  // The same second run in a file of its own (another process): its count shows two lost allocations.
  assert.equal(analyzeBuffer(log(...second)).unseen?.unresolved?.blocks, 2);
});

test("frees between the revoke and the dump: ExitProcess frees of a spy that dumps at DLL detach, or the program's own; they alone show no exit-time output (attack notes #114, #121)", () => {
  const run = [
    ...HEAD,
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: 0x0013A030 - freed, 1 blocks remaining',
    'MALLOC SPY: detected memory leaks!',
    '0x0023A000 - 64 bytes: 4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD LEAK#1..........',
  ];
  // The free is after the program's last line: an exit-time free by SPEC's phases, but the log
  // cannot say the exit-time output is there (a redirected run's program may print it too).
  const r = analyzeBuffer(log(...run));
  assert.equal(r.truncation, 'possibly-truncated');
  assert.deepEqual(cats(r), ['0x0013A030:exitprocess:CLSIDFromProgID:log', '0x0023A000:unresolved:CoTaskMemAlloc:log']);
  assert.equal(r.phases.exitEvents, 1);
  // A spy event after the dump shows it: another runtime block freed at exit.
  const after = analyzeBuffer(
    log(
      ...run.slice(0, 3),
      'MALLOC SPY: 0x0013A060 - 44 bytes allocated',
      ...run.slice(3, 8),
      'MALLOC SPY: 0x0013A030 - freed, 2 blocks remaining',
      ...run.slice(9),
      'MALLOC SPY: 0x0013A060 - freed, 1 blocks remaining',
    ),
  );
  assert.equal(after.truncation, 'complete');
  assert.ok(after.evidence.includes('1 spy event follows the dump (line 11): the exit-time output is present'), after.evidence.join('|'));
  // Nothing outstanding at the end: no block undecided (the refused revoke with no exit output shown keeps it possibly truncated).
  const clean = analyzeBuffer(
    log(
      ...HEAD,
      'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: 0x0013A030 - freed, 0 blocks remaining',
      'MALLOC SPY: detected memory leaks!',
    ),
  );
  assert.deepEqual([clean.truncation, clean.summary.unresolved.blocks, clean.summary['true-leak'].blocks], ['possibly-truncated', 0, 0]);
});

test("an earlier session's blocks are discounted only while they may be alive, and only in that process (attack notes #119, #120)", () => {
  const first = [
    ...HEAD,
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
  ];
  // The second session lost a leak's allocation line; the spy's count says 2 (the first session's block and the leak).
  const second = [
    'CoInitialize() returns 0x00000000',
    'MALLOC SPY: 0x00150000 - 16 bytes allocated',
    'MALLOC SPY: 0x00150000 - freed, 2 blocks remaining',
  ];
  // Nothing shows yet that it is the first session's process: both counted, the cautious way (#123).
  assert.equal(analyzeBuffer(log(...first, ...second)).runs![1]!.report?.unseen?.unresolved?.blocks, 2);
  // At exit the first session's block is freed: it no longer hides the lost one (#119).
  const exit = analyzeBuffer(log(...first, ...second, 'MALLOC SPY: 0x0013A030 - freed, 1 blocks remaining'));
  assert.equal(exit.runs![1]!.report?.unseen?.unresolved?.blocks, 1);
  assert.equal(exit.runs![1]!.report?.anomalyCounts['unknown-free'], undefined, 'the earlier session\u2019s block, not an unknown one');
  // A new process, not a second session: it allocates an address the first run left alive (#120).
  const other = analyzeBuffer(
    log(
      ...first,
      'CoInitialize() returns 0x00000000',
      'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
      'MALLOC SPY: 0x0013A030 - freed, 1 blocks remaining',
    ),
  );
  assert.equal(other.runs![1]!.report?.unseen?.unresolved?.blocks, 1);
});
