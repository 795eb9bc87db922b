// The blocks alive, as rows of typed arrays, found by address through an open-addressing
// table keyed by the address's value (parse/address.ts): no object, no Map entry and no
// garbage per allocation or free. A big log allocates and frees millions of blocks; with
// an object per block and a Map entry per address ever seen, the garbage collector and
// the Map's rebuilds were a third of the time on a growing heap, and a block alive cost
// ~1.2 KB. Here a block alive costs ~120 bytes.
//
// Rows (what a block is) and slots (how its address finds it) are apart, so that the
// index can be resized without moving a row. The index holds the blocks alive only: a
// free empties its slot and moves later slots of its probe run back into the hole
// (linear probing's deletion without tombstones). Tombstones that remembered the recent
// frees filled the index on a heap that allocates fresh addresses, and rebuilding it to
// drop them was ~10 % of the time; when an address last ended (a free of it soon after
// is a double free, not a free of an unknown block) is kept apart, in `RecentEnds`.
// Addresses of more than 13 significant hex digits are keyed by text (rare): a Map holds
// them.
import { Buffer } from 'node:buffer';
import type { BlockKey } from '../model/block.js';
import { spelled } from '../parse/address.js';
import { DUMP_DATA_BYTES } from '../parse/scan.js';
import { contextText, type Stretch } from './stretch.js';

/** Frees remembered for telling a double free from a free of an unknown block. */
export const RECENT_FREES = 4096;

/** The numbers of a row (`nums`), in this order. */
const KEY = 0;
const SIZE = 1;
const ALLOC_LINE = 2;
const FIRST_LINE = 3;
const SEQ = 4;
/** The block's allocation ordinal (the Nth allocation of its run: see the tracker); -1 when its allocation is not in the log. */
const ORDINAL = 5;
const NUMS = 6;

/**
 * A block's numbers as `copyNums` writes them, ROW_NUMS per row: the tracker's window of
 * undecided frees keeps them so, with the free's line in ROW_FREE_LINE.
 */
export const ROW_KEY = 0;
export const ROW_SIZE = 1;
export const ROW_ALLOC_LINE = 2;
export const ROW_FIRST_LINE = 3;
export const ROW_ORDINAL = 4;
export const ROW_FREE_LINE = 5;
export const ROW_NUMS = 6;

const EMPTY = -1;
/** Blocks alive beyond this share of the index's slots grow it (to twice the slots). */
const MAX_LOAD = 0.25;
/** Tables of this many rows or fewer are never compacted (~0.4 MB of columns). */
const COMPACT_FROM = 1 << 12;
/** An index this large or smaller is never shrunk (0.8 MB at most: 12 bytes a slot). */
const SHRINK_FROM = 1 << 16;

/** What a row has besides its typed columns, kept only where a block has it. */
interface RowExtra {
  /** The address as printed, when its spelling code cannot say it (a custom or long address). */
  text?: string;
  /** Dump data that is not `XX XX ...` of at most 16 bytes (none of the built-in readers makes such). */
  data?: string;
}

/** Dump bytes kept per block: as many as a dump entry shows. */
export const DATA_BYTES = DUMP_DATA_BYTES;
/** `dataLength` of a row the dump did not give data for; and of one whose data is in `extra`. */
export const NO_DATA = 254;
export const DATA_ELSEWHERE = 255;
const HEX_DIGITS = '0123456789ABCDEF';

/**
 * The dump's `XX XX ...` (upper-case pairs, single blanks, at most 16) into `into` at
 * `at`: its length, or -1 when the text is not in that form.
 */
export function packHex(text: string, into: Uint8Array, at: number): number {
  if (text.length === 0) return 0;
  const n = (text.length + 1) / 3;
  if (!Number.isInteger(n) || n > DATA_BYTES) return -1;
  for (let i = 0; i < n; i++) {
    const hi = HEX_DIGITS.indexOf(text[i * 3]!);
    const lo = HEX_DIGITS.indexOf(text[i * 3 + 1]!);
    if (hi < 0 || lo < 0 || (i > 0 && text.charCodeAt(i * 3 - 1) !== 32)) return -1;
    into[at + i] = (hi << 4) | lo;
  }
  return n;
}

/**
 * `packHex` back to text. Written as bytes and read as one flat string: built by `+=`, a
 * 16-byte dump line was a tree of 30 pieces that cost 5 µs to make and ~0.5 KB to keep
 * (a report may list 100,000 such blocks).
 */
export class HexText {
  private scratch: Buffer | null = null;

