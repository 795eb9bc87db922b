// What one line of a MALLOC SPY log says. The classifier (classify.ts) turns each line
// into exactly one of these; malformed input is an event too, never an exception.

/** A pointer as the log prints it, and the key that identifies it (upper-case, no leading zeros). */
export interface Address {
  text: string;
  key: string;
}

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
