// The blocks alive, as rows of typed arrays, found by address through an open-addressing
// table keyed by the address's value (parse/address.ts): no object, no Map entry and no
// garbage per allocation or free. A big log allocates and frees millions of blocks; with
// an object per block and a Map entry per address ever seen, the garbage collector and
// the Map's rebuilds were a third of the time on a growing heap, and a block alive cost
// ~1.2 KB. Here a block alive costs ~120 bytes.
//
// Rows (what a block is) and slots (how its address finds it) are apart, so that the
// index can be rebuilt without moving a row. A freed address keeps its slot as a
// tombstone that remembers when it was freed (a free of it soon after is a double free,
// not a free of an unknown block); tombstones are dropped when the index is rebuilt,
// which happens when slots in use (alive or tombstones) pass 60 % of the table: with fresh
// addresses on every allocation, rebuilding costs O(1) per free, amortised, and probes
// stay short. Addresses of more than 13 significant hex digits are keyed by text (rare):
// a Map holds them.
import { Buffer } from 'node:buffer';
import type { BlockKey } from '../model/block.js';
import { spelled } from '../parse/address.js';
import { DUMP_DATA_BYTES } from '../parse/scan.js';

/** Frees remembered for telling a double free from a free of an unknown block. */
export const RECENT_FREES = 4096;

const EMPTY = -1;
const TOMBSTONE = -2;
/** Used slots (alive and tombstones) beyond this share of the table rebuild the index. */
const MAX_LOAD = 0.6;

/** What a row has besides its typed columns, kept only where a block has it. */
interface RowExtra {
  /** The address as printed, when its spelling code cannot say it (a custom or long address). */
  text?: string;
  /** The key of an address of more than 13 significant digits. */
  bigKey?: string;
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
  private readonly scratch = Buffer.alloc(DATA_BYTES * 3);

