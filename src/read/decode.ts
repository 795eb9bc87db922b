// Bytes → text, streaming. Captured logs come as UTF-8/ASCII (MallocSpyTest's
// stdout), UTF-8 with a BOM, or UTF-16LE with a BOM (PowerShell's `>`). The encoding
// is sniffed from the first bytes; the first write may hold a single byte (a chunk
// can split the BOM), so sniffing waits until it has enough bytes or the input ends.
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { toWtf8 } from './codepage.js';

export type Encoding = 'utf8' | 'utf8-bom' | 'utf16le-bom' | 'utf16le' | 'utf16be-bom';

const SNIFF_BYTES = 4;

export class ByteDecoder {
  /** Bytes seen so far (raw, before decoding): the 4096-byte-buffer evidence uses it. */
  bytes = 0;
  encoding: Encoding | null = null;
  private decoder: StringDecoder | null = null;
  private head: Uint8Array | null = null;
  private swap = false;
  private oddByte: number | null = null;
  /** UTF-16 bytes decoded so far (after the BOM): an odd total leaves a byte no decoder shows. */
  private utf16Bytes = 0;
  /** The last byte decoded (see `end`). */
  private lastByte = -1;
  /** writeUtf8: the first half of a surrogate pair, held until its second half is decoded. */
  private highSurrogate = '';
  /**
   * writeUtf8 of UTF-16LE: plain bytes were appended (see `plainFrom`), and passed through
   * from there; whether the last code unit decoded was a LF (or none was).
   */
  private plain = false;
  private afterLf = true;
  /** Bytes not decoded yet (see `utf16le`): an odd last byte, or those of a line that has just begun (`tailStartsLine`). */
  private tail: Uint8Array | null = null;
  private tailStartsLine = true; // the first line begins with the first bytes
  /** UTF-16 code units the decoder gave so far (beside `utf16Bytes`: what it holds of the next). */
  private units = 0;
  /** Bytes of the UTF-8 stream given so far (`writeUtf8`/`endUtf8`). */
  private emitted = 0;
  /** Characters outside ASCII, where they are in the UTF-8 stream given (see `WideChars`). */
  readonly wide = new WideChars();
  /** What `encode` writes UTF-16 text into (at most 3 bytes per code unit), reused: see `writeUtf8`. */
  private encoded = Buffer.alloc(0);

  /** Returns the text decoded from this chunk ('' while still sniffing). */
  write(chunk: Uint8Array): string {
    const bytes = this.take(chunk);
    return bytes === null ? '' : this.decode(bytes);
  }

  end(): string {
    let text = '';
    if (!this.decoder && this.head) text = this.decode(this.sniff());
    if (this.decoder) text += this.decoder.end();
    // A dangling odd byte of a UTF-16 stream cannot be decoded: keep it visible. A Ctrl+Z there
    // is the end-of-file mark `copy` appends to what it joins, UTF-16 captures too: kept as
    // itself, for the line splitter to drop (attack notes #154).
    if (this.oddByte !== null || (this.encoding?.startsWith('utf16le') && this.utf16Bytes % 2 === 1))
      text += this.lastByte === 0x1a ? '\x1a' : '\uFFFD';
    return text;
  }

  /**
   * Like `write`, but gives UTF-8 bytes, for the line splitter: UTF-8 input passes through
   * undecoded (a BOM dropped), UTF-16 is decoded and re-encoded as WTF-8, which is UTF-8
   * except that a lone surrogate (broken UTF-16, or a capture cut inside a pair) keeps a
   * sequence of its own, so that it reads back as it was (codepage.ts). A decoder is read
   * either with `write`/`end` or with `writeUtf8`/`endUtf8`, never both. The bytes given are
   * valid until the next call (re-encoded UTF-16 is written into one buffer, reused): the
   * line splitter copies what it keeps.
   */
  writeUtf8(chunk: Uint8Array): Buffer {
    const bytes = this.take(chunk);
    if (bytes === null) return EMPTY;
    if (this.isUtf8() || this.plain) return this.passed(asBuffer(bytes));
    if (this.swap) return this.encode(this.decode(bytes), false);
    return this.utf16le(bytes, false);
  }

