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

const DUMP_START = /^\s*Detected memory leaks!\s*$/;
const DUMPING = /^\s*Dumping objects ->\s*$/;
const ENTRY = /^\s*(?:(.*?) : )?\{(\d+)\} (\w+) block at (0x[0-9A-Fa-f]{1,16}|[0-9A-Fa-f]{8,16}), (?:subtype [0-9A-Fa-f]+, )?(\d+) bytes long\.\s*$/;
/** ` Data: <ascii> XX XX ...`: the ascii column may hold `>`, so the hex is taken from the end. */
const DATA = /^\s*Data: <.*> ((?:[0-9A-Fa-f]{2} ?)+)\s*$/;

interface Held {
  event: Extract<LineEvent, { type: 'dump-entry' }>;
  line: number;
}

export const crtDialect: Dialect = {
  name: 'crt',
  dumpOnly: true,
  reader: () => new CrtReader(),
  recognizes: (line) => DUMP_START.test(line) || ENTRY.test(line),
  isRunStart: (e) => e.type === 'dump-start',
  coUninitializeMarkers: ['Detected memory leaks!'],
};

class CrtReader implements DialectReader {
  private held: Held | null = null;

  line(text: string, lineNo: number, emit: Emit): void {
    const held = this.held;
    if (held) {
      this.held = null;
      const data = DATA.exec(text);
      if (data) {
        held.event.data = normalizeHex(data[1]!);
        emit(held.event, held.line);
        emit({ type: 'blank' }, lineNo);
        return;
      }
      emit(held.event, held.line);
    }
    if (DUMP_START.test(text)) return emit({ type: 'dump-start' }, lineNo);
    if (DUMPING.test(text)) return emit({ type: 'blank' }, lineNo);
    const m = ENTRY.exec(text);
    if (m) {
      const address = toAddress(m[4]!);
      if (address) {
        const where = m[1] ? `${m[1]} ` : '';
        const context = `${where}#${m[2]} (${m[3]} block)`;
        this.held = { event: { type: 'dump-entry', address, size: Number(m[5]), data: '', context }, line: lineNo };
        return;
      }
    }
    if (/^\s*Data: </.test(text)) {
      return emit({ type: 'malformed', text, reason: 'a CRT Data: line without its block line' }, lineNo);
    }
    emit(programLine(text), lineNo);
  }

  end(emit: Emit): void {
    if (this.held) emit(this.held.event, this.held.line);
    this.held = null;
  }
}
