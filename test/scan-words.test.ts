// The byte scanner compares the prefix's first 12 bytes as three masked words and the fixed
// words of alloc and free lines as numbers written in its code (parse/scan.ts). Every route
// reads alloc and free lines with that one scanner, so comparing routes cannot catch a wrong
// number there: these tests hold the scanner to the grammar written as regular expressions,
// line by line, for prefixes of every length around the 12 compared as words, with every
// character of each line changed or cut in turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIXED_WORDS, SCAN_ALLOC, SCAN_FREE, SCAN_OTHER, SpyScanner, type ScanKind } from '../src/parse/scan.js';
import { compileParseContext } from '../src/parse/options.js';

function wordsOf(text: string): number[] {
  const bytes = Buffer.from(text, 'latin1');
  const words: number[] = [];
  let i = 0;
  for (; i + 4 <= bytes.length; i += 4) words.push(bytes.readUInt32LE(i));
  // Two bytes left are compared as a 16-bit word.
  if (bytes.length - i === 2) words.push(bytes.readUInt16LE(i));
  return words;
}

test("the fixed words' numbers are the words' bytes", () => {
  assert.deepEqual(FIXED_WORDS.bytesAllocated, wordsOf(' bytes allocated'));
  assert.deepEqual(FIXED_WORDS.block, wordsOf(' block'));
  assert.deepEqual(FIXED_WORDS.remaining, wordsOf(' remaining'));
  assert.deepEqual(FIXED_WORDS.freed, wordsOf('freed'));
});

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The grammar of scan.ts as regular expressions (a count of more than 15 digits is still a free: an unreadable one). */
function expected(line: string, prefix: string): ScanKind {
  const head = `^${escape(prefix)}0[xX](?=[0-9A-Fa-f]{1,16} - )[0-9A-Fa-f]+ - `;
  if (new RegExp(`${head}\\d{1,15} bytes allocated[ \\t]*$`).test(line)) return SCAN_ALLOC;
  if (new RegExp(`${head}freed(?: \\(realloc to 0 bytes\\))?, -?\\d+ blocks? remaining[ \\t]*$`).test(line)) return SCAN_FREE;
  return SCAN_OTHER;
}

/** The line, then every character changed (to `#`, and to the other letter case) and every cut of it. */
function variants(line: string): string[] {
  const out = [line];
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    out.push(line.slice(0, i) + '#' + line.slice(i + 1));
    const other = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase();
    if (other !== c && other.length === 1) out.push(line.slice(0, i) + other + line.slice(i + 1));
    out.push(line.slice(0, i));
  }
  return out;
}

/** The scanner's reading of a line from its bytes (`lineAt`, at an offset and with a line end) and from its text. */
function readings(scanner: SpyScanner, line: string, offset: number, ending: string): [ScanKind, ScanKind] {
  const bytes = Buffer.concat([Buffer.alloc(offset, 0x41), Buffer.from(line + ending, 'utf8')]);
  return [scanner.lineAt(bytes, offset, bytes.length), scanner.text(line)];
}

const PREFIXES = [
  'MALLOC SPY: ',
  'X',
  'SPY> ',
  'ABCDEFGHIJK',
  'MALLOC SPY:: ',
  'ABCDEFGHIJKLMNOP: ',
  'СПАЙ> ', // 11 bytes in UTF-8
  'ШПИОН ПАМЯТИ: ', // 26 bytes: a word cut inside a character at 12
  '€€€€ ', // 13 bytes
];

for (const prefix of PREFIXES) {
  test(`alloc and free lines read as the grammar says, every character changed or cut: prefix ${JSON.stringify(prefix)}`, () => {
    const scanner = new SpyScanner(compileParseContext({ spyPrefix: prefix }));
    const lines = [
      `${prefix}0x00130000 - 48 bytes allocated`,
      `${prefix}0X00AbCd10 - 7 bytes allocated \t`,
      `${prefix}0x0013c150 - freed, 18 blocks remaining`,
      `${prefix}0x1 - freed, 1 block remaining`,
      `${prefix}0x00130040 - freed (realloc to 0 bytes), 2 blocks remaining`,
      `${prefix}0x00130040 - freed, -1 blocks remaining`,
    ];
    let checked = 0;
    for (const line of lines) {
      for (const v of variants(line)) {
        const want = expected(v, prefix);
        for (const [offset, ending] of [
          [0, '\n'],
          [1, '\r\n'],
          [3, '\r\r\n'],
        ] as const) {
          const [bytes, text] = readings(scanner, v, offset, ending);
          assert.equal(bytes, want, `bytes at ${offset}: ${JSON.stringify(v)}`);
          assert.equal(text, want, `text: ${JSON.stringify(v)}`);
          checked++;
        }
      }
    }
    assert.ok(checked > 500);
  });
}
