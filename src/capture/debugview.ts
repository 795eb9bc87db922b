// Sysinternals DebugView saved logs: `seq<TAB>time<TAB>[pid] message`. The time is relative
// seconds (`0.00012345`) or a wall clock (`10:23:45.123`, `10:23:45 AM`); the `[pid]` column
// is there when "Show Process ID" was on. The spy's OutputDebugString lines of several
// processes arrive interleaved, so each message is routed by its pid.

const DEBUGVIEW = /^\d+\t[\d.:]+(?: [AP]M)?\t(?:\[(\d+)\] ?)?(.*)$/;

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