  text(from: Uint8Array, at: number, length: number): string {
    const out = (this.scratch ??= Buffer.alloc(DATA_BYTES * 3));
    let k = 0;
    for (let i = 0; i < length; i++) {
      const b = from[at + i]!;
      if (i > 0) out[k++] = 32;
      out[k++] = HEX_CODES[b >> 4]!;
      out[k++] = HEX_CODES[b & 15]!;
    }
    return out.toString('latin1', 0, k);
  }
}
const HEX_CODES = Uint8Array.from(HEX_DIGITS, (c) => c.charCodeAt(0));

// Zero-length columns every empty table (and the tracker's empty window) shares: nothing
// can be written into them. A table allocates its columns with its first block: a DebugView
// capture may hold a hundred thousand processes, each with its own table, most with a
// handful of blocks or none.
export const NO_F64 = new Float64Array(0);
export const NO_I32 = new Int32Array(0);
export const NO_U32 = new Uint32Array(0);
export const NO_U16 = new Uint16Array(0);
export const NO_U8 = new Uint8Array(0);

type Column = Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array;

/** A copy of `column` with room for `length` values (the new ones zero), or its first `length`. */
export function grown<T extends Column>(column: T, length: number): T {
  const next = new (column.constructor as new (n: number) => T)(length);
  // (Shorter: its first `length` values, for a table that shrinks.)
  next.set(column.length <= length ? column : column.subarray(0, length));
  return next;
}

/** Multiplicative hashing of the value's two 32-bit halves (addresses are aligned: their low bits say little), to `32 - shift` bits. */
function hashOf(key: number, shift: number, hi: number, out: number): number {
  return Math.imul((key >>> 0) ^ Math.imul((key / 4294967296) | 0, hi), out) >>> shift;
}

/**
 * `hashOf` for the block table: the address's 16-byte granules (a heap's alignment) folded
 * with its 4 KB page's number (a bijection: page-aligned blocks would otherwise share every
 * 256th value) before the halves are mixed. With `out` = 2^shift the slot is that value's
 * low bits (see `BlockTable.near`). Addresses that differ only in their low 4 bits share a
 * value whatever the multipliers: 16 at most, fewer than a LONG_PROBE.
 */
function slotHash(key: number, shift: number, hi: number, out: number): number {
  const lo = key >>> 0;
  return Math.imul((lo >>> 4) ^ (lo >>> 12) ^ Math.imul((key / 4294967296) | 0, hi), out) >>> shift;
}

/** The multipliers a table starts with (see `Mix`). */
const MIX_HI = 0x27d4eb2d;
const MIX_OUT = 0x9e3779b1 | 0;
/** A probe longer than this is no heap's doing: addresses crafted to share one slot. */
const LONG_PROBE = 64;
/** New multipliers drawn at most this many times per table. */
const RESEEDS = 4;

/**
 * The multipliers of `hashOf`. Fixed ones can be attacked: addresses crafted so that all hash
 * to one slot made the index quadratic, a 100 MB log hours long (attack notes #141). A table
 * that meets a probe of over LONG_PROBE slots, which a real heap's addresses never make at a
 * quarter full, draws new ones at random and rebuilds its index with them; where a block's
 * slot is has no bearing on any report.
 */
class Mix {
  hi = MIX_HI;
  out = MIX_OUT;
  private reseeds = 0;

  /** Draws new multipliers (odd, high bit set); false when it did so RESEEDS times already. */
  reseed(): boolean {
    if (this.reseeds >= RESEEDS) return false;
    this.reseeds++;
    const odd = () => Math.floor(Math.random() * 0x100000000) | 0x80000001 | 0;
    this.hi = odd();
    this.out = odd();
    return true;
  }
}

/** Lookups a `RecentEnds` answers by scanning its ring before it keeps an index of it. */
const SCANS_BEFORE_INDEX = 64;

/**
 * Which numeric keys ended among the last RECENT_FREES ends, and how: a ring of the keys by
 * end (+ key: freed, - key: moved; NaN: an end of a text key, kept elsewhere), one write
 * per free. A lookup scans the ring, newest first; only a log that asks often (a capture
 * that starts in the middle of a run frees many blocks it never saw allocated) gets an
 * index of the ring too, kept from then on, so that a lookup does not cost a scan of
 * 4,096 ends and a free not a hash probe where nobody asks.
 */
class RecentEnds {
  /** Grown to RECENT_FREES with the ends (a DebugView capture may hold a table per process). */
  private ring = new Float64Array(16);
  private mask = 15;
  /** Past this end the ring grows (Infinity once it holds RECENT_FREES). */
  private limit = 16;
  private scans = 0;
  private index: EndIndex | null = null;

