// The one rule for addresses. A spy prints a pointer as `0x` and 1-16 hex digits in any
// case (32- and 64-bit builds, with or without leading zeros), and one block may be
// printed in several spellings. Two spellings are the same block when their values are
// equal; the value is the block's key in the live table. Up to 13 significant digits a
// double holds the value exactly (no string to build or hash per event); above that the
// key is the upper-case hex without leading zeros. The byte scanner (scan.ts) computes
// the same key from bytes; every other reader comes through here.
import type { BlockKey } from '../model/block.js';

/** Significant hex digits a double holds exactly (52-bit mantissa: 13 digits = 52 bits). */
export const EXACT_DIGITS = 13;
/** The longest address: a 64-bit pointer. */
export const MAX_DIGITS = 16;

/** A pointer as the log printed it, and the key that identifies its block. */
export interface Address {
  text: string;
  key: BlockKey;
}

/** The key of significant hex digits (no leading zeros; any case). */
export function keyOfDigits(digits: string): BlockKey {
  return digits.length <= EXACT_DIGITS ? parseInt(digits, 16) : digits.toUpperCase();
}

/** Hex digit classes by character code: 1 for 0-9 and A-F, 2 for a-f, 0 otherwise. */
const HEX_CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) HEX_CLASS[c] = 1;
for (let c = 65; c <= 70; c++) HEX_CLASS[c] = 1;
for (let c = 97; c <= 102; c++) HEX_CLASS[c] = 2;

export function isHexDigit(c: number): boolean {
  return c < 128 && HEX_CLASS[c] !== 0;
}

/** The address `0x<1-16 hex digits>` at s[i], with the index after its digits; null when there is none. */
export function readAddress(s: string, i: number): { address: Address; end: number } | null {
  if (i + 2 > s.length || s.charCodeAt(i) !== 48 || (s.charCodeAt(i + 1) | 32) !== 120) return null;
  const digits = i + 2;
  let j = digits;
  while (j < s.length && isHexDigit(s.charCodeAt(j))) j++;
  const count = j - digits;
  if (count < 1 || count > MAX_DIGITS) return null;
  let z = digits;
  while (z < j - 1 && s.charCodeAt(z) === 48) z++;
  return { address: { text: s.slice(i, j), key: keyOfDigits(s.slice(z, j)) }, end: j };
}

/** An address as a dialect printed it (`0x` optional), or null when it is not 1-16 hex digits. */
export function toAddress(text: string): Address | null {
  const digits = /^0x/i.test(text) ? text.slice(2) : text;
  if (digits.length < 1 || digits.length > MAX_DIGITS) return null;
  for (let i = 0; i < digits.length; i++) if (!isHexDigit(digits.charCodeAt(i))) return null;
  let z = 0;
  while (z < digits.length - 1 && digits.charCodeAt(z) === 48) z++;
  return { text, key: keyOfDigits(digits.slice(z)) };
}

/** True when an address is the null pointer (an allocation that failed; a realloc from or to NULL). */
export function isNull(a: Address): boolean {
  return a.key === 0;
}

// How an address is spelled, as a small code: a block keeps the code and its key instead of
// a string per allocation, and its text is made again only when a report lists it.

/** Spelling bits: the address's length (`0x` included, 3-18), the case of the x and of its letters. */
const X_UPPER = 1;
const LETTERS_UPPER = 2;
const LETTERS_LOWER = 4;

/**
 * The code of an address's spelling: `0x` or `0X`, then `length - 2` hex digits, with its
 * letters in one case. 0 when the text is spelled otherwise (no `0x`, mixed-case letters,
 * a key kept as text): the caller keeps the text itself.
 */
export function spell(text: string, key: BlockKey): number {
  if (typeof key === 'string' || text.length < 3 || text.length > 18 || text.charCodeAt(0) !== 48) return 0;
  const x = text.charCodeAt(1);
  if (x !== 120 && x !== 88) return 0;
  let bits = x === 88 ? X_UPPER : 0;
  for (let i = 2; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 70) bits |= LETTERS_UPPER;
    else if (c >= 97 && c <= 102) bits |= LETTERS_LOWER;
  }
  if ((bits & (LETTERS_UPPER | LETTERS_LOWER)) === (LETTERS_UPPER | LETTERS_LOWER)) return 0;
  return (text.length << 3) | bits;
}

/** The same code from what the byte scanner saw: its length, the case of its x and of its letters. */
export function spellFromScan(length: number, xUpper: boolean, upper: boolean, lower: boolean): number {
  if (upper && lower) return 0;
  return (length << 3) | (xUpper ? X_UPPER : 0) | (upper ? LETTERS_UPPER : 0) | (lower ? LETTERS_LOWER : 0);
}

/** The text a spelling code and a numeric key stand for. */
export function spelled(key: number, code: number): string {
  const length = code >> 3;
  let digits = key.toString(16);
  if (code & LETTERS_UPPER) digits = digits.toUpperCase();
  return (code & X_UPPER ? '0X' : '0x') + digits.padStart(length - 2, '0');
}
