// Runs appended to one file (`prog >> log` twice) are judged each as if it were alone: a
// run's verdict may not depend on what the next run printed before its CoInitialize (a
// banner, a prompt, a usage line) nor on the next run's bytes (attack notes #44). A line
// between two runs may be either's output (a banner of the second, a `Done.` of the first):
// the C runtime's 4096-byte rule tries both, so each run reads as the more cautious of the
// two ways it could have been captured alone (attack notes #53).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyzeBuffer } from '../src/index.js';
import type { Report } from '../src/model/report.js';
import { join } from 'node:path';
import { ROOT, allFixtureLogs } from './helpers.js';

const verdict = (r: Pick<Report, 'truncation' | 'summary' | 'evidence'>) => ({
  truncation: r.truncation,
  summary: r.summary,
  // Line numbers differ between the files; whether the file's last line ends is the end run's alone.
  // An earlier run's buffers end where the next run begins: `the file up to line N`.
  evidence: r.evidence.filter((e) => !/last line/.test(e)).map((e) => e.replace(/\d[\d,]*/g, 'N').replace(' up to line N', '')),
});

const WORSE = { complete: 0, 'possibly-truncated': 1, truncated: 2 } as const;

/** The run as it reads, against the ways it could have been captured alone: the most cautious of them, and the same evidence when they agree. */
function assertReadsAsAlone(run: Report, variants: Report[], what: string): void {
  const worst = variants.reduce((a, b) => (WORSE[b.truncation] > WORSE[a.truncation] ? b : a));
  if (variants.every((v) => v.truncation === worst.truncation)) assert.deepEqual(verdict(run), verdict(worst), what);
  else assert.deepEqual([run.truncation, run.summary], [worst.truncation, worst.summary], what);
}

test('every single-run fixture, appended to itself after a banner line: each run reads as it does alone', () => {
  let compared = 0;
  for (const file of allFixtureLogs()) {
    const a = readFileSync(join(ROOT, file));
    // A cut last line would join the banner; UTF-16 files are not appended to with `>>` by a program.
    if (a.length === 0 || a[a.length - 1] !== 0x0a || a[0] === 0xff || a[0] === 0xfe) continue;
    const alone = analyzeBuffer(a);
    // A CI job log is the runner's file: no program appends to it (and a banner without the time column is no line of it).
    if (alone.runs || alone.processes || alone.dialect || alone.capture) continue;
    const banner = Buffer.from('SpyTest 1.0 starting' + (a.includes('\r\n') ? '\r\n' : '\n'));
    const both = analyzeBuffer(Buffer.concat([a, banner, a]));
    if (both.runs === undefined) continue; // no run start to split at (a crash before CoInitialize, a program-only log)
    assert.equal(both.runs.length, 2, file);
    // The banner as the second run's first output, or (for the C runtime's buffers only: after
    // the first run's exit-time output it can only be another process's) as the first's last.
    const [run1, run2] = [both.runs[0]!.report!, both.runs[1]!.report!];
    const crt = (r: Report) => r.evidence.filter((e) => /4096 bytes/.test(e));
    if (crt(run1).length > crt(alone).length && alone.truncation === 'complete') {
      assert.ok(
        crt(run1).some((e) => /up to line/.test(e)),
        `${file}: run 1 is cut only by the other way of counting its buffers`,
      );
      assert.deepEqual(
        [run1.truncation, run1.summary.unresolved.blocks],
        ['possibly-truncated', alone.summary.unresolved.blocks + alone.summary['true-leak'].blocks],
        `${file}: run 1`,
      );
    } else assertReadsAsAlone(run1, [alone], `${file}: run 1`);
    assertReadsAsAlone(run2, [analyzeBuffer(Buffer.concat([banner, a])), alone], `${file}: run 2`);
    compared++;
  }
  assert.ok(compared >= 40, `${compared} fixtures compared`);
});

test('lines after a finished run go to the next run only when one starts: a trailing prompt stays with its run', () => {
  const run = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x10 - 16 bytes allocated',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    'MALLOC SPY: 0x10 - 16 bytes',
  ];
  const r = analyzeBuffer([...run, 'Press any key', ...run, 'C:\\work>', ''].join('\n'));
  assert.deepEqual(
    r.runs!.map((x) => [x.firstLine, x.lastLine]),
    [
      [1, 7],
      [8, 16],
    ],
  );
});

test("a DebugView process's lines held after its run finished do not take the file's end from the process that printed last", () => {
  const dv = (seq: number, pid: number, message: string) => `${seq}\t0.${seq}\t[${pid}] ${message}`;
  const lines = [
    dv(0, 1111, 'CoInitialize() returns 0x00000000'),
    dv(1, 2222, 'CoInitialize() returns 0x00000000'),
    dv(2, 1111, 'CoRegisterMallocSpy() returns 0x00000000'),
    dv(3, 2222, 'CoRegisterMallocSpy() returns 0x00000000'),
    dv(4, 1111, 'MALLOC SPY: 0x10 - 16 bytes allocated'),
    dv(5, 2222, 'MALLOC SPY: 0x20 - 16 bytes allocated'),
    dv(6, 1111, 'Called CoUninitialize()'),
    dv(7, 1111, 'CoRevokeMallocSpy() returns 0x80070005'),
    dv(8, 1111, 'Press any key'), // held: no run follows, so it is 1111's at the end
    dv(9, 2222, 'Called CoUninitialize()'),
    dv(10, 2222, 'CoRevokeMallocSpy() returns 0x80070005'),
    dv(11, 2222, 'MALLOC SPY: 0x20 - freed, 0 blocks remaining'),
    dv(12, 2222, 'MALLOC SPY: 0x'), // the file is cut here, in 2222's line
  ];
  const r = analyzeBuffer(lines.join('\r\n'));
  assert.deepEqual(
    r.processes!.map((p) => [p.pid, p.lastLine, p.report!.truncation]),
    [
      [1111, 9, 'possibly-truncated'],
      [2222, 13, 'truncated'],
    ],
  );
});

