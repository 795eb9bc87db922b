// What one line of a spy log says. Every dialect turns each line into exactly one of
// these (line.ts for MallocSpyTest's wording); malformed input is an event too, never an
// exception. Alloc and free lines of a plain log skip their event (scan.ts).
import type { Address } from './address.js';

export type { Address };

export type LineEvent =
  | { type: 'alloc'; address: Address; size: number }
  /** `remaining`: the spy's count after the free; NO_COUNT when the dialect's free lines carry none, UNREADABLE_COUNT when it is not a count (`-1`). */
  | { type: 'free'; address: Address; remaining: number }
  | { type: 'realloc'; from: Address; to: Address; size: number }
  | { type: 'alloc-failed'; size: number }
  /** `listsAny`: a dump that may list nothing (the CRT's `_CrtMemDumpAllObjectsSince`); else its header says blocks leaked. */
  | { type: 'dump-start'; listsAny?: true }
  /** `context`: what a dump-only dialect knows of the allocation (e.g. CRT `file(line) #813`). */
  | { type: 'dump-entry'; address: Address; size: number; data: string; context?: string }
  | { type: 'program'; text: string; call: string | null; marker: Marker | null; hresult: number | null }
  | { type: 'elision'; text: string }
  | { type: 'malformed'; text: string; reason: string }
  /** A line in the dump's shape (`0x<hex> - <n>`) that does not parse: a damaged entry, part of the dump; its address still names a block. */
  | { type: 'malformed-dump-entry'; text: string; reason: string; address: Address }
  /**
   * What the console, not the program, printed: a shell prompt, `Press any key to continue . . .`.
   * `prompt`: a shell waiting for its next command; after the run, what follows it is that
   * command's output, not the program's (capture/demux.ts, `afterPrompt`).
   */
  | { type: 'console'; text: string; prompt: boolean }
  | { type: 'unreadable'; text: string }
  | { type: 'blank' };

/** Program lines that mark a phase of the run. */
export type Marker = 'register' | 'couninitialize' | 'revoke';

/** A free line's count when its dialect prints none. */
export const NO_COUNT = -1;
/** A free line's count when the spy printed something that is not a count (`-1 blocks remaining`). */
export const UNREADABLE_COUNT = -2;
