// A dialect is how one spy words its lines: the MallocSpyTest default, the MSVC CRT
// debug heap's leak dump, or a user's own regexes. Every dialect turns a line (a message,
// once DebugView columns are stripped) into the same LineEvents, so the tracker and the
// verdict never know which one was read.
import type { LineEvent } from '../parse/events.js';
import { classifyLine } from '../parse/line.js';
import { COM_INIT_CALLS } from '../parse/program.js';
import { SpyScanner } from '../parse/scan.js';
import { compileParseContext, type MarkerOptions, type ParseContext } from '../parse/options.js';

export type Emit = (e: LineEvent, line: number) => void;

/** Per-process reading state, for dialects whose event spans two lines (the CRT `Data:` line). */
export interface DialectReader {
  line(text: string, lineNo: number, emit: Emit): void;
  /** End of input: emits what is still held. */
  end(emit: Emit): void;
}

/** How a log is read: what the library's users see of a dialect. */
export interface Dialect {
  readonly name: string;
  /** The log is a leak dump only (no allocation lines): every dumped block is first seen there. */
  readonly dumpOnly: boolean;
  /** Stateless dialects classify here. */
  readonly classify?: (line: string) => LineEvent;
  /** Stateful dialects give each process its own reader. */
  readonly reader?: () => DialectReader;
  /** For auto-detection: is this line recognisably this dialect's? */
  recognizes(line: string): boolean;
  /** A program line that starts a new run once the previous one has finished. */
  isRunStart(e: LineEvent): boolean;
  /** The lines that say CoUninitialize returned, for the evidence when a run never reaches them. */
  readonly coUninitializeMarkers: readonly string[];
}

/**
 * The built-in default dialect also offers the byte path: alloc and free lines are read
 * by a SpyScanner compiled from this context, without their events. Internal: not part
 * of the public Dialect type.
 */
export interface FastDialect extends Dialect {
  readonly fastPath: ParseContext;
}

export function fastPathOf(d: Dialect): ParseContext | null {
  return 'fastPath' in d ? (d as FastDialect).fastPath : null;
}

/** MallocSpyTest's wording (SPEC §2), with the marker texts the CLI may override. */
export function mallocSpyDialect(markers: Partial<MarkerOptions> = {}): FastDialect {
  const ctx = compileParseContext(markers);
  // This dialect's own scanner, for `classify` and detection; an analysis reading the
  // byte path makes another from `fastPath`.
  const scanner = new SpyScanner(ctx);
  const classify = (line: string): LineEvent => classifyLine(line, ctx, scanner);
  return {
    name: 'mallocspy',
    dumpOnly: false,
    classify,
    fastPath: ctx,
    recognizes: (line) => isRecognized(classify(line)),
    isRunStart: (e) => e.type === 'program' && (e.marker === 'register' || (e.call !== null && COM_INIT_CALLS.has(e.call))),
    coUninitializeMarkers: ctx.markers.coUninitialize,
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

/** Hex bytes in any spacing or case, normalised to `XX XX ...` (at most 16, like the default dump). */
export function normalizeHex(text: string): string {
  const bytes = text.match(/[0-9A-Fa-f]{2}/g) ?? [];
  return bytes.slice(0, 16).join(' ').toUpperCase();
}
