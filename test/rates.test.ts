// The bench's accidental possibly-truncated rate (`npm run bench -- --rates`, bench/rates.ts),
// on one shape and a few paddings: its captures are complete, and it sees the one padding
// that makes a plain redirected file whole C runtime buffers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeBuffer } from '../src/analyze.js';
import { CRT_BUFFER, RATE_SHAPES, TEXT_FORMS, WIDE_LINE, captureOf, measureRate, padder, range, type RateCase } from '../bench/rates.js';

test('rates: a plain redirected capture reads possibly-truncated at the one padding that makes it whole buffers, never truncated', () => {
  const plain: RateCase = { shape: 'redirected', banner: 0, eol: 'lf', bom: false, pad: 'body' };
  // The file is all the program's (no console line, no BOM, LF): whole buffers when its size is.
  const size0 = captureOf(plain, 0).length;
  const whole = (CRT_BUFFER - (size0 % CRT_BUFFER)) % CRT_BUFFER;
  assert.equal(captureOf(plain, whole).length % CRT_BUFFER, 0);
  assert.deepEqual(padder(plain)(whole), captureOf(plain, whole));
  // 64 paddings around it.
  const from = Math.max(0, Math.min(whole - 32, CRT_BUFFER - 64));
  const r = measureRate(plain, range(from, 64));
  assert.equal(r.tried, 64);
  assert.equal(r.unpadded.truncation, 'complete', r.unpadded.evidence.join(' '));
  assert.deepEqual(r.unpadded.summary, { 'true-leak': 2 });
  assert.deepEqual(r.truncated, []);
  assert.deepEqual(
    r.possibly.map((p) => p.padding),
    [whole],
  );
  assert.match(r.possibly[0]!.evidence, new RegExp(`the file is exactly ${(size0 + whole) / CRT_BUFFER} × 4096 bytes`));
});

test("rates: every shape's unpadded capture is complete, in every encoding measured", () => {
  for (const shape of RATE_SHAPES)
    for (const eol of ['lf', 'crlf'] as const)
      for (const bom of [false, true]) {
        const r = analyzeBuffer(captureOf({ shape, banner: 3, eol, bom, pad: 'body' }, null));
        assert.equal(r.truncation, 'complete', `${shape} ${eol}${bom ? ' BOM' : ''}: ${r.evidence.join(' ')}`);
        assert.equal(r.summary['true-leak'].blocks, 2, shape);
      }
  // And held as PowerShell re-encodes it, with a program line outside ASCII; the padder makes the same bytes.
  for (const shape of RATE_SHAPES)
    for (const text of TEXT_FORMS)
      for (const wide of [false, true]) {
        const c: RateCase = { shape, banner: 3, eol: 'crlf', bom: false, pad: 'body', text, wide };
        const r = analyzeBuffer(captureOf(c, null));
        assert.equal(r.truncation, 'complete', `${shape} ${text}${wide ? ' wide' : ''}: ${r.evidence.join(' ')}`);
        assert.equal(r.summary['true-leak'].blocks, 2, shape);
        assert.deepEqual(padder(c)(37), captureOf(c, 37));
      }
  const u16 = captureOf({ shape: 'redirected', banner: 0, eol: 'lf', bom: false, pad: 'body', text: 'utf16', wide: true }, null);
  assert.deepEqual([...u16.subarray(0, 4)], [0xff, 0xfe, 0x43, 0x00]);
  assert.ok(u16.includes(Buffer.from(`${WIDE_LINE}\r\n`, 'utf16le')));
});