  text(from: Uint8Array, at: number, length: number): string {
    const out = this.scratch;
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

export class BlockTable {
  /** Blocks alive. */
  size = 0;
  /** Frees so far (takes marked as frees). */
  private frees = 0;
  private nextSeq = 0;
  private nextSerial = 0;

  // --- rows ---
  private capacity = 0;
  key = new Float64Array(0);
  bytes = new Float64Array(0);
  /** -1: first seen in the dump (no allocation line). */
  allocLine = new Float64Array(0);
  firstLine = new Float64Array(0);
  /** Order of (re)insertion: what a Map's order would be. */
  seq = new Float64Array(0);
  /** Which birth the row holds: a reference taken at a birth checks it to find the row still the same block. */
  serial = new Float64Array(0);
  reallocs = new Int32Array(0);
  /**
   * The block's allocation ordinal (the Nth allocation of its run: see the tracker); -1 when
   * its allocation is not in the log (first seen in the dump, or a realloc of an unknown block).
   */
  ordinal = new Float64Array(0);
  /** How the address is spelled (see `spell`); 0: its text is in `extra`. */
  spelling = new Uint16Array(0);
  inDump = new Uint8Array(0);
  /** The number of the last dump that listed the row (the tracker numbers its dumps). */
  dumpMark = new Uint32Array(0);
  /** Dump data as bytes (DATA_BYTES per row) and its length (NO_DATA, or DATA_ELSEWHERE: in `extra`, not in that form). */
  dataBytes = new Uint8Array(0);
  dataLength = new Uint8Array(0);
  /** The call the block was allocated in; null while that is not known yet. */
  context: (string | null)[] = [];
  private readonly extra = new Map<number, RowExtra>();
  /** 1 where `extra` has the row: nearly no row has, and a Map lookup per event was 5 % of the time. */
  private hasExtra = new Uint8Array(0);
  private readonly hex = new HexText();
  private freeRows = new Int32Array(0);
  private freeCount = 0;
  private used = 0;

  // --- the index of numeric keys ---
  private slotKey = new Float64Array(0);
  private slotRow = new Int32Array(0);
  private slotFreedAt = new Float64Array(0);
  private shift = 32;
  private slotsUsed = 0;
  // --- the index of text keys ---
  private readonly bigAlive = new Map<string, number>();
  private bigFreedAt = new Map<string, number>();

  constructor() {
    this.growRows(256);
    this.rebuild(1024);
  }

  // ---------------------------------------------------------------- lookup

  /** The row of the block alive at `key`, or -1. */
  find(key: BlockKey): number {
    if (typeof key === 'string') return this.bigAlive.get(key) ?? -1;
    const slot = this.slotOf(key);
    return slot < 0 ? -1 : Math.max(-1, this.slotRow[slot]!);
  }

  /**
   * Whether `key` is not alive and was freed by one of the last RECENT_FREES frees: freeing
   * it again is a double free, not a free of a block the log never showed.
   */
  recentlyFreed(key: BlockKey): boolean {
    let freedAt: number;
    if (typeof key === 'string') {
      if (this.bigAlive.has(key)) return false;
      freedAt = this.bigFreedAt.get(key) ?? 0;
    } else {
      const slot = this.slotOf(key);
      if (slot < 0 || this.slotRow[slot] !== TOMBSTONE) return false;
      freedAt = this.slotFreedAt[slot]!;
    }
    return freedAt !== 0 && freedAt > this.frees - RECENT_FREES;
  }

  // ---------------------------------------------------------------- rows

  /** A new row for a block born now (not yet in the index: `put` it). */
  newRow(size: number, line: number, spelling: number, text: string | null): number {
    const row = this.freeCount > 0 ? this.freeRows[--this.freeCount]! : this.used++;
    if (row >= this.capacity) this.growRows(this.capacity * 2);
    this.bytes[row] = size;
    this.allocLine[row] = line;
    this.firstLine[row] = line;
    this.serial[row] = ++this.nextSerial;
    this.reallocs[row] = 0;
    this.ordinal[row] = -1;
    this.inDump[row] = 0;
    this.dumpMark[row] = 0;
    this.dataLength[row] = NO_DATA;
    this.context[row] = null;
    this.setSpelling(row, spelling, text);
    return row;
  }

  /** Gives a row back (its block freed, lost or moved out of the table). */
  release(row: number): void {
    if (this.hasExtra[row] === 1) {
      this.extra.delete(row);
      this.hasExtra[row] = 0;
    }
    this.context[row] = null;
    this.serial[row] = 0;
    if (this.freeCount >= this.freeRows.length) {
      const bigger = new Int32Array(Math.max(256, this.freeRows.length * 2));
      bigger.set(this.freeRows);
      this.freeRows = bigger;
    }
    this.freeRows[this.freeCount++] = row;
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
    return s === 0 ? (this.extraIf(row)?.text ?? '') : spelled(this.key[row]!, s);
  }

  /** The dump data of a row (null: the dump gave none). */
  data(row: number): string | null {
    const n = this.dataLength[row]!;
    if (n === NO_DATA) return null;
    return n === DATA_ELSEWHERE ? (this.extraIf(row)?.data ?? '') : this.hex.text(this.dataBytes, row * DATA_BYTES, n);
  }

  setData(row: number, data: string): void {
    const n = packHex(data, this.dataBytes, row * DATA_BYTES);
    this.dataLength[row] = n < 0 ? DATA_ELSEWHERE : n;
    if (n < 0) this.extraOf(row).data = data;
  }

  /** Dump data already as bytes (at most DATA_BYTES). */
  setDataBytes(row: number, from: Uint8Array, length: number): void {
    this.dataBytes.set(from.subarray(0, length), row * DATA_BYTES);
    this.dataLength[row] = length;
  }

  /** The key of the row (its text for an address of more than 13 digits). */
  keyOf(row: number): BlockKey {
    const big = this.extraIf(row)?.bigKey;
    return big ?? this.key[row]!;
  }

  // ---------------------------------------------------------------- index

  /**
   * Puts `row` at `key`, at the end of the order; returns the row that was alive there
   * (its free is missing from the log: the caller tells) or -1.
   */
  put(key: BlockKey, row: number): number {
    this.seq[row] = this.nextSeq++;
    if (typeof key === 'string') {
      this.key[row] = NaN;
      this.extraOf(row).bigKey = key;
      const old = this.bigAlive.get(key) ?? -1;
      this.bigAlive.set(key, row);
      if (old < 0) this.size++;
      return old;
    }
    this.key[row] = key;
    const e = this.extraIf(row);
    if (e) delete e.bigKey;
    let slot = this.hash(key);
    const mask = this.slotRow.length - 1;
    for (;;) {
      const r = this.slotRow[slot]!;
      if (r === EMPTY) {
        this.slotKey[slot] = key;
        this.slotRow[slot] = row;
        this.slotFreedAt[slot] = 0;
        this.size++;
        if (++this.slotsUsed > this.slotRow.length * MAX_LOAD) this.rebuild();
        return -1;
      }
      if (this.slotKey[slot] === key) {
        this.slotRow[slot] = row;
        if (r === TOMBSTONE) {
          this.size++;
          return -1;
        }
        return r;
      }
      slot = (slot + 1) & mask;
    }
  }

  /**
   * Takes the block alive at `key` out of the index and returns its row (or -1). `freed`:
   * the block was freed (remembered for `recentlyFreed`), not moved away by a realloc,
   * which leaves the memory of the address's last free as it was.
   */
  take(key: BlockKey, freed: boolean): number {
    if (typeof key === 'string') {
      const row = this.bigAlive.get(key);
      if (row === undefined) return -1;
      this.bigAlive.delete(key);
      this.size--;
      if (freed) this.rememberBig(key, ++this.frees);
      return row;
    }
    const slot = this.slotOf(key);
    if (slot < 0) return -1;
    const row = this.slotRow[slot]!;
    if (row < 0) return -1;
    this.slotRow[slot] = TOMBSTONE;
    if (freed) this.slotFreedAt[slot] = ++this.frees;
    this.size--;
    return row;
  }

  /** The rows alive, in insertion order (a sort: once at the end, not per event). */
  rows(): number[] {
    const out: number[] = [];
    for (let s = 0; s < this.slotRow.length; s++) if (this.slotRow[s]! >= 0) out.push(this.slotRow[s]!);
    for (const row of this.bigAlive.values()) out.push(row);
    const seq = this.seq;
    return out.sort((a, b) => seq[a]! - seq[b]!);
  }

  /** The earliest row alive (in insertion order) for which `test` holds, or -1: one pass, no sort. */
  first(test: (row: number) => boolean): number {
    let best = -1;
    const consider = (row: number): void => {
      if ((best < 0 || this.seq[row]! < this.seq[best]!) && test(row)) best = row;
    };
    for (let s = 0; s < this.slotRow.length; s++) if (this.slotRow[s]! >= 0) consider(this.slotRow[s]!);
    for (const row of this.bigAlive.values()) consider(row);
    return best;
  }

  // ---------------------------------------------------------------- inside

  private slotOf(key: number): number {
    const mask = this.slotRow.length - 1;
    let slot = this.hash(key);
    for (;;) {
      const r = this.slotRow[slot]!;
      if (r === EMPTY) return -1;
      if (this.slotKey[slot] === key) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Multiplicative hashing of the value's two 32-bit halves (addresses are aligned: their low bits say little). */
  private hash(key: number): number {
    const lo = key >>> 0;
    const hi = ((key - lo) / 4294967296) | 0;
    return Math.imul(lo ^ Math.imul(hi, 0x27d4eb2d), 0x9e3779b1) >>> this.shift;
  }

  /**
   * A new index of the live keys and the recent frees' tombstones, at least twice their
   * number over the load limit: every rebuild comes after as many more uses as it costs.
   */
  private rebuild(minimum = 1024): void {
    const keys = this.slotKey;
    const rows = this.slotRow;
    const freedAt = this.slotFreedAt;
    const recent = this.frees - RECENT_FREES;
    let keep = 0;
    for (let s = 0; s < rows.length; s++) {
      if (rows[s]! >= 0 || (rows[s] === TOMBSTONE && freedAt[s]! !== 0 && freedAt[s]! > recent)) keep++;
    }
    let size = minimum;
    while (size * MAX_LOAD < keep * 2.5) size *= 2;
    this.slotKey = new Float64Array(size);
    this.slotRow = new Int32Array(size).fill(EMPTY);
    this.slotFreedAt = new Float64Array(size);
    this.shift = 32 - Math.log2(size);
    this.slotsUsed = 0;
    const mask = size - 1;
    for (let s = 0; s < rows.length; s++) {
      const r = rows[s]!;
      if (!(r >= 0 || (r === TOMBSTONE && freedAt[s]! !== 0 && freedAt[s]! > recent))) continue;
      let slot = this.hash(keys[s]!);
      while (this.slotRow[slot] !== EMPTY) slot = (slot + 1) & mask;
      this.slotKey[slot] = keys[s]!;
      this.slotRow[slot] = r;
      this.slotFreedAt[slot] = freedAt[s]!;
      this.slotsUsed++;
    }
  }

  private rememberBig(key: string, freedAt: number): void {
    this.bigFreedAt.set(key, freedAt);
    if (this.bigFreedAt.size > 2 * RECENT_FREES) {
      const recent = this.frees - RECENT_FREES;
      this.bigFreedAt = new Map([...this.bigFreedAt].filter(([, at]) => at > recent));
    }
  }

  private extraIf(row: number): RowExtra | undefined {
    return this.hasExtra[row] === 1 ? this.extra.get(row) : undefined;
  }

  private extraOf(row: number): RowExtra {
    let e = this.extraIf(row);
    if (!e) {
      this.extra.set(row, (e = {}));
      this.hasExtra[row] = 1;
    }
    return e;
  }

  private growRows(capacity: number): void {
    const grow = <T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(old: T, make: (n: number) => T): T => {
      const next = make(capacity);
      next.set(old);
      return next;
    };
    this.key = grow(this.key, (n) => new Float64Array(n));
    this.bytes = grow(this.bytes, (n) => new Float64Array(n));
    this.allocLine = grow(this.allocLine, (n) => new Float64Array(n));
    this.firstLine = grow(this.firstLine, (n) => new Float64Array(n));
    this.seq = grow(this.seq, (n) => new Float64Array(n));
    this.serial = grow(this.serial, (n) => new Float64Array(n));
    this.reallocs = grow(this.reallocs, (n) => new Int32Array(n));
    this.ordinal = grow(this.ordinal, (n) => new Float64Array(n));
    this.spelling = grow(this.spelling, (n) => new Uint16Array(n));
    this.inDump = grow(this.inDump, (n) => new Uint8Array(n));
    this.hasExtra = grow(this.hasExtra, (n) => new Uint8Array(n));
    this.dumpMark = grow(this.dumpMark, (n) => new Uint32Array(n));
    this.dataLength = grow(this.dataLength, (n) => new Uint8Array(n));
    this.dataBytes = grow(this.dataBytes, () => new Uint8Array(capacity * DATA_BYTES));
    this.capacity = capacity;
  }
}