test('hundreds of lines between two runs all go to the next run, never split between the two (attack notes #54)', () => {
  const a = readFileSync(join(ROOT, 'fixtures', 'w2k-console.log'));
  const banner = Buffer.from(Array.from({ length: 300 }, (_, i) => `usage line ${i}\r\n`).join(''));
  const both = analyzeBuffer(Buffer.concat([a, banner, a]));
  assert.deepEqual(verdict(both.runs![0]!.report!), verdict(analyzeBuffer(a)));
  assert.deepEqual(verdict(both.runs![1]!.report!), verdict(analyzeBuffer(Buffer.concat([banner, a]))));
});

test("a test fixture that registers and revokes its spy per test: each test's end line stays with its run (attack notes #56)", () => {
  const test = (name: string, address: string) => [
    `[ RUN      ] Spy.${name}`,
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    `MALLOC SPY: ${address} - 16 bytes allocated`,
    `MALLOC SPY: ${address} - freed, 0 blocks remaining`,
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x00000000',
    `[       OK ] Spy.${name} (1 ms)`,
  ];
  const r = analyzeBuffer([...test('A', '0x10'), ...test('B', '0x20'), ...test('C', '0x30'), ''].join('\n'));
  assert.deepEqual(
    r.tests!.map((t) => [t.name, t.outcome]),
    [
      ['Spy.A', 'passed'],
      ['Spy.B', 'passed'],
      ['Spy.C', 'passed'],
    ],
  );
  assert.deepEqual(
    r.runs!.map((x) => [x.firstLine, x.lastLine]),
    [
      [1, 8],
      [9, 16],
      [17, 24],
    ],
  );
});

/** `lines` with the `pad` line lengthened so that the whole is exactly `bytes` bytes (CR LF line ends). */
function sized(lines: string[], pad: number, bytes: number): string {
  const text = (l: string[]) => l.join('\r\n') + '\r\n';
  const short = Buffer.byteLength(text(lines));
  assert.ok(short <= bytes, `${short} bytes before padding`);
  return text(lines.map((l, i) => (i === pad ? l + 'y'.repeat(bytes - short) : l)));
}

const redirectedRun = (base: number, exitFrees: number) => [
  'CoInitialize() returns 0x00000000',
  'CoRegisterMallocSpy() returns 0x00000000',
  ...Array.from({ length: 6 }, (_, i) => `MALLOC SPY: 0x${(base + i * 0x40).toString(16).toUpperCase().padStart(8, '0')} - 32 bytes allocated`),
  'CLSIDFromProgID() returns 0x00000000',
  'Called CoUninitialize()',
  'CoRevokeMallocSpy() returns 0x80070005',
  'MALLOC SPY: detected memory leaks!',
  ...Array.from(
    { length: 6 },
    (_, i) => `0x${(base + i * 0x40).toString(16).toUpperCase().padStart(8, '0')} - 32 bytes: 00 00 00 00 ................`,
  ),
  // ExitProcess frees some; the C runtime's last, partial buffer (the rest) was lost
  ...Array.from(
    { length: exitFrees },
    (_, i) => `MALLOC SPY: 0x${(base + i * 0x40).toString(16).toUpperCase().padStart(8, '0')} - freed, ${5 - i} blocks remaining`,
  ),
];

/** A run with nothing outstanding that prints a line after its revoke (no exit-time output). */
const CLEAN_THEN_DONE = [
  'CoInitialize() returns 0x00000000',
  'CoRegisterMallocSpy() returns 0x00000000',
  'Called CoUninitialize()',
  'CoRevokeMallocSpy() returns 0x00000000',
  'Done.',
];

test('a run whose own output is whole buffers is possibly-truncated though the run before it printed a line after its revoke (attack notes #53)', () => {
  const second = sized(redirectedRun(0x100000, 2), 0, 2 * 4096);
  const r = analyzeBuffer(CLEAN_THEN_DONE.join('\r\n') + '\r\n' + second);
  const run2 = r.runs![1]!.report!;
  assert.equal(analyzeBuffer(second).truncation, 'possibly-truncated', 'alone');
  assert.deepEqual([run2.truncation, run2.summary['true-leak'].blocks, run2.summary.unresolved.blocks], ['possibly-truncated', 0, 4]);
  assert.match(run2.evidence.join('\n'), /from line 6 .* is exactly 2 × 4096 bytes/);
});

test('runs of one process share its C runtime buffer: a file of whole buffers leaves its last run possibly-truncated (attack notes #57)', () => {
  // A test binary whose fixture registers the spy per test: one process, one stdout buffer.
  const clean = (t: number) => [
    `[ RUN      ] Spy.T${t}`,
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x00000000',
    `[       OK ] Spy.T${t} (1 ms)`,
  ];
  const log = sized([...clean(0), ...clean(1), ...redirectedRun(0x200000, 2)], 0, 2 * 4096);
  const r = analyzeBuffer(log);
  const last = r.runs!.at(-1)!.report!;
  assert.equal(r.runs!.length, 3);
  assert.deepEqual([last.truncation, last.summary['true-leak'].blocks], ['possibly-truncated', 0]);
  assert.match(last.evidence.join('\n'), /the file is exactly 2 × 4096 bytes/);
});

