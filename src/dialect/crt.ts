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
// so the reader holds the entry until the next line.
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

  line(text: string, lineNo: number, emit: Emit): void {
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
    if (trimmed === DUMP_START) return emit({ type: 'dump-start' }, lineNo);
    if (trimmed === DUMPING) return emit({ type: 'blank' }, lineNo);
    const entry = readEntry(text);
    if (entry) {
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
    if (this.held) emit(this.held.event, this.held.line);
    this.held = null;
  }
}
