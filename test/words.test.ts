// Numbers as human-readable outputs write them: num() groups integers itself (no ICU set-up
// for a short report) and must print exactly what toLocaleString('en-US') prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { num } from '../src/text/words.js';

test('num: every integer as en-US groups it, the rest through toLocaleString', () => {
  const values = [0, -0, 1, -1, 9, 10, 99, 100, 999, 1000, -1000, 9999, 10000, 123456, 999999, 1000000, 1234567890];
  values.push(Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 2 ** 53, 2 ** 53 + 2, 2 ** 64, 1e21, -1e21);
  values.push(0.5, 1.25, 1234.5678, -1234.5678, 0.0004, 1e-7, NaN, Infinity, -Infinity);
  for (let p = 1; p < 2 ** 53; p *= 10) values.push(p - 1, p, p + 1, -p, 3 * p + 7);
  // A fixed pseudo-random walk over the safe integers (no Math.random: the same run every time).
  let seed = 12345;
  for (let i = 0; i < 20000; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const digits = 1 + (seed % 16);
    values.push((seed % 2 === 0 ? 1 : -1) * Math.floor((seed / 2 ** 31) * 10 ** digits));
  }
  for (const x of values) assert.equal(num(x), x.toLocaleString('en-US'), String(x));
});
