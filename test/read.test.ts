// The reading layer: encoding sniffing and line splitting, across chunk boundaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteDecoder, WIDE_LINES } from '../src/read/decode.js';
import { LineSplitter } from '../src/read/lines.js';
import { openLog } from '../src/read/source.js';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ROOT } from './helpers.js';

function decodeInChunks(bytes: Uint8Array, size: number): { text: string; encoding: string | null } {
  const d = new ByteDecoder();
  let text = '';
  for (let i = 0; i < bytes.length; i += size) text += d.write(bytes.subarray(i, i + size));
  text += d.end();
  return { text, encoding: d.encoding };
}

/** `bytes` through `writeUtf8` in pieces of `size`: the decoder, the UTF-8 stream, and where each of its lines starts (and its end). */
function utf8Stream(bytes: Uint8Array, size: number): { d: ByteDecoder; stream: Buffer; starts: number[] } {
  const d = new ByteDecoder();
  const out: Buffer[] = [];
  // Copied: the bytes given are valid until the next call.
  for (let i = 0; i < bytes.length; i += size) out.push(Buffer.from(d.writeUtf8(bytes.subarray(i, i + size))));
  out.push(d.endUtf8());
  const stream = Buffer.concat(out);
  const starts = [0, stream.length];
  for (let i = stream.indexOf(10); i >= 0; i = stream.indexOf(10, i + 1)) starts.push(i + 1);
  return { d, stream, starts };
}

function utf16le(s: string, bom = true): Uint8Array {
  return Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(s, 'utf16le')]);
}

test('decoder: UTF-8, UTF-8 BOM, UTF-16LE with and without BOM, UTF-16BE, at every chunk size', () => {
  const s = 'MALLOC SPY: 0x0013BBB0 - 28 bytes allocated\r\nné €\n';
  const cases: [Uint8Array, string][] = [
    [Buffer.from(s), 'utf8'],
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(s)]), 'utf8-bom'],
    [utf16le(s), 'utf16le-bom'],
    [utf16le(s, false), 'utf16le'],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(s, 'utf16le').swap16()]), 'utf16be-bom'],
  ];
  for (const [bytes, encoding] of cases) {
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const out = decodeInChunks(bytes, size);
      assert.equal(out.text, s, `${encoding} in chunks of ${size}`);
      assert.equal(out.encoding, encoding);
    }
  }
});

test("decoder: where a UTF-16 text's characters outside ASCII are, so that a span is counted in code units at every line start (attack notes #116)", () => {
  const lines = ['ascii only', 'caf\u00e9 \u00e9t\u00e9', '', '\u{1F600} pair', 'lone \ud800 high', 'x', '\u20ac\u20ac', 'end'];
  const text = lines.join('\r\n') + '\r\n' + 'no line end \u00fc';
  const bytes = utf16le(text);
  for (const size of [1, 2, 3, 5, 7, 64, bytes.length]) {
    // At each line start of the UTF-8 stream, and at its end: the code units of the text before it.
    const { d, stream, starts } = utf8Stream(bytes, size);
    for (const at of starts) {
      const before = stream.subarray(0, at).toString('utf8');
      // WTF-8's lone surrogate reads back as three U+FFFD, one code unit in the text it came from.
      const units = before.replace(/\ufffd\ufffd\ufffd/g, '?').length;
      assert.equal(d.wide.unitsAt(at), units, `line start ${at} in ${size}-byte pieces`);
    }
    assert.equal(d.wide.any, true);
  }
  // ASCII only: nothing noted.
  const plain = new ByteDecoder();
  plain.writeUtf8(utf16le('MALLOC SPY: 0x0013BBB0 - 28 bytes allocated\r\n'));
  assert.equal(plain.wide.any, false);
});

