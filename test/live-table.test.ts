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

/** The tests' linear congruential generator from `seed`: rand(n) is in [0, n). */
function lcg(seed: number): (n: number) => number {
  return (n) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed % n;
  };
}

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
  const rand = lcg(12345);
  const both = new Both();
  let fresh = 0;
  for (let i = 0; i < 60_000; i++) {
    // A hot set of reused addresses, and a stream of addresses freed and never reused:
    // the index grows and frees move its slots back.
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

test("recentEnd: how an address's last block ended (freed, or moved by a realloc), among the last RECENT_FREES ends", () => {
  const rand = lcg(7);
  const table = new BlockTable();
  // The reference: each key's last end, counted from 1 over frees and moves, and how it ended.
  const lastEnd = new Map<string, { at: number; how: 'freed' | 'moved' }>();
  const alive = new Map<string, number>();
  let ends = 0;
  let fresh = 0;
  const recent = (name: string): 'freed' | 'moved' | null => {
    const end = lastEnd.get(name);
    return !alive.has(name) && end !== undefined && end.at > ends - RECENT_FREES ? end.how : null;
  };
  for (let i = 0; i < 60_000; i++) {
    // Fresh addresses freed once and never reused, and a hot set freed, reallocated and
    // moved away by reallocs.
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
      lastEnd.set(gone, { at: ++ends, how: move ? 'moved' : 'freed' });
    }
    const probe = rand(2) === 0 ? `H${rand(64)}` : `F${rand(fresh + 1)}`;
    assert.equal(table.recentEnd(keyOf(probe)), recent(probe), `${probe} at step ${i}`);
  }
  for (let f = 0; f < fresh; f++) assert.equal(table.recentEnd(keyOf(`F${f}`)), recent(`F${f}`));
});

test('recentEnd: the same answers from a table asked rarely (it scans its recent ends) as from one asked often (it indexes them)', () => {
  const rand = lcg(31);
  let movedSeen = false;
  for (let round = 0; round < 12; round++) {
    // Two tables, one history: one asked at every step, the other only at the end, a few
    // dozen times, and both against the reference. Histories of up to three times
    // RECENT_FREES ends: the ring of ends wraps.
    const often = new BlockTable();
    const rarely = new BlockTable();
    const lastEnd = new Map<string, number>();
    const alive = new Set<string>();
    let ends = 0;
    let fresh = 0;
    const recent = (name: string): 'freed' | 'moved' | null => {
      const end = lastEnd.get(name) ?? 0;
      return alive.has(name) || end === 0 || Math.abs(end) <= ends - RECENT_FREES ? null : end > 0 ? 'freed' : 'moved';
    };
    const steps = 1000 + rand(3 * RECENT_FREES + 1);
    for (let i = 0; i < steps; i++) {
      const name = rand(3) === 0 ? `F${fresh++}` : rand(5) === 0 ? `T${rand(7)}` : `H${rand(31)}`;
      if (!alive.has(name)) {
        for (const t of [often, rarely]) t.put(keyOf(name), t.newRow(1, i, 0, name));
        alive.add(name);
      }
      const gone = rand(3) === 0 ? `F${fresh - 1 - rand(9)}` : `H${rand(31)}`;
      const freed = rand(7) !== 0;
      const took = [often, rarely].map((t) => t.take(keyOf(gone), freed));
      assert.equal(took[0]! >= 0, alive.has(gone));
      assert.equal(took[1]! >= 0, alive.has(gone));
      if (took[0]! >= 0) {
        alive.delete(gone);
        lastEnd.set(gone, freed ? ++ends : -++ends);
      }
      const probe = rand(3) === 0 ? `H${rand(31)}` : `F${rand(fresh + 1)}`;
      assert.equal(often.recentEnd(keyOf(probe)), recent(probe), `${probe} at step ${i}`);
    }
    const seen = new Set<string | null>();
    for (let k = 0; k < 60; k++) {
      const probe = k % 3 === 0 ? `H${rand(31)}` : `F${Math.max(0, fresh - 1 - rand(RECENT_FREES + 1))}`;
      assert.equal(rarely.recentEnd(keyOf(probe)), recent(probe), `${probe} in round ${round}`);
      assert.equal(often.recentEnd(keyOf(probe)), recent(probe), `${probe} in round ${round}`);
      seen.add(recent(probe));
    }
    assert.ok(seen.has('freed') && seen.has(null), `round ${round}: ${[...seen].join(', ')}`);
    movedSeen ||= seen.has('moved');
  }
  assert.ok(movedSeen, 'no probe of a moved block');
});

test('recentEnd: a key freed twice is remembered from its last free, not its first', () => {
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
  assert.equal(t.recentEnd(0x8), 'freed');
});

