// What a leaked block's first dump bytes suggest it was. A heuristic, said as such in the
// report ("looks like"): a block starting with a pointer into a module's image is likely an
// object (its vtable pointer); UTF-16 text is a string (a BSTR keeps its 4-byte length just
// before the characters); plain ASCII is a char string. Pure.
import type { DataHint, ReportBlock } from '../model/report.js';

/** 32-bit Windows maps module images at 0x10000000–0x7FFFFFFF (system DLLs near the top). */
const IMAGE32_LOW = 0x10000000;
const IMAGE32_HIGH = 0x7fffffff;
/** 64-bit Windows maps system DLLs at 0x00007FF0'00000000–0x00007FFF'FFFFFFFF. */
const IMAGE64_HIGH_WORD_LOW = 0x7ff0;
const IMAGE64_HIGH_WORD_HIGH = 0x7fff;
const MIN_UTF16_CHARS = 3;
const MIN_ASCII_CHARS = 5;

export function dataHint(data: string | null, address: string, size: number): DataHint | undefined {
  if (!data) return undefined;
  const bytes = parseBytes(data);
  if (bytes === null) return undefined;
  const ptrBytes = address.length - (/^0x/i.test(address) ? 2 : 0) > 8 ? 8 : 4;
  const more = size > bytes.length; // the text may go on past the dumped bytes
  return vtable(bytes, ptrBytes) ?? utf16(bytes, more) ?? ascii(bytes, more);
}

/** `XX XX ...` as numbers, or null when a token is not a hex byte (a report may list a million blocks: no split, no parseInt). */
function parseBytes(data: string): number[] | null {
  const out: number[] = [];
  let i = 0;
  while (i < data.length) {
    const hi = hexValue(data.charCodeAt(i));
    const lo = hexValue(data.charCodeAt(i + 1));
    if (hi < 0 || lo < 0 || (i + 2 < data.length && data.charCodeAt(i + 2) !== 32)) return null;
    out.push((hi << 4) | lo);
    i += 3;
  }
  return out;
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 65 && c <= 70) return c - 55;
  if (c >= 97 && c <= 102) return c - 87;
  return -1;
}

/** Adds `dataHint` to the blocks whose data suggests one (in place; the others stay as they are). */
export function addDataHints(blocks: ReportBlock[]): void {
  for (const b of blocks) {
    const hint = dataHint(b.data, b.address, b.size);
    if (hint) b.dataHint = hint;
  }
}

function vtable(bytes: number[], width: number): DataHint | undefined {
  if (bytes.length < width) return undefined;
  const low = (bytes[0]! | (bytes[1]! << 8) | (bytes[2]! << 16) | (bytes[3]! << 24)) >>> 0;
  // Four printable characters also read as a plausible pointer ("Hell" = 0x6C6C6548).
  if (bytes.slice(0, 4).every(printable)) return undefined;
  if (width === 4) {
    if (low < IMAGE32_LOW || low > IMAGE32_HIGH || low % 4 !== 0) return undefined;
    return { kind: 'vtable', pointer: hex(low, 8) };
  }
  const high = (bytes[4]! | (bytes[5]! << 8) | (bytes[6]! << 16) | (bytes[7]! << 24)) >>> 0;
  if (high < IMAGE64_HIGH_WORD_LOW || high > IMAGE64_HIGH_WORD_HIGH || low % 8 !== 0) return undefined;
  return { kind: 'vtable', pointer: hex(high, 8) + hex(low, 8).slice(2) };
}

/** The first run of at least MIN_UTF16_CHARS printable UTF-16LE characters, at an even offset. */
function utf16(bytes: number[], more: boolean): DataHint | undefined {
  for (let start = 0; start + 2 * MIN_UTF16_CHARS <= bytes.length; start += 2) {
    let end = start;
    while (end + 1 < bytes.length && printable(bytes[end]!) && bytes[end + 1] === 0) end += 2;
    if ((end - start) / 2 >= MIN_UTF16_CHARS) {
      const text = String.fromCharCode(...bytes.slice(start, end).filter((_, i) => i % 2 === 0));
      return { kind: 'utf16-text', offset: start, text: more && end >= bytes.length - 1 ? text + '\u2026' : text };
    }
  }
  return undefined;
}

/** The first run of at least MIN_ASCII_CHARS printable ASCII characters. */
function ascii(bytes: number[], more: boolean): DataHint | undefined {
  for (let start = 0; start + MIN_ASCII_CHARS <= bytes.length; start++) {
    let end = start;
    while (end < bytes.length && printable(bytes[end]!)) end++;
    if (end - start >= MIN_ASCII_CHARS) {
      const text = String.fromCharCode(...bytes.slice(start, end));
      return { kind: 'ascii-text', offset: start, text: more && end === bytes.length ? text + '\u2026' : text };
    }
    start = end;
  }
  return undefined;
}

function printable(b: number): boolean {
  return b >= 0x20 && b <= 0x7e;
}

function hex(n: number, digits: number): string {
  return '0x' + n.toString(16).toUpperCase().padStart(digits, '0');
}
