// The hot path: alloc and free spy lines, nearly every line of a big log, read straight
// from their UTF-8 bytes. No decoding, no line string, no event object: a scan leaves its
// result in the scanner's fields, and whoever asked reads them right away (the tracker is
// handed the scanner itself: `Tracker.spy(kind, scanner, line)`). One scanner per
// analysis; nothing here is shared between analyses.
//
// Only the two commonest shapes are read here:
//   <prefix>0x<addr> - <n> bytes allocated
//   <prefix>0x<addr> - freed[ (realloc to 0 bytes)], <k> block[s] remaining
// and, from the same bytes, the dump's entries (`dumpAt`: a run ending with 200,000 blocks
// alive prints 200,000 of them):
//   0x<addr> - <n> bytes: <hex bytes> <ascii>
// Every other line (a realloc, a malformed spy line, program output) is the text
// classifier's (line.ts), which asks `text()` first so both paths read alloc and free
// lines with this one grammar; dump entries it reads with line.ts's `dumpBytes`, and a
// test holds the two readings equal.
import { compileLiteral, type Literal, type ParseContext } from './options.js';
import { EXACT_DIGITS, MAX_DIGITS, spellFromScan } from './address.js';
import type { BlockKey } from '../model/block.js';
import { UNREADABLE_COUNT } from './events.js';

export const SCAN_OTHER = 0;
export const SCAN_ALLOC = 1;
export const SCAN_FREE = 2;
export type ScanKind = typeof SCAN_OTHER | typeof SCAN_ALLOC | typeof SCAN_FREE;

const FREED_REALLOC = compileLiteral(' (realloc to 0 bytes)');
const BYTES_COLON = compileLiteral(' bytes:');

/**
 * The fixed words of alloc and free lines as little-endian 32-bit words. `head` compares them
 * as numbers written in its code: constants there cost ~10 ns less per line than `at`'s loop
 * over a literal's words, and than words loaded from a table (a test holds these equal to the
 * words' bytes, and `head`'s readings to the grammar written as regular expressions).
 */
export const FIXED_WORDS = {
  /** ' bytes allocated' (16 bytes) */
  bytesAllocated: [0x74796220, 0x61207365, 0x636f6c6c, 0x64657461],
  /** ' block' (6 bytes: a 32-bit word, then `ck` as a 16-bit one); `s` or not, then ' remaining' */
  block: [0x6f6c6220, 0x6b63],
  /** ' remaining' (10 bytes: two 32-bit words, then `ng` as a 16-bit one) */
  remaining: [0x6d657220, 0x696e6961, 0x676e],
  /** 'freed' (5 bytes: this, then `d`) */
  freed: [0x65657266],
} as const;
/** Dump bytes a dump entry shows (line.ts keeps as many). */
export const DUMP_DATA_BYTES = 16;

/** Hex digit values by byte (0-15), with a bit for the letter case; NOT_HEX for anything else. */
const UPPER = 16;
const LOWER = 32;
const NOT_HEX = 64;
const HEX_VALUE = new Uint8Array(256).fill(NOT_HEX);
for (let c = 0; c < 10; c++) HEX_VALUE[48 + c] = c;
for (let c = 0; c < 6; c++) {
  HEX_VALUE[65 + c] = (10 + c) | UPPER;
  HEX_VALUE[97 + c] = (10 + c) | LOWER;
}

/** Bytes of the prefix compared as three words (see `SpyScanner.prefixWord0`; written as 12 in `head`, where a module constant is a load per line). */
const PREFIX_HEAD = 12;

/** Address texts kept by value (a loop allocates the same few addresses over and over). */
const TEXT_CACHE = 1024;