  /** End number `at` (counting every end from 1) was `value`'s (see the ring). */
  note(at: number, value: number): void {
    // (Small: it is inlined into every free, and what it adds takes inlining from elsewhere.)
    if (at > this.limit) this.grow();
    this.ring[(at - 1) & this.mask] = value;
    if (this.index !== null) this.indexed(at, value);
  }

  private grow(): void {
    this.ring = grown(this.ring, this.ring.length * 2);
    this.mask = this.ring.length - 1;
    this.limit = this.ring.length < RECENT_FREES ? this.ring.length : Infinity;
  }

  private indexed(at: number, value: number): void {
    if (!Number.isNaN(value)) this.index!.note(Math.abs(value), value > 0 ? at : -at, at);
  }

  /** The last end of `key` (+ freed, - moved, as in the ring) among the last RECENT_FREES of `ends`, or 0. */
  last(key: number, ends: number): number {
    if (this.index === null && ++this.scans > SCANS_BEFORE_INDEX) {
      this.index = new EndIndex();
      for (let at = Math.max(1, ends - RECENT_FREES + 1); at <= ends; at++) {
        this.indexed(at, this.ring[(at - 1) & this.mask]!);
      }
    }
    if (this.index !== null) return this.index.last(key);
    const mask = this.mask;
    for (let at = ends; at > Math.max(0, ends - RECENT_FREES); at--) {
      const value = this.ring[(at - 1) & mask]!;
      if (value === key) return at;
      if (value === -key) return -at;
    }
    return 0;
  }
}

/**
 * Each key's last end, for any end among the last RECENT_FREES: two generations of ends,
 * the current one and the one before, each an open-addressing table from key to its last
 * end in that generation (insertions and updates only, no deletion). A generation starts
 * every RECENT_FREES ends and the one before the previous is dropped: a key's last end is
 * in the current generation if it ended there, else in the previous one, which reaches
 * back RECENT_FREES ends at least.
 */
class EndIndex {
  /** Per slot, the key's value and its last end in the generation (0: a free slot). */
  private now: Float64Array = new Float64Array(2 * 16);
  private nowCount = 0;
  private before: Float64Array = NO_F64;
  /** The first end of the current generation (0: none yet). */
  private from = 0;
  private readonly mix = new Mix();

  /** Key `key` ended: `end` (signed), its number `at`. */
  note(key: number, end: number, at: number): void {
    if (this.from === 0) this.from = at;
    if (at - this.from >= RECENT_FREES) {
      const older = this.before;
      this.before = this.now;
      this.now = older.length > 0 ? older.fill(0) : new Float64Array(2 * 16);
      this.nowCount = 0;
      this.from = at;
    }
    const table = this.now;
    const mask = table.length / 2 - 1;
    for (let slot = hashOf(key, shiftOf(mask + 1), this.mix.hi, this.mix.out), steps = 0; ; slot = (slot + 1) & mask, steps++) {
      if (table[2 * slot + 1] === 0) {
        table[2 * slot] = key;
        table[2 * slot + 1] = end;
        if (++this.nowCount * 2 > mask + 1) this.now = this.rehash(this.now, 2 * (mask + 1));
        else if (steps > LONG_PROBE && this.mix.reseed()) {
          this.now = this.rehash(this.now, mask + 1);
          this.before = this.rehash(this.before, this.before.length / 2);
        }
        return;
      }
      if (table[2 * slot] === key) {
        table[2 * slot + 1] = end;
        return;
      }
    }
  }

  /** The key's last end in the two generations (signed), or 0. */
  last(key: number): number {
    const now = this.find(this.now, key);
    return now !== 0 ? now : this.find(this.before, key);
  }

  private find(table: Float64Array, key: number): number {
    if (table.length === 0) return 0;
    const mask = table.length / 2 - 1;
    for (let slot = hashOf(key, shiftOf(mask + 1), this.mix.hi, this.mix.out); table[2 * slot + 1] !== 0; slot = (slot + 1) & mask) {
      if (table[2 * slot] === key) return table[2 * slot + 1]!;
    }
    return 0;
  }

  /** `old`'s entries in a table of `slots` slots (a power of two), placed with the current multipliers. */
  private rehash(old: Float64Array, slots: number): Float64Array {
    if (old.length === 0) return old;
    const table = new Float64Array(2 * slots);
    const shift = shiftOf(slots);
    const mask = slots - 1;
    for (let s = 0; s < old.length; s += 2) {
      if (old[s + 1] === 0) continue;
      let slot = hashOf(old[s]!, shift, this.mix.hi, this.mix.out);
      while (table[2 * slot + 1] !== 0) slot = (slot + 1) & mask;
      table[2 * slot] = old[s]!;
      table[2 * slot + 1] = old[s + 1]!;
    }
    return table;
  }
}