test('a run that shows its exit ended its process: the next run is not counted from its first byte, nor it to the lines after it (attack notes #62)', () => {
  // Two complete runs (exit-time frees after the dump) and a banner sized so that the whole file is whole buffers.
  const a = readFileSync(join(ROOT, 'fixtures', 'w2k-console.log'), 'latin1').replace(/\r?\n/g, '\r\n');
  const whole = Math.ceil((2 * a.length + 40) / 4096) * 4096;
  const banner = 'x'.repeat(whole - 2 * a.length - 2);
  const file = a + banner + '\r\n' + a;
  assert.equal(Buffer.byteLength(file) % 4096, 0);
  const r = analyzeBuffer(file);
  assert.deepEqual(
    r.runs!.map((x) => [x.report!.truncation, x.report!.summary['true-leak'].blocks]),
    [
      ['complete', 2],
      ['complete', 2],
    ],
  );
});

test('a Done. of the first run and a long banner of the second: the split next to the first run is tried (attack notes #63)', () => {
  const banner = Array.from({ length: 9 }, (_, i) => `config line ${i}`);
  const second = sized([...banner, ...redirectedRun(0x300000, 2)], 0, 2 * 4096); // its own output, banner included
  const run2 = analyzeBuffer(CLEAN_THEN_DONE.join('\r\n') + '\r\n' + second).runs![1]!.report!;
  assert.deepEqual([run2.truncation, run2.summary['true-leak'].blocks], ['possibly-truncated', 0]);
});

test('lines between runs past the lines held in full: every run reads as if all were held (banners of plain lines, blanks, prompts, test starts, overlong lines)', () => {
  const long = 'x'.repeat(300);
  const banners: [string, string[]][] = [
    ['plain', Array.from({ length: 60 }, (_, i) => `build step ${i} ok`)],
    [
      'mixed',
      Array.from({ length: 80 }, (_, i) =>
        i % 7 === 0 ? '' : i % 11 === 0 ? 'C:\\work>' : i % 13 === 0 ? `[ RUN      ] Suite.T${i}` : i % 17 === 0 ? long : `output ${i}`,
      ),
    ],
    // No program line among the last ones: the run's last program line is one only counted.
    ['trailing prompts', [...Array.from({ length: 40 }, (_, i) => `step ${i}`), '', 'C:\\work>', '', 'C:\\work>', '', 'C:\\work>']],
    ['blanks first', [...Array.from({ length: 30 }, () => ''), ...Array.from({ length: 30 }, (_, i) => (i % 5 === 0 ? long : `after blanks ${i}`))]],
    // The next command's output after a prompt: elisions and colour codes among it, closed by a prompt or not (attack notes #238, #240).
    [
      'after a prompt',
      [
        '',
        'C:\\work>build.cmd',
        ...Array.from({ length: 60 }, (_, i) => (i % 9 === 0 ? '...' : i % 7 === 0 ? '\x1b[32mok\x1b[m' : `step ${i}`)),
        '',
        'C:\\work>',
      ],
    ],
    [
      'after a prompt, unclosed',
      [
        '',
        'C:\\work>build.cmd',
        ...Array.from({ length: 60 }, (_, i) => (i % 9 === 0 ? '...' : i % 13 === 0 ? '[ RUN      ] Other.T' + i : `step ${i}`)),
      ],
    ],
  ];
  let compared = 0;
  for (const file of allFixtureLogs()) {
    const a = readFileSync(join(ROOT, file));
    if (a.length === 0 || a[a.length - 1] !== 0x0a || a[0] === 0xff || a[0] === 0xfe) continue;
    const eol = a.includes('\r\n') ? '\r\n' : '\n';
    for (const [name, lines] of banners) {
      const banner = Buffer.from(lines.join(eol) + eol);
      // The banner before the next run, and at the file's end (the finished run's).
      for (const input of [Buffer.concat([a, banner, a]), Buffer.concat([a, banner])]) {
        const all = JSON.stringify(analyzeBuffer(input, { maxLineLength: 200 }));
        for (const holdLines of [5, 6, 9]) {
          assert.equal(
            JSON.stringify(analyzeBuffer(input, { maxLineLength: 200, holdLines })),
            all,
            `${file}, ${name} banner, ${holdLines} lines held in full`,
          );
        }
        compared++;
      }
    }
  }
  assert.ok(compared >= 200, `${compared} inputs compared`);
});

test('a banner of 5,000 lines between two runs: each run reads as it does alone (they used to go to the finished run, which read as cut)', () => {
  const a = readFileSync(join(ROOT, 'fixtures', 'w2k-console.log'));
  const alone = analyzeBuffer(a);
  assert.equal(alone.truncation, 'complete');
  const banner = Buffer.from(Array.from({ length: 5000 }, (_, i) => `build step ${i} ok\n`).join(''));
  const both = analyzeBuffer(Buffer.concat([a, banner, a]));
  const [run1, run2] = [both.runs![0]!, both.runs![1]!];
  assert.deepEqual([run1.report!.truncation, run1.report!.summary], [alone.truncation, alone.summary]);
  assert.deepEqual([run2.report!.truncation, run2.report!.summary], [alone.truncation, alone.summary]);
  // The banner is the second run's first output.
  assert.equal(run2.firstLine, alone.lines + 1);
  assert.equal(run2.report!.lines, alone.lines + 5000);
});

