// Text tables are bounded: a log with thousands of allocation sites or runs gets the largest
// TABLE_ROWS groups (and PARTS_SHOWN runs) and a line saying how many more there are and
// which format lists them all. JSON and CSV keep every group. check and diff text are drawn
// like the report: ASCII off a terminal, box characters on one, fitted to the width.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain, spylog } from './helpers.js';
import { TABLE_ROWS, renderTable } from '../src/report/table.js';
import { PARTS_SHOWN } from '../src/report/parts.js';
import { displayWidth } from '../src/report/width.js';

const tmp = mkdtempSync(join(tmpdir(), 'spylog-tables-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const HEAD = 'CoInitialize() returns 0x00000000\nCoRegisterMallocSpy() returns 0x00000000\n';
const addr = (i: number) => '0x' + (0x00100000 + i * 16).toString(16).toUpperCase().padStart(8, '0');
const alloc = (i: number, size: number) => `MALLOC SPY: ${addr(i)} - ${size} bytes allocated\n`;
/** A complete run: the revoke fails, one block is freed at exit. */
const tail = (live: number) =>
  'MALLOC SPY: 0x7FFF0000 - 8 bytes allocated\nHelper() returns 0x00000000\nCalled CoUninitialize()\n' +
  `CoRevokeMallocSpy() returns 0x80070005\nMALLOC SPY: 0x7FFF0000 - freed, ${live} blocks remaining\n`;

/** `groups` never-freed blocks of sizes 1..groups, allocated in `call`: that many true-leak groups. */
function groupsLog(name: string, groups: number, call: string): string {
  let text = HEAD;
  for (let i = 0; i < groups; i++) text += alloc(i, i + 1);
  text += `${call}() returns 0x00000000\n` + tail(groups);
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

const GROUPS = TABLE_ROWS + 50;
const a = groupsLog('a.log', GROUPS, 'Leak');
const b = groupsLog('b.log', GROUPS, 'Other');
/** Rows of the groups table: category, then the context `Leak`. */
const rowsOf = (text: string) => text.split('\n').filter((l) => /^\| true-leak +\| Leak +\|/.test(l)).length;

test('report: the largest groups in the table, the rest counted; JSON lists them all', async () => {
  const r = await runMain([a]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(rowsOf(r.stdout), TABLE_ROWS);
  // 250 true leaks (sizes 1..250) and the block freed at exit: the 200 largest leaks are shown.
  assert.match(r.stdout, /\| true-leak +\| Leak +\| +250 \|/);
  assert.doesNotMatch(r.stdout, /\| true-leak +\| Leak +\| +50 \|/);
  const hiddenBytes = (50 * 51) / 2 + 8;
  assert.match(
    r.stdout,
    new RegExp(`\\n51 more groups not shown \\(51 blocks, ${hiddenBytes.toLocaleString('en-US')} bytes\\); --format json or csv lists\\nthem all\\n`),
  );
  const json = JSON.parse((await runMain(['-f', 'json', a])).stdout) as { blocks: { category: string }[] };
  assert.equal(json.blocks.filter((x) => x.category === 'true-leak').length, GROUPS);
});

test('check text: the largest groups, the rest counted; ASCII when piped, boxes on a terminal', async () => {
  const piped = await runMain(['check', a]);
  assert.equal(piped.status, 1, piped.stderr);
  assert.equal(rowsOf(piped.stdout), TABLE_ROWS);
  assert.match(piped.stdout, /\| true-leak \| Leak +\| +250 \| +1 \| +250 \| \d+ +\|/);
  assert.match(piped.stdout, /\n50 more groups not shown \(50 blocks, 1,275 bytes\); --format json or sarif lists\nthem all\n/);
  assert.doesNotMatch(piped.stdout, /[^\x00-\x7f]/, 'pure ASCII off a terminal');
  const tty = await runMain(['check', a], { stdoutIsTTY: true, columns: 100, env: { NO_COLOR: '1', LANG: 'en_US.UTF-8' } });
  assert.match(tty.stdout, /\n┌───────────┬/);
  assert.ok(
    Math.max(
      ...tty.stdout
        .split('\n')
        .filter((l) => /^[┌│└]/.test(l))
        .map(displayWidth),
    ) <= 100,
  );
});

test('diff text: the largest changed groups, the rest counted; its table ASCII when piped, fitted to 80 columns', async () => {
  const r = await runMain(['diff', a, b]);
  assert.equal(r.status, 0, r.stderr);
  const changed = r.stdout.split('\n').filter((l) => /^[+-] \d+ bytes x /.test(l));
  assert.equal(changed.length, TABLE_ROWS);
  assert.match(r.stdout, /\n300 more changed groups not shown \(300 blocks, [\d,]+ bytes\); --format json or csv lists them all\n/);
  assert.doesNotMatch(r.stdout, /[^\x00-\x7f]/, 'pure ASCII off a terminal');
  assert.match(
    r.stdout,
    /\| category +\| +A \| +A \| +B \| +B \| change \| change \|\n\| +\| blocks \| +bytes \| blocks \| +bytes \| blocks \| +bytes \|\n/,
  );
  assert.ok(
    Math.max(
      ...r.stdout
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map(displayWidth),
    ) <= 80,
  );
  const tty = await runMain(['diff', a, b], { stdoutIsTTY: true, columns: 120, env: { NO_COLOR: '1', LANG: 'en_US.UTF-8' } });
  assert.match(tty.stdout, /│ category +│ A blocks │ A bytes │ B blocks │ B bytes │ Δ blocks │ +Δ bytes │/);
});

test('runs: the first PARTS_SHOWN in the table, the rest counted', async () => {
  const runs = PARTS_SHOWN + 10;
  const path = join(tmp, 'runs.log');
  writeFileSync(path, (HEAD + alloc(0, 16) + 'Leak() returns 0x00000000\n' + tail(1)).repeat(runs));
  const r = await runMain([path]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter((l) => /^\| run \d+ +\| \d+-\d+ +\|/.test(l)).length, PARTS_SHOWN);
  assert.match(r.stdout, /\n10 more parts not shown \(--format json lists every part's verdict\)\n/);
});

test('a table is never drawn with more than TABLE_ROWS rows, whoever asks', () => {
  const rows = Array.from({ length: TABLE_ROWS + 5 }, (_, i) => [String(i)]);
  const lines = renderTable([{ head: 'n' }], rows, { unicode: false, width: 80 })!;
  assert.equal(lines.filter((l) => /^\| \d+/.test(l)).length, TABLE_ROWS);
  assert.equal(lines.at(-1), '5 more rows not shown');
});

test('wide characters: columns line up (East Asian wide characters take two columns), nothing is cut', () => {
  const columns = [{ head: 'category' }, { head: 'context', flex: true, min: 12 }, { head: 'size', align: 'right' as const }];
  const rows = [
    ['true-leak', '中文中文中文中文中文中文 CLSIDFromProgID', '64'],
    ['exitprocess', 'ｆｕｌｌｗｉｄｔｈ', '8'],
  ];
  for (const width of [80, 40]) {
    for (const unicode of [true, false]) {
      const lines = renderTable(columns, rows, { unicode, width })!;
      assert.equal(new Set(lines.map(displayWidth)).size, 1, lines.join('\n'));
      assert.ok(displayWidth(lines[0]!) <= width);
      assert.ok(!lines.join('').includes('…'));
      assert.equal(lines.join('').replace(/[^中]/g, '').length, 6, 'every character kept');
    }
  }
});

test('block groups of several runs: in run order (run 2 before run 10), then category and bytes', async () => {
  const path = join(tmp, 'eleven-runs.log');
  let text = '';
  for (let r = 1; r <= 11; r++) text += HEAD + alloc(0, 16) + alloc(1, 100 + r) + 'Leak() returns 0x00000000\n' + tail(2);
  writeFileSync(path, text);
  const r = await runMain([path], { env: { NO_COLOR: '1', COLUMNS: '200' } });
  assert.equal(r.status, 0, r.stderr);
  const parts = r.stdout
    .split('\n')
    .filter((l) => /^\| run \d+ +\| true-leak /.test(l))
    .map((l) => /^\| run (\d+) +\| true-leak +\| Leak +\| +(\d+) /.exec(l)!.slice(1, 3).map(Number));
  // Each run: its 100+r byte leak, then its 16 byte one.
  assert.deepEqual(
    parts,
    Array.from({ length: 11 }, (_, i) => [
      [i + 1, 101 + i],
      [i + 1, 16],
    ]).flat(),
  );
});

test('the reporters the CLI loads one at a time are the library registries', async () => {
  const { REPORTERS, REPORT_FORMATS, loadReporter } = await import('../src/report/index.js');
  for (const f of REPORT_FORMATS) {
    const lazy = await loadReporter(f);
    assert.equal(lazy.separator, (REPORTERS[f] as { separator?: string }).separator, f);
    assert.equal(typeof lazy.render, 'function');
  }
  assert.equal((await loadReporter('text')).render, REPORTERS.text.render);
  const { CHECK_PARTS, CHECK_FORMATS, loadCheckReporter } = await import('../src/check/reporters/index.js');
  for (const f of CHECK_FORMATS) assert.equal(await loadCheckReporter(f), CHECK_PARTS[f], f);
});

test('groups and gate findings are in the same order on every machine, whatever its locale (ä is not after z in Swedish here)', (t) => {
  // Only where the environment chooses ICU's locale (Linux, macOS) and Swedish data is there: on
  // Windows the user's locale comes from the system, and the three runs would be alike anyway.
  const probe = spawnSync(process.execPath, ['-e', 'process.stdout.write(new Intl.Collator().resolvedOptions().locale)'], {
    encoding: 'utf8',
    env: { ...process.env, LANG: 'sv_SE.UTF-8', LC_ALL: 'sv_SE.UTF-8' },
  });
  if (!probe.stdout.startsWith('sv')) {
    t.skip(`no Swedish collation from the environment here (${probe.stdout || probe.stderr})`);
    return;
  }
  const log = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x00010000 - 16 bytes allocated',
    'zeta() returns 0x00000000',
    'MALLOC SPY: 0x00010100 - 16 bytes allocated',
    '\u00e4pple() returns 0x00000000',
    'Called CoUninitialize()',
    'CoRevokeMallocSpy() returns 0x80070005',
    '',
  ].join('\n');
  for (const args of [
    ['report', '-'],
    ['check', '-', '-f', 'text'],
    ['check', '-', '-f', 'json'],
  ]) {
    const outputs = ['C', 'en_US.UTF-8', 'sv_SE.UTF-8'].map((locale) => spylog(args, { input: log, env: { LANG: locale, LC_ALL: locale } }).stdout);
    if (args[0] === 'report') assert.match(outputs[0]!, /pple[\s\S]*zeta/, 'äpple first, as English sorts it');
    assert.equal(outputs[1], outputs[0], `${args.join(' ')}: en_US`);
    assert.equal(outputs[2], outputs[0], `${args.join(' ')}: sv_SE`);
  }
});
