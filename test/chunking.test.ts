// Property: the report does not depend on how the input is cut into chunks. Cuts
// fall anywhere: inside a CRLF pair, inside a UTF-8 character, inside a UTF-16 code
// unit or its BOM, inside an overlong line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBuffer, createAnalyzer, type AnalyzeOptions } from '../src/analyze.js';
import { ROOT, allFixtureLogs, prng } from './helpers.js';

function inChunks(bytes: Uint8Array, nextSize: () => number): string {
  const a = createAnalyzer({ source: 'x', maxLineLength: 1000 });
  for (let i = 0; i < bytes.length;) {
    const n = Math.max(1, nextSize());
    a.write(bytes.subarray(i, i + n));
    i += n;
  }
  return JSON.stringify(a.end());
}

function assertChunkInvariant(name: string, bytes: Uint8Array, seed: number): void {
  const whole = JSON.stringify(analyzeBuffer(bytes, { source: 'x', maxLineLength: 1000 }));
  const rnd = prng(seed);
  const strategies: [string, () => number][] = [
    ['tiny', () => 1 + Math.floor(rnd() * 4)],
    ['small', () => 1 + Math.floor(rnd() * 64)],
    ['large', () => 1 + Math.floor(rnd() * 8192)],
  ];
  if (bytes.length <= 20_000) strategies.push(['bytewise', () => 1]);
  for (const [label, size] of strategies) {
    assert.equal(inChunks(bytes, size), whole, `${name}: ${label} chunks (seed ${seed})`);
  }
}

test('every fixture gives the identical report however it is chunked', () => {
  const logs = allFixtureLogs();
  assert.ok(logs.length >= 10, 'fixtures are present');
  logs.forEach((log, i) => assertChunkInvariant(log, readFileSync(join(ROOT, log)), 1000 + i));
});

test('CRLF, UTF-8 multibyte text, UTF-16LE with BOM and overlong lines, chunked anywhere', () => {
  const lines = [
    'CoInitialize() returns 0x00000000',
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013BBB0 - 28 bytes allocated',
    'Objet créé — ünïcødé € 𝄞',
    'y'.repeat(2500),
    'MALLOC SPY: 0x0013BBB0 - freed, 0 blocks remaining',
    'Called CoUninitialize()',
    'MALLOC SPY: 0x0013BBC0 - 12 bytes allocated',
  ];
  const text = lines.join('\r\n') + '\r';
  const variants: [string, Uint8Array][] = [
    ['utf8 crlf, cut after CR', Buffer.from(text)],
    ['utf8 bom', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text + '\n')])],
    ['utf16le bom', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text + '\n', 'utf16le')])],
  ];
  variants.forEach(([name, bytes], i) => {
    for (let seed = 0; seed < 5; seed++) assertChunkInvariant(name, bytes, 77 * i + seed);
  });
});

test('lines read from their bytes and lines decoded agree: line limit, blanks, CRs, long and mixed-case addresses', () => {
  const lines = [
    'CoRegisterMallocSpy() returns 0x00000000',
    'MALLOC SPY: 0x0013BBB0 - 28 bytes allocated' + ' '.repeat(1100), // over the limit: cut, an anomaly
    'MALLOC SPY: 0x0013BBC0 - 12 bytes allocated \t', // trailing blanks are fine
    'MALLOC SPY: 0x0013BBD0 - 12 bytes allocated\r', // CR CR LF is a line end too
    'MALLOC SPY: 0x0013BBE0 - 12 bytes allocated\r ', // a lone CR: the line is what was written last with text (attack notes #94)
    'MALLOC SPY: 0xFFFFF80012345678 - 8 bytes allocated', // 16 significant digits: keyed by text
    'MALLOC SPY: 0x0000012345678ABC - 8 bytes allocated', // 13: keyed by value
    'Object created',
    'MALLOC SPY: 0xfffff80012345678 - freed, 5 blocks remaining',
    'MALLOC SPY: 0x12345678abc - freed, 4 blocks remaining', // same address, other width and case
    'MALLOC SPY: 0x13BBC0 - freed, 3 blocks remaining',
    'Called CoUninitialize()',
  ];
  const bytes = Buffer.from(lines.join('\r\n') + '\r\n');
  const r = analyzeBuffer(bytes, { source: 'x', maxLineLength: 1000 });
  assert.deepEqual(r.anomalyCounts, { 'overlong-line': 1 });
  assert.equal(r.allocs, 6);
  assert.equal(r.frees, 3);
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.category, b.freeLine]),
    [
      ['0x0013BBB0', 'unresolved', null], // never revoked, nothing after the last line: possibly truncated
      ['0x0013BBC0', 'couninitialize', 11],
      ['0x0013BBD0', 'unresolved', null],
      ['0x0013BBE0', 'unresolved', null],
      ['0xFFFFF80012345678', 'couninitialize', 9], // freed as 0xfffff80012345678
      ['0x0000012345678ABC', 'couninitialize', 10], // freed as 0x12345678abc
    ],
  );
  for (let seed = 0; seed < 5; seed++) assertChunkInvariant('hot path edges', bytes, 500 + seed);
});