test('past the lines held in full: blocks still waiting for their call are named by the first program line, however many prompts and blanks come before it', () => {
  // A failed revoke, an exit-time allocation with no program line after it, then a console
  // transcript: the blank lines and the prompt are no call, and the banner after the prompt is
  // the next command's output, closed by the input's end or a later prompt: the block was
  // allocated in ExitProcess (attack notes #227, #245). Without the prompt the banner is the
  // program's own line and names the block; so it is when the program's spy output follows it
  // (a batch file the program ran echoed the prompt: #240).
  const run = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013A000 - 64 bytes allocated',
    'CoCreateInstance() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: 0x0013B000 - 32 bytes allocated',
  ];
  const contexts = (lines: string[], holdLines: number | undefined) =>
    analyzeBuffer(Buffer.from(lines.join('\n') + '\n'), { holdLines }).blocks.map((b) => b.context);
  for (const blanks of [10, 4200]) {
    const transcript = [
      ...Array.from({ length: blanks }, () => ''),
      'C:\\work>spytest.exe',
      'SpyTest 1.0 (build 42)',
      'Copyright (c) Example',
      '',
      '',
      '',
      '',
    ];
    const input = Buffer.from([...run, ...transcript].join('\n') + '\n');
    const reference = analyzeBuffer(input, { holdLines: 1e9 });
    assert.deepEqual(
      reference.blocks.map((b) => b.context),
      ['CoCreateInstance', 'ExitProcess'],
    );
    for (const holdLines of [5, 6, undefined])
      assert.equal(JSON.stringify(analyzeBuffer(input, { holdLines })), JSON.stringify(reference), `${blanks} blanks, ${holdLines}`);
    for (const holdLines of [5, 6, 1e9]) {
      const why = `${blanks} blanks, ${holdLines}`;
      assert.deepEqual(contexts([...run, ...transcript, 'C:\\work>'], holdLines), ['CoCreateInstance', 'ExitProcess'], why);
      assert.deepEqual(
        contexts([...run, ...transcript.filter((l) => !l.startsWith('C:'))], holdLines),
        ['CoCreateInstance', 'SpyTest 1.0 (build 42)'],
        why,
      );
      const goesOn = [...run, ...transcript, 'MALLOC SPY: 0x0013B000 - freed, 1 blocks remaining'];
      assert.deepEqual(contexts(goesOn, holdLines), ['CoCreateInstance', 'SpyTest 1.0 (build 42)'], why);
      assert.equal(analyzeBuffer(Buffer.from(goesOn.join('\n') + '\n'), { holdLines }).phases?.lastProgramLine, run.length + blanks + 3, why);
    }
  }
});

test('past the lines held in full: an open dump ends at the first line that is not blank, and main\u2019s output at the latest line the program printed', () => {
  const same = (lines: string[], eol: string, what: string): string => {
    const input = Buffer.from(lines.map((l) => l + eol).join(''));
    const reference = JSON.stringify(analyzeBuffer(input, { holdLines: 1e9 }));
    for (const holdLines of [5, 6, 7])
      assert.equal(JSON.stringify(analyzeBuffer(input, { holdLines })), reference, `${what}, ${holdLines} held in full`);
    return reference;
  };
  const run = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00100000 - 24 bytes allocated',
    'MALLOC SPY: 0x00100040 - 24 bytes allocated',
  ];
  // A dump left open, blanks past the cap, a prompt (it ends the dump), blanks, an entry: outside the dump.
  for (const first of ['C:\\work>', 'Press any key to continue . . .', 'plain text']) {
    for (const [pre, post] of [3, 8, 20].flatMap((a) => [0, 3, 9].map((b) => [a, b] as const))) {
      const lines = [
        ...run,
        'CoRevokeMallocSpy() returns 0x80070005',
        'MALLOC SPY: detected memory leaks!',
        '0x00100000 - 24 bytes: 4C 45',
        ...Array.from({ length: pre }, () => ''),
        first,
        ...Array.from({ length: post }, () => ''),
        '0x00100040 - 24 bytes: 4C 45',
      ];
      same(lines, '\n', `a dump, ${pre} blanks, ${first}, ${post} blanks`);
    }
  }
  // No exit output yet; the program's last lines (a blank or a line of text) before prompts that
  // make exactly 4096 bytes with the exit-time free after them: the C runtime's flush at exit().
  let evidence = 0;
  for (const last of ['', 'SpyTest done']) {
    for (const prompts of [4, 6]) {
      for (const eol of ['\n', '\r\n']) {
        const free = 'MALLOC SPY: 0x00100040 - freed, 1 blocks remaining';
        let left = 4096 - free.length - eol.length;
        const console: string[] = [];
        for (let i = 0; i < prompts; i++) {
          const length = i === prompts - 1 ? left : Math.floor(4096 / prompts);
          left -= length;
          console.push('C:\\' + 'w'.repeat(length - 4 - eol.length) + '>');
        }
        const banner = Array.from({ length: 12 }, (_, i) => (i % 3 ? `banner ${i}` : ''));
        const lines = [
          ...run,
          'Object released',
          'Called CoUninitialize()',
          'CoRevokeMallocSpy() returns 0x80070005',
          ...banner,
          last,
          ...console,
          free,
        ];
        if (same(lines, eol, `last printed ${JSON.stringify(last)}, ${prompts} prompts`).includes('4096')) evidence++;
      }
    }
  }
  assert.ok(evidence >= 4, `${evidence} inputs with 4096-byte evidence`);
});

test('past the lines held in full, more than 4,096 lines that must be kept in full (test starts): the old rule, every line the finished run\u2019s, none lost', () => {
  const a = readFileSync(join(ROOT, 'fixtures', 'w2k-console.log'));
  const alone = analyzeBuffer(a);
  const starts = Buffer.from(Array.from({ length: 4200 }, (_, i) => `[ RUN      ] Suite.T${i}\n`).join(''));
  for (const holdLines of [5, undefined]) {
    const both = analyzeBuffer(Buffer.concat([a, starts, starts, a]), { holdLines });
    const [run1, run2] = [both.runs![0]!, both.runs![1]!];
    // Every line is counted once, in one run or the other, and the second run is itself.
    assert.equal(run1.report!.lines + run2.report!.lines, 2 * alone.lines + 8400, `${holdLines}`);
    assert.deepEqual([run2.report!.truncation, run2.report!.summary], [alone.truncation, alone.summary], `${holdLines}`);
    // The lines went to the finished run once the kept ones overflowed: it reads as cut.
    assert.equal(run1.report!.truncation, 'possibly-truncated', `${holdLines}`);
    assert.equal(run2.firstLine, alone.lines + 8401, `${holdLines}`);
  }
});

