// What one line of a spy log says. Every dialect turns each line into exactly one of
// these (line.ts for MallocSpyTest's wording); malformed input is an event too, never an
// exception. Alloc and free lines of a plain log skip their event (scan.ts).
import type { Address } from './address.js';

export type { Address };

export type LineEvent =
  | { type: 'alloc'; address: Address; size: number }
  /** `remaining` is -1 when the dialect's free lines carry no count. */
  | { type: 'free'; address: Address; remaining: number }
  | { type: 'realloc'; from: Address; to: Address; size: number }
  | { type: 'alloc-failed'; size: number }
  | { type: 'dump-start' }
  /** `context`: what a dump-only dialect knows of the allocation (e.g. CRT `file(line) #813`). */
  | { type: 'dump-entry'; address: Address; size: number; data: string; context?: string }
  | { type: 'program'; text: string; call: string | null; marker: Marker | null; hresult: number | null }
  | { type: 'elision'; text: string }
  | { type: 'malformed'; text: string; reason: string }
  | { type: 'unreadable'; text: string }
  | { type: 'blank' };

/** Program lines that mark a phase of the run. */
export type Marker = 'register' | 'couninitialize' | 'revoke';
