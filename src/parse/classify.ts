// The pure line → event classifier. Spy lines are parsed with character tests, not
// regexes: they are almost every line of a big log. Program lines (rare) may use
// regexes. Anything that starts like a spy line but does not parse is `malformed`.
import type { Address, LineEvent, Marker } from './events.js';
import { compileLiteral, type Literal, type ParseContext } from './options.js';
import type { BlockKey } from '../model.js';

const BLANK: LineEvent = { type: 'blank' };
const DUMP_START: LineEvent = { type: 'dump-start' };

/** Control characters (bar TAB), DEL and U+FFFD (an undecodable byte): not text. */
const BINARY = /[\x00-\x08\x0B-\x1F\x7F\uFFFD]/;
/** The article's own elisions: `more allocations...`, `more leaks...`, `...`. */
const ELISION = /^(?:more\b.*|)(?:\.\.\.|\u2026)$/i;
/** `<Name>(args) returns <value>`: the call a program line reports. */
const CALL = /^([A-Za-z_~][\w:~<>]*)\s*\(.*?\)\s+returns\b/;
const HRESULT = /^\s*(?:0x)?([0-9A-Fa-f]{1,8})\b/;

export function classifyLine(line: string, ctx: ParseContext): LineEvent {
  if (line.length === 0) return BLANK;
  const c0 = line.charCodeAt(0);
  if (c0 === ctx.spyFirst && line.startsWith(ctx.markers.spyPrefix)) return classifySpy(line, ctx);
  if (c0 === 48 /* 0 */ && line.charCodeAt(1) === 120 /* x */) {
    const entry = parseDumpEntry(line);
    if (entry) return entry;
  }
  return classifyOther(line, ctx);
}

/** The table key of an event's address key (upper-case hex without leading zeros). */
export function blockKey(key: string): BlockKey {
  return key.length <= 13 ? parseInt(key, 16) : key;
}

/** What the last accepted scan found: read right after the call (module-level, no allocation). */
export const scanned = { key: 0 as BlockKey, from: 0, to: 0, n: 0, bytes: Buffer.alloc(0) as Buffer, contentEnd: 0, lineEnd: 0, letters: 0 };
export const SCAN_OTHER = 0;
export const SCAN_ALLOC = 1;
export const SCAN_FREE = 2;

const BYTES_ALLOCATED = compileLiteral(' bytes allocated');
const FREED_REALLOC = compileLiteral(' (realloc to 0 bytes)');
const BLOCKS_REMAINING = compileLiteral(' blocks remaining');
const BLOCK_REMAINING = compileLiteral(' block remaining');
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

/**
 * The hot path: does an alloc or free spy line start at b[start]? Reads no further than
 * `end` and stops at the end of the line's fixed words, which it leaves in `pos`; the
 * callers check what follows (`scanAllocFree` for a whole line, `scanLineAt` for a line
 * in a chunk). Fills `scanned` (the address as a table key, its text as bytes [from, to),
 * size or remaining) and allocates nothing for an address of up to 13 hex digits.
 * Bytes, not a decoded string: a big log is read without decoding its spy lines at all,
 * and a byte test costs less than a charCodeAt. A LF byte never matches, so the scan
 * never runs past its line.
 */
