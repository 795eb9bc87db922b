// Lines a capture's frame adds around the program's output, known as such only in that kind
// of capture (the demultiplexer detects it from the first lines), and in a transcript only
// where its blocks are: as plain lines they are shapes a program may print itself (a rule of
// stars, `Process ID: 42`), and a program line taken for the console's moves the program's
// last line (attack notes #72, #75, #78).
//
// - PowerShell's `Start-Transcript` (TranscriptPrologue / TranscriptEpilogue, Windows
//   PowerShell 5.1 and PowerShell 7; `-IncludeInvocationHeader` adds a command's start time
//   between star lines). A transcript starts with a star line and `… transcript start`.
// - A CI runner's own lines in a job log (stamps.ts): GitHub Actions' and Azure Pipelines'
//   `##[group]Run …`, `##[endgroup]`, `##[error]Process completed with exit code 1.`,
//   `##[section]Starting: …`, and `[command]…` (the command line it ran).
// Every pattern is bounded: nothing backtracks over a long line.
import { stampedMessage } from './stamps.js';

const STARS = '**********************';
/** The line of 22 stars that opens and closes a transcript's blocks. */
export const STAR_RULE = STARS;
const TRANSCRIPT_START = /^(?:Windows )?PowerShell transcript start$/;
const TRANSCRIPT_END = /^(?:Windows )?PowerShell transcript end$/;
const END_TIME = /^End time: \d{14}$/;
const COMMAND_START = /^Command start time: \d{14}$/;
const STARTED = /^Transcript started, output file is /;
/** A header that does not close within this many lines was not one. */
const HEADER_LINES = 64;

const RUNNER = /^(?:##\[[a-z]+\]|\[command\])/;

/** The kinds of frame; `null` for none. */
export type Frame = 'transcript' | 'ci-log';

/**
 * The frame of a capture that is not DebugView's, from its first lines that are not blank
 * (at most two, as read): a CI job log when both start with the runner's time (a program's
 * banner may start with the time, a runner writes it before every line: attack notes #74);
 * a transcript when the first is a star rule and the second `… transcript start`; else none.
 * undefined: the second line decides.
 */
export function frameOf(opening: readonly string[]): Frame | null | undefined {
  const [first, second] = opening;
  if (first === undefined) return undefined;
  const stamped = stampedMessage(first) !== null;
  if (second === undefined) return stamped || first.trim() === STARS ? undefined : null;
  if (stamped) return stampedMessage(second) !== null ? 'ci-log' : null;
  return first.trim() === STARS && TRANSCRIPT_START.test(second.trim()) ? 'transcript' : null;
}

/** Whether a program line (trimmed) of a CI job log is its runner's. */
export function isRunnerLine(text: string): boolean {
  return RUNNER.test(text);
}

/** What the next line of a transcript's frame may be. */
const NONE = 0;
const OPENED = 1;
const END = 2;
const CLOSE = 3;
const AFTER_HEADER = 4;

/**
 * A transcript's frame, block by block and line by line: its header (a star line, `… transcript
 * start`, the fields PowerShell writes, whatever their shape, a star line; then `Transcript
 * started, output file is …`), a command's start time (`-IncludeInvocationHeader`: between star
 * lines), its footer (a star line, `… transcript end`, `End time: …`, a star line). A field's
 * shape anywhere else is the program's own. One per capture; it is shown the program lines in
 * order, with their line numbers (a block's lines follow each other). The one shape taken on its
 * own is the line of 22 stars that opens a block: a program that prints exactly that as its last
 * line in a transcript has it taken for the console's.
 */
export class TranscriptFrame {
  /** The line the frame's next line would be on, and what it may be. */
  private next = -1;
  private want = NONE;
  /** Inside the header since this line (0: not). */
  private header = 0;

  /** Whether this program line (trimmed), on this line of the file, is the frame's. */
  isFrame(text: string, line: number): boolean {
    if (this.header > 0) {
      if (text === STARS) {
        this.header = 0;
        return this.expect(line, AFTER_HEADER);
      }
      if (line - this.header <= HEADER_LINES) return true;
      this.header = 0;
    }
    if (line === this.next) {
      const want = this.want;
      this.want = NONE;
      if (want === OPENED && TRANSCRIPT_START.test(text)) {
        this.header = line;
        return true;
      }
      if (want === OPENED && TRANSCRIPT_END.test(text)) return this.expect(line, END);
      if (want === OPENED && COMMAND_START.test(text)) return this.expect(line, CLOSE);
      if (want === END && END_TIME.test(text)) return this.expect(line, CLOSE);
      if (want === CLOSE && text === STARS) return true;
      if (want === AFTER_HEADER && STARTED.test(text)) return true;
    }
    if (text === STARS) return this.expect(line, OPENED);
    return false;
  }

  private expect(line: number, want: number): true {
    this.next = line + 1;
    this.want = want;
    return true;
  }
}