test('BlockTable: a big table mostly freed shrinks its index and still finds every block alive, keeps order and remembers recent frees', () => {
  const both = new Both();
  // 200,000 blocks alive (an index of 2^20 slots), then all but 1,000 freed, oldest first:
  // the index is rebuilt smaller on the way down.
  const n = 200_000;
  for (let i = 0; i < n; i++) both.set(`F${i}`, i);
  const grown = both.table.indexSlots;
  assert.ok(grown >= 1 << 20, `${grown} slots for ${n} blocks`);
  for (let i = 0; i < n - 1000; i++) both.delete(`F${i}`);
  assert.equal(both.table.size, 1000);
  assert.ok(both.table.indexSlots <= grown / 8, `${both.table.indexSlots} slots left for 1,000 blocks and ${RECENT_FREES} recent frees`);
  assert.deepEqual(both.table.rows(), [...both.ref.values()]);
  for (let i = n - 1000; i < n; i++) assert.equal(both.table.find(keyOf(`F${i}`)), both.ref.get(keyOf(`F${i}`)));
  // The last RECENT_FREES frees are remembered across the shrinking; older ones are not.
  const last = n - 1000 - 1;
  assert.equal(both.table.recentEnd(keyOf(`F${last}`)), 'freed');
  assert.equal(both.table.recentEnd(keyOf(`F${last - RECENT_FREES + 1}`)), 'freed');
  assert.equal(both.table.recentEnd(keyOf(`F${last - RECENT_FREES}`)), null);
  // And it grows again as before.
  for (let i = 0; i < 50_000; i++) both.set(`H${i}`, i);
  assert.equal(both.table.size, 51_000);
  assert.deepEqual(both.table.rows(), [...both.ref.values()]);
});

test('BlockTable.compactRows: rows move together, keep what they hold and their order; the table goes on as a Map', () => {
  const rand = lcg(99);
  const both = new Both();
  let compactions = 0;
  const withData = new Set<string>();
  const compact = (): void => {
    if (!both.table.sparse) return;
    const moved = both.table.compactRows();
    for (const [key, row] of both.ref) both.ref.set(key, moved[row]!);
    compactions++;
  };
  for (let round = 0; round < 4; round++) {
    // Grow to thousands of blocks (text keys among them, contexts and data on some), then free
    // nearly all of them in random order.
    const names: string[] = [];
    for (let i = 0; i < 6000; i++) {
      const name = rand(50) === 0 ? `T${round}${i}` : `F${round * 10_000 + i}`;
      both.set(name, i);
      const row = both.ref.get(keyOf(name))!;
      both.table.context[row] = `ctx ${name}`;
      if (rand(3) === 0) {
        both.table.setData(row, '41 42 43');
        withData.add(name);
      }
      names.push(name);
    }
    for (let i = names.length - 1; i > 0; i--) {
      const j = rand(i + 1);
      [names[i], names[j]] = [names[j]!, names[i]!];
    }
    for (const name of names.slice(0, 5900)) {
      both.delete(name);
      compact();
    }
    assert.deepEqual(both.table.rows(), [...both.ref.values()], `round ${round}`);
    for (const [key, row] of both.ref) {
      assert.equal(both.table.find(key), row);
      const name = both.table.address(row);
      assert.equal(keyOf(name), key);
      assert.equal(both.table.context[row], `ctx ${name}`);
      assert.equal(both.table.data(row), withData.has(name) ? '41 42 43' : null);
    }
  }
  assert.ok(compactions >= 4, `${compactions} compactions`);
});

/** Each crafted key must still be found, freed, and its end remembered, whatever the index did with them. */
function craftedKeysWork(crafted: (i: number) => number): void {
  const t = new BlockTable();
  const rows = new Map<number, number>();
  const n = 3000;
  for (let i = 1; i <= n; i++) {
    const row = t.newRow(16, i, 0, 'x');
    assert.equal(t.put(crafted(i), row), -1);
    rows.set(crafted(i), row);
    // Found at once, and the first one too, whatever the index did meanwhile.
    assert.equal(t.find(crafted(i)), row);
    assert.equal(t.find(crafted(1)), rows.get(crafted(1)));
  }
  for (const [key, row] of rows) assert.equal(t.find(key), row);
  const rand = lcg(141);
  const order = [...rows.keys()].sort(() => rand(3) - 1);
  for (const key of order.slice(0, n / 2)) {
    assert.equal(t.take(key, true), rows.get(key));
    rows.delete(key);
  }
  assert.equal(t.size, n / 2);
  for (const [key, row] of rows) assert.equal(t.find(key), row);
  // Frees of crafted addresses never allocated, then the ends asked for (the ring, then its index).
  for (let i = n + 1; i <= n + 2000; i++) assert.equal(t.take(crafted(i), true), -1);
  for (const key of order.slice(0, n / 2)) assert.equal(t.recentEnd(key), 'freed');
  for (const key of rows.keys()) assert.equal(t.recentEnd(key), null);
}

test('BlockTable: addresses crafted to share one slot (attack notes #141) are found, freed and remembered as any others', () => {
  // 64-bit addresses whose halves cancel in the fixed multipliers: one slot for all of them until
  // the table draws its own.
  craftedKeysWork((i) => i * 4294967296 + ((Math.imul(i, 0x27d4eb2d) ^ 0x13570) >>> 0));
  // The same against the placement by address a table starts with (16-byte granule, page, high
  // half: the low 12 bits of that sum are 0 for every key): one slot for all in an index of up
  // to 4,096 slots, until the table scatters its keys by the multipliers.
  craftedKeysWork((i) => {
    const v = Math.imul(i, 0x27d4eb2d) & 0xfff;
    const x = (v & 0xf00) | ((v ^ (v >>> 8)) & 0xff);
    return i * 4294967296 + x * 16;
  });
});