function scanHead(b: Buffer, start: number, end: number, ctx: ParseContext): number {
  const prefix = ctx.prefix;
  let i = start + prefix.length;
  if (i + 2 >= end || b[i] !== 48 /* 0 */ || (b[i + 1]! | 32) !== 120 /* x */) return SCAN_OTHER;
  if (b !== viewed) {
    viewed = b;
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  if (!at(b, start, end, prefix)) return SCAN_OTHER;
  const from = i;
  i += 2;
  while (i < end && b[i] === 48) i++;
  const significant = i;
  let value = 0;
  let letters = 0; // UPPER | LOWER: the cases of the address's letters
  for (let d = 0; i < end && (d = HEX_VALUE[b[i]!]!) < NOT_HEX; i++) {
    value = value * 16 + (d & 15);
    letters |= d;
  }
  const digits = i - from - 2;
  if (digits < 1 || digits > 16) return SCAN_OTHER;
  const to = i;
  if (i + 3 > end || b[i] !== 32 || b[i + 1] !== 45 || b[i + 2] !== 32) return SCAN_OTHER; // ' - '
  i += 3;
  const c = i < end ? b[i]! : -1;
  let kind = SCAN_OTHER;
  let n = -1;
  if (c >= 48 && c <= 57) {
    // `<n> bytes allocated`
    n = readDecimalBytes(b, i, end);
    if (n >= 0 && at(b, pos, end, BYTES_ALLOCATED)) {
      pos += BYTES_ALLOCATED.length;
      kind = SCAN_ALLOC;
    }
  } else if (c === 102 /* f */ && i + 5 <= end && b[i + 1] === 114 && b[i + 2] === 101 && b[i + 3] === 101 && b[i + 4] === 100) {
    // `freed, <k> blocks remaining` or `freed (realloc to 0 bytes), <k> blocks remaining`
    i += 5;
    if (at(b, i, end, FREED_REALLOC)) i += FREED_REALLOC.length;
    if (i + 2 <= end && b[i] === 44 && b[i + 1] === 32) {
      n = readDecimalBytes(b, i + 2, end);
      if (n >= 0 && at(b, pos, end, BLOCKS_REMAINING)) {
        pos += BLOCKS_REMAINING.length;
        kind = SCAN_FREE;
      } else if (n >= 0 && at(b, pos, end, BLOCK_REMAINING)) {
        pos += BLOCK_REMAINING.length;
        kind = SCAN_FREE;
      }
    }
  }
  if (kind !== SCAN_OTHER) {
    // Up to 13 significant digits the value is exact; a longer address keys by its text.
    scanned.key = to - significant <= 13 ? value : b.toString('latin1', significant, to).toUpperCase();
    scanned.from = from;
    scanned.to = to;
    scanned.n = n;
    scanned.bytes = b;
    scanned.letters = letters & (UPPER | LOWER);
  }
  return kind;
}

/** Is the whole line b[start, end) (no line end) an alloc or a free? Trailing blanks are allowed. */
function scanAllocFree(b: Buffer, start: number, end: number, ctx: ParseContext): number {
  const kind = scanHead(b, start, end, ctx);
  return kind !== SCAN_OTHER && blankTo(b, pos, end) ? kind : SCAN_OTHER;
}

/**
 * The line splitter's hot path: is the line starting at b[start], in a chunk of `len`
 * bytes, an alloc or a free whose line end (LF or CRLF) is in the chunk? Finds the line
 * end itself, so such a line is read once, not searched for its end and then scanned.
 * Sets `scanned.contentEnd` (the line without CR and LF) and `scanned.lineEnd` (its LF).
 */
export function scanLineAt(b: Buffer, start: number, len: number, ctx: ParseContext): number {
  const kind = scanHead(b, start, len, ctx);
  if (kind === SCAN_OTHER) return SCAN_OTHER;
  let i = pos;
  while (i < len && (b[i] === 32 || b[i] === 9)) i++;
  const contentEnd = i < len && b[i] === 13 ? i : -1;
  if (contentEnd !== -1) i++;
  if (i >= len || b[i] !== 10) return SCAN_OTHER;
  scanned.contentEnd = contentEnd === -1 ? i : contentEnd;
  scanned.lineEnd = i;
  return kind;
}

/** A line's text for `scanAllocFree`: encoded into a reused buffer (lines here are rare). */
let scratch = Buffer.alloc(4096);

/** `scanAllocFree` for a line that arrives as text (held, cut, or from a capture's message). */
export function scanText(s: string, ctx: ParseContext): number {
  if (s.length === 0 || s.charCodeAt(0) !== ctx.spyFirst) return SCAN_OTHER;
  if (s.length * 3 > scratch.length) scratch = Buffer.alloc(Math.max(scratch.length * 2, s.length * 3));
  return scanAllocFree(scratch, 0, scratch.write(s, 0, 'utf8'), ctx);
}

/**
 * The address text of the last line `scanHead` accepted (ASCII by construction). A loop
 * allocates the same few addresses over and over, so texts are kept in a small cache by
 * address value: one string per address instead of one per allocation, less for the
 * garbage collector to copy and promote. A cached text is this line's spelling when the
 * value, the width and the case of the `x` and of the letters all match (mixed-case
 * digits are never cached), which needs no character compare. Otherwise the usual 32-
 * and 64-bit widths are built in JavaScript (~30 ns, where `toString('latin1', …)`
 * crosses into C++ for ~90 ns).
 */
export function scannedAddress(): string {
  const b = scanned.bytes;
  const i = scanned.from;
  const n = scanned.to - i;
  const key = scanned.key;
  const letters = scanned.letters;
  const slot = typeof key === 'number' && letters !== (UPPER | LOWER) ? key & (TEXT_CACHE - 1) : -1;
  const spelling = n * 256 + letters + (b[i + 1] === 88 /* X */ ? 128 : 0);
  if (slot >= 0 && cachedValue[slot] === key && cachedSpelling[slot] === spelling) return cachedText[slot]!;
  let text: string;
  if (n === 10) {
    // 0x + 8 digits
    text = String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!, b[i + 8]!, b[i + 9]!);
  } else if (n === 18) {
    // 0x + 16 digits
    text = String.fromCharCode(
      b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!, b[i + 8]!,
      b[i + 9]!, b[i + 10]!, b[i + 11]!, b[i + 12]!, b[i + 13]!, b[i + 14]!, b[i + 15]!, b[i + 16]!, b[i + 17]!,
    );
  } else {
    text = b.toString('latin1', i, scanned.to);
  }
  if (slot >= 0) {
    cachedValue[slot] = key as number;
    cachedSpelling[slot] = spelling;
    cachedText[slot] = text;
  }
  return text;
}

