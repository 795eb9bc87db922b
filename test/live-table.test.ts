// LiveTable must behave exactly like the Map it replaced (order included), or reports change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeySet, LiveTable } from '../src/track/live.js';
import type { Block } from '../src/model.js';

function block(key: string, n: number): Block {
  return { address: `0x${key}`, key, size: n, allocLine: n, firstLine: n, freeLine: null, context: null, inDump: false, data: null, reallocs: 0, windowed: false };
}

test('LiveTable matches Map semantics under random set/delete, across sweeps', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const table = new LiveTable();
  const ref = new Map<string, Block>();
  const setBoth = (key: string, n: number): void => {
    const b = block(key, n);
    table.set(key, b);
    ref.set(key, b);
  };
  const deleteBoth = (key: string): void => {
    table.delete(key);
    ref.delete(key);
  };
  let fresh = 0;
  for (let i = 0; i < 60_000; i++) {
    // A hot set of 8 reused addresses, and a stream of addresses freed and never
    // reused: their tombstones pile up and force several sweeps.
    let key: string;
    if (rand(3) === 0) {
      key = `F${fresh++}`;
      setBoth(key, i);
      deleteBoth(`F${fresh - 20}`);
    } else {
      key = `H${rand(8)}`;
      if (rand(2) === 0) setBoth(key, i);
      else deleteBoth(key);
    }
    assert.equal(table.size, ref.size);
    assert.equal(table.get(key), ref.get(key));
    if (i % 5000 === 0) assert.deepEqual(table.values(), [...ref.values()]);
  }
  assert.deepEqual(table.values(), [...ref.values()]);
});

test('LiveTable: re-setting a live key keeps its place; re-setting a freed key moves it last', () => {
  const t = new LiveTable();
  const [a, b, c, a2, b2] = [block('A', 1), block('B', 2), block('C', 3), block('A', 4), block('B', 5)];
  t.set('A', a);
  t.set('B', b);
  t.set('C', c);
  t.set('A', a2);
  t.delete('B');
  assert.equal(t.get('B'), undefined);
  t.set('B', b2);
  assert.deepEqual(t.values(), [a2, c, b2]);
  assert.equal(t.size, 3);
});

test('KeySet matches Set semantics under random add/delete, across sweeps', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const set = new KeySet();
  const ref = new Set<string>();
  let fresh = 0;
  for (let i = 0; i < 60_000; i++) {
    const key = rand(2) === 0 ? `F${fresh++}` : `H${rand(16)}`;
    set.add(key);
    ref.add(key);
    const gone = rand(2) === 0 ? `F${fresh - 10}` : `H${rand(16)}`;
    set.delete(gone);
    ref.delete(gone);
    assert.equal(set.has(key), ref.has(key));
    assert.equal(set.has(gone), false);
    const probe = `H${rand(16)}`;
    assert.equal(set.has(probe), ref.has(probe));
  }
  for (let h = 0; h < 16; h++) assert.equal(set.has(`H${h}`), ref.has(`H${h}`));
  for (let f = 0; f < fresh; f++) assert.equal(set.has(`F${f}`), ref.has(`F${f}`));
});