test('a run that died before its revoke, then another process appended: two runs, the dead run keeps its leak (attack notes #90)', () => {
  // The dead run (a crash after CLSIDFromProgID): its 64-byte block is never freed.
  const dead = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
  ];
  // The same program again, on a console: the heap gives it the same addresses.
  const next = [
    'SpyTest 1.0 starting',
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'Object released',
    'MALLOC SPY: 0x0023A000 - freed, 1 blocks remaining',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    'MALLOC SPY: 0x0013A030 - freed, 0 blocks remaining',
  ];
  const alone = analyzeBuffer(dead.join('\n') + '\n');
  const r = analyzeBuffer([...dead, ...next].join('\n') + '\n');
  // Read as one run, the next process's allocations at the same addresses "reused" the dead run's blocks and its leak was counted freed.
  assert.equal(r.anomalies.filter((a) => a.kind === 'address-reused-while-alive').length, 0);
  assert.deepEqual(
    r.runs!.map((x) => [x.firstLine, x.lastLine]),
    [
      [1, 6],
      [7, 19],
    ],
  );
  // The dead run reads as it does alone: its call line names its blocks; the banner and CoInitialize are the next run's.
  assert.deepEqual(verdict(r.runs![0]!.report!), verdict(alone));
  assert.deepEqual(
    r.runs![0]!.report!.blocks.map((b) => [b.address, b.category, b.context]),
    [
      ['0x0023A000', 'unresolved', 'CoTaskMemAlloc'],
      ['0x0013A030', 'unresolved', 'CLSIDFromProgID'],
    ],
  );
  assert.deepEqual(verdict(r.runs![1]!.report!), verdict(analyzeBuffer(next.join('\n') + '\n')));
  // The file's sum: the dead run's two blocks undecided (a gate fails on them), none counted freed.
  assert.deepEqual(r.summary, {
    freed: { blocks: 0, bytes: 0 },
    couninitialize: { blocks: 1, bytes: 64 },
    exitprocess: { blocks: 1, bytes: 44 },
    'true-leak': { blocks: 0, bytes: 0 },
    unresolved: { blocks: 2, bytes: 108 },
  });
  // A registration that fails in the next lines is no other process's (see the next test): one run.
  const refused = dead.concat(['CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x800401FB']);
  assert.equal(analyzeBuffer(refused.join('\n') + '\n').runs, undefined);
});

test('the same with HRESULTs printed by name or decorated: `returns S_OK`, `hr=0x0`, `: 0x0`, `(0x0)` (attack notes #147)', () => {
  const dead = [
    'CoInitialize() returns S_OK',
    'CoRegisterMallocSpy() returns S_OK',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    'ERROR: IDispatch::Invoke failed, exiting',
  ];
  for (const ok of ['S_OK', 'hr=0x00000000', ': 0x00000000', '(0x00000000)', 'hr = 0']) {
    const next = [
      'CoInitialize() returns S_OK',
      `CoRegisterMallocSpy() returns ${ok}`,
      'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
      'MALLOC SPY: 0x0023A000 - freed, 0 blocks remaining',
      'Object released',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns S_OK',
    ];
    const r = analyzeBuffer([...dead, ...next].join('\r\n') + '\r\n');
    // Read as one run, the next process's allocation "reused" the dead run's block: counted freed, and check passed.
    assert.deepEqual([r.runs?.length, r.summary.unresolved.blocks, r.summary.freed.blocks], [2, 1, 1], ok);
  }
  // A refusal by name keeps the second session in the first run (attack notes #93's reading).
  const refused = analyzeBuffer([...dead, 'CoInitialize() returns S_OK', 'CoRegisterMallocSpy() returns CO_E_OBJISREG'].join('\n') + '\n');
  assert.equal(refused.runs, undefined);
});

test("a block the dump listed whose address is allocated again after it stays never freed: the next process's, or an exit-time free the log lost (attack notes #144)", () => {
  // Two runs of a silent program with a spy DLL (spy lines and its dump only), appended: the
  // second process's heap gives the first one's leaked address again.
  const first = [
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'MALLOC SPY: detected memory leaks!',
    '0x0023A000 - 64 bytes: 4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD LEAK#1..........',
  ];
  for (const second of [
    ['MALLOC SPY: 0x0023A000 - 64 bytes allocated', 'MALLOC SPY: 0x0023A000 - freed, 0 blocks remaining'],
    // The same address as a realloc's target.
    [
      'MALLOC SPY: 0x0013A000 - 32 bytes allocated',
      'MALLOC SPY: 0x0013A000 - reallocated to 0x0023A000, 64 bytes',
      'MALLOC SPY: 0x0023A000 - freed, 0 blocks remaining',
    ],
  ]) {
    const r = analyzeBuffer([...first, ...second].join('\n') + '\n');
    assert.equal(r.anomalyCounts['address-reused-while-alive'], 1);
    assert.equal(r.truncation, 'possibly-truncated');
    // Counted freed, the leak vanished and check passed; the first run alone fails on it.
    assert.deepEqual([r.summary.unresolved.blocks, r.summary.unresolved.bytes, r.summary.freed.blocks], [1, 64, 0], second.join('|'));
    assert.deepEqual(
      r.blocks.filter((b) => b.category === 'unresolved').map((b) => [b.address, b.allocLine, b.inDump]),
      [['0x0023A000', 1, true]],
    );
  }
  // A run with no registration line that died before CoUninitialize, then the next process's
  // `CoInitialize` (attack notes #147): its allocation at the dead run's address comes after a
  // COM initialization the dead block predates.
  const dead = [
    'CoInitialize() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    'ERROR: exiting',
  ];
  const next = [
    'CoInitialize() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    'MALLOC SPY: 0x0023A000 - freed, 0 blocks remaining',
    'CoTaskMemFree(0x0023A000)',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x00000000',
  ];
  const appended = analyzeBuffer([...dead, ...next].join('\r\n') + '\r\n');
  assert.deepEqual([appended.summary.unresolved.blocks, appended.summary.freed.blocks], [1, 1]);
  // Before shutdown a heap reuses only freed addresses: the lost free was an ordinary one (fixtures/address-reuse.log).
  const running = analyzeBuffer(
    ['MALLOC SPY: 0x0023A000 - 64 bytes allocated', 'Object created', 'MALLOC SPY: 0x0023A000 - 64 bytes allocated', 'Object created'].join('\n') +
      '\n',
  );
  assert.deepEqual([running.summary.freed.blocks, running.summary.unresolved.blocks], [1, 1]);
});