  endUtf8(): Buffer {
    const head = !this.decoder && this.head ? this.sniff() : null;
    // UTF-8: a character cut at the end is the line splitter's to show.
    if (this.isUtf8() || this.plain) return head === null ? EMPTY : this.passed(asBuffer(head));
    if (this.swap || this.decoder === null) return this.encode((head === null ? '' : this.decode(head)) + this.end(), true);
    const body = this.utf16le(head ?? EMPTY, true);
    return this.plain ? body : Buffer.concat([body, this.encode(this.end(), true)]);
  }

  /** Bytes given on undecoded: counted in the stream, their characters outside ASCII noted. */
  private passed(bytes: Buffer): Buffer {
    this.wide.noteUtf8(bytes, this.emitted);
    this.emitted += bytes.length;
    return bytes;
  }

  /**
   * UTF-16LE bytes → WTF-8, passing through from where plain bytes were appended: a
   * PowerShell `>` capture, then cmd's `>>` of another run (or a file PowerShell left with
   * only its BOM). Decoded as UTF-16, every two plain bytes made one CJK-looking character,
   * with no line end among them: the appended run vanished into one line of nonsense,
   * without an anomaly (attack notes #91). `last`: the input ends after these bytes.
   */
  private utf16le(chunk: Uint8Array, last: boolean): Buffer {
    const heldBefore = this.utf16Bytes - 2 * this.units; // bytes of a code unit the decoder held: the text's first unit ends with them
    const startsLine = this.tailStartsLine;
    let bytes = this.tail === null ? chunk : concat(this.tail, chunk);
    this.tail = null;
    this.tailStartsLine = false;
    if (!last) {
      // A line that has just begun waits until FIRST_LINE of its bytes (or the end) can tell,
      // and an odd last byte until its code unit is whole (a LF cut in two would hide where a
      // line begins): every chunking reads alike.
      let cut = lineJustBegun(bytes, heldBefore, startsLine);
      this.tailStartsLine = cut >= 0;
      if (cut < 0 && (bytes.length + heldBefore) % 2 === 1) cut = bytes.length - 1;
      if (cut >= 0) {
        this.tail = bytes.slice(cut);
        bytes = bytes.subarray(0, cut);
      }
    }
    const text = this.decode(bytes);
    this.units += text.length;
    const from = this.plainFrom(text, bytes, heldBefore, last);
    this.afterLf = text.length === 0 ? this.afterLf : text.charCodeAt(text.length - 1) === 10;
    if (from < 0) return this.encode(text, last);
    // From a line's start: no surrogate pair is cut there. The decoder's reading past it is dropped.
    this.plain = true;
    const plain = [this.encode(text.slice(0, from), true), this.passed(asBuffer(bytes.subarray(2 * from - heldBefore)))];
    if (this.tail !== null) plain.push(this.passed(asBuffer(this.tail)));
    this.tail = null;
    return Buffer.concat(plain);
  }

  /**
   * The index in `text` (decoded from `bytes`) of the line where plain bytes begin, or -1:
   * a line that is plain ASCII text up to a CR LF (`plainLine`). UTF-16 text never has the
   * bytes `0D 0A` side by side but in U+0A0D or a Malayalam letter before U+xx0A, while
   * Japanese kana (U+3041–U+307E) and many CJK characters are two bytes of ASCII text each
   * (attack notes #99: a first version that asked only for eight such code units read a
   * Japanese line as plain bytes). The text is searched first (a line starting with a
   * character of U+0900 or more: native, no work per line), the bytes only where it matches.
   */
  private plainFrom(text: string, bytes: Uint8Array, heldBefore: number, last: boolean): number {
    let k = this.afterLf && text.length > 0 && text.charCodeAt(0) >= 0x0900 ? 0 : -1;
    let from = 0;
    for (;;) {
      if (k < 0) {
        const m = (from === 0 ? text : text.slice(from)).search(PLAIN_LINE);
        if (m < 0) return -1;
        k = from + m + 1;
      }
      const at = 2 * k - heldBefore;
      if (at >= 0 && plainLine(bytes, at, last)) return k;
      from = k;
      k = -1;
    }
  }