test('a custom spy prefix (not ASCII, not a multiple of four bytes) is read the same on both paths', () => {
  const markers = { spyPrefix: 'СПАЙ> ' }; // 11 bytes in UTF-8
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let i = 0; i < 50; i++)
    lines.push(`СПАЙ> 0x${(0x1000 + i).toString(16)} - 8 bytes allocated`, `СПАЙ> 0x${(0x1000 + i).toString(16)} - freed, 0 blocks remaining`);
  lines.push('СПАЙ> 0x2000 - 4 bytes allocated', 'МALLOC SPY: 0x2000 - freed, 0 blocks remaining', 'Called CoUninitialize()');
  const bytes = Buffer.from(lines.join('\n') + '\n');
  const whole = analyzeBuffer(bytes, { markers });
  assert.equal(whole.allocs, 51);
  assert.equal(whole.frees, 50);
  assert.deepEqual(
    whole.blocks.map((b) => [b.address, b.category]),
    [['0x2000', 'unresolved']],
  );
  const rnd = prng(9);
  for (let round = 0; round < 5; round++) {
    const a = createAnalyzer({ markers });
    for (let i = 0; i < bytes.length;) {
      const n = 1 + Math.floor(rnd() * 40);
      a.write(bytes.subarray(i, i + n));
      i += n;
    }
    assert.deepEqual(a.end(), whole);
  }
});

test('an address printed in several spellings keeps each spelling (the hot path shares address texts)', () => {
  const spellings = ['0x00001a2b', '0x00001A2B', '0X00001A2B', '0x1a2b', '0x00001a2B', '0x00001a2b', '0x00001A2B'];
  const lines = ['CoRegisterMallocSpy() returns 0x00000000', 'Object created'];
  for (const a of spellings) lines.push(`MALLOC SPY: ${a} - 8 bytes allocated`, `MALLOC SPY: ${a} - freed, 0 blocks remaining`);
  lines.push('Called CoUninitialize()');
  const r = analyzeBuffer(Buffer.from(lines.join('\n') + '\n'));
  assert.deepEqual(
    r.blocks.map((b) => [b.address, b.category]),
    spellings.map((a) => [a, 'couninitialize']),
  );
});

test('UTF-16 with a lone surrogate (broken text, or a capture cut inside a pair) reads as text, not as an unreadable line', () => {
  const utf16 = (s: string): Buffer => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(s, 'utf16le')]);
  const broken = utf16('Hello\uD800world\r\nMALLOC SPY: 0x1 - 4 bytes allocated\r\nA \uD83D\uDE00 pair\r\n');
  const r = analyzeBuffer(broken);
  assert.deepEqual(r.anomalyCounts, {});
  assert.equal(r.allocs, 1);
  assert.equal(r.phases.lastProgramLine, 3);
  const cut = analyzeBuffer(utf16('Foo() returns 0\r\nX\uD83D'));
  assert.deepEqual(cut.anomalyCounts, {});
  assert.equal(cut.phases.lastProgramLine, 2, 'the cut last line is program output');
  for (let seed = 0; seed < 5; seed++) assertChunkInvariant('lone surrogate', broken, 900 + seed);
});

