// What a block's dump data (its first 16 bytes, `98 B1 5A 77 …`) can tell when two runs are
// compared: whether they identify the block at all (`evidenceOf`), and whether two blocks'
// data are alike enough to be one block whose heap pointers moved (`alike`). Pure.

/** Bytes of dump data that tell a block from another: at least so many equal (see `alike`). */
const INFORMATIVE = 4;

/** Byte values that a zeroed or freshly filled buffer holds (the debug heap's fills: CD, DD, FD, AB, EE, FE; page heap's C0): equal, they tell nothing. */
const FILLER = new Set([0x00, 0xcd, 0xdd, 0xfd, 0xab, 0xee, 0xfe, 0xc0]);

/** 4-byte fills (see `parseData`). */
const FILL_WORDS = new Set([0xbaadf00d, 0xfeeefeee, 0xffffffff]);

/** What dump data can tell (see `evidenceOf`). */
export type Evidence = 'none' | 'text' | 'binary';

/** Dump data (`98 B1 5A 77 …`) as bytes. */
export function parseData(data: string): Uint8Array {
  const out = new Uint8Array((data.length + 1) / 3);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(data.slice(i * 3, i * 3 + 2), 16);
  // A fill word tells no more than zeros: read as zeros (the heap's BAADF00D for memory not
  // written yet and FEEEFEEE for freed memory, -1 entries). Behind a count and a size, two of
  // them made a new leak alike A's runtime block (attack notes #195).
  for (let i = 0; i + 4 <= out.length; i += 4) {
    const w = (out[i]! | (out[i + 1]! << 8) | (out[i + 2]! << 16) | (out[i + 3]! << 24)) >>> 0;
    if (FILL_WORDS.has(w)) out.fill(0, i, i + 4);
  }
  return out;
}

/**
 * What dump data can tell of a block: nothing with fewer than INFORMATIVE bytes that are not
 * filler, or when three of its 4-byte words are one (a fill: `FF FF FF FF` thrice, page heap's
 * `C0 C0 C0 C0` behind a count, the heap's `0D F0 AD BA`; #184, #189); `text` when three
 * quarters of it are printable ANSI or UTF-16 characters (identifying at its own call only);
 * otherwise `binary`.
 */
export function evidenceOf(bytes: Uint8Array): Evidence {
  let informative = 0;
  let printable = 0;
  let wide = 0;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!;
    if (!FILLER.has(c)) informative++;
    if (c >= 0x20 && c < 0x7f) printable++;
    if (i % 2 === 1 && c === 0 && bytes[i - 1]! >= 0x20 && bytes[i - 1]! < 0x7f) wide++;
  }
  if (informative < INFORMATIVE) return 'none';
  const words = new Map<number, number>();
  let most = 0;
  for (let i = 0; i + 4 <= bytes.length; i += 4) {
    const w = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    const n = (words.get(w) ?? 0) + 1;
    words.set(w, n);
    most = Math.max(most, n);
  }
  if (bytes.length >= 8 && most * 4 >= 3 * Math.floor(bytes.length / 4) && most > 1) return 'none';
  return printable * 4 >= bytes.length * 3 || wide * 2 * 4 >= bytes.length * 3 ? 'text' : 'binary';
}

/**
 * How alike two blocks' dump data are, or -1 when not enough to call them one block: at least
 * INFORMATIVE equal bytes (not filler), and at least two thirds of the positions that hold
 * anything but equal filler. A runtime object across runs keeps its vtable and its fields,
 * its heap pointers move (`98 B1 5A 77 08 BC 13 00 …` and `… 58 BC 13 00 …`: 9 of 10); two
 * strings that start alike, or two zeroed structs with a count, are not one block (`C:\WINNT`
 * and `C:\work`: 3 of 8; `01 00 00 00 …` twice: 1 of 1).
 */
export function alike(a: Uint8Array, b: Uint8Array): number {
  let equal = 0;
  let telling = 0;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] === b[i]) {
      if (FILLER.has(a[i]!)) continue;
      equal++;
    }
    telling++;
  }
  return equal >= INFORMATIVE && equal * 3 >= telling * 2 ? equal : -1;
}