test("a free printed after another thread allocated its block's address again is the block's own free, printed late: nothing is missing (attack notes #161)", () => {
  // A worker thread's CoInitializeEx, then a race: a spy prints a free after the heap released
  // the block (PostFree, a realloc's PostRealloc), so the other thread's allocation of the same
  // address is printed first. The spy's last count is 0 and the revoke succeeds.
  const race = (release: string[]) =>
    [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x001500A0 - 32 bytes allocated',
      'Started 1 worker thread',
      'CoInitializeEx() returns 0x00000000',
      'MALLOC SPY: 0x001500A0 - 24 bytes allocated',
      ...release,
      'Worker finished',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x00000000',
    ].join('\r\n') + '\r\n';
  for (const release of [
    // The main thread's realloc printed after the worker's allocation: the worker's block moves in this reading, its free comes late.
    [
      'MALLOC SPY: 0x001500A0 - reallocated to 0x00150100, 256 bytes',
      'MALLOC SPY: 0x001500A0 - freed, 1 blocks remaining',
      'MALLOC SPY: 0x00150100 - freed, 0 blocks remaining',
    ],
    // The worker keeps the address for more than the 4,096 ends the live table remembers (attack notes #170).
    [
      'MALLOC SPY: 0x001500A0 - reallocated to 0x00150100, 256 bytes',
      ...Array.from({ length: 4100 }, (_, i) => [
        `MALLOC SPY: 0x0016${(i % 256).toString(16).padStart(2, '0')}00 - 16 bytes allocated`,
        `MALLOC SPY: 0x0016${(i % 256).toString(16).padStart(2, '0')}00 - freed, 2 blocks remaining`,
      ]).flat(),
      'MALLOC SPY: 0x001500A0 - freed, 1 blocks remaining',
      'MALLOC SPY: 0x00150100 - freed, 0 blocks remaining',
    ],
  ]) {
    for (const assumeComplete of [false, true]) {
      const r = analyzeBuffer(race(release), { assumeComplete });
      const allocated = 2 + release.filter((l) => l.endsWith('bytes allocated')).length;
      // Kept never freed (the worker's CoInitializeEx came after its birth), it was unresolved, or a true leak with --assume-complete.
      assert.deepEqual(
        [r.truncation, r.summary['true-leak'].blocks, r.summary.unresolved.blocks, r.summary.freed.blocks],
        ['complete', 0, 0, allocated],
      );
      // (The spy's count disagrees between the two lines and agrees again: `count-out-of-order`, nothing lost.)
      const { 'count-out-of-order': _, ...counts } = r.anomalyCounts;
      assert.deepEqual(counts, { 'address-reused-while-alive': 1, 'free-out-of-order': 1 }, release.join('|'));
    }
  }
  // The other thread keeps the address until exit: the dump lists it, after the realloc that
  // moved a block away from it. The lost block was the realloc's: freed (attack notes #182).
  const heldToExit = analyzeBuffer(
    [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x0013C0F0 - 16 bytes allocated',
      'CoTaskMemAlloc(16) returns 0x0013C0F0',
      'Worker: CoInitializeEx(NULL, COINIT_MULTITHREADED) returns 0x00000000',
      'MALLOC SPY: 0x0013C0F0 - 44 bytes allocated',
      'MALLOC SPY: 0x0013C0F0 - reallocated to 0x0013D200, 256 bytes',
      'CoTaskMemRealloc(0x0013C0F0, 256) returns 0x0013D200',
      'Worker: CLSIDFromProgID() returns 0x00000000',
      'MALLOC SPY: 0x0013D200 - freed, 1 blocks remaining',
      'Called CoTaskMemFree(0x0013D200)',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      '0x0013C0F0 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
      'MALLOC SPY: 0x0013C0F0 - freed, 0 blocks remaining',
      '',
      'C:\\work\\spy>',
    ].join('\r\n'),
  );
  assert.deepEqual(
    [heldToExit.truncation, heldToExit.summary.unresolved.blocks, heldToExit.summary.exitprocess.blocks, heldToExit.summary.freed.blocks],
    ['complete', 0, 1, 2],
  );
  // Before COM initialized again, the lost block was counted freed already; its late realloc's free was a double free and a missing free.
  const early = analyzeBuffer(
    [
      'MALLOC SPY: 0x001500A0 - 32 bytes allocated',
      'MALLOC SPY: 0x001500A0 - 24 bytes allocated',
      'MALLOC SPY: 0x001500A0 - reallocated to 0x00150100, 256 bytes',
      'MALLOC SPY: 0x001500A0 - freed, 1 blocks remaining',
      'MALLOC SPY: 0x00150100 - freed, 0 blocks remaining',
      'Worker finished',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x00000000',
    ].join('\n') + '\n',
  );
  assert.deepEqual([early.truncation, early.summary.freed.blocks, early.anomalyCounts['free-out-of-order']], ['complete', 2, 1]);
  // Two frees after the allocation that took the address are a double free, not a late free
  // (the spies print frees before the heap releases the block, PreFree): after a dead run, the
  // next process's double free freed the dead run's leak, and check passed (attack notes #176).
  const doubleFree = analyzeBuffer(
    [
      'SpyTest 2.1',
      'CoInitialize() returns 0x00000000',
      'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
      'CoTaskMemAlloc(64) returns 0x0023A000',
      'SpyTest 2.1',
      'CoInitialize() returns 0x00000000',
      'MALLOC SPY: 0x0023A000 - 32 bytes allocated',
      'MALLOC SPY: 0x0023A000 - freed, 0 blocks remaining',
      'Called CoTaskMemFree(0x0023A000)',
      'MALLOC SPY: 0x0023A000 - freed, 0 blocks remaining',
      'Called CoTaskMemFree(0x0023A000)',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x00000000',
    ].join('\r\n') + '\r\n',
  );
  assert.deepEqual(
    [
      doubleFree.truncation,
      doubleFree.summary.unresolved.blocks,
      doubleFree.anomalyCounts['double-free'],
      doubleFree.anomalyCounts['free-out-of-order'],
    ],
    ['possibly-truncated', 1, 1, undefined],
  );
  // A realloc to 0 bytes as the harness prints it, `freed (realloc to 0 bytes)` then `reallocated to
  // 0x00000000`: one call's two lines, no late free. After a dead run, the next process's realloc of
  // the dead run's address took its leak for freed, and the log read complete (attack notes #168).
  const dead = [
    'SpyTest 2.1',
    'CoInitialize() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
  ];
  const next = [
    'SpyTest 2.1',
    'CoInitialize() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 32 bytes allocated',
    'CoTaskMemAlloc(32) returns 0x0023A000',
    'MALLOC SPY: 0x0023A000 - freed (realloc to 0 bytes), 0 blocks remaining',
    'MALLOC SPY: 0x0023A000 - reallocated to 0x00000000, 0 bytes',
    'CoTaskMemRealloc(0x0023A000, 0) returns 0x00000000',
    'Called CoUninitialize()',
  ];
  const appended = analyzeBuffer([...dead, ...next].join('\r\n') + '\r\n');
  assert.deepEqual([appended.truncation, appended.summary.unresolved.blocks, appended.summary.unresolved.bytes], ['possibly-truncated', 1, 64]);
  // Once shutdown began, a free is CoUninitialize's or ExitProcess's: a late one leaves the
  // displaced block undecided. Counted freed, the runtime's block freed at exit was no
  // `exitprocess` block, and the console capture made an empty baseline (attack notes #172).
  const exitRace = analyzeBuffer(
    [
      'CoInitialize() returns 0x00000000',
      'CoRegisterMallocSpy() returns 0x00000000',
      'MALLOC SPY: 0x0013A8F8 - 44 bytes allocated',
      'CLSIDFromProgID() returns 0x00000000',
      'Called CoUninitialize()',
      'CoRevokeMallocSpy() returns 0x80070005',
      'MALLOC SPY: detected memory leaks!',
      '0x0013A8F8 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
      'MALLOC SPY: 0x0013A8F8 - 20 bytes allocated',
      'MALLOC SPY: 0x0013A8F8 - freed, 1 blocks remaining',
      'MALLOC SPY: 0x0013A8F8 - freed, 0 blocks remaining',
      '',
      'C:\\work\\spy>',
    ].join('\r\n'),
  );
  assert.deepEqual(
    [exitRace.truncation, exitRace.summary.freed.blocks, exitRace.summary.unresolved.blocks, exitRace.anomalyCounts['free-out-of-order']],
    ['possibly-truncated', 0, 1, undefined],
  );
});

