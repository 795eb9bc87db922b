// Sysinternals DebugView saved logs: `seq<TAB>time<TAB>[pid] message`. The time is relative
// seconds (`0.00012345`) or a wall clock (`10:23:45.123`, `10:23:45 AM`); the `[pid]` column
// is there when "Show Process ID" was on. The spy's OutputDebugString lines of several
// processes arrive interleaved, so each message is routed by its pid.

// `s`: the message may hold any character, a CR or U+2028 too (without it such a line was
// not DebugView's and went to the previous process).
const DEBUGVIEW = /^\d+\t[\d.:]+(?: [AP]M)?\t(?:\[(\d+)\] ?)?(.*)$/s;

export interface DebugViewLine {
  pid: number | null;
  message: string;
}

/** The columns of one DebugView line, or null when the line is not one. */
export function parseDebugViewLine(line: string): DebugViewLine | null {
  const m = DEBUGVIEW.exec(line);
  if (!m) return null;
  return { pid: m[1] === undefined ? null : Number(m[1]), message: m[2]! };
}

/** Where a DebugView line's message starts in its bytes, and its pid (null: no pid column). */
export interface DebugViewColumns {
  message: number;
  pid: number | null;
}

/**
 * The same reading as DEBUGVIEW, from the line's bytes at b[start]: fills `out` and
 * returns true when the line has the columns, with a pid of at most 15 digits (a longer
 * one goes the decoded way, where it is read as the regex reads it). Reads the columns
 * only; the caller reads the message and checks what follows it (for a spy line, only
 * blanks before the line end: so `(.*)$` holds).
 */
export function debugViewColumns(b: Uint8Array, start: number, end: number, out: DebugViewColumns): boolean {
  // Digits tested as `(c - 48) >>> 0 < 10`, one compare per byte: the columns are ~20 bytes
  // of every line of a DebugView capture, and two compares per byte cost ~10 ns a line more.
  let i = start;
  while (i < end && (b[i]! - 48) >>> 0 < 10) i++;
  if (i === start || i >= end || b[i] !== 9) return false;
  const time = ++i;
  let c: number;
  // [\d.:]: the digits and `:` (48-58), or `.`
  while (i < end && (((c = b[i]!) - 48) >>> 0 < 11 || c === 46)) i++;
  if (i === time) return false;
  if (i + 3 <= end && b[i] === 32 && (b[i + 1] === 65 || b[i + 1] === 80) /* A P */ && b[i + 2] === 77 /* M */) i += 3;
  if (i >= end || b[i] !== 9) return false;
  i++;
  out.pid = null;
  out.message = i;
  // No byte at or past `end` is read (nor in `head`, parse/scan.ts: why).
  if (i < end && b[i] === 91 /* [ */) {
    let j = i + 1;
    let pid = 0;
    let d: number;
    while (j < end && (d = b[j]! - 48) >>> 0 < 10) {
      pid = pid * 10 + d;
      j++;
    }
    const digits = j - i - 1;
    if (digits > 0 && j < end && b[j] === 93 /* ] */) {
      if (digits > 15) return false;
      out.pid = pid;
      out.message = j + 1 < end && b[j + 1] === 32 ? j + 2 : j + 1;
    }
  }
  return true;
}