export class SpyScanner {
  // --- the last accepted scan ---
  /** The address's key (address.ts: its value, or its upper-case hex above 13 digits). */
  key: BlockKey = 0;
  /** alloc: the size; free: the spy's `<k> blocks remaining` (UNREADABLE_COUNT for a negative one). */
  n = 0;
  /** How the address is spelled (address.ts: `spellFromScan`). */
  spelling = 0;
  /** The line without its line end ends here (lineAt only). */
  contentEnd = 0;
  /** The LF that ends the line (lineAt only). */
  lineEnd = 0;
  /** A dump entry's data bytes (`dumpAt`): the first `dataLength` of `data`. */
  readonly data = new Uint8Array(DUMP_DATA_BYTES);
  dataLength = 0;
  /** The address text is bytes[from, to) of this buffer (valid until the caller's next chunk). */
  private bytes: Buffer = Buffer.alloc(0);
  private from = 0;
  private to = 0;
  /** UPPER | LOWER: the letter cases used by the address's digits. */
  private letters = 0;

  /** The address `addressAt` read last: where its digits end, where its significant ones begin, its value and letter cases. */
  private readTo = 0;
  private readSignificant = 0;
  private readValue = 0;
  private readLetters = 0;
  /** Where the last reader stopped (an index into the bytes). */
  private pos = 0;
  /**
   * The prefix's first 12 bytes as three little-endian words and masks: a shorter prefix's
   * words end in zero bytes under a zero mask, so any prefix is compared with three constant-
   * shaped compares (a longer one is compared again in full by `at`). Every alloc or free line
   * has more than 12 bytes from its prefix's start on, so reading 12 never refuses one.
   * (Set in the constructor; a small integer from the start keeps the fields untagged.)
   */
  private readonly prefixWord0: number = 0;
  private readonly prefixWord1: number = 0;
  private readonly prefixWord2: number = 0;
  private readonly prefixMask0: number = 0;
  private readonly prefixMask1: number = 0;
  private readonly prefixMask2: number = 0;
  /** The buffer being read, and a DataView on it (made once per buffer, not per line). */
  private viewed: Buffer | null = null;
  private view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));
  /** A text line's bytes for `text()` (lines arrive as text only on the slow paths). */
  private scratch = Buffer.alloc(4096);
  /** Per slot: the address value, its spelling (length * 256 + letter cases; 0: empty) and its text. */
  private readonly cachedValue = new Float64Array(TEXT_CACHE);
  private readonly cachedSpelling = new Uint16Array(TEXT_CACHE);
  private readonly cachedText: string[] = new Array<string>(TEXT_CACHE).fill('');

  constructor(private readonly ctx: ParseContext) {
    const words = Buffer.alloc(PREFIX_HEAD);
    const masks = Buffer.alloc(PREFIX_HEAD);
    const n = Math.min(PREFIX_HEAD, ctx.prefix.length);
    words.set(ctx.prefix.bytes.subarray(0, n));
    masks.fill(0xff, 0, n);
    this.prefixWord0 = words.readInt32LE(0);
    this.prefixWord1 = words.readInt32LE(4);
    this.prefixWord2 = words.readInt32LE(8);
    this.prefixMask0 = masks.readInt32LE(0);
    this.prefixMask1 = masks.readInt32LE(4);
    this.prefixMask2 = masks.readInt32LE(8);
  }

  /** Whether lines may be read from their bytes with this prefix (options.ts: not when it is empty or spans a line break). */
  get fitsLine(): boolean {
    return this.ctx.prefixFitsLine;
  }

  /**
   * Is the line starting at b[start], in a chunk of `len` bytes, an alloc or a free whose
   * line end (LF after any CRs) is in the chunk? Finds the line end itself, so such a line is
   * read once, not searched for its end and then scanned. Sets `contentEnd` (the line
   * without CR and LF) and `lineEnd` (its LF).
   */
  lineAt(b: Buffer, start: number, len: number): ScanKind {
    const kind = this.head(b, start, len);
    if (kind === SCAN_OTHER) return SCAN_OTHER;
    let i = this.pos;
    while (i < len && (b[i] === 32 || b[i] === 9)) i++;
    const contentEnd = i;
    // Every CR before the LF is line end (LF, CRLF, or the CR CR LF of "\r\n" through text mode).
    while (i < len && b[i] === 13) i++;
    if (i >= len || b[i] !== 10) return SCAN_OTHER;
    this.contentEnd = contentEnd;
    this.lineEnd = i;
    return kind;
  }

  /**
   * Is the line starting at b[start] a dump entry whose LF is in the chunk? Sets `key`,
   * the address's spelling, `n` (the size), `data`/`dataLength`, `contentEnd` and `lineEnd`.
   * The same reading as line.ts's `parseDumpEntry` of the decoded line: the address and
   * what follows it up to the data are ASCII, and the data stops at the first token that
   * is not a two-digit hex byte (the ascii column, whatever its bytes).
   */
  dumpAt(b: Buffer, start: number, len: number): boolean {
    // A spy prefix starting with `0` is read first by the text classifier: leave such logs to it.
    if (this.ctx.spyFirst === 48) return false;
    let i = start;
    if (i + 2 >= len || b[i] !== 48 /* 0 */ || b[i + 1] !== 120 /* x */) return false;
    const from = i;
    i = this.addressAt(b, from, len);
    if (i < 0) return false;
    const size = this.decimal(b, i, len);
    if (size < 0) return false;
    this.viewOn(b);
    if (!this.at(b, this.pos, len, BYTES_COLON)) return false;
    i = this.pos + BYTES_COLON.length;
    const lf = b.indexOf(10, i);
    if (lf < 0 || lf >= len) return false;
    let end = lf;
    while (end > start && b[end - 1] === 13) end--;
    const data = this.data;
    const max = Math.min(DUMP_DATA_BYTES, size);
    let count = 0;
    while (count < max) {
      while (i < end && b[i] === 32) i++;
      if (i + 2 > end) break;
      const hi = HEX_VALUE[b[i]!]!;
      const lo = HEX_VALUE[b[i + 1]!]!;
      if (hi >= NOT_HEX || lo >= NOT_HEX || (i + 2 < end && b[i + 2] !== 32)) break;
      data[count++] = ((hi & 15) << 4) | (lo & 15);
      i += 2;
    }
    this.dataLength = count;
    this.n = size;
    this.contentEnd = end;
    this.lineEnd = lf;
    this.accept(b, from);
    return true;
  }

  /** The same for a line that arrives as text (held, cut, or a capture's message); trailing blanks are allowed. */
  text(s: string): ScanKind {
    if (s.length === 0 || s.charCodeAt(0) !== this.ctx.spyFirst) return SCAN_OTHER;
    if (s.length * 3 > this.scratch.length) this.scratch = Buffer.alloc(Math.max(this.scratch.length * 2, s.length * 3));
    const end = this.scratch.write(s, 0, 'utf8');
    const kind = this.head(this.scratch, 0, end);
    return kind !== SCAN_OTHER && blankTo(this.scratch, this.pos, end) ? kind : SCAN_OTHER;
  }

  /**
   * The address text of the last accepted scan (ASCII by construction). Texts are kept
   * by address value, one string per address instead of one per allocation: less for the
   * garbage collector to copy and promote. A cached text is this line's spelling when the
   * value, the width and the case of the `x` and of the letters all match (mixed-case
   * digits are never cached), which needs no character compare. Otherwise the usual 32-
   * and 64-bit widths are built in JavaScript (~30 ns, where `toString('latin1', …)`
   * crosses into C++ for ~90 ns).
   */
  address(): string {
    const b = this.bytes;
    const i = this.from;
    const n = this.to - i;
    const key = this.key;
    const letters = this.letters;
    const slot = typeof key === 'number' && letters !== (UPPER | LOWER) ? key & (TEXT_CACHE - 1) : -1;
    const spelling = n * 256 + letters + (b[i + 1] === 88 /* X */ ? 128 : 0);
    if (slot >= 0 && this.cachedValue[slot] === key && this.cachedSpelling[slot] === spelling) return this.cachedText[slot]!;
    let text: string;
    if (n === 10) {
      // 0x + 8 digits
      text = String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!, b[i + 8]!, b[i + 9]!);
    } else if (n === 18) {
      // 0x + 16 digits
      // prettier-ignore
      text = String.fromCharCode(
        b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!, b[i + 8]!,
        b[i + 9]!, b[i + 10]!, b[i + 11]!, b[i + 12]!, b[i + 13]!, b[i + 14]!, b[i + 15]!, b[i + 16]!, b[i + 17]!,
      );
    } else {
      text = b.toString('latin1', i, this.to);
    }
    if (slot >= 0) {
      this.cachedValue[slot] = key as number;
      this.cachedSpelling[slot] = spelling;
      this.cachedText[slot] = text;
    }
    return text;
  }

  /**
   * Does an alloc or free spy line start at b[start]? Reads no further than `end` and
   * stops after the line's fixed words, leaving `pos` there; the callers check what
   * follows. Allocates nothing for an address of up to 13 significant hex digits. A LF
   * byte never matches, so a scan never runs past its line.
   */
  private head(b: Buffer, start: number, end: number): ScanKind {
    const prefix = this.ctx.prefix;
    let i = start + prefix.length;
    if (i + 2 >= end || b[i] !== 48 /* 0 */ || (b[i + 1]! | 32) !== 120 /* x */) return SCAN_OTHER;
    this.viewOn(b);
    const view = this.view;
    if (
      start + 12 > end ||
      (view.getUint32(start, true) & this.prefixMask0) !== this.prefixWord0 ||
      (view.getUint32(start + 4, true) & this.prefixMask1) !== this.prefixWord1 ||
      (view.getUint32(start + 8, true) & this.prefixMask2) !== this.prefixWord2 ||
      (prefix.length > 12 && !this.at(b, start, end, prefix))
    ) {
      return SCAN_OTHER;
    }
    const from = i;
    i = this.addressAt(b, from, end);
    if (i < 0) return SCAN_OTHER;
    const c = i < end ? b[i]! : -1;
    let kind: ScanKind = SCAN_OTHER;
    let n = -1;
    if (c >= 48 && c <= 57) {
      // `<n> bytes allocated`
      n = this.decimal(b, i, end);
      const p = this.pos;
      // ' bytes allocated' (FIXED_WORDS.bytesAllocated)
      if (
        n >= 0 &&
        p + 16 <= end &&
        view.getUint32(p, true) === 0x74796220 &&
        view.getUint32(p + 4, true) === 0x61207365 &&
        view.getUint32(p + 8, true) === 0x636f6c6c &&
        view.getUint32(p + 12, true) === 0x64657461
      ) {
        this.pos = p + 16;
        kind = SCAN_ALLOC;
      }
    } else if (c === 102 /* f */ && i + 5 <= end && view.getUint32(i, true) === 0x65657266 /* free */ && b[i + 4] === 100 /* d */) {
      // `freed, <k> blocks remaining` or `freed (realloc to 0 bytes), <k> blocks remaining`
      i += 5;
      if (i < end && b[i] === 32 && this.at(b, i, end, FREED_REALLOC)) i += FREED_REALLOC.length;
      if (i + 2 <= end && b[i] === 44 && b[i + 1] === 32) {
        // `-1 blocks remaining`, or the same count as an unsigned 64-bit number that went below
        // zero (`18446744073709551615`, a `size_t` counter printed with `%Iu`; attack notes #95):
        // a count the spy could not keep. The free itself stands.
        const negative = i + 2 < end && b[i + 2] === 45; /* - */
        const digits = negative ? i + 3 : i + 2;
        n = this.decimal(b, digits, end);
        const p = this.pos;
        // Every compare from here on is made on every free line, none only after a rare
        // outcome of another: a compare that only rare lines reach (a count or the words cut
        // at the chunk's end, a negative count, the singular) has no type feedback when `head`
        // is optimised, and the first such line threw the optimised code away (a deopt, then
        // the interpreter until `head` was compiled again, several times a run).
        const read = n >= 0;
        const tooLong = p > digits;
        if ((negative && read) || (!read && tooLong)) n = UNREADABLE_COUNT;
        // ' block', an `s` or not, ' remaining' (FIXED_WORDS.block, .remaining): one path for both.
        const s = p + 16 <= end && b[p + 6] === 115 /* s */ ? 1 : 0;
        const q = p + 6 + s;
        if (
          n !== -1 &&
          q + 10 <= end &&
          view.getUint32(p, true) === 0x6f6c6220 &&
          view.getUint16(p + 4, true) === 0x6b63 &&
          view.getUint32(q, true) === 0x6d657220 &&
          view.getUint32(q + 4, true) === 0x696e6961 &&
          view.getUint16(q + 8, true) === 0x676e
        ) {
          this.pos = q + 10;
          kind = SCAN_FREE;
        }
      }
    }
    if (kind !== SCAN_OTHER) {
      this.n = n;
      this.accept(b, from);
    }
    return kind;
  }

  /**
   * The address `0x<1-16 hex digits>` at b[from] (its `0x` already checked) and the ` - `
   * after it: the index after that, or -1. What it read waits in the `read*` fields until
   * the line is accepted.
   */
  private addressAt(b: Buffer, from: number, end: number): number {
    let i = from + 2;
    while (i < end && b[i] === 48) i++;
    const significant = i;
    let value = 0;
    let letters = 0;
    for (; i < end; i++) {
      const d = HEX_VALUE[b[i]!]!;
      if (d >= NOT_HEX) break;
      value = value * 16 + (d & 15);
      letters |= d;
    }
    const digits = i - from - 2;
    if (digits < 1 || digits > MAX_DIGITS) return -1;
    if (i + 3 > end || b[i] !== 32 || b[i + 1] !== 45 || b[i + 2] !== 32) return -1; // ' - '
    this.readTo = i;
    this.readSignificant = significant;
    this.readValue = value;
    this.readLetters = letters;
    return i + 3;
  }

  /** Keeps the address `addressAt` read from b[from] as the accepted line's. */
  private accept(b: Buffer, from: number): void {
    const to = this.readTo;
    const significant = this.readSignificant;
    const letters = this.readLetters;
    // The address rule of address.ts, from bytes: the value when it is exact, else the text.
    this.key = to - significant <= EXACT_DIGITS ? this.readValue : b.toString('latin1', significant, to).toUpperCase();
    this.from = from;
    this.to = to;
    this.bytes = b;
    this.letters = letters & (UPPER | LOWER);
    this.spelling = spellFromScan(to - from, b[from + 1] === 88 /* X */, (letters & UPPER) !== 0, (letters & LOWER) !== 0);
  }

  private viewOn(b: Buffer): void {
    if (b !== this.viewed) {
      this.viewed = b;
      this.view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    }
  }

  /** Whether b[i, i + lit.length) is the literal (within `end`); `view` must be on `b`. */
  private at(b: Buffer, i: number, end: number, lit: Literal): boolean {
    if (i + lit.length > end) return false;
    // Four bytes per compare: ~10 ns for a 12-byte prefix where a byte loop took ~25 ns.
    const words = lit.words;
    const view = this.view;
    let k = 0;
    for (let w = 0; w < words.length; w++, k += 4) if (view.getUint32(i + k, true) !== words[w]) return false;
    for (; k < lit.length; k++) if (b[i + k] !== lit.bytes[k]) return false;
    return true;
  }

  /**
   * A decimal of 1-15 digits at b[i] (-1 when there is none); `pos` is left after it.
   * No byte at or past `end` is read, here or in `head`: a line cut at its chunk's end
   * made them read past the buffer, and the first such read threw `head`'s optimised code
   * away ("out of bounds"), back to the interpreter until it was compiled again (~14 ms
   * per 100 MB run, two or three times a run).
   */
  private decimal(b: Buffer, i: number, end: number): number {
    let n = 0;
    const start = i;
    for (; i < end; i++) {
      const c = b[i]!;
      if (c < 48 || c > 57) break;
      n = n * 10 + (c - 48);
    }
    this.pos = i;
    return i > start && i - start <= 15 ? n : -1;
  }
}

/** Only blanks (space, tab) from i to end: what trimming the line would drop. */
function blankTo(b: Buffer, i: number, end: number): boolean {
  for (; i < end; i++) if (b[i] !== 32 && b[i] !== 9) return false;
  return true;
}