const TEXT_CACHE = 1024;
/** Per slot: the address value, its spelling (length * 256 + the case of the x and of the letters; 0: empty) and its text. */
const cachedValue = new Float64Array(TEXT_CACHE);
const cachedSpelling = new Uint16Array(TEXT_CACHE);
const cachedText: string[] = new Array<string>(TEXT_CACHE).fill('');

/** The buffer `scanHead` reads, and a DataView on it (made once per buffer, not per line). */
let viewed: Buffer | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(0));

/** Whether b[i, i + lit.length) is the literal (within `end`); `view` must be on `b`. */
function at(b: Buffer, i: number, end: number, lit: Literal): boolean {
  if (i + lit.length > end) return false;
  // Four bytes per compare: ~10 ns for a 12-byte prefix where a byte loop took ~25 ns.
  const words = lit.words;
  let k = 0;
  for (let w = 0; w < words.length; w++, k += 4) if (view.getUint32(i + k, true) !== words[w]) return false;
  for (; k < lit.length; k++) if (b[i + k] !== lit.bytes[k]) return false;
  return true;
}

/** Only blanks (space, tab) from i to end: what trimming the line would drop. */
function blankTo(b: Buffer, i: number, end: number): boolean {
  for (; i < end; i++) if (b[i] !== 32 && b[i] !== 9) return false;
  return true;
}