/** `hashOf`'s shift for a table of `slots` slots (a power of two). */
function shiftOf(slots: number): number {
  return 32 - Math.log2(slots);
}

export class BlockTable {
  /** Blocks alive. */
  size = 0;
  /** Ends of blocks so far (frees and moves by a realloc): the clock of `recentEnd`. */
  private ends = 0;
  private nextSeq = 0;

  // --- rows ---
  private capacity = 0;
  /**
   * A row's numbers, NUMS per row (one array, not six: a table's fixed cost is per array,
   * and a DebugView capture may hold a hundred thousand tables): the key's value (NaN for a
   * text key), the size, the allocation line (-1: first seen in the dump), the line it was
   * first seen on, its order of (re)insertion (what a Map's order would be) and its
   * allocation ordinal.
   */
  private nums = NO_F64;
  reallocs = NO_I32;
  /** How the address is spelled (see `spell`); 0: its text is in `extra`. */
  spelling = NO_U16;
  /** The number of the last dump that listed the row (the tracker numbers its dumps from 1; 0: none did). */
  dumpMark = NO_U32;
  /** Dump data as bytes (DATA_BYTES per row) and its length (NO_DATA, or DATA_ELSEWHERE: in `extra`, not in that form). */
  dataBytes = NO_U8;
  dataLength = NO_U8;
  /**
   * The call the block was allocated in: its text, or the stretch of the log the block was
   * born in (a `Stretch`, whose context is set by the program line that ends the stretch;
   * null until then); null when not known. Read it with `contextOf`.
   */
  context: (string | Stretch | null)[] = [];
  /** Created with the first row that needs it. */
  private extra: Map<number, RowExtra> | null = null;
  /** 1 where `extra` has the row: nearly no row has, and a Map lookup per event was 5 % of the time. */
  private hasExtra = NO_U8;
  private readonly hex = new HexText();
  private freeRows = NO_I32;
  private freeCount = 0;
  private used = 0;

  // --- the index of numeric keys ---
  /** Per slot, the key's value and its block's row (EMPTY: a free slot). */
  private slotKey = NO_F64;
  private slotRow = NO_I32;
  private shift = 32;
  /** `hashOf`'s multipliers (see `Mix`), as fields of their own: the hot path reads no other object. */
  private mixHi = MIX_HI;
  private mixOut = MIX_OUT;
  private mix: Mix | null = null;
  /**
   * Keys placed by address (`mixOut` = 2^shift: a slot is the folded address's low bits) until
   * a long probe is met (see `reseed`). A heap hands out neighbouring addresses one after
   * another and frees recent ones first: so placed, they share the index's cache lines;
   * scattered by the multipliers, each alloc and free loaded a line of its own, and an index
   * too large for the cache (200,000 blocks alive) missed it on nearly every event.
   */
  private near = true;
  /** When numeric keys last ended; made at the first end. */
  private recentEnds: RecentEnds | null = null;
  // --- the index of text keys ---
  private bigAlive: Map<string, number> | null = null;
  private bigEnds: Map<string, number> | null = null;

  /** Slots of the numeric keys' index (what it costs: 12 bytes each). */
  get indexSlots(): number {
    return this.slotRow.length;
  }

  // ---------------------------------------------------------------- lookup

  /** The row of the block alive at `key`, or -1. */
  find(key: BlockKey): number {
    if (typeof key === 'string') return this.bigAlive?.get(key) ?? -1;
    const slot = this.slotOf(key);
    return slot < 0 ? -1 : this.slotRow[slot]!;
  }

  /**
   * How the block last at `key` ended, when `key` is not alive and that was one of the
   * last RECENT_FREES ends: `freed` (freeing it again is a double free, not a free of a
   * block the log never showed) or `moved` (a realloc moved it away: the old pointer is
   * no longer a block). null otherwise.
   */
  recentEnd(key: BlockKey): 'freed' | 'moved' | null {
    let end: number;
    if (typeof key === 'string') {
      if (this.bigAlive?.has(key)) return null;
      end = this.bigEnds?.get(key) ?? 0;
    } else {
      if (this.slotOf(key) >= 0) return null;
      end = this.recentEnds?.last(key, this.ends) ?? 0;
    }
    if (!this.recent(end)) return null;
    return end > 0 ? 'freed' : 'moved';
  }