test('decoder: the same for a UTF-8 input (a capture PowerShell 7.0–7.3 or `Out-File -Encoding utf8` re-encoded), a code page byte one unit of its own', () => {
  const lines = ['ascii only', 'caf\u00e9 \u00e9t\u00e9', '', '\u{1F600} pair', '\u20ac\u20ac', 'x'.repeat(5000) + '\u00fc', 'end'];
  const text = lines.join('\r\n') + '\r\n' + 'no line end \u00fc';
  for (const bom of [false, true]) {
    const bytes = Buffer.concat([Buffer.from(bom ? [0xef, 0xbb, 0xbf] : []), Buffer.from(text, 'utf8')]);
    for (const size of [1, 2, 3, 5, 7, 64, 4097, bytes.length]) {
      const { d, stream, starts } = utf8Stream(bytes, size);
      for (const at of starts)
        assert.equal(d.wide.unitsAt(at), stream.subarray(0, at).toString('utf8').length, `line start ${at} in ${size}-byte pieces`);
    }
  }
  // A program's own code page bytes (cmd's `>`: `\u00f6` as 0x94 in code page 850), and a sequence cut short: one unit a byte.
  const raw = new ByteDecoder();
  raw.writeUtf8(Buffer.from([0x4a, 0x94, 0x72, 0x67, 0x0d, 0x0a, 0xe2, 0x82, 0x78, 0x80, 0x0a, 0xc3]));
  raw.endUtf8();
  assert.equal(raw.wide.any, false);
});

test('decoder: past WIDE_LINES lines holding characters outside ASCII, the count in code units stops where it gave up, in bounded memory', () => {
  const d = new ByteDecoder();
  const line = Buffer.from('\u00e9\r\n', 'utf16le');
  d.writeUtf8(Buffer.from([0xff, 0xfe]));
  for (let i = 0; i < WIDE_LINES; i++) d.writeUtf8(line);
  assert.equal(d.wide.exactTo, Infinity);
  assert.equal(d.wide.unitsAt(WIDE_LINES * 4), WIDE_LINES * 3);
  d.writeUtf8(Buffer.from('ab\u00e9\r\n\u00e9\r\n', 'utf16le'));
  // Exact up to the character that would have needed one more line (an earlier run keeps its count: attack notes #135).
  assert.equal(d.wide.exactTo, WIDE_LINES * 4 + 2);
  assert.equal(d.wide.unitsAt(WIDE_LINES * 4), WIDE_LINES * 3);
  assert.equal(d.wide.any, true);
});

test('decoder: counts raw bytes, and a short or empty input still decodes', () => {
  const d = new ByteDecoder();
  assert.equal(d.write(Buffer.from('ab')), '');
  assert.equal(d.end(), 'ab');
  assert.equal(d.bytes, 2);
  const e = new ByteDecoder();
  assert.equal(e.end(), '');
  assert.equal(e.bytes, 0);
});

test('decoder: invalid UTF-8 and a dangling UTF-16 byte become U+FFFD, never an exception', () => {
  assert.equal(decodeInChunks(Buffer.from([0x41, 0xff, 0x42, 0x0a]), 1).text, 'A\uFFFDB\n');
  const odd = Buffer.concat([utf16le('AB'), Buffer.from([0x43])]);
  assert.match(decodeInChunks(odd, 1).text, /^AB\uFFFD?$/);
});

interface Got {
  lines: [string, number, number][];
  endedOnLineEnd: boolean;
  endedOnBareCR: boolean;
}

function split(text: string | Buffer, chunk: number, max = 1000): Got {
  const lines: [string, number, number][] = [];
  const s = new LineSplitter({ line: (t, n, d) => lines.push([t, n, d]) }, max);
  const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
  for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
  s.end();
  return { lines, endedOnLineEnd: s.endedOnLineEnd, endedOnBareCR: s.endedOnBareCR };
}

test('lines: LF and CRLF, a CRLF split across chunks, numbering, final line without end', () => {
  const text = 'a\r\nbb\n\r\nccc\r\nlast';
  for (const chunk of [1, 2, 3, 4, 100]) {
    const got = split(text, chunk);
    assert.deepEqual(got.lines, [
      ['a', 1, 0],
      ['bb', 2, 0],
      ['', 3, 0],
      ['ccc', 4, 0],
      ['last', 5, 0],
    ]);
    assert.equal(got.endedOnLineEnd, false);
  }
  assert.equal(split('a\n', 1).endedOnLineEnd, true);
  assert.deepEqual(split('', 1).lines, []);
});

test('lines: a log cut between CR and LF is reported as such', () => {
  for (const chunk of [1, 3, 50]) {
    const got = split('one\r\ntwo\r', chunk);
    assert.deepEqual(got.lines.at(-1), ['two', 2, 0]);
    assert.equal(got.endedOnLineEnd, false);
    assert.equal(got.endedOnBareCR, true);
  }
});