  /**
   * Decoded UTF-16 text → WTF-8. A surrogate pair may come out of the decoder in two pieces
   * (chunks cut inside it); encoded apart, each half would be a lone surrogate, so a
   * trailing high surrogate waits for the next piece.
   */
  private encode(text: string, last: boolean): Buffer {
    let whole = this.highSurrogate + text;
    this.highSurrogate = '';
    const c = whole.charCodeAt(whole.length - 1);
    if (!last && c >= 0xd800 && c <= 0xdbff) {
      this.highSurrogate = whole.slice(-1);
      whole = whole.slice(0, -1);
    }
    let out: Buffer;
    if (LONE_SURROGATE.test(whole)) out = toWtf8(whole);
    else if (last) out = Buffer.from(whole, 'utf8');
    else {
      // Not the last piece: `writeUtf8` gives it straight back (no caller joins it to another),
      // so it is written into one buffer, reused. A fresh buffer per 64 KB slice was 5-8 % of a
      // UTF-16 capture's analysis (allocating outside the heap, first touch of its pages).
      if (this.encoded.length < 3 * whole.length) this.encoded = Buffer.allocUnsafeSlow(Math.max(3 * whole.length, 2 * this.encoded.length));
      out = this.encoded.subarray(0, this.encoded.write(whole)); // UTF-8 from offset 0
    }
    if (out.length !== whole.length) this.wide.note(whole, this.emitted);
    else this.wide.ascii(whole);
    this.emitted += out.length;
    return out;
  }

  /** Counts the chunk; the bytes to decode, or null while the encoding is still being sniffed. */
  private take(chunk: Uint8Array): Uint8Array | null {
    this.bytes += chunk.length;
    if (this.decoder) return chunk;
    this.head = this.head ? concat(this.head, chunk) : chunk;
    if (this.head.length < SNIFF_BYTES) return null;
    return this.sniff();
  }

  private isUtf8(): boolean {
    return this.encoding === 'utf8' || this.encoding === 'utf8-bom';
  }

  /** Decides the encoding from the head; returns the head's bytes after any BOM. */
  private sniff(): Uint8Array {
    const head = this.head ?? new Uint8Array(0);
    this.head = null;
    let skip = 0;
    if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) {
      this.encoding = 'utf8-bom';
      skip = 3;
    } else if (head[0] === 0xff && head[1] === 0xfe) {
      this.encoding = 'utf16le-bom';
      skip = 2;
    } else if (head[0] === 0xfe && head[1] === 0xff) {
      this.encoding = 'utf16be-bom';
      this.swap = true;
      skip = 2;
    } else if (head.length >= 4 && head[0] !== 0 && head[1] === 0 && head[2] !== 0 && head[3] === 0) {
      // UTF-16LE without a BOM: ASCII text with every other byte zero.
      this.encoding = 'utf16le';
    } else {
      this.encoding = 'utf8';
    }
    this.decoder = new StringDecoder(this.isUtf8() ? 'utf8' : 'utf16le');
    return head.subarray(skip);
  }

  private decode(chunk: Uint8Array): string {
    this.utf16Bytes += chunk.length;
    if (chunk.length > 0) this.lastByte = chunk[chunk.length - 1]!;
    if (!this.swap) return this.decoder!.write(chunk as Buffer);
    // UTF-16BE: swap byte pairs, carrying an odd trailing byte to the next chunk.
    let bytes = chunk;
    if (this.oddByte !== null) {
      bytes = concat(Uint8Array.of(this.oddByte), chunk);
      this.oddByte = null;
    }
    const even = bytes.length & ~1;
    if (even < bytes.length) this.oddByte = bytes[even]!;
    const swapped = Buffer.allocUnsafe(even);
    for (let i = 0; i < even; i += 2) {
      swapped[i] = bytes[i + 1]!;
      swapped[i + 1] = bytes[i]!;
    }
    return this.decoder!.write(swapped);
  }
}

const EMPTY = Buffer.alloc(0);

/** Lines holding characters outside ASCII that `WideChars` keeps (16 bytes each); past them it gives up. */
export const WIDE_LINES = 1 << 16;

