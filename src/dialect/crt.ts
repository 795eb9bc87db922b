// The MSVC CRT debug heap's leak dump (`_CrtDumpMemoryLeaks`, or `_CRTDBG_LEAK_CHECK_DF` at
// exit), as it appears in the debugger output or a DebugView capture:
//
//   Detected memory leaks!
//   Dumping objects ->
//   c:\src\app.cpp(42) : {813} normal block at 0x00C08E80, 16 bytes long.
//    Data: <                > 07 00 00 00 CD CD CD CD CD CD CD CD CD CD CD CD
//   Object dump complete.
//
// A dump-only log: no allocation or free lines, every block is first seen in the dump, and
// a second dump after a finished one starts a new run. Each entry's `Data:` line follows it,
// so the reader holds the entry until the next line. `_CrtMemDumpAllObjectsSince` (the
// checkpoint idiom) prints `Dumping objects ->` without the header: that starts a dump too.
// The CRT writes an entry with several report calls (`file(line) : `, `{813} `, the rest);
// DebugView with Force Carriage Returns shows each on a line of its own: the pieces are joined.
import type { LineEvent } from '../parse/events.js';
import { normalizeHex, type Dialect, type DialectReader, type Emit } from './dialect.js';
import { toAddress } from '../parse/address.js';
import { programLine } from '../parse/program.js';

// Every test runs on the trimmed line and reads it once: these run on every line of any
// log during dialect detection, so none may backtrack (a regex starting with `^\s*(.*?) : `
// took quadratic time on a line of blanks).
const DUMP_START = 'Detected memory leaks!';
const DUMPING = 'Dumping objects ->';
/** What follows the optional `file(line) : ` of an entry; no two quantified parts can match the same text. */
const ENTRY = /^\{(\d{1,10})\} (\w{1,40}) block at (0x[0-9A-Fa-f]{1,16}|[0-9A-Fa-f]{8,16}), (?:subtype [0-9A-Fa-f]{1,8}, )?(\d{1,15}) bytes long\.$/;
/** Characters kept of an entry's `file(line)`: it names the block's context. */
const WHERE_LENGTH = 80;

interface Entry {
  where: string;
  number: string;
  kind: string;
  address: string;
  size: number;
}

/** `[file(line) : ]{813} normal block at 0x00C08E80, 16 bytes long.`, or null. */
function readEntry(text: string): Entry | null {
  const t = text.trim();
  let where = '';
  let rest = t;
  if (t.charCodeAt(0) !== 123 /* { */) {
    const at = t.indexOf(' : {');
    if (at <= 0) return null;
    where = t.slice(0, Math.min(at, WHERE_LENGTH));
    rest = t.slice(at + 3);
  }
  const m = ENTRY.exec(rest);
  return m ? { where, number: m[1]!, kind: m[2]!, address: m[3]!, size: Number(m[4]) } : null;
}

/**
 * ` Data: <ascii> XX XX ...`: the hex bytes at its end (the ascii column may hold `>` or hex
 * digits, so they are read from the end back), or null when the line is no Data line.
 */
function readData(text: string): string | null {
  const t = text.trim();
  if (!t.startsWith('Data: <')) return null;
  let i = t.length;
  let pairs = 0;
  // Back over `XX` pairs separated by single spaces, up to the `> ` that ends the ascii column.
  while (i >= 2 && isHex(t.charCodeAt(i - 1)) && isHex(t.charCodeAt(i - 2))) {
    pairs++;
    i -= 2;
    if (t.charCodeAt(i - 1) !== 32) break;
    i--;
    if (t.charCodeAt(i - 1) === 62 /* > */) break;
  }
  if (pairs === 0 || t.charCodeAt(i - 1) !== 62 || i - 1 < 'Data: <'.length - 1) return null;
  return t.slice(i);
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
}

interface Held {
  event: Extract<LineEvent, { type: 'dump-entry' }>;
  line: number;
}

/** The first pieces of an entry the CRT writes with separate report calls: `file(line) :` and `{813}`. */
const WHERE_PIECE = /\(\d{1,10}\) :$/;
const NUMBER_PIECE = /^\{\d{1,10}\}$/;