test("a spy registered again, with its argument printed, is another process's session: the dead run's block it reuses stays never freed (attack notes #166)", () => {
  const log = [
    'SpyTest 2.1 (x86 Release)',
    'CoRegisterMallocSpy(&g_spy) returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    'SpyTest 2.1 (x86 Release)',
    'CoRegisterMallocSpy(&g_spy) returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 32 bytes allocated',
    'CoTaskMemAlloc(32) returns 0x0023A000',
    'MALLOC SPY: 0x0023A000 - freed, 0 blocks remaining',
    'Called CoTaskMemFree(0x0023A000)',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy(&g_spy) returns 0x00000000',
  ];
  const r = analyzeBuffer(log.join('\r\n') + '\r\n');
  // Counted freed, the crashed run's leak vanished and check passed.
  assert.deepEqual([r.summary.unresolved.blocks, r.summary.unresolved.bytes, r.summary.freed.blocks], [1, 64, 1]);
  // However the program words it (attack notes #177).
  for (const spelling of [
    '::CoRegisterMallocSpy(&g_spy) returns 0x00000000',
    'hr = CoRegisterMallocSpy(&g_spy) returns 0x00000000',
    'CoRegisterMallocSpy(&g_spy) returned S_OK',
    'CoRegisterMallocSpy(&g_spy) = 0x00000000',
    'CoRegisterMallocSpy(&g_spy): 0x00000000',
    'CoRegisterMallocSpy((IMallocSpy*)&g_spy) hr=0x0',
    '::CoInitialize(NULL) returns 0x00000000',
    // No argument list (attack notes #178).
    'CoRegisterMallocSpy: hr=0x00000000',
    'CoRegisterMallocSpy -> 0x00000000',
    'CoInitialize: hr=0x00000000',
    'CoRegisterMallocSpy(&g_spy) succeeded',
    // An HRESULT printed with %ld, and no argument list (attack notes #187).
    'CoRegisterMallocSpy returned 0',
    'CoRegisterMallocSpy succeeded',
  ]) {
    const worded = log.map((l, i) => (i === 5 ? spelling : l));
    assert.deepEqual(analyzeBuffer(worded.join('\r\n') + '\r\n').summary.unresolved.blocks, 1, spelling);
  }
  // A mention is no call: `Calling CoRegisterMallocSpy(&g_spy)...` reports no result, nor does a number that is no HRESULT.
  for (const text of ['Calling CoRegisterMallocSpy(&g_spy)...', 'CoInitialize: 2 threads']) {
    const mention = log.map((l, i) => (i === 5 ? text : l));
    assert.deepEqual(analyzeBuffer(mention.join('\r\n') + '\r\n').summary.freed.blocks, 2, text);
  }
  // A registration refused (a second session of the same process, attack notes #93) is no other process's.
  const refused = log.map((l, i) => (i === 5 ? 'CoRegisterMallocSpy(&g_spy) returns CO_E_OBJISREG' : l));
  assert.deepEqual(analyzeBuffer(refused.join('\r\n') + '\r\n').summary.freed.blocks, 2);
});