  /** An end (see `take`: + freed, - moved, 0 none) among the last RECENT_FREES. */
  private recent(end: number): boolean {
    return end !== 0 && Math.abs(end) > this.ends - RECENT_FREES;
  }

  // ---------------------------------------------------------------- rows

  /** A new row for a block born now (not yet in the index: `put` it), allocated in `context` (see `context`). */
  newRow(size: number, line: number, spelling: number, text: string | null, context: string | Stretch | null = null): number {
    const row = this.freeCount > 0 ? this.freeRows[--this.freeCount]! : this.used++;
    if (row >= this.capacity) this.growRows(Math.max(8, this.capacity * 2));
    const at = row * NUMS;
    this.nums[at + SIZE] = size;
    this.nums[at + ALLOC_LINE] = line;
    this.nums[at + FIRST_LINE] = line;
    this.nums[at + ORDINAL] = -1;
    this.reallocs[row] = 0;
    this.dumpMark[row] = 0;
    this.dataLength[row] = NO_DATA;
    this.context[row] = context;
    this.setSpelling(row, spelling, text);
    return row;
  }

  /** Gives a row back (its block freed, lost or moved out of the table). */
  release(row: number): void {
    if (this.hasExtra[row] === 1) {
      this.extra!.delete(row);
      this.hasExtra[row] = 0;
    }
    this.context[row] = null;
    if (this.freeCount >= this.freeRows.length) {
      this.freeRows = grown(this.freeRows, Math.max(8, this.freeRows.length * 2));
    }
    this.freeRows[this.freeCount++] = row;
  }

  /**
   * Gives the first `n` of `rows` back, as `release` would one by one. While no row can have
   * an extra, that is only putting them on the free list: a free row's context is written
   * again by `newRow` or dropped by `compactRows`, never read, so it is left as it is. This
   * runs at every program line for the frees of its stretch, and touches none of their rows.
   */
  releaseRows(rows: Int32Array, n: number): void {
    if (this.rareReady) {
      for (let k = 0; k < n; k++) this.release(rows[k]!);
      return;
    }
    if (this.freeCount + n > this.freeRows.length) {
      this.freeRows = grown(this.freeRows, Math.max(8, this.freeRows.length * 2, this.freeCount + n));
    }
    let free = this.freeCount;
    for (let k = 0; k < n; k++) this.freeRows[free++] = rows[k]!;
    this.freeCount = free;
  }

  /** How the row's address is printed: a spelling code (and the key), or its own text. */
  setSpelling(row: number, spelling: number, text: string | null): void {
    this.spelling[row] = spelling;
    if (spelling === 0 && text !== null) this.extraOf(row).text = text;
    else {
      const e = this.extraIf(row);
      if (e) delete e.text;
    }
  }

  /** The address of the row as the log printed it. */
  address(row: number): string {
    const s = this.spelling[row]!;
    return s === 0 ? (this.extraIf(row)?.text ?? '') : spelled(this.nums[row * NUMS + KEY]!, s);
  }

  /** The dump data of a row (null: the dump gave none). */
  data(row: number): string | null {
    const n = this.dataLengthOf(row);
    if (n === NO_DATA) return null;
    return n === DATA_ELSEWHERE ? (this.extraIf(row)?.data ?? '') : this.hex.text(this.dataBytes, row * DATA_BYTES, n);
  }

  setData(row: number, data: string): void {
    this.ensureRare();
    const n = packHex(data, this.dataBytes, row * DATA_BYTES);
    this.dataLength[row] = n < 0 ? DATA_ELSEWHERE : n;
    if (n < 0) this.extraOf(row).data = data;
  }

  /** Dump data already as bytes (at most DATA_BYTES). */
  setDataBytes(row: number, from: Uint8Array, length: number): void {
    this.ensureRare();
    this.dataBytes.set(from.subarray(0, length), row * DATA_BYTES);
    this.dataLength[row] = length;
  }

  // ---------------------------------------------------------------- index