function isWherePiece(trimmed: string): boolean {
  return trimmed.length <= WHERE_LENGTH * 4 && trimmed.endsWith(') :') && WHERE_PIECE.test(trimmed);
}

export const crtDialect: Dialect = {
  name: 'crt',
  dumpOnly: true,
  reader: () => new CrtReader(),
  recognizes: (line) => line.trim() === DUMP_START || readEntry(line) !== null,
  isRunStart: (e) => e.type === 'dump-start',
  coUninitializeMarkers: ['Detected memory leaks!'],
};

class CrtReader implements DialectReader {
  private held: Held | null = null;
  /** Pieces of an entry written by separate report calls, waiting for its `block at` line (at most two). */
  private pieces: { text: string; line: number }[] = [];
  /** A header (`Detected memory leaks!`) was read, and its `Dumping objects ->` not yet: that line starts nothing new. */
  private afterHeader = false;

  line(text: string, lineNo: number, emit: Emit): void {
    const trimmed = text.trim();
    if (this.pieces.length > 0) {
      const joined = this.pieces.map((p) => p.text.trim()).join(' ') + ' ' + trimmed;
      if (readEntry(joined) !== null) {
        // The entry is read on its last piece's line (lines are given in order; it waits there for its Data line).
        for (const p of this.pieces) emit({ type: 'blank' }, p.line);
        this.pieces = [];
        this.read(joined, lineNo, emit);
        return;
      }
      if (NUMBER_PIECE.test(trimmed) && this.pieces.length === 1 && isWherePiece(this.pieces[0]!.text.trim())) {
        this.pieces.push({ text, line: lineNo });
        return;
      }
      for (const p of this.pieces) emit(programLine(p.text), p.line);
      this.pieces = [];
    }
    if (isWherePiece(trimmed) || NUMBER_PIECE.test(trimmed)) {
      this.flushHeld(emit);
      this.afterHeader = false;
      this.pieces.push({ text, line: lineNo });
      return;
    }
    this.read(text, lineNo, emit);
  }

  private flushHeld(emit: Emit): void {
    if (this.held) emit(this.held.event, this.held.line);
    this.held = null;
  }

  private read(text: string, lineNo: number, emit: Emit): void {
    const held = this.held;
    if (held) {
      this.held = null;
      const data = readData(text);
      if (data !== null) {
        held.event.data = normalizeHex(data);
        emit(held.event, held.line);
        emit({ type: 'blank' }, lineNo);
        return;
      }
      emit(held.event, held.line);
    }
    const trimmed = text.trim();
    // The header's `Dumping objects ->` starts nothing new, even after blank or other lines
    // between them; without a header (`_CrtMemDumpAllObjectsSince`, which may list nothing), it
    // starts a dump of its own (attack notes #115).
    if (trimmed === DUMP_START) {
      this.afterHeader = true;
      return emit({ type: 'dump-start' }, lineNo);
    }
    if (trimmed === DUMPING) {
      const afterHeader = this.afterHeader;
      this.afterHeader = false;
      return emit(afterHeader ? { type: 'blank' } : { type: 'dump-start', listsAny: true }, lineNo);
    }
    const entry = readEntry(text);
    if (entry) {
      this.afterHeader = false; // a header with no `Dumping objects ->` line: a later one is another dump's
      const address = toAddress(entry.address);
      if (address) {
        const where = entry.where ? `${entry.where} ` : '';
        const context = `${where}#${entry.number} (${entry.kind} block)`;
        this.held = { event: { type: 'dump-entry', address, size: entry.size, data: '', context }, line: lineNo };
        return;
      }
    }
    if (trimmed.startsWith('Data: <')) {
      return emit({ type: 'malformed', text, reason: 'a CRT Data: line without its block line' }, lineNo);
    }
    emit(programLine(text), lineNo);
  }

  end(emit: Emit): void {
    this.flushHeld(emit);
    for (const p of this.pieces) emit(programLine(p.text), p.line);
    this.pieces = [];
  }
}