function classifySpy(line: string, ctx: ParseContext): LineEvent {
  const kind = scanText(line, ctx);
  if (kind === SCAN_ALLOC) return { type: 'alloc', address: scannedEventAddress(), size: scanned.n };
  if (kind === SCAN_FREE) return { type: 'free', address: scannedEventAddress(), remaining: scanned.n };
  const end = trimEnd(line);
  let i = ctx.markers.spyPrefix.length;
  if (line.charCodeAt(i) === 48 /* 0 */) {
    const address = readAddress(line, i);
    if (address) {
      i = address.end;
      // Alloc and free lines were settled by scanText above; what is left is a realloc.
      if (line.startsWith(' - reallocated to ', i)) {
        const to = readAddress(line, i + 18);
        if (to && line.startsWith(', ', to.end)) {
          const n = readDecimal(line, to.end + 2);
          if (n >= 0 && line.startsWith(' bytes', pos) && pos + 6 === end) {
            return { type: 'realloc', from: address.addr, to: to.addr, size: n };
          }
        }
      }
    }
  } else if (line.startsWith('allocation of ', i)) {
    const n = readDecimal(line, i + 14);
    if (n >= 0 && line.startsWith(' bytes failed', pos) && pos + 13 === end) return { type: 'alloc-failed', size: n };
  } else if (end === line.length ? line === ctx.markers.dumpStart : line.slice(0, end) === ctx.markers.dumpStart) {
    return DUMP_START;
  }
  return { type: 'malformed', text: line, reason: 'starts like a spy line but does not parse' };
}

/** The event form of the scanned address: its text, and its key as text. */
function scannedEventAddress(): Address {
  const text = scannedAddress();
  const key = scanned.key;
  return { text, key: typeof key === 'string' ? key : key.toString(16).toUpperCase() };
}

/** `0x<ptr> - <n> bytes: <hex bytes> <ascii>`: one live block in the dump. */
function parseDumpEntry(line: string): LineEvent | null {
  const address = readAddress(line, 0);
  if (!address || !line.startsWith(' - ', address.end)) return null;
  const n = readDecimal(line, address.end + 3);
  if (n < 0 || !line.startsWith(' bytes:', pos)) return null;
  return { type: 'dump-entry', address: address.addr, size: n, data: dumpBytes(line, pos + 7, Math.min(16, n)) };
}

/**
 * The hex bytes of a dump entry, normalised to `XX XX ...` (the ascii column is
 * derived from them, so it is not kept). Stops at the first token that is not a
 * two-digit hex byte: the ascii column, or the end of a cut line.
 */
function dumpBytes(line: string, from: number, max: number): string {
  let i = from;
  let out = '';
  let count = 0;
  while (count < max) {
    while (line.charCodeAt(i) === 32) i++;
    if (i + 2 > line.length || !isHex(line.charCodeAt(i)) || !isHex(line.charCodeAt(i + 1))) break;
    const next = line.charCodeAt(i + 2);
    if (i + 2 < line.length && next !== 32) break; // e.g. ascii text starting with two hex letters
    out += (count ? ' ' : '') + line.slice(i, i + 2).toUpperCase();
    count++;
    i += 2;
  }
  return out;
}

function classifyOther(line: string, ctx: ParseContext): LineEvent {
  if (BINARY.test(line)) return { type: 'unreadable', text: line };
  const text = line.trim();
  if (text.length === 0) return BLANK;
  // A spy line or dump entry cut short (a 4096-byte buffer boundary, often glued to the next
  // run's first line) is a broken spy event: taken as program output it would settle the
  // pending frees as ordinary ones.
  const cut = cutSpyLine(line, ctx.markers.spyPrefix);
  if (cut) return { type: 'malformed', text: line, reason: cut };
  if (ELISION.test(text)) return { type: 'elision', text };
  const m = ctx.markers;
  let marker: Marker | null = null;
  let hresult: number | null = null;
  if (text === m.coUninitialize) marker = 'couninitialize';
  else if (text.startsWith(m.revoke)) {
    marker = 'revoke';
    hresult = parseHresult(text.slice(m.revoke.length));
  } else if (text.startsWith(m.register)) {
    marker = 'register';
    hresult = parseHresult(text.slice(m.register.length));
  }
  const call = CALL.exec(text);
  return { type: 'program', text, call: call ? call[1]! : null, marker, hresult };
}

