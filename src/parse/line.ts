// The pure line → event classifier of MallocSpyTest's wording (SPEC §2), for lines that
// arrive as text. Spy lines are read with character tests, not regexes; alloc and free
// lines with the byte scanner's grammar (scan.ts), so the two paths cannot disagree.
// Anything that starts like a spy line but does not parse is `malformed`: an event,
// never an exception.
import type { LineEvent, Marker } from './events.js';
import type { ParseContext } from './options.js';
import { readAddress, isHexDigit, type Address } from './address.js';
import { isBinary, parseHresult, programLine } from './program.js';
import { SCAN_ALLOC, SCAN_FREE, type SpyScanner } from './scan.js';

const BLANK: LineEvent = { type: 'blank' };
const DUMP_START: LineEvent = { type: 'dump-start' };

/** One line (without its line end) as an event; `scanner` reads alloc and free lines. */
export function classifyLine(line: string, ctx: ParseContext, scanner: SpyScanner): LineEvent {
  if (line.length === 0) return BLANK;
  const c0 = line.charCodeAt(0);
  if (c0 === ctx.spyFirst && line.startsWith(ctx.markers.spyPrefix)) return classifySpy(line, ctx, scanner);
  if (c0 === 48 /* 0 */ && line.charCodeAt(1) === 120 /* x */) {
    const entry = parseDumpEntry(line);
    if (entry) return entry;
  }
  return classifyOther(line, ctx);
}

function classifySpy(line: string, ctx: ParseContext, scanner: SpyScanner): LineEvent {
  const kind = scanner.text(line);
  if (kind === SCAN_ALLOC) return { type: 'alloc', address: scanned(scanner), size: scanner.n };
  if (kind === SCAN_FREE) return { type: 'free', address: scanned(scanner), remaining: scanner.n };
  const end = trimEnd(line);
  const i = ctx.markers.spyPrefix.length;
  if (line.charCodeAt(i) === 48 /* 0 */) {
    const from = readAddress(line, i);
    // Alloc and free lines were settled by the scanner above; what is left is a realloc.
    if (from && line.startsWith(' - reallocated to ', from.end)) {
      const to = readAddress(line, from.end + 18);
      if (to && line.startsWith(', ', to.end)) {
        const n = readDecimal(line, to.end + 2);
        if (n.value >= 0 && line.startsWith(' bytes', n.end) && n.end + 6 === end) {
          return { type: 'realloc', from: from.address, to: to.address, size: n.value };
        }
      }
    }
  } else if (line.startsWith('allocation of ', i)) {
    const n = readDecimal(line, i + 14);
    if (n.value >= 0 && line.startsWith(' bytes failed', n.end) && n.end + 13 === end) return { type: 'alloc-failed', size: n.value };
  } else if (end === line.length ? line === ctx.markers.dumpStart : line.slice(0, end) === ctx.markers.dumpStart) {
    return DUMP_START;
  }
  return { type: 'malformed', text: line, reason: 'starts like a spy line but does not parse' };
}

function scanned(scanner: SpyScanner): Address {
  return { text: scanner.address(), key: scanner.key };
}

/** `0x<ptr> - <n> bytes: <hex bytes> <ascii>`: one live block in the dump. */
function parseDumpEntry(line: string): LineEvent | null {
  const at = readAddress(line, 0);
  if (!at || !line.startsWith(' - ', at.end)) return null;
  const n = readDecimal(line, at.end + 3);
  if (n.value < 0 || !line.startsWith(' bytes:', n.end)) return null;
  return { type: 'dump-entry', address: at.address, size: n.value, data: dumpBytes(line, n.end + 7, Math.min(16, n.value)) };
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
    if (i + 2 > line.length || !isHexDigit(line.charCodeAt(i)) || !isHexDigit(line.charCodeAt(i + 1))) break;
    const next = line.charCodeAt(i + 2);
    if (i + 2 < line.length && next !== 32) break; // e.g. ascii text starting with two hex letters
    out += (count ? ' ' : '') + line.slice(i, i + 2).toUpperCase();
    count++;
    i += 2;
  }
  return out;
}

