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
import type { Block, BlockKey } from '../model/block.js';

interface Slot {
  block: Block | null;
  /** Order of insertion: what Map iteration order would have been. */
  seq: number;
  /** The table's free count (from 1) at this address's last free; 0 when it was never freed. */
  freedAt: number;
}

/** Frees remembered for telling a double free from a free of an unknown block. */
export const RECENT_FREES = 4096;
/** More than the recent frees a sweep keeps, so sweeps stay amortised O(1) per free. */
const SWEEP_SLACK = 2 * RECENT_FREES;

export class LiveTable {
  private slots = new Map<BlockKey, Slot>();
  private count = 0;
  private tombstones = 0;
  private nextSeq = 0;
  /** Frees so far (takes marked as frees). */
  private frees = 0;

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
      this.slots.set(key, { block, seq: this.nextSeq++, freedAt: 0 });
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

  /** Like Map.delete (a move, not a free: see `take`). */
  delete(key: BlockKey): void {
    this.take(key);
  }

  /**
   * `get` then `delete` in one lookup: the live block of `key`, now removed (or
   * undefined). `freed`: the block was freed (remembered for `recentlyFreed`), not moved
   * away by a realloc.
   */
  take(key: BlockKey, freed = false): Block | undefined {
    const slot = this.slots.get(key);
    if (slot === undefined || slot.block === null) return undefined;
    const block = slot.block;
    slot.block = null;
    // A move (realloc) leaves the memory of the address's last free as it was: freeing
    // the address later is still a double free if that free was recent.
    if (freed) slot.freedAt = ++this.frees;
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
      this.slots.set(key, { block, seq: this.nextSeq++, freedAt: 0 });
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

  /**
   * Whether `key` is not alive and was freed by one of the last RECENT_FREES frees:
   * freeing it again is a double free, not a free of a block the log never showed.
   * The tombstone a free leaves in the table remembers it (no separate set to update
   * on every free).
   */
  recentlyFreed(key: BlockKey): boolean {
    const slot = this.slots.get(key);
    return slot !== undefined && slot.block === null && slot.freedAt !== 0 && slot.freedAt > this.frees - RECENT_FREES;
  }

  /** The earliest live block (in insertion order) for which `test` holds, without sorting: one pass. */
  first(test: (block: Block) => boolean): Block | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots.values()) {
      if (slot.block !== null && (best === undefined || slot.seq < best.seq) && test(slot.block)) best = slot;
    }
    return best?.block ?? undefined;
  }

  /** The live blocks in insertion order (a sort: call it once at the end, not per event or per dump). */
  values(): Block[] {
    const alive: Slot[] = [];
    for (const slot of this.slots.values()) if (slot.block !== null) alive.push(slot);
    alive.sort((a, b) => a.seq - b.seq);
    return alive.map((s) => s.block!);
  }

  /** Drops the tombstones but the recent frees' by building a fresh Map (never by deleting from this one). */
  private sweep(): void {
    const slots = new Map<BlockKey, Slot>();
    const recent = this.frees - RECENT_FREES;
    let kept = 0;
    for (const [key, slot] of this.slots) {
      if (slot.block !== null) slots.set(key, slot);
      else if (slot.freedAt !== 0 && slot.freedAt > recent) {
        slots.set(key, slot);
        kept++;
      }
    }
    this.slots = slots;
    this.tombstones = kept;
  }
}