  /**
   * Puts `row` at `key`, at the end of the order; returns the row that was alive there
   * (its free is missing from the log: the caller tells) or -1.
   */
  put(key: BlockKey, row: number): number {
    this.nums[row * NUMS + SEQ] = this.nextSeq++;
    if (typeof key === 'string') {
      this.nums[row * NUMS + KEY] = NaN;
      this.bigAlive ??= new Map();
      const old = this.bigAlive.get(key) ?? -1;
      this.bigAlive.set(key, row);
      if (old < 0) this.size++;
      return old;
    }
    this.nums[row * NUMS + KEY] = key;
    if (this.slotRow.length === 0) this.resize(16);
    const home = slotHash(key, this.shift, this.mixHi, this.mixOut);
    const mask = this.slotRow.length - 1;
    for (let slot = home; ;) {
      const r = this.slotRow[slot]!;
      if (r === EMPTY) {
        this.slotKey[slot] = key;
        this.slotRow[slot] = row;
        if (++this.size > this.slotRow.length * MAX_LOAD) this.resize(this.slotRow.length * 2);
        else if (((slot - home) & mask) > LONG_PROBE) this.reseed();
        return -1;
      }
      if (this.slotKey[slot] === key) {
        this.slotRow[slot] = row;
        return r;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Takes the block alive at `key` out of the index and returns its row (or -1).
   * `freed`: the block was freed; otherwise a realloc moved it away. Either is remembered
   * for `recentEnd`, by its sign (+ freed, - moved).
   */
  take(key: BlockKey, freed: boolean): number {
    if (typeof key === 'string') return this.takeText(key, freed);
    const slot = this.slotOf(key);
    if (slot < 0) return -1;
    const row = this.slotRow[slot]!;
    this.unslot(slot);
    (this.recentEnds ??= new RecentEnds()).note(++this.ends, freed ? key : -key);
    this.size--;
    // Most blocks freed (a big cache released at exit): a smaller index, so that the one
    // sized for them does not stay as large through the report (the rows stay where they are).
    if (this.slotRow.length > SHRINK_FROM && this.size * 16 < this.slotRow.length) this.resize(8 * this.size);
    return row;
  }

  private takeText(key: string, freed: boolean): number {
    const row = this.bigAlive?.get(key);
    if (row === undefined) return -1;
    this.bigAlive!.delete(key);
    this.size--;
    this.rememberBig(key, freed ? ++this.ends : -++this.ends);
    (this.recentEnds ??= new RecentEnds()).note(this.ends, NaN);
    return row;
  }

  /** Whether most rows are free (most blocks freed): `compactRows` would give their memory back. */
  get sparse(): boolean {
    return this.sparseWithout(0);
  }

  /**
   * The same once `held` rows out of the index (the tracker's window of frees) are given back
   * too, with `room` rows counted as used: what the caller will hold again right after.
   */
  sparseWithout(held: number, room = 0): boolean {
    return this.capacity > COMPACT_FROM && (this.used - this.freeCount - held + room) * 8 < this.capacity;
  }

  /**
   * Moves the rows alive to the first rows and shrinks the columns to fit them (a 200,000-
   * block cache freed at exit left ~100 bytes a row of columns alive through the report).
   * Returns each old row's new row (-1: the old row was free); any row number held outside
   * the table must go through it. Order is kept by the rows' sequence numbers, not by rows.
   */
  compactRows(): Int32Array {
    // Numbered in row order, each row moves down or stays: the columns are moved in place, then shrunk.
    const moved = new Int32Array(this.used).fill(-1);
    for (let s = 0; s < this.slotRow.length; s++) if (this.slotRow[s]! >= 0) moved[this.slotRow[s]!] = 0;
    for (const r of this.bigAlive?.values() ?? []) moved[r] = 0;
    let next = 0;
    for (let r = 0; r < moved.length; r++) if (moved[r] === 0) this.moveRow(r, (moved[r] = next++));
    for (let s = 0; s < this.slotRow.length; s++) if (this.slotRow[s]! >= 0) this.slotRow[s] = moved[this.slotRow[s]!]!;
    if (this.bigAlive) for (const [key, r] of this.bigAlive) this.bigAlive.set(key, moved[r]!);
    this.context.length = next;
    this.used = next;
    this.freeRows = NO_I32;
    this.freeCount = 0;
    this.growRows(Math.max(8, 2 ** Math.ceil(Math.log2(Math.max(1, next * 2)))));
    return moved;
  }

  /** Row `from`'s values into row `to` (at most `from`), its extra re-keyed. */
  private moveRow(from: number, to: number): void {
    if (from === to) return;
    this.nums.copyWithin(to * NUMS, from * NUMS, from * NUMS + NUMS);
    this.spelling[to] = this.spelling[from]!;
    this.context[to] = this.context[from] ?? null;
    if (!this.rareReady) return;
    this.reallocs[to] = this.reallocs[from]!;
    this.dumpMark[to] = this.dumpMark[from]!;
    this.dataLength[to] = this.dataLength[from]!;
    this.dataBytes.copyWithin(to * DATA_BYTES, from * DATA_BYTES, from * DATA_BYTES + DATA_BYTES);
    this.hasExtra[to] = this.hasExtra[from]!;
    if (this.hasExtra[to] === 1) {
      this.extra!.set(to, this.extra!.get(from)!);
      this.extra!.delete(from);
    }
  }

  /** The rows alive, in insertion order (a sort: once at the end, not per event). */
  rows(): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.slotRow.length; s++) if (this.slotRow[s]! >= 0) out.push(this.slotRow[s]!);
    for (const row of this.bigAlive?.values() ?? []) out.push(row);
    const nums = this.nums;
    return out.sort((a, b) => nums[a * NUMS + SEQ]! - nums[b * NUMS + SEQ]!);
  }

  /** The earliest row alive (in insertion order) for which `test` holds, or -1: one pass, no sort. */
  first(test: (row: number) => boolean): number {
    let best = -1;
    const consider = (row: number): void => {
      if ((best < 0 || this.seqOf(row) < this.seqOf(best)) && test(row)) best = row;
    };
    for (let s = 0; s < this.slotRow.length; s++) if (this.slotRow[s]! >= 0) consider(this.slotRow[s]!);
    for (const row of this.bigAlive?.values() ?? []) consider(row);
    return best;
  }

  // ---------------------------------------------------------------- inside

  private slotOf(key: number): number {
    if (this.slotRow.length === 0) return -1;
    const mask = this.slotRow.length - 1;
    let slot = slotHash(key, this.shift, this.mixHi, this.mixOut);
    for (;;) {
      const r = this.slotRow[slot]!;
      if (r === EMPTY) return -1;
      if (this.slotKey[slot] === key) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** New multipliers after a probe over LONG_PROBE slots (see `Mix`), and the index rebuilt with them. */
  private reseed(): void {
    if (this.near) {
      // Addresses that crowd one stretch of slots: scattered by the multipliers from here on.
      this.near = false;
      this.mixOut = MIX_OUT;
      this.resize(this.slotRow.length);
      return;
    }
    this.mix ??= new Mix();
    if (!this.mix.reseed()) return;
    this.mixHi = this.mix.hi;
    this.mixOut = this.mix.out;
    this.resize(this.slotRow.length);
  }

  /**
   * Empties `slot` and moves back the later slots of its run that may sit there or in the
   * next hole (their probe from their hash passes it): every key stays reachable from its
   * hash without a tombstone.
   */
  private unslot(slot: number): void {
    const keys = this.slotKey;
    const rows = this.slotRow;
    const mask = rows.length - 1;
    let hole = slot;
    for (let s = (slot + 1) & mask; rows[s] !== EMPTY; s = (s + 1) & mask) {
      const key = keys[s]!;
      // Its distance from its hash reaches back to the hole: it may move there.
      if (((s - slotHash(key, this.shift, this.mixHi, this.mixOut)) & mask) >= ((s - hole) & mask)) {
        keys[hole] = key;
        rows[hole] = rows[s]!;
        hole = s;
      }
    }
    rows[hole] = EMPTY;
  }

  /**
   * A new index of the live keys, at least `minimum` slots (16 at least, a power of two) and
   * at most MAX_LOAD full: grown to twice its slots, or shrunk to four times its keys, it
   * is resized again after as many puts (or frees) as it costs.
   */
  private resize(minimum: number): void {
    const keys = this.slotKey;
    const rows = this.slotRow;
    let size = 16;
    while (size < minimum || size * MAX_LOAD < this.size) size *= 2;
    this.slotKey = new Float64Array(size);
    this.slotRow = new Int32Array(size).fill(EMPTY);
    this.shift = 32 - Math.log2(size);
    if (this.near) this.mixOut = 1 << this.shift;
    const mask = size - 1;
    for (let s = 0; s < rows.length; s++) {
      if (rows[s]! < 0) continue;
      const key = keys[s]!;
      let slot = slotHash(key, this.shift, this.mixHi, this.mixOut);
      while (this.slotRow[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slotKey[slot] = key;
      this.slotRow[slot] = rows[s]!;
    }
  }

  private rememberBig(key: string, end: number): void {
    this.bigEnds ??= new Map();
    this.bigEnds.set(key, end);
    if (this.bigEnds.size > 2 * RECENT_FREES) this.bigEnds = new Map([...this.bigEnds].filter(([, at]) => this.recent(at)));
  }

  private extraIf(row: number): RowExtra | undefined {
    return this.hasExtra[row] === 1 ? this.extra!.get(row) : undefined;
  }

  private extraOf(row: number): RowExtra {
    let e = this.extraIf(row);
    if (!e) {
      this.ensureRare();
      this.extra ??= new Map();
      this.extra.set(row, (e = {}));
      this.hasExtra[row] = 1;
    }
    return e;
  }

  /**
   * The columns most tables never write (reallocs, dumps, a row's extra): allocated, all at
   * once, the first time one is written; until then every row has their defaults, which
   * is what the readers below return for a column not allocated.
   */
  private rareReady = false;

  private ensureRare(): void {
    if (this.rareReady) return;
    this.rareReady = true;
    this.growRare();
  }

  private growRare(): void {
    const capacity = this.capacity;
    this.reallocs = grown(this.reallocs, capacity);
    this.hasExtra = grown(this.hasExtra, capacity);
    this.dumpMark = grown(this.dumpMark, capacity);
    const old = this.dataLength.length;
    this.dataLength = grown(this.dataLength, capacity);
    this.dataLength.fill(NO_DATA, old);
    this.dataBytes = grown(this.dataBytes, capacity * DATA_BYTES);
  }

  /** The row's key, size, lines and ordinal into `to` at `at` (see ROW_NUMS); returns the size. */
  copyNums(row: number, to: Float64Array, at: number): number {
    const nums = this.nums;
    const from = row * NUMS;
    const size = nums[from + SIZE]!;
    to[at + ROW_KEY] = nums[from + KEY]!;
    to[at + ROW_SIZE] = size;
    to[at + ROW_ALLOC_LINE] = nums[from + ALLOC_LINE]!;
    to[at + ROW_FIRST_LINE] = nums[from + FIRST_LINE]!;
    to[at + ROW_ORDINAL] = nums[from + ORDINAL]!;
    return size;
  }

  /** Whether any row may have a realloc, a dump mark, dump data or an extra (else every row has the defaults). */
  get hasRare(): boolean {
    return this.rareReady;
  }

  /** The block's size. */
  sizeOf(row: number): number {
    return this.nums[row * NUMS + SIZE]!;
  }

  setSize(row: number, size: number): void {
    this.nums[row * NUMS + SIZE] = size;
  }

  /** The allocation line; -1 for a block first seen in the dump. */
  allocLineOf(row: number): number {
    return this.nums[row * NUMS + ALLOC_LINE]!;
  }

  /** The block was first seen in the dump: it has no allocation line. */
  seenFirstInDump(row: number): void {
    this.nums[row * NUMS + ALLOC_LINE] = -1;
  }

  firstLineOf(row: number): number {
    return this.nums[row * NUMS + FIRST_LINE]!;
  }

  /** The allocation ordinal; -1 when the allocation is not in the log (first seen in the dump, a realloc of an unknown block). */
  ordinalOf(row: number): number {
    return this.nums[row * NUMS + ORDINAL]!;
  }

  setOrdinal(row: number, ordinal: number): void {
    this.nums[row * NUMS + ORDINAL] = ordinal;
  }

  /** The call the row's block was allocated in (see `context`); null while not known yet. */
  contextOf(row: number): string | null {
    return contextText(this.context[row]);
  }

  /** The key's value (NaN for a key kept as text, an address of more than 13 digits). */
  keyValueOf(row: number): number {
    return this.nums[row * NUMS + KEY]!;
  }

  private seqOf(row: number): number {
    return this.nums[row * NUMS + SEQ]!;
  }

  reallocsOf(row: number): number {
    return this.reallocs[row] ?? 0;
  }

  addRealloc(row: number): void {
    this.ensureRare();
    this.reallocs[row]!++;
  }

  /** Whether a dump listed the row. */
  inDumpOf(row: number): boolean {
    return (this.dumpMark[row] ?? 0) !== 0;
  }

  /** Marks the row as listed by dump number `dump`; false when that dump had listed it already. */
  listIn(dump: number, row: number): boolean {
    this.ensureRare();
    if (this.dumpMark[row] === dump) return false;
    this.dumpMark[row] = dump;
    return true;
  }

  /** Whether dump number `dump` listed the row. */
  listedIn(dump: number, row: number): boolean {
    return this.dumpMark[row] === dump;
  }

  dataLengthOf(row: number): number {
    return this.dataLength[row] ?? NO_DATA;
  }

  private growRows(capacity: number): void {
    this.nums = grown(this.nums, capacity * NUMS);
    this.spelling = grown(this.spelling, capacity);
    this.capacity = capacity;
    if (this.rareReady) this.growRare();
  }
}
