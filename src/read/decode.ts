// Bytes → text, streaming. Captured logs come as UTF-8/ASCII (MallocSpyTest's
// stdout), UTF-8 with a BOM, or UTF-16LE with a BOM (PowerShell's `>`). The encoding
// is sniffed from the first bytes; the first write may hold a single byte (a chunk
// can split the BOM), so sniffing waits until it has enough bytes or the input ends.
import { StringDecoder } from 'node:string_decoder';

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

  /** Returns the text decoded from this chunk ('' while still sniffing). */
  write(chunk: Uint8Array): string {
    this.bytes += chunk.length;
    if (this.decoder) return this.decode(chunk);
    this.head = this.head ? concat(this.head, chunk) : chunk;
    if (this.head.length < SNIFF_BYTES) return '';
    return this.start();
  }

  end(): string {
    let text = '';
    if (!this.decoder && this.head) text = this.start();
    if (this.decoder) text += this.decoder.end();
    // A dangling odd byte of a UTF-16 stream cannot be decoded: keep it visible.
    if (this.oddByte !== null || (this.encoding?.startsWith('utf16le') && this.utf16Bytes % 2 === 1)) text += '\uFFFD';
    return text;
  }

  private start(): string {
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
    this.decoder = new StringDecoder(this.encoding === 'utf8' || this.encoding === 'utf8-bom' ? 'utf8' : 'utf16le');
    return this.decode(head.subarray(skip));
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

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
