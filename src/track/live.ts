// The table of live blocks, keyed by address key. It behaves like the Map it replaces
// (get/set/delete/size, values in insertion order) but never deletes a Map entry.
//
// Why: V8's Map leaves a deleted entry in its bucket chain until the next rehash, and
// a MallocSpy log frees and reallocates the same few addresses over and over (a
// CopyProxy loop is `alloc A, free A` thousands of times). Each `set` after a
// `delete` of the same key then walks a chain that grows with the free room of the
// table, so an alloc/free pair cost O(live blocks): 1 µs at 1,500 live blocks,
// 11 µs at 10,000, measured on Node 20. Here a freed address keeps its slot with
// `block = null` (a tombstone) and is revived in place; insertion order is kept by a
// sequence number instead, and tombstones are swept when they outnumber the living,
// so memory stays proportional to the live blocks.
import type { Block, BlockKey } from '../model.js';

interface Slot {
  block: Block | null;
  /** Order of insertion: what Map iteration order would have been. */
  seq: number;
}

const SWEEP_SLACK = 4096;

export class LiveTable {
  private slots = new Map<BlockKey, Slot>();
  private count = 0;
  private tombstones = 0;
  private nextSeq = 0;

  get size(): number {
    return this.count;
  }

  get(key: BlockKey): Block | undefined {
    const slot = this.slots.get(key);
    return slot === undefined || slot.block === null ? undefined : slot.block;
  }

  set(key: BlockKey, block: Block): void {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      this.slots.set(key, { block, seq: this.nextSeq++ });
      this.count++;
    } else if (slot.block === null) {
      // Like Map.set after Map.delete: the key goes to the end of the order.
      slot.block = block;
      slot.seq = this.nextSeq++;
      this.count++;
      this.tombstones--;
    } else {
      slot.block = block; // Like Map.set on a present key: same place in the order.
    }
  }

  delete(key: BlockKey): void {
    const slot = this.slots.get(key);
    if (slot === undefined || slot.block === null) return;
    slot.block = null;
    this.count--;
    if (++this.tombstones > 2 * this.count + SWEEP_SLACK) this.sweep();
  }

  /** `get` then `delete` in one lookup: the live block of `key`, now removed (or undefined). */
  take(key: BlockKey): Block | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined || slot.block === null) return undefined;
    const block = slot.block;
    slot.block = null;
    this.count--;
    if (++this.tombstones > 2 * this.count + SWEEP_SLACK) this.sweep();
    return block;
  }

  /**
   * `get`, then `delete` and `set`, in one lookup: stores `block` at the end of the
   * order and returns the live block it replaces (or undefined).
   */
  put(key: BlockKey, block: Block): Block | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined) {
      this.slots.set(key, { block, seq: this.nextSeq++ });
      this.count++;
      return undefined;
    }
    const old = slot.block;
    slot.block = block;
    slot.seq = this.nextSeq++;
    if (old === null) {
      this.count++;
      this.tombstones--;
      return undefined;
    }
    return old;
  }

  /** The live blocks in insertion order (a sort: call it once per dump or at the end, not per event). */
  values(): Block[] {
    const alive: Slot[] = [];
    for (const slot of this.slots.values()) if (slot.block !== null) alive.push(slot);
    alive.sort((a, b) => a.seq - b.seq);
    return alive.map((s) => s.block!);
  }

  /** Drops the tombstones by building a fresh Map (never by deleting from this one). */
  private sweep(): void {
    const slots = new Map<BlockKey, Slot>();
    for (const [key, slot] of this.slots) if (slot.block !== null) slots.set(key, slot);
    this.slots = slots;
    this.tombstones = 0;
  }
}

/**
 * A Set of address keys with the same tombstone trick, for the ring of recently freed
 * addresses: it adds and removes a key on every free, so a V8 Set has the same chain
 * growth as the Map above.
 */
export class KeySet {
  private present = new Map<BlockKey, boolean>();
  private count = 0;

  has(key: BlockKey): boolean {
    return this.present.get(key) === true;
  }

  add(key: BlockKey): void {
    if (this.present.get(key) === true) return;
    this.present.set(key, true);
    this.count++;
  }

  delete(key: BlockKey): void {
    if (this.present.get(key) !== true) return;
    this.present.set(key, false);
    this.count--;
    if (this.present.size > 3 * this.count + SWEEP_SLACK) {
      const present = new Map<BlockKey, boolean>();
      for (const [k, v] of this.present) if (v) present.set(k, true);
      this.present = present;
    }
  }
}