/** UTF-8 bytes looked at together for a character outside ASCII (`isAscii` is native: most logs have none). */
const ASCII_BLOCK = 4096;

/**
 * Where the UTF-8 stream holds more bytes than its text has UTF-16 code units: a character
 * outside ASCII is one code unit (and one byte in a single-byte code page, which the program
 * wrote) but two to four bytes of UTF-8. A capture re-encodes the program's output that way
 * when Windows PowerShell 5.1 writes it as UTF-16 (decoded here into UTF-8), or PowerShell
 * 7.0–7.3 and `Out-File -Encoding utf8` as UTF-8. The C runtime's 4096-byte buffers held the
 * program's bytes, so a span of the stream is counted both ways (attack notes #116: one `é`
 * before the cut hid whole buffers). Kept per line, at most WIDE_LINES lines: one entry per
 * line with such a character, where its last one ends and how many extra bytes the stream has
 * up to there. Exact at every line start and at the stream's end, which are the only places a
 * span starts or ends, whatever the chunking.
 */
export class WideChars {
  /** Per entry: where the line's last wide character ends in the stream, and the extra bytes up to there. */
  private at: Float64Array = new Float64Array(0);
  private extra: Float64Array = new Float64Array(0);
  private count = 0;
  private total = 0;
  /** No LF since the last entry: a wide character now updates it rather than adding one. */
  private sameLine = false;
  /**
   * `unitsAt` is exact up to here: where the character that would have needed line WIDE_LINES + 1
   * began (a capture's later runs cannot switch the count off for an earlier run: attack notes #135).
   */
  exactTo = Infinity;

  /** Whether the stream has any such character (else its bytes are its code units). */
  get any(): boolean {
    return this.total > 0;
  }

  /** The code units before stream offset `byte` (a line start, or the stream's end), at most `exactTo`. */
  unitsAt(byte: number): number {
    // The last entry at or before `byte`, by bisection.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.at[mid]! <= byte) lo = mid + 1;
      else hi = mid;
    }
    return byte - (lo === 0 ? 0 : this.extra[lo - 1]!);
  }

  /** ASCII text given on: a LF in it ends the line of the last entry. */
  ascii(text: string): void {
    if (this.sameLine && text.includes('\n')) this.sameLine = false;
  }

  /** A UTF-8 sequence cut by the chunk: its continuation bytes still to come, its length and code units. */
  private need = 0;
  private seqBytes = 0;
  private seqUnits = 0;

  /**
   * UTF-8 bytes given on at stream offset `base` (a UTF-8 file, or plain bytes appended to a
   * UTF-16 one). Only well-formed sequences are characters: a byte of a code page (cmd's `>`
   * of a program writing its OEM code page) is one unit of its own, as the program wrote it.
   */
  noteUtf8(bytes: Uint8Array, base: number): void {
    // The whole piece first: one native call for a piece of ASCII (~5 ms per 100 MB; in blocks, ~15).
    if (this.need === 0 && isAscii(bytes)) {
      if (this.sameLine && bytes.indexOf(10) >= 0) this.sameLine = false;
      return;
    }
    for (let from = 0; from < bytes.length; from += ASCII_BLOCK) {
      const block = bytes.subarray(from, from + ASCII_BLOCK);
      if (this.need === 0 && isAscii(block)) {
        if (this.sameLine && block.indexOf(10) >= 0) this.sameLine = false;
        continue;
      }
      for (let i = 0; i < block.length; i++) {
        const b = block[i]!;
        if (this.need > 0) {
          if ((b & 0xc0) === 0x80) {
            if (--this.need === 0) {
              this.total += this.seqBytes - this.seqUnits;
              this.mark(base + from + i + 1, this.seqBytes);
            }
            continue;
          }
          // Cut short: its bytes were one unit each; this byte starts afresh.
          this.need = 0;
        }
        if (b < 0x80) {
          if (b === 10) this.sameLine = false;
        } else if (b >= 0xc2 && b <= 0xf4) {
          this.need = b < 0xe0 ? 1 : b < 0xf0 ? 2 : 3;
          this.seqBytes = this.need + 1;
          this.seqUnits = b < 0xf0 ? 1 : 2;
        }
      }
    }
  }

  /** Text with characters outside ASCII, given on at stream offset `base`, encoded as `encode` does (WTF-8). */
  note(text: string, base: number): void {
    let pos = base;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x80) {
        pos++;
        if (c === 10) this.sameLine = false;
        continue;
      }
      let units = 1;
      let bytes: number;
      if (c < 0x800) bytes = 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        // A pair: one character of 4 bytes (a lone surrogate is 3, as any other).
        bytes = 4;
        units = 2;
        i++;
      } else bytes = 3;
      pos += bytes;
      this.total += bytes - units;
      this.mark(pos, bytes);
    }
  }

  /** A character of `bytes` bytes ends at `pos`. */
  private mark(pos: number, bytes: number): void {
    if (this.exactTo !== Infinity) return;
    if (this.sameLine) {
      this.at[this.count - 1] = pos;
      this.extra[this.count - 1] = this.total;
      return;
    }
    if (this.count === WIDE_LINES) {
      this.exactTo = pos - bytes;
      return;
    }
    if (this.count === this.at.length) {
      const n = Math.min(WIDE_LINES, Math.max(16, this.count * 2));
      this.at = grow(this.at, n);
      this.extra = grow(this.extra, n);
    }
    this.at[this.count] = pos;
    this.extra[this.count++] = this.total;
    this.sameLine = true;
  }
}

