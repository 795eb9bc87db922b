// Runs appended to one file (`prog >> log` twice) are judged each as if it were alone: a
// run's verdict may not depend on what the next run printed before its CoInitialize (a
// banner, a prompt, a usage line) nor on the next run's bytes, and the C runtime's buffers
// are counted from each run's own first byte (attack notes #44).
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
  evidence: r.evidence.filter((e) => !/last line/.test(e)).map((e) => e.replace(/\d[\d,]*/g, 'N')),
});

test('every single-run fixture, appended to itself after a banner line: each run reads as it does alone', () => {
  let compared = 0;
  for (const file of allFixtureLogs()) {
    const a = readFileSync(join(ROOT, file));
    // A cut last line would join the banner; UTF-16 files are not appended to with `>>` by a program.
    if (a.length === 0 || a[a.length - 1] !== 0x0a || a[0] === 0xff || a[0] === 0xfe) continue;
    const alone = analyzeBuffer(a);
    if (alone.runs || alone.processes || alone.dialect) continue;
    const banner = Buffer.from('SpyTest 1.0 starting' + (a.includes('\r\n') ? '\r\n' : '\n'));
    const second = analyzeBuffer(Buffer.concat([banner, a]));
    const both = analyzeBuffer(Buffer.concat([a, banner, a]));
    if (both.runs === undefined) continue; // no run start to split at (a crash before CoInitialize, a program-only log)
    assert.equal(both.runs.length, 2, file);
    assert.deepEqual(verdict(both.runs[0]!.report!), verdict(alone), `${file}: run 1`);
    assert.deepEqual(verdict(both.runs[1]!.report!), verdict(second), `${file}: run 2`);
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
