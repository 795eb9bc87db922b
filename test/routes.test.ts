// One analysis, every route: a line reaches the tracker from its bytes (the byte path),
// as decoded text (the text path), or as an event from a dialect's classifier (what a
// user dialect does), in one piece or one byte at a time. Every shipped log must give the
// identical report by every route: the routes share one grammar and one decision.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer, createAnalyzer, type AnalyzeOptions } from '../src/analyze.js';
import { mallocSpyDialect, type Dialect } from '../src/dialect/dialect.js';
import { parseUserDialect } from '../src/dialect/user.js';
import type { Report } from '../src/model/report.js';
import { ROOT, everyFixtureLog } from './helpers.js';

/** MallocSpyTest's wording as a dialect without the byte path: its alloc and free lines reach the tracker as events. */
function eventRouteDialect(): Dialect {
  const { fastPath: _fastPath, ...plain } = mallocSpyDialect();
  return plain;
}

function oneByteAtATime(bytes: Buffer, options: AnalyzeOptions): Report {
  const a = createAnalyzer(options);
  for (let i = 0; i < bytes.length; i++) a.write(bytes.subarray(i, i + 1));
  return a.end();
}

/** The report without what names the route (a named dialect lists only itself as tried). */
function comparable(r: Report): string {
  const { dialect: _dialect, ...rest } = r;
  return JSON.stringify(rest);
}

for (const log of everyFixtureLog()) {
  test(`every route gives the same report: ${log.path}`, () => {
    const bytes = readFileSync(join(ROOT, log.path));
    const base: AnalyzeOptions = { source: log.path };
    if (log.dialectFile) base.dialect = parseUserDialect(readFileSync(log.dialectFile, 'utf8'), log.dialectFile);
    const whole = analyzeBuffer(bytes, base);
    const expected = JSON.stringify(whole);
    assert.equal(JSON.stringify(analyzeBuffer(bytes, { ...base, bytePath: false })), expected, 'text path');
    if (bytes.length <= 300_000) assert.equal(JSON.stringify(oneByteAtATime(bytes, base)), expected, 'one byte at a time');
    // The event route applies to logs in MallocSpyTest's wording (the others have their own dialect).
    if (!log.dialectFile && whole.dialect === undefined) {
      const viaEvents = analyzeBuffer(bytes, { ...base, dialect: eventRouteDialect() });
      assert.equal(comparable(viaEvents), comparable(whole), 'events from a dialect');
    }
  });
}

/**
 * MallocSpyTest's wording as a user's dialect file: regexes, no byte path, its own
 * program-line reading. A user dialect cannot see a spy line cut in the middle of its
 * prefix (that needs the prefix, not a regex), a damaged dump entry nor a count that is
 * not one, and words its malformed lines itself; on logs without these, it must give the
 * same report.
 */
const MALLOCSPY_AS_JSON = JSON.stringify({
  name: 'mallocspy-as-regexes',
  alloc: '^MALLOC SPY: (?<address>0x[0-9A-Fa-f]{1,16}) - (?<size>\\d{1,15}) bytes allocated[ \\t]*$',
  free: '^MALLOC SPY: (?<address>0x[0-9A-Fa-f]{1,16}) - freed(?: \\(realloc to 0 bytes\\))?, (?<remaining>\\d{1,15}) blocks? remaining[ \\t]*$',
  realloc: '^MALLOC SPY: (?<from>0x[0-9A-Fa-f]{1,16}) - reallocated to (?<to>0x[0-9A-Fa-f]{1,16}), (?<size>\\d{1,15}) bytes[ \\t]*$',
  dumpStart: '^MALLOC SPY: detected memory leaks![ \\t]*$',
  dumpEntry: '^(?<address>0x[0-9A-Fa-f]{1,16}) - (?<size>\\d{1,15}) bytes:(?<data>(?: [0-9A-Fa-f]{2}){0,16})',
  spyLine: '^MALLOC SPY: ',
  markers: {
    register: '^\\s*CoRegisterMallocSpy\\(\\) returns (?<hresult>(?:0x)?[0-9A-Fa-f]{1,8})',
    revoke: '^\\s*CoRevokeMallocSpy\\(\\) returns (?<hresult>(?:0x)?[0-9A-Fa-f]{1,8})',
    coUninitialize: '^\\s*Called (?:Co|Ole)Uninitialize\\(\\)\\s*$',
    runStart: '^\\s*(?:CoInitialize|CoInitializeEx|OleInitialize)\\(',
  },
});

test("a user dialect file in MallocSpyTest's wording reads the clean shipped logs exactly like the built-in", () => {
  const dialect = parseUserDialect(MALLOCSPY_AS_JSON, 'mallocspy-as-regexes.json');
  let compared = 0;
  for (const log of everyFixtureLog()) {
    if (log.dialectFile) continue;
    const bytes = readFileSync(join(ROOT, log.path));
    const builtin = analyzeBuffer(bytes, { source: log.path });
    const broken = ['malformed-spy-line', 'malformed-dump-entry', 'unreadable-count'].reduce((n, k) => n + (builtin.anomalyCounts[k] ?? 0), 0);
    if (builtin.dialect !== undefined || broken > 0) continue;
    // A run that never reaches CoUninitialize quotes the dialect's marker (a regex here) in its evidence.
    if (builtin.phases.coUninitialize === null && builtin.phases.dump === null) continue;
    const user = analyzeBuffer(bytes, { source: log.path, dialect });
    assert.equal(comparable(user), comparable(builtin), log.path);
    compared++;
  }
  assert.ok(compared >= 20, `${compared} logs compared`);
});

test('every route ends a dump and forgets a broken line at an alloc or free line alike', () => {
  // The line after a dump's last entry ends the dump (what it does not list is missing
  // from it), and a spy line that does not parse only cuts the log when it is the last line.
  const log = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00100000 - 16 bytes allocated',
    'MALLOC SPY: 0x00100020 - 32 bytes allocated',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    'MALLOC SPY: detected memory leaks!',
    '0x00100000 - 16 bytes: 41 42 43 44 45 46 47 48 49 4A 4B 4C 4D 4E 4F 50 ABCDEFGHIJKLMNOP',
    'MALLOC SPY: 0x00100020 - freed, 1 blocks remaining',
    'MALLOC SPY: 0x0010 - fr',
    'MALLOC SPY: 0x00100040 - 8 bytes allocated',
    '',
  ].join('\r\n');
  const bytes = Buffer.from(log);
  const whole = analyzeBuffer(bytes);
  assert.equal(whole.truncation, 'complete');
  assert.equal(whole.anomalyCounts['not-in-dump'], 1);
  for (const [name, r] of [
    ['text path', analyzeBuffer(bytes, { bytePath: false })],
    ['events', analyzeBuffer(bytes, { dialect: eventRouteDialect() })],
    ['one byte at a time', oneByteAtATime(bytes, {})],
  ] as const) {
    assert.equal(comparable(r), comparable(whole), name);
  }
});
