// The table of blocks alive (track/blocks.ts) must behave like the Map it replaced, order
// included, and remember recent frees like a reference model, or reports change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BlockTable, RECENT_FREES } from '../src/track/blocks.js';
import type { BlockKey } from '../src/model/block.js';

/** Keys as the scanner makes them: numbers up to 13 hex digits, text above. */
const keyOf = (name: string): BlockKey => {
  const n = Number(name.slice(1));
  return name.startsWith('T') ? `FFFFFFFFFFFFF${n}` : 0x1000 + n * 16 + (name.startsWith('H') ? 1 : 0) * 0x10000000;
};

/** A map from key to row, in insertion order, with the table kept alongside. */
class Both {
  readonly table = new BlockTable();
  readonly ref = new Map<BlockKey, number>();
  set(name: string, n: number): void {
    const key = keyOf(name);
    const row = this.table.newRow(n, n, 0, name);
    const old = this.table.put(key, row);
    if (old >= 0) this.table.release(old);
    this.ref.delete(key); // a re-set key moves last, as put does
    this.ref.set(key, row);
  }
  delete(name: string): void {
    const key = keyOf(name);
    const row = this.table.take(key, true);
    assert.equal(row, this.ref.get(key) ?? -1);
    if (row >= 0) this.table.release(row);
    this.ref.delete(key);
  }
}

test('BlockTable matches Map semantics under random set/delete, across rebuilds, numeric and text keys', () => {
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const both = new Both();
  let fresh = 0;
  for (let i = 0; i < 60_000; i++) {
    // A hot set of reused addresses, and a stream of addresses freed and never reused:
    // their tombstones pile up and force several rebuilds of the index.
    let name: string;
    if (rand(3) === 0) {
      name = `F${fresh++}`;
      both.set(name, i);
      both.delete(`F${fresh - 20}`);
    } else {
      name = rand(4) === 0 ? `T${rand(8)}` : `H${rand(8)}`;
      if (rand(2) === 0) both.set(name, i);
      else both.delete(name);
    }
    assert.equal(both.table.size, both.ref.size);
    assert.equal(both.table.find(keyOf(name)), both.ref.get(keyOf(name)) ?? -1);
    if (i % 5000 === 0) assert.deepEqual(both.table.rows(), [...both.ref.values()]);
  }
  assert.deepEqual(both.table.rows(), [...both.ref.values()]);
  assert.equal(both.table.address(both.table.rows()[0]!).length > 0, true);
});

test('BlockTable: a key put again while alive returns the block it replaces; a freed key put again moves last', () => {
  const t = new BlockTable();
  const rows = [1, 2, 3, 4, 5].map((n) => t.newRow(n, n, 0, `r${n}`));
  t.put(0x10, rows[0]!);
  t.put(0x20, rows[1]!);
  t.put(0x30, rows[2]!);
  assert.equal(t.put(0x10, rows[3]!), rows[0]);
  assert.equal(t.take(0x20, true), rows[1]);
  assert.equal(t.find(0x20), -1);
  t.put(0x20, rows[4]!);
  assert.deepEqual(t.rows(), [rows[2], rows[3], rows[4]]);
  assert.equal(t.size, 3);
  assert.equal(
    t.first((r) => t.sizeOf(r) > 3),
    rows[3],
  );
});

test('recentlyFreed: an address freed by one of the last RECENT_FREES frees and not alive since, across rebuilds', () => {
  let seed = 7;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
  const table = new BlockTable();
  // The reference: the free count (from 1) at each key's last free (a move keeps it).
  const lastFree = new Map<string, number>();
  const alive = new Map<string, number>();
  let frees = 0;
  let fresh = 0;
  const recent = (name: string): boolean => {
    const at = lastFree.get(name) ?? 0;
    return !alive.has(name) && at !== 0 && at > frees - RECENT_FREES;
  };
  for (let i = 0; i < 60_000; i++) {
    // Fresh addresses freed once and never reused (their tombstones force rebuilds), and a
    // hot set freed, reallocated and moved away by reallocs.
    const name = rand(3) === 0 ? `F${fresh++}` : rand(5) === 0 ? `T${rand(16)}` : `H${rand(64)}`;
    if (!alive.has(name)) {
      const row = table.newRow(1, i, 0, name);
      table.put(keyOf(name), row);
      alive.set(name, row);
    }
    const gone = rand(2) === 0 ? `F${fresh - 1 - rand(10)}` : `H${rand(64)}`;
    const move = rand(10) === 0;
    const took = table.take(keyOf(gone), !move);
    assert.equal(took >= 0, alive.has(gone));
    if (took >= 0) {
      alive.delete(gone);
      table.release(took);
      if (!move) lastFree.set(gone, ++frees);
    }
    const probe = rand(2) === 0 ? `H${rand(64)}` : `F${rand(fresh + 1)}`;
    assert.equal(table.recentlyFreed(keyOf(probe)), recent(probe), `${probe} at step ${i}`);
  }
  for (let f = 0; f < fresh; f++) assert.equal(table.recentlyFreed(keyOf(`F${f}`)), recent(`F${f}`));
});

test('recentlyFreed: a key freed twice is remembered from its last free, not its first', () => {
  const t = new BlockTable();
  const put = (key: number) => t.put(key, t.newRow(1, 1, 0, 'x'));
  put(0x8);
  t.release(t.take(0x8, true));
  put(0x8);
  for (let i = 0; i < RECENT_FREES - 10; i++) {
    put(0x1000 + i * 16);
    t.release(t.take(0x1000 + i * 16, true));
  }
  t.release(t.take(0x8, true)); // the last free of the key
  for (let i = 0; i < 20; i++) {
    put(0x900000 + i * 16);
    t.release(t.take(0x900000 + i * 16, true));
  }
  assert.equal(t.recentlyFreed(0x8), true);
});
