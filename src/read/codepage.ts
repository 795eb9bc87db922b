// One line's bytes as text. Logs are UTF-8 (or ASCII), but a program's own output may be
// in the console's OEM code page or the system's ANSI code page (a German `Ä` as the
// single byte 0x8E or 0xC4; SPEC §2): such a line is text, not garbage. A line that is
// valid UTF-8 is decoded as UTF-8; otherwise every valid UTF-8 sequence is still read as
// UTF-8 and every byte that is not is read as Windows-1252 (the ANSI code page of the
// Western systems the captures come from; an OEM byte then shows as its ANSI
// neighbour, still readable). Only control bytes make a line unreadable (program.ts).
//
// UTF-16 input with a lone surrogate (a broken string, or a capture cut inside a pair)
// arrives here as WTF-8 (decode.ts): ED A0-BF 80-BF is read back as that lone surrogate, so
// it shows as it was instead of as three Windows-1252 characters.
import { isUtf8 } from 'node:buffer';

/** Windows-1252 for 0x80-0x9F (the rest is Latin-1); 0 where the code page has no character (read as the byte's C1 code point). */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019, 0x201c, 0x201d,
  0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/**
 * A line of UTF-16LE text inside a UTF-8 file, or null. Windows PowerShell 5.1's `>>`
 * appends UTF-16LE to a file whatever the file holds (cmd's `>` of one run, then
 * PowerShell's `>>` of the next): split at each LF's first byte, such a line is `00` (the
 * second byte of the LF before it), a BOM where the appended part began, the text with
 * every other byte zero, and `0D 00` (its CR). Read as UTF-8 it was control bytes, an
 * unreadable line, and the appended run vanished (attack notes #91). Taken as UTF-16 only
 * when most of it is ASCII in UTF-16 (what the whole-file sniffing asks, decode.ts), so NUL
 * garbage stays unreadable.
 */
export function utf16Line(b: Buffer, start: number, end: number): string | null {
  let s = start;
  if ((end - s) % 2 === 1 && b[s] === 0) s++;
  if (b[s] === 0xff && b[s + 1] === 0xfe) s += 2;
  if ((end - s) % 2 === 1) return null;
  let e = end;
  while (e - s >= 2 && b[e - 2] === 0x0d && b[e - 1] === 0) e -= 2;
  if (e === s) return e < end ? '' : null; // an empty line, `0D 00` only
  let ascii = 0;
  for (let i = s; i < e; i += 2) if (b[i + 1] === 0 && b[i]! >= 0x20 && b[i]! < 0x7f) ascii++;
  return ascii * 4 >= ((e - s) / 2) * 3 ? b.toString('utf16le', s, e) : null;
}

/** The text of b[start, end). */
export function decodeLine(b: Buffer, start: number, end: number): string {
  if (start === end) return '';
  if (isUtf8(b.subarray(start, end))) return b.toString('utf8', start, end);
  return decodeMixed(b, start, end);
}

function decodeMixed(b: Buffer, start: number, end: number): string {
  let out = '';
  let i = start;
  while (i < end) {
    const c = b[i]!;
    if (c < 0x80) {
      out += String.fromCharCode(c);
      i++;
      continue;
    }
    const n = sequenceLength(b, i, end);
    if (n > 0) {
      out += b.toString('utf8', i, i + n);
      i += n;
    } else if (n < 0) {
      // WTF-8 lone surrogate (ED A0-BF 80-BF): the UTF-16 code unit it stands for.
      out += String.fromCharCode(0xd000 | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f));
      i += 3;
    } else {
      // The five bytes Windows-1252 leaves undefined are their C1 code points, as Windows reads them:
      // text, not garbage (code page 850's `ü` is 0x81: `Prüfung` was an unreadable line; attack notes #138).
      out += c >= 0xa0 ? String.fromCharCode(c) : String.fromCharCode(CP1252_HIGH[c - 0x80] || c);
      i++;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence at b[i] (2-4), -1 for a WTF-8 lone surrogate, 0 when it is not one. */
function sequenceLength(b: Buffer, i: number, end: number): number {
  const c = b[i]!;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < end && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if (c === 0xed) {
    if (cont(1, 0x80, 0x9f) && cont(2)) return 3;
    return cont(1, 0xa0, 0xbf) && cont(2) ? -1 : 0;
  }
  if (c >= 0xe1 && c <= 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

/**
 * About how many characters (UTF-16 code units, as a string's length counts them) bytes
 * b[start, end) hold, without decoding them: every byte that does not continue a UTF-8
 * sequence starts a character, and a 4-byte sequence is two code units. For counting what
 * an overlong line drops (only said in its anomaly's message).
 */
export function approximateLength(b: Buffer, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if ((c & 0xc0) !== 0x80) n += c >= 0xf0 ? 2 : 1;
  }
  return n;
}

/** Text as WTF-8: UTF-8, except that a lone surrogate keeps its own 3-byte sequence (UTF-8 would make it U+FFFD). */
export function toWtf8(text: string): Buffer {
  const out = Buffer.allocUnsafe(text.length * 3);
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[o++] = c;
    else if (c < 0x800) {
      out[o++] = 0xc0 | (c >> 6);
      out[o++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[o++] = 0xe0 | (c >> 12);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    } else {
      out[o++] = 0xf0 | (c >> 18);
      out[o++] = 0x80 | ((c >> 12) & 0x3f);
      out[o++] = 0x80 | ((c >> 6) & 0x3f);
      out[o++] = 0x80 | (c & 0x3f);
    }
  }
  return out.subarray(0, o);
}