test('a second COM session in the same process, refused its registration, is no new run: the spy, never revoked, goes on printing (attack notes #93)', () => {
  const session = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x0013A100 - 64 bytes allocated',
    'Object released',
    'MALLOC SPY: 0x0013A100 - freed, 1 blocks remaining',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
  ];
  const exit = 'MALLOC SPY: 0x0013A030 - freed, 0 blocks remaining';
  const once = analyzeBuffer([...session, exit].join('\n') + '\n');
  assert.deepEqual([once.truncation, once.summary.exitprocess.blocks], ['complete', 1]);
  // Per-test registration: COM refuses the second (CO_E_OBJISREG), the first spy prints on.
  const refused = [
    ...session,
    'SpyTest: test 2',
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x800401FB',
    ...session.slice(4),
    exit,
  ];
  const r = analyzeBuffer(refused.join('\n') + '\n');
  assert.equal(r.runs, undefined);
  assert.deepEqual([r.truncation, r.summary.exitprocess, r.summary.unresolved.blocks], ['complete', { blocks: 1, bytes: 44 }, 0]);
  // CoInitialize again after the dump and no registration: another process's run may print none
  // (attack notes #98), so it starts a new run, the cautious reading (the block undecided, not freed).
  const unsaid = analyzeBuffer([...session, 'CoInitialize() returns 0x00000000', 'Called CoUninitialize()', exit].join('\n') + '\n');
  assert.equal(unsaid.runs?.length, 2);
  assert.deepEqual([unsaid.summary.unresolved.blocks, unsaid.summary.freed.blocks], [1, 0]);
  // A log whose runs print no registration keeps the old rule: CoInitialize after a finished run starts the next.
  const unregistered = session.filter((l) => !l.startsWith('CoRegisterMallocSpy'));
  assert.equal(analyzeBuffer([...unregistered, ...unregistered].join('\n') + '\n').runs?.length, 2);
});

test('after a finished run, the next run starts at its CoInitialize whatever its registration prints, unless COM refused it (attack notes #98)', () => {
  const run = (register: string | null, leak: boolean) => [
    'CoInitialize() returns 0x00000000',
    ...(register === null ? [] : [register]),
    'MALLOC SPY: 0x0013A030 - 44 bytes allocated',
    'CLSIDFromProgID() returns 0x00000000',
    'MALLOC SPY: 0x0023A000 - 64 bytes allocated',
    'CoTaskMemAlloc(64) returns 0x0023A000',
    ...(leak ? [] : ['MALLOC SPY: 0x0023A000 - freed, 1 blocks remaining']),
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x0013A030 - 44 bytes: 98 B1 5A 77 08 BC 13 00 01 00 00 00 01 00 11 00 ..Zw............',
    ...(leak ? ['0x0023A000 - 64 bytes: 4C 45 41 4B 00 00 00 00 00 00 00 00 00 00 00 00 LEAK............'] : []),
    `MALLOC SPY: 0x0013A030 - freed, ${leak ? 1 : 0} blocks remaining`,
  ];
  const first = run('CoRegisterMallocSpy() returns 0x00000000', true);
  for (const register of ['CoRegisterMallocSpy() returns S_OK', null, 'CoRegisterMallocSpy() returns 0x00000000']) {
    const r = analyzeBuffer([...first, 'SpyTest 1.0', ...run(register, false)].join('\n') + '\n');
    assert.equal(r.runs?.length, 2, String(register));
    assert.equal(r.runs![1]!.firstLine, first.length + 1, String(register));
    assert.deepEqual(
      [r.summary['true-leak'], r.anomalyCounts['address-reused-while-alive']],
      [{ blocks: 1, bytes: 64 }, undefined],
      String(register),
    );
  }
  // A held CoInitialize, then more lines than are held: the new run starts at it all the same, however many are held in full.
  const many = [
    ...first,
    'CoInitialize() returns 0x00000000',
    ...Array.from({ length: 5000 }, (_, i) => `[ RUN      ] Suite.T${i}`),
    ...run(null, false).slice(1),
  ];
  const reference = analyzeBuffer(many.join('\n') + '\n');
  assert.deepEqual(
    reference.runs!.map((x) => [x.firstLine, x.lastLine]),
    [
      [1, first.length],
      [first.length + 1, many.length],
    ],
  );
  for (const holdLines of [5, 6, 100])
    assert.equal(JSON.stringify(analyzeBuffer(many.join('\n') + '\n', { holdLines })), JSON.stringify(reference), `${holdLines}`);
});