function classifyOther(line: string, ctx: ParseContext): LineEvent {
  if (isBinary(line)) return { type: 'unreadable', text: line };
  const text = line.trim();
  if (text.length === 0) return BLANK;
  // A spy line or dump entry cut short (a 4096-byte buffer boundary, often glued to the next
  // run's first line) is a broken spy event: taken as program output it would settle the
  // pending frees as ordinary ones.
  const cut = cutSpyLine(line, ctx.markers.spyPrefix);
  if (cut) return { type: 'malformed', text: line, reason: cut };
  const damaged = dumpEntryAddress(line);
  if (damaged) return { type: 'malformed-dump-entry', text: line, reason: 'starts like a dump entry but does not parse', address: damaged };
  const m = ctx.markers;
  let marker: Marker | null = null;
  let hresult: number | null = null;
  let prefix: string | undefined;
  if (m.coUninitialize.includes(text)) marker = 'couninitialize';
  else if ((prefix = m.revoke.find((p) => text.startsWith(p))) !== undefined) {
    marker = 'revoke';
    hresult = parseHresult(text.slice(prefix.length));
  } else if ((prefix = m.register.find((p) => text.startsWith(p))) !== undefined) {
    marker = 'register';
    hresult = parseHresult(text.slice(prefix.length));
  }
  return programLine(text, marker, hresult);
}

/**
 * The address of a line shaped `0x<hex> - <digit>...`: a dump entry, however garbled after
 * that (a 16-digit size, a missing colon); null for any other line. A program line
 * practically never starts so; taken as one it would move the program's last line into the dump.
 */
function dumpEntryAddress(line: string): Address | null {
  const at = readAddress(line, 0);
  if (!at || !line.startsWith(' - ', at.end)) return null;
  const c = line.charCodeAt(at.end + 3);
  return c >= 48 && c <= 57 ? at.address : null;
}

const SPY_FRAGMENT = 6;

/** Why a line looks like the start of a spy line or dump entry that was cut, or null. */
function cutSpyLine(line: string, prefix: string): string | null {
  let common = 0;
  while (common < line.length && common < prefix.length && line.charCodeAt(common) === prefix.charCodeAt(common)) common++;
  if (common === line.length && common >= 3) return 'a spy line cut short';
  if (common >= Math.min(SPY_FRAGMENT, prefix.length - 1) && common < prefix.length) return 'a spy line cut short, run into the next line';
  if (line.charCodeAt(0) === 48 && (line.charCodeAt(1) | 32) === 120 && isDumpEntryHead(line)) return 'a dump entry cut short';
  return null;
}

/**
 * `0x[<hex>][ [-[ [<digits>][ [b[y[t[e[s]]]]]]]]]`: the start of a dump entry, cut before its
 * `bytes:`. Character tests, not a regex: this runs on program lines of any length.
 */
function isDumpEntryHead(line: string): boolean {
  const at = readAddress(line, 0);
  let i = at ? at.end : 2;
  if (!at && line.length !== 2) return false;
  const end = line.length;
  if (i === end) return true;
  if (line.charCodeAt(i) !== 32) return false; // ' '
  if (++i === end) return true;
  if (line.charCodeAt(i) !== 45) return false; // '-'
  if (++i === end) return true;
  if (line.charCodeAt(i) !== 32) return false; // ' '
  i++;
  while (i < end && line.charCodeAt(i) >= 48 && line.charCodeAt(i) <= 57) i++;
  if (i === end) return true;
  if (line.charCodeAt(i) !== 32) return false;
  const word = line.slice(i + 1);
  return 'bytes'.startsWith(word);
}

/** A decimal of 1-15 digits at s[i]: its value (-1 when there is none) and the index after it. */
function readDecimal(s: string, i: number): { value: number; end: number } {
  let n = 0;
  const start = i;
  for (let c = s.charCodeAt(i); i < s.length && c >= 48 && c <= 57; c = s.charCodeAt(++i)) n = n * 10 + (c - 48);
  return { value: i > start && i - start <= 15 ? n : -1, end: i };
}

function trimEnd(s: string): number {
  let end = s.length;
  while (end > 0 && (s.charCodeAt(end - 1) === 32 || s.charCodeAt(end - 1) === 9)) end--;
  return end;
}
