// A dialect is how one spy words its lines: the MallocSpyTest default, the MSVC CRT
// debug heap's leak dump, or a user's own regexes. Every dialect turns a line (a message,
// once DebugView columns are stripped) into the same LineEvents, so the tracker and the
// verdict never know which one was read.
import type { Address, LineEvent } from '../parse/events.js';
import { classifyLine } from '../parse/classify.js';
import { compileParseContext, type MarkerOptions, type ParseContext } from '../parse/options.js';

export type Emit = (e: LineEvent, line: number) => void;

/** Per-process reading state, for dialects whose event spans two lines (the CRT `Data:` line). */
export interface DialectReader {
  line(text: string, lineNo: number, emit: Emit): void;
  /** End of input: emits what is still held. */
  end(emit: Emit): void;
}

export interface Dialect {
  readonly name: string;
  /** The log is a leak dump only (no allocation lines): every dumped block is first seen there. */
  readonly dumpOnly: boolean;
  /** Stateless dialects classify here; the demultiplexer calls it directly (the fast path). */
  readonly classify?: (line: string) => LineEvent;
  /**
   * The default classifier's context, when `classify` is `classifyLine` with it: the
   * demultiplexer then hands alloc and free lines to the tracker without their events.
   */
  readonly spyContext?: ParseContext;
  /** Stateful dialects give each process its own reader. */
  readonly reader?: () => DialectReader;
  /** For auto-detection: is this line recognisably this dialect's? */
  recognizes(line: string): boolean;
  /** A program line that starts a new run once the previous one has finished. */
  isRunStart(e: LineEvent): boolean;
  /** Shown in the evidence when the run never reaches CoUninitialize. */
  readonly coUninitializeMarker: string;
}

/** Calls that begin a COM program's run: a new one after a finished run starts a new run. */
const RUN_CALLS = new Set(['CoInitialize', 'CoInitializeEx', 'OleInitialize']);

/** MallocSpyTest's wording (SPEC §2), with the marker texts the CLI may override. */
export function mallocSpyDialect(markers: Partial<MarkerOptions> = {}): Dialect {
  const ctx = compileParseContext(markers);
  const classify = (line: string): LineEvent => classifyLine(line, ctx);
  return {
    name: 'mallocspy',
    dumpOnly: false,
    classify,
    spyContext: ctx,
    recognizes: (line) => isRecognized(classify(line)),
    isRunStart: (e) => e.type === 'program' && (e.marker === 'register' || (e.call !== null && RUN_CALLS.has(e.call))),
    coUninitializeMarker: ctx.markers.coUninitialize,
  };
}

/** True for the events only a log of this dialect produces (spy events and phase markers). */
export function isRecognized(e: LineEvent): boolean {
  switch (e.type) {
    case 'alloc':
    case 'free':
    case 'realloc':
    case 'alloc-failed':
    case 'dump-start':
    case 'dump-entry':
    case 'malformed':
      return true;
    case 'program':
      return e.marker !== null;
    default:
      return false;
  }
}

/** An address as a dialect printed it (`0x` optional), or null when it is not hex. */
export function toAddress(text: string): Address | null {
  const digits = /^0x/i.test(text) ? text.slice(2) : text;
  if (!/^[0-9A-Fa-f]{1,16}$/.test(digits)) return null;
  const key = digits.toUpperCase().replace(/^0+(?=.)/, '');
  return { text, key };
}

/** Hex bytes in any spacing or case, normalised to `XX XX ...` (at most 16, like the default dump). */
export function normalizeHex(text: string): string {
  const bytes = text.match(/[0-9A-Fa-f]{2}/g) ?? [];
  return bytes.slice(0, 16).join(' ').toUpperCase();
}

const BINARY = /[\x00-\x08\x0B-\x1F\x7F\uFFFD]/;
const CALL = /^([A-Za-z_~][\w:~<>]*)\s*\(.*?\)\s+returns\b/;

/** A line no spy pattern claimed: program output (or binary garbage), as the default dialect reads it. */
export function programLine(line: string, marker: 'register' | 'couninitialize' | 'revoke' | null, hresult: number | null): LineEvent {
  if (BINARY.test(line)) return { type: 'unreadable', text: line };
  const text = line.trim();
  if (text.length === 0) return { type: 'blank' };
  const call = CALL.exec(text);
  return { type: 'program', text, call: call ? call[1]! : null, marker, hresult };
}