function grow(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

/** Bytes of plain text before the CR LF that ends the first line of plain bytes appended to UTF-16 (a longer first line is not seen). */
const FIRST_LINE = 256;

/**
 * Whether bytes[at..] is a line of plain text (no NUL, no LF; it may be empty, one
 * character, or UTF-8) ended by CR LF within FIRST_LINE bytes, or, at the end of the input,
 * by the end (two bytes at least). A line of UTF-16 text has a NUL in each ASCII character
 * and its CR is `0D 00` (attack notes #104: an empty or one-character first line was missed).
 */
function plainLine(bytes: Uint8Array, at: number, last: boolean): boolean {
  const end = Math.min(bytes.length, at + FIRST_LINE + 2);
  for (let j = at; j < end; j++) {
    const c = bytes[j]!;
    if (c === 0x0d) return bytes[j + 1] === 0x0a;
    if (c === 0 || c === 0x0a) return false;
  }
  return last && end === bytes.length && end - at >= 2;
}

/**
 * Where the bytes of a line that has just begun start, when fewer than FIRST_LINE + 2 of
 * them came after the last LF code unit (`0A 00`) in `bytes`, or after the start of `bytes`
 * when it `startsLine`; else -1. `held`: bytes of a code unit the decoder holds (code units
 * start where `i + held` is even).
 */
function lineJustBegun(bytes: Uint8Array, held: number, startsLine: boolean): number {
  const want = FIRST_LINE + 2;
  for (let j = bytes.length - 2; j >= 0 && j >= bytes.length - 2 - want; j--) {
    if ((j + held) % 2 === 0 && bytes[j] === 0x0a && bytes[j + 1] === 0)
      return bytes.length - (j + 2) < want && mayBePlain(bytes, j + 2) ? j + 2 : -1;
  }
  return startsLine && bytes.length < want && mayBePlain(bytes, 0) ? 0 : -1;
}

/**
 * Whether a line starting at bytes[s] may be plain bytes: its first two bytes are not NUL,
 * or have not come yet. A line of UTF-16 text that starts with an ASCII character (a high
 * byte of 0) is not held: most are, and holding copies the next chunk.
 */
function mayBePlain(bytes: Uint8Array, s: number): boolean {
  return (s >= bytes.length || bytes[s] !== 0) && (s + 1 >= bytes.length || bytes[s + 1] !== 0);
}

/** A line that starts with a character of U+0900 or more: where plain bytes may begin (see `plainFrom`). */
const PLAIN_LINE = /\n[\u0900-\uffff]/;

/** In Unicode mode a well-formed pair is one code point: only a lone surrogate matches. */
const LONE_SURROGATE = /\p{Cs}/u;

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
