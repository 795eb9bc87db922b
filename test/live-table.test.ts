// LiveTable must behave exactly like the Map it replaced (order included), or reports change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LiveTable, RECENT_FREES } from '../src/track/live.js';
import type { Block } from '../src/model/block.js';

function block(key: string, n: number): Block {
  return {
    address: `0x${key}`,
    key,
    size: n,
    allocLine: n,
    firstLine: n,
    freeLine: null,
    context: null,
    inDump: false,
    data: null,
    reallocs: 0,
    windowed: false,
  };
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

test('recentlyFreed: an address freed by one of the last RECENT_FREES frees and not alive since, across sweeps', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const table = new LiveTable();
  // The reference: the free count (from 1) at each key's last free (a move keeps it).
  const lastFree = new Map<string, number>();
  const alive = new Set<string>();
  let frees = 0;
  let fresh = 0;
  const recent = (key: string): boolean => {
    const at = lastFree.get(key) ?? 0;
    return !alive.has(key) && at !== 0 && at > frees - RECENT_FREES;
  };
  for (let i = 0; i < 60_000; i++) {
    // Fresh addresses freed once and never reused (their tombstones force sweeps), and a
    // hot set freed, reallocated and moved away by reallocs.
    const key = rand(3) === 0 ? `F${fresh++}` : `H${rand(64)}`;
    if (!alive.has(key)) {
      table.put(key, block(key, i));
      alive.add(key);
    }
    const gone = rand(2) === 0 ? `F${fresh - 1 - rand(10)}` : `H${rand(64)}`;
    const move = rand(10) === 0;
    const took = table.take(gone, !move);
    assert.equal(took !== undefined, alive.has(gone));
    if (took) {
      alive.delete(gone);
      if (!move) lastFree.set(gone, ++frees);
    }
    const probe = rand(2) === 0 ? `H${rand(64)}` : `F${rand(fresh + 1)}`;
    assert.equal(table.recentlyFreed(probe), recent(probe), `${probe} at step ${i}`);
  }
  for (let f = 0; f < fresh; f++) assert.equal(table.recentlyFreed(`F${f}`), recent(`F${f}`));
});

test('recentlyFreed: a key freed twice is remembered from its last free, not its first', () => {
  const t = new LiveTable();
  t.put('K', block('K', 1));
  t.take('K', true);
  t.put('K', block('K', 2));
  for (let i = 0; i < RECENT_FREES - 10; i++) {
    t.put(`X${i}`, block(`X${i}`, i));
    t.take(`X${i}`, true);
  }
  t.take('K', true); // the last free of K
  for (let i = 0; i < 20; i++) {
    t.put(`Y${i}`, block(`Y${i}`, i));
    t.take(`Y${i}`, true);
  }
  // K's first free is more than RECENT_FREES frees ago; its last one is not.
  assert.equal(t.recentlyFreed('K'), true);
  t.put('M', block('M', 3));
  t.take('M'); // moved by a realloc, never freed
  assert.equal(t.recentlyFreed('M'), false);
  t.put('M', block('M', 4));
  t.take('M', true);
  t.put('M', block('M', 5));
  t.take('M'); // freed, then allocated again and moved: the free is still remembered
  assert.equal(t.recentlyFreed('M'), true);
});
