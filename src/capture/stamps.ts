// CI job logs: GitHub Actions and Azure Pipelines write every line a step printed behind the
// runner's UTC time, `2026-11-30T10:15:01.1234567Z `, in the log a job's page offers for
// download (one file per step in its zip). The program's own lines follow that column. What the
// runner prints itself (`##[group]Run …`, `##[error]Process completed …`) is the console's
// (capture/frames.ts). A log is a CI job log when its first two lines that are not blank have the
// column: a program's own banner may start with the time.

/** The time column, and the blank after it (absent on an empty line). Bounded: no backtracking. */
const STAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?Z(?: |$)/;

/** The line without its time column, or null when it has none. */
export function stampedMessage(line: string): string | null {
  const m = STAMP.exec(line);
  return m === null ? null : line.slice(m[0].length);
}