test('lines: an overlong line is cut to the limit, counted, and numbering goes on', () => {
  const long = 'x'.repeat(25);
  for (const chunk of [1, 4, 7, 100]) {
    for (const eol of ['\n', '\r\n']) {
      const got = split(`ok${eol}${long}${eol}after${eol}`, chunk, 10);
      assert.deepEqual(
        got.lines,
        [
          ['ok', 1, 0],
          ['x'.repeat(10), 2, 15],
          ['after', 3, 0],
        ],
        `chunk ${chunk} eol ${JSON.stringify(eol)}`,
      );
    }
  }
  // exactly at the limit, with a CR: not overlong
  assert.deepEqual(split(`${'y'.repeat(10)}\r\n`, 3, 10).lines, [['y'.repeat(10), 1, 0]]);
});

test('a log stream read to its end, or destroyed before or while it is read, closes its file', async (t) => {
  if (!existsSync('/proc/self/fd')) return t.skip('needs /proc/self/fd to count open files');
  const open = (): number => readdirSync('/proc/self/fd').length;
  const before = open();
  const streamOf = async (name: string): Promise<Readable> => (await openLog(join(ROOT, 'fixtures', name), process.stdin)).stream as Readable;
  for (let i = 0; i < 10; i++) (await streamOf('article-nt4.log')).destroy();
  const reading = await streamOf('article-win2000.log');
  reading.once('data', () => reading.destroy());
  await new Promise((resolve) => reading.once('close', resolve));
  const whole = await streamOf('article-nt4.log');
  whole.resume(); // read to its end
  await new Promise((resolve) => whole.once('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, 100)); // closing is asynchronous
  assert.equal(open(), before);
});

test('lines: CR CR LF (a program printing "\\r\\n" to a text-mode stdout) and any run of CRs end a line; a lone CR inside stays', () => {
  const text = 'one\r\r\ntwo\r\r\r\nthr\ree\r\nfour\r\r';
  for (const chunk of [1, 2, 3, 5, 100]) {
    const got = split(text, chunk);
    assert.deepEqual(
      got.lines.map(([t]) => t),
      ['one', 'two', 'thr\ree', 'four'],
      `chunk ${chunk}`,
    );
    assert.equal(got.endedOnLineEnd, false);
    assert.equal(got.endedOnBareCR, true, 'the CRs at the end are a line end cut before its LF');
  }
});

test("lines: where each line lies, and how many lines end in CR LF (for the C runtime's buffers)", () => {
  const text = 'ab\r\n\ncd\r\r\nlong line\n';
  for (const chunk of [1, 3, 100]) {
    const seen: [string, number, number, number, number][] = [];
    const s = new LineSplitter({ line: (t, _n, _d, at) => seen.push([t, at.start, at.next, at.crlfBefore, at.crlfThrough]) }, 1000);
    const bytes = Buffer.from(text);
    for (let i = 0; i < bytes.length; i += chunk) s.push(bytes.subarray(i, i + chunk));
    s.end();
    assert.deepEqual(seen, [
      ['ab', 0, 4, 0, 1],
      ['', 4, 5, 1, 1],
      ['cd', 5, 10, 1, 2],
      ['long line', 10, 20, 2, 2],
    ]);
    assert.deepEqual([s.bytes, s.crlf], [20, 2]);
  }
});

test('lines: a line in an OEM or ANSI code page is text (Windows-1252 for bytes that are not UTF-8); UTF-8 stays UTF-8', () => {
  const bytes = Buffer.concat([
    Buffer.from('Arbeitsverzeichnis: C:\\Daten\\'),
    Buffer.from([0xc4]),
    Buffer.from('nderungen\r\nProtokoll: '),
    Buffer.from([0x8e, 0x80, 0x20]),
    Buffer.from('\u00c4nderung \u20ac\r\nPr'),
    // Code page 850's `\u00fc`, a byte Windows-1252 leaves undefined: its C1 code point, as Windows reads it (attack notes #138).
    Buffer.from([0x81]),
    Buffer.from('fung\n'),
  ]);
  for (const chunk of [1, 4, 100]) {
    assert.deepEqual(
      split(bytes, chunk).lines.map(([t]) => t),
      ['Arbeitsverzeichnis: C:\\Daten\\\u00c4nderungen', 'Protokoll: \u017d\u20ac \u00c4nderung \u20ac', 'Pr\u0081fung'],
    );
  }
});
