// Bytes → text, streaming. Captured logs come as UTF-8/ASCII (MallocSpyTest's
// stdout), UTF-8 with a BOM, or UTF-16LE with a BOM (PowerShell's `>`). The encoding
// is sniffed from the first bytes; the first write may hold a single byte (a chunk
// can split the BOM), so sniffing waits until it has enough bytes or the input ends.
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
  /** writeUtf8: the first half of a surrogate pair, held until its second half is decoded. */
  private highSurrogate = '';

  /** Returns the text decoded from this chunk ('' while still sniffing). */
  write(chunk: Uint8Array): string {
    const bytes = this.take(chunk);
    return bytes === null ? '' : this.decode(bytes);
  }

  end(): string {
    let text = '';
    if (!this.decoder && this.head) text = this.decode(this.sniff());
    if (this.decoder) text += this.decoder.end();
    // A dangling odd byte of a UTF-16 stream cannot be decoded: keep it visible.
    if (this.oddByte !== null || (this.encoding?.startsWith('utf16le') && this.utf16Bytes % 2 === 1)) text += '\uFFFD';
    return text;
  }

  /**
   * Like `write`, but gives UTF-8 bytes, for the line splitter: UTF-8 input passes through
   * undecoded (a BOM dropped), UTF-16 is decoded and re-encoded as WTF-8, which is UTF-8
   * except that a lone surrogate (broken UTF-16, or a capture cut inside a pair) keeps a
   * sequence of its own, so that it reads back as it was (codepage.ts). A decoder is read
   * either with `write`/`end` or with `writeUtf8`/`endUtf8`, never both.
   */
  writeUtf8(chunk: Uint8Array): Buffer {
    const bytes = this.take(chunk);
    if (bytes === null) return EMPTY;
    return this.isUtf8() ? asBuffer(bytes) : this.encode(this.decode(bytes), false);
  }

  endUtf8(): Buffer {
    const head = !this.decoder && this.head ? this.sniff() : null;
    // UTF-8: a character cut at the end is the line splitter's to show.
    if (this.isUtf8()) return head === null ? EMPTY : asBuffer(head);
    return this.encode((head === null ? '' : this.decode(head)) + this.end(), true);
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
    return LONE_SURROGATE.test(whole) ? toWtf8(whole) : Buffer.from(whole, 'utf8');
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