const SPY_FRAGMENT = 6;
/** What may follow the address in a dump entry cut before its `bytes:` (` - 44 by`). */
const DUMP_ENTRY_HEAD_PREFIX = /^(?: -?| - \d*(?: (?:b(?:y(?:t(?:es?)?)?)?)?)?)?$/;

/** Why a line looks like the start of a spy line or dump entry that was cut, or null. */
function cutSpyLine(line: string, prefix: string): string | null {
  let common = 0;
  while (common < line.length && common < prefix.length && line.charCodeAt(common) === prefix.charCodeAt(common)) common++;
  if (common === line.length && common >= 3) return 'a spy line cut short';
  if (common >= Math.min(SPY_FRAGMENT, prefix.length - 1) && common < prefix.length) return 'a spy line cut short, run into the next line';
  if (line.charCodeAt(0) === 48 && (line.charCodeAt(1) | 32) === 120) {
    // `0x<hex>[ - [<n>[ bytes]]]`: a prefix of a dump entry
    const address = readAddress(line, 0);
    const rest = address ? line.slice(address.end) : line.length === 2 ? '' : null;
    if (rest !== null && DUMP_ENTRY_HEAD_PREFIX.test(rest)) {
      return 'a dump entry cut short';
    }
  }
  return null;
}

function parseHresult(rest: string): number | null {
  const h = HRESULT.exec(rest);
  return h ? parseInt(h[1]!, 16) >>> 0 : null;
}

// --- character-level readers. `pos` is where the last reader stopped: a module-level
// cursor, so the hot path allocates no result objects for numbers.
let pos = 0;

function readDecimalBytes(b: Buffer, i: number, end: number): number {
  let n = 0;
  const start = i;
  for (let c = b[i]!; i < end && c >= 48 && c <= 57; c = b[++i]!) n = n * 10 + (c - 48);
  pos = i;
  return i > start && i - start <= 15 ? n : -1;
}

function readDecimal(s: string, i: number, end = s.length): number {
  let n = 0;
  const start = i;
  for (let c = s.charCodeAt(i); i < end && c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  pos = i;
  return i > start && i - start <= 15 ? n : -1;
}

/** Hex digit classes by character code: 1 for 0-9 and A-F, 2 for a-f, 0 otherwise. */
const HEX_CLASS = new Uint8Array(128);
for (let c = 48; c <= 57; c++) HEX_CLASS[c] = 1;
for (let c = 65; c <= 70; c++) HEX_CLASS[c] = 1;
for (let c = 97; c <= 102; c++) HEX_CLASS[c] = 2;

/** The key of the address at `i` (or null); `pos` is left after its digits. */
function readAddressKey(s: string, i: number, end: number): string | null {
  if (i + 2 > end || s.charCodeAt(i) !== 48 || (s.charCodeAt(i + 1) | 32) !== 120) return null;
  const digits = i + 2;
  let j = digits;
  let lower = false;
  for (let c = s.charCodeAt(j); j < end && c < 128 && HEX_CLASS[c] !== 0; c = s.charCodeAt(++j)) if (HEX_CLASS[c] === 2) lower = true;
  const count = j - digits;
  if (count < 1 || count > 16) return null;
  pos = j;
  let z = digits;
  while (z < j - 1 && s.charCodeAt(z) === 48) z++;
  return lower ? s.slice(z, j).toUpperCase() : s.slice(z, j);
}

/** The address at `i` with its printed text, for the paths that keep it (`pos` moves too). */
function readAddress(s: string, i: number): { addr: Address; end: number } | null {
  const key = readAddressKey(s, i, s.length);
  return key === null ? null : { addr: { text: s.slice(i, pos), key }, end: pos };
}

function isHex(c: number): boolean {
  return c < 128 && HEX_CLASS[c] !== 0;
}

function trimEnd(s: string, start = 0, to = s.length): number {
  let end = to;
  while (end > start && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return end;
}

/** True when an address is the null pointer (a realloc from or to NULL). */
export function isNull(a: Address): boolean {
  return a.key === '0';
}