test('a spy prefix that is empty or spans a line break never matches, on either path (library use; the CLI refuses both)', () => {
  const padding = 'CoRegisterMallocSpy() returns 0x00000000\n' + 'Object released\n'.repeat(4400); // > 64 KB: later lines take the byte path
  for (const [spyPrefix, tail] of [
    ['X\nY', 'X\nY0x1 - 4 bytes allocated\n'],
    ['', '0x1 - 4 bytes allocated\n'],
  ] as const) {
    const bytes = Buffer.from(padding + tail);
    const whole = analyzeBuffer(bytes, { markers: { spyPrefix } });
    assert.equal(whole.allocs, 0, JSON.stringify(spyPrefix));
    const a = createAnalyzer({ markers: { spyPrefix } });
    for (let i = 0; i < bytes.length; i += 70_000) a.write(bytes.subarray(i, i + 70_000));
    assert.deepEqual(a.end(), whole);
  }
});

/** The whole log after its first line in one write: every later whole line is offered to the byte path. */
function viaBytePath(bytes: Buffer, options: AnalyzeOptions): string {
  const a = createAnalyzer(options);
  const first = bytes.indexOf(10) + 1; // detection ends on the first (recognised) line
  a.write(bytes.subarray(0, first));
  a.write(bytes.subarray(first));
  return JSON.stringify(a.end());
}

/** One byte per write: no line is ever whole in a chunk, so every line is decoded. */
function viaTextPath(bytes: Buffer, options: AnalyzeOptions): string {
  const a = createAnalyzer(options);
  for (let i = 0; i < bytes.length; i++) a.write(bytes.subarray(i, i + 1));
  return JSON.stringify(a.end());
}

test('the byte path and the text path agree on every one-character change of alloc and free lines', () => {
  const cases: [string, AnalyzeOptions][] = [
    ['MALLOC SPY: ', {}],
    ['СПАЙ> ', { markers: { spyPrefix: 'СПАЙ> ' } }], // 11 bytes: two words and a 3-byte tail
  ];
  for (const [prefix, options] of cases) {
    const valid = [
      `${prefix}0x0013BBB0 - 28 bytes allocated`,
      `${prefix}0x0013BBB0 - freed, 1 blocks remaining`,
      `${prefix}0x0013BBB0 - freed, 0 block remaining`,
      `${prefix}0x0013BBB0 - freed (realloc to 0 bytes), 0 blocks remaining`,
    ];
    const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
    for (const line of valid) {
      for (let i = 0; i < line.length; i++) {
        for (const c of ['X', ' ', '0']) {
          if (line[i] !== c) lines.push(line.slice(0, i) + c + line.slice(i + 1));
        }
      }
      lines.push(line + ' \t', line + '\r', line + '\r ', line + 'x', line.slice(0, -1));
    }
    lines.push('Called CoUninitialize()');
    const bytes = Buffer.from(lines.join('\r\n') + '\r\n');
    const text = viaTextPath(bytes, options);
    assert.equal(viaBytePath(bytes, options), text, prefix);
    // Still valid: each line with trailing blanks, with a CR before its CRLF, with a CR and a
    // blank after it (what was written last with text is the line), a '0' for any other
    // address digit (5 per line) or size digit (2), and '0' for the count's '1': 11 allocs,
    // 28 frees.
    const counts = JSON.parse(text) as { allocs: number; frees: number };
    assert.deepEqual([counts.allocs, counts.frees], [11, 28], prefix);
  }
});

test('the byte path and the text path agree on the line limit (blanks past it)', () => {
  const lines = ['CoRegisterMallocSpy() returns 0x00000000'];
  for (let pad = 0; pad < 12; pad++) lines.push(`MALLOC SPY: 0x${(16 + pad).toString(16)} - 8 bytes allocated` + ' '.repeat(pad));
  const bytes = Buffer.from(lines.join('\n') + '\n');
  const options = { maxLineLength: 40 }; // the alloc lines are 36-37 characters before the blanks
  const text = viaTextPath(bytes, options);
  assert.equal(viaBytePath(bytes, options), text);
  assert.ok((JSON.parse(text) as { anomalyCounts: Record<string, number> }).anomalyCounts['overlong-line']! > 0);
});
