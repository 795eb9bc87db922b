// The layer between lines and trackers: it detects what kind of capture this is and
// routes each line to the tracker of its process and run, nothing more. DebugView
// interleaves processes (each message is routed by its pid), a CI job log puts its runner's
// time before every line (stamps.ts: stripped), CI appends runs to one file
// (a run start after a finished run opens a new tracker), and the wording may be another
// dialect's (detected from the first lines unless one is named). What the trackers saw is
// judged by the analysis (analyze.ts), part by part.
import type { LineEvent } from '../parse/events.js';
import { readTestLine } from '../parse/tests.js';
import { lastWritten, opensComSession } from '../parse/program.js';
import type { LinePosition, LineSink } from '../read/lines.js';
import { SCAN_OTHER, SpyScanner } from '../parse/scan.js';
import { Tracker, type TrackerOptions } from '../track/tracker.js';
import { fastPathOf, type Dialect, type DialectReader, type Emit } from '../dialect/dialect.js';
import { debugViewColumns, parseDebugViewLine, type DebugViewColumns } from './debugview.js';
import { stampedMessage } from './stamps.js';
import { STAR_RULE, TranscriptFrame, frameOf, isRunnerLine, type Frame } from './frames.js';

export interface DemuxOptions {
  /** The dialects to try, in order; the first is the fallback. */
  dialects: Dialect[];
  /** True when the user named the dialect: it is used without detection. */
  named: boolean;
  /** Whether alloc and free lines of a plain log may be read from their bytes (default true; tests turn it off to compare routes). */
  bytePath?: boolean;
  /** Program lines held in full after a finished run before `PastCap` takes over (default HOLD_LINES; see AnalyzeOptions). */
  holdLines?: number | undefined;
  /**
   * A run is over (its process started another): it can be judged now and its tracker
   * dropped, so a file of many runs holds one tracker per process, not one per run.
   */
  onRunEnd?: (run: CapturedRun, pid: number | null, dialect: Dialect, debugView: boolean, frame: Frame | null) => void;
  tracker: Omit<TrackerOptions, 'dumpOnly'>;
}

/** Lines (or characters) held while the format is being detected. */
const DETECT_LINES = 1000;
const DETECT_CHARS = 1 << 20;

/** One run of one process: its lines and the tracker that saw them. */
export interface CapturedRun {
  index: number;
  firstLine: number;
  lastLine: number;
  /** Lines routed to this run. */
  lines: number;
  /** Null once the run was handed to `onRunEnd`. */
  tracker: Tracker | null;
  /**
   * Where its bytes begin (its first line; -1 when unknown) and the CR LF line ends
   * before it, and the same just after the last line the program printed itself (not a
   * spy event): what the C runtime flushed at exit() (-1: none yet).
   */
  firstByte: number;
  firstCrlf: number;
  flushByte: number;
  flushCrlf: number;
  flushLine: number;
  /** The same after the last such line that is not blank (-1: none yet). */
  textFlushByte: number;
  textFlushCrlf: number;
  textFlushLine: number;
  /** Where the next run of its process begins (its bytes end there) and the CR LF line ends before it; -1 while it is the last. */
  endByte: number;
  endCrlf: number;
  /**
   * Other places its C runtime buffers may start or end, for runs whose boundary the log
   * cannot place for sure (see `CrtBoundaries`): its run-start line (after the lines held
   * before it), the previous run's first byte and its process's first byte; and where the
   * next run's run-start line is (the held lines its own).
   */
  boundaries: CrtBoundaries;
  /** Where the program's own bytes lie among the run's lines (see `OwnBytes`). */
  own: OwnBytes;
}

/**
 * The program's own bytes among a run's lines, for the C runtime's buffers: the console's
 * lines before and after them (cmd's command line and next prompt, a transcript's header and
 * footer) are not bytes the program wrote, and counted in they hid whole buffers (attack notes
 * #71). Offsets, CR LF counts and lines as in `LinePosition`; -1: none. Only the lines that are
 * not the program's are noted here (a big log is nearly all spy lines): the tracker knows the
 * latest line of the program's own (`Tracker.ownThrough`), and a stretch after it is one that
 * began after that line.
 */
export interface OwnBytes {
  /**
   * Where the program's bytes may start, before its run began (each as byte, CR LF count and
   * line): just after the last console line (a lone rule of stars is no console line here: a
   * banner may open with one, which a transcript takes for its own, attack notes #82), and at
   * each line after it up to the run's start line (`LINE_PLACES` at most, the latest): another
   * program's lines may come first (an earlier command's output, cmd's empty line, a script's
   * echo; #83, #84, #88).
   */
  afterConsole: number[];
  atLines: number[];
  /** Whether the run's start line (`CoInitialize`, `CoRegisterMallocSpy`, …) was seen: no place after it. */
  started: boolean;
  /** The latest stretch of blank and console lines with no line of the program's in it: where its first line starts, and that line (-1: none yet). */
  afterByte: number;
  afterCrlf: number;
  afterLine: number;
  /** The first console line in that stretch, where it starts (-1: only blanks). */
  consoleByte: number;
  consoleCrlf: number;
  consoleLine: number;
}

const BLANK = 1;
const CONSOLE = 2;
/** A console line that is a lone rule of stars: a transcript block's first line, or the program's banner. */
const STARS = 3;

/** Lines after the last console line, up to the run's start line, where the program's bytes may start. */
const LINE_PLACES = 8;

/**
 * A line of the run delivered as an event, and where it lies: blank and console lines are
 * noted; another line (`kind` 0) only before the run began, as a place the program's bytes may
 * start (`runStart`: it is the run's start line).
 */
function noteLine(run: CapturedRun, kind: number, at: Readonly<LinePosition>, line: number, runStart: boolean): void {
  const o = run.own;
  const before = !o.started && !run.tracker!.begun;
  if (before && kind !== CONSOLE) {
    if (o.atLines.length === 3 * LINE_PLACES) o.atLines.splice(0, 3);
    o.atLines.push(at.start, at.crlfBefore, line);
    if (runStart) o.started = true;
  }
  if (kind === 0) return;
  if (kind === CONSOLE && before) {
    o.afterConsole = [at.next, at.crlfThrough, line + 1];
    o.atLines.length = 0;
  }
  if (o.afterLine < 0 || run.tracker!.ownThrough > o.afterLine) {
    o.afterByte = at.start;
    o.afterCrlf = at.crlfBefore;
    o.afterLine = line;
    o.consoleByte = -1;
  }
  if (kind !== BLANK && o.consoleByte < 0) {
    o.consoleByte = at.start;
    o.consoleCrlf = at.crlfBefore;
    o.consoleLine = line;
  }
}

/** The characters a held line counts against its cap. */
function textLength(e: LineEvent): number {
  return e.type === 'program' || e.type === 'console' || e.type === 'elision' || e.type === 'unreadable' ? e.text.length : 0;
}

/** Holds `line` for its process (see `LogDemux.route`): true, the line is held. */
function hold(proc: Proc, line: HeldLine): true {
  proc.held.push(line);
  proc.heldChars += textLength(line.e);
  heldNonBlank(proc, line);
  return true;
}

/** Notes the kind of a line held in full or past the cap, unless blank (see `Proc.lastHeld`). */
function heldNonBlank(proc: Proc, line: HeldLine): void {
  if (line.e.type !== 'blank') proc.lastHeld = line.e.type;
}

/** A spy event that allocates or frees a block. */
function isBlockEvent(e: LineEvent): boolean {
  return e.type === 'alloc' || e.type === 'free' || e.type === 'realloc';
}

/** A registration of the spy that failed (a negative HRESULT: CO_E_OBJISREG, 0x800401FB, when a spy is registered). */
function refused(e: LineEvent): boolean {
  return e.type === 'program' && e.marker === 'register' && e.hresult !== null && e.hresult >= 0x80000000;
}

/** A registration of the spy that succeeded (S_OK). */
function registers(e: LineEvent): boolean {
  return e.type === 'program' && e.marker === 'register' && e.hresult === 0;
}

function lineKind(e: LineEvent): number {
  return e.type === 'console' ? (e.text === STAR_RULE ? STARS : CONSOLE) : e.type === 'blank' ? BLANK : 0;
}

/**
 * A place in the input: its byte offset, the CR LF line ends before it, its line; `split`: a
 * line between two runs, `shared`: the first line of an earlier run of the same process.
 */
export interface BytePlace {
  byte: number;
  crlf: number;
  line: number;
  kind: 'split' | 'shared';
}

/**
 * What main printed before it returned ends at `byte` (after `crlf` CR LF line ends): exit()
 * flushes the C runtime's buffer there. A blank line may be cmd's (before its prompt, after the
 * exit-time output): the end of the last line that is not blank is kept too (attack notes #77).
 */
function printedThrough(run: CapturedRun, byte: number, crlf: number, line: number, blank: boolean): void {
  run.flushByte = byte;
  run.flushCrlf = crlf;
  run.flushLine = line;
  if (blank) return;
  run.textFlushByte = byte;
  run.textFlushCrlf = crlf;
  run.textFlushLine = line;
}

function place(line: number, at: Pick<LinePosition, 'start' | 'crlfBefore'>, kind: BytePlace['kind']): BytePlace {
  return { byte: at.start, crlf: at.crlfBefore, line, kind };
}

/**
 * At most this many splits of the lines between two runs are tried as buffer boundaries, half
 * at each end (each is a 2-in-4096 chance of a whole-buffer count by accident).
 */
const CRT_SPLITS = 8;

/**
 * Lines between a finished run and the next run's start may be either run's output (a
 * `Done.` the first printed, a banner the second did), and several runs in one process share
 * one C runtime buffer (a test fixture that registers the spy per test) while runs appended
 * with `>>` have their own: the 4096-byte rule tries each of these.
 */
export interface CrtBoundaries {
  starts: BytePlace[];
  /** Beside `endByte`, for a run another followed. */
  ends: BytePlace[];
}

/** A line held while the format is being detected, with where it lay. */
interface Held {
  text: string;
  lineNo: number;
  dropped: number;
  at: LinePosition;
}

const NO_POSITION: LinePosition = { start: -1, next: -1, crlfBefore: 0, crlfThrough: 0 };

/** Lines the program printed itself (not the spy's events, not the console's). */
const PRINTED_BY_PROGRAM = new Set<LineEvent['type']>(['program', 'dump-start', 'dump-entry', 'elision', 'blank', 'unreadable']);

export interface CapturedProcess {
  pid: number | null;
  runs: CapturedRun[];
}

/** What the capture layer found: the format, and the lines of every process and run. */
export interface Capture {
  dialect: Dialect;
  /** The dialects detection tried (only the named one when the user named it). */
  tried: string[];
  /** A DebugView capture: its bytes are not the program's, no C runtime buffer arithmetic. */
  debugView: boolean;
  /**
   * What the capture puts around the program's output (frames.ts), or null: a CI job log (every
   * line behind the runner's time, stamps.ts) or a PowerShell transcript. Both keep the C
   * runtime's buffer arithmetic. A transcript writes the lines of a program behind a pipe with
   * the CR LF they had: their bytes are the program's, its header and footer left out
   * (`OwnBytes`). A CI job log's are not (the time is in every line), but the rules still count
   * them: a whole number of buffers there is an accident, which leaves blocks undecided, the
   * cautious way; switched off, a plain log whose banner starts with the time lost them (attack
   * notes #74).
   */
  frame: Frame | null;
  /** A dialect recognised a line during detection. */
  recognized: boolean;
  /** Whether any non-blank line was read. */
  anyText: boolean;
  processes: CapturedProcess[];
  /** The run that received the file's last line: it alone can be cut at the end. */
  endRun: CapturedRun;
}

/** A spy line that did not parse, held until the next line says whether the console wrapped it (see `unwrap`). */
interface WrappedLine {
  proc: Proc;
  message: string;
  e: LineEvent;
  lineNo: number;
  at: LinePosition;
}

/** A program line held after its process's run finished (see `route`), with where it lies. */
interface HeldLine {
  e: LineEvent;
  lineNo: number;
  dropped: number;
  at: LinePosition;
  /**
   * A line after a prompt (NO_PROMPT: none), by the prompt's kind: the console's if it goes to
   * the run the prompt came after (see `afterPrompt`), after the run only when a prompt closes it (see `release`).
   */
  trailer: number;
}

/** `Proc.afterPrompt`: no prompt; one before the run was over (a batch file's, maybe); one after it. */
const NO_PROMPT = 0;
const MAYBE_MID_RUN = 1;
const AFTER_EXIT = 2;

/** A trailer as the console's line (see `afterPrompt`): the next command's output, its `...` and colour codes too (attack notes #238). */
function asConsole(e: LineEvent): LineEvent {
  return e.type === 'program' || e.type === 'elision' || e.type === 'unreadable' ? { type: 'console', text: e.text, prompt: false } : e;
}

/** The latest program, printed and console lines only counted (without their anomaly). */
interface StandIns {
  lastProgram: HeldLine | null;
  lastPrinted: HeldLine | null;
  /** The latest console line only counted: the program's bytes may start after it (`OwnBytes.afterConsole`; attack notes #85). */
  lastConsole: HeldLine | null;
}

/** A line only counted, as the stand-in of its kind (`type`: what it is to the run it goes to). */
function standIn(to: StandIns, type: LineEvent['type'], h: HeldLine): void {
  if (type === 'program') to.lastProgram = h;
  if (PRINTED_BY_PROGRAM.has(type)) to.lastPrinted = h;
  if (type === 'console') to.lastConsole = h;
}

/**
 * This many program lines, and characters, are held in full after a finished run. Past them,
 * a line is held in full only when it changes a run beyond being counted (a test's start
 * line, an overlong line's anomaly, the first program line, the first line that may end a
 * dump: as many again at most, and the few latest lines); the others are counted, and the
 * latest few kept (`PastCap`): whose they all are is decided as for a few lines, however
 * many there are. Only when the lines held in full overflow do the lines go to the finished
 * run, never split between the two.
 */
const HOLD_LINES = 4096;
const HOLD_CHARS = 4 * 1024 * 1024;
/**
 * Lines a registered run's plain lines wait for the next process's registration (see
 * `route`): its banner and `CoInitialize`, a few prompts. More are the running program's
 * output, given to its run in turn.
 */
const TENTATIVE_LINES = 64;
const TENTATIVE_CHARS = 64 * 1024;
/** The latest lines past the cap kept in full: the last places a C runtime buffer may split (CRT_SPLITS / 2) and the run's last lines. */
const PAST_RING = CRT_SPLITS / 2;
/** Lines held in full before any is only counted: the first line and the first places a buffer may split after it. */
const FIRST_SPLITS = CRT_SPLITS / 2 + 1;

/**
 * The lines held past the cap. A plain program line, a blank or a prompt there changes a
 * run only as every such line does: counted, the last program line, where main's output
 * ends (the blocks waiting for their call and the frees since the last program line are
 * settled by the first program line, a dump is ended by the first line that is not blank,
 * and each of these lines is held in full). So of those, only their number, the latest
 * program line and the latest line the program printed are kept, and given to the run in
 * their place, in line order.
 */
interface PastCap extends StandIns {
  /** Held in full, in order: test start lines, the first program line, the first line that is not blank; an overlong line as its anomaly only. */
  kept: (HeldLine | { e: null; lineNo: number; dropped: number })[];
  keptChars: number;
  /** Lines only counted (overlong ones too: their anomaly is in `kept`). */
  counted: number;
  /** The stand-ins (its own fields) as the lines read; `trailers`, with the lines after a prompt the console's: for the run they were held after (see `afterPrompt`). */
  trailers: StandIns;
  /** Whether a line that is not blank was held in full past the cap (it ends a dump still open). */
  nonBlank: boolean;
  /**
   * Whether a program line was held in full past the cap (it names the blocks still waiting for
   * their call, and settles the frees since the last one): one that is no trailer, and any (a
   * trailer is the run's own line unless a prompt closes it: both are kept, see `release`).
   */
  program: boolean;
  anyProgram: boolean;
  /** The latest lines, in full (at most PAST_RING; with the two above, a few lines of at most the line limit each, outside HOLD_CHARS). */
  ring: HeldLine[];
}

interface Proc extends CapturedProcess {
  run: CapturedRun;
  /** Program lines after the run finished, not yet given to a run (at most `holdLines` and HOLD_CHARS; then `past`). */
  held: HeldLine[];
  heldChars: number;
  /** The lines held past the cap (null: none yet). */
  past: PastCap | null;
  /** The lines held in full overflowed: the lines up to the next run start are the finished run's. */
  holdingOff: boolean;
  /** Where the line a dialect reader is reading lies. */
  at: Readonly<LinePosition>;
  /** Past its revoke or dump: a run start now opens a new run. */
  finished: boolean;
  /** Its run printed a registration of the spy that succeeded (see `route`). */
  registered: boolean;
  /** A run start (`CoInitialize`) is among the held lines, waiting for the line that tells whose it is (see `route`). */
  startHeld: boolean;
  /** The kind of the latest held line that is not blank (null: none): a console line closes a prompt's stretch (see `release`). */
  lastHeld: LineEvent['type'] | null;
  /** A shell's prompt came after its run began (or was over), and only the console's and blank lines since (see `afterPrompt`). */
  afterPrompt: typeof NO_PROMPT | typeof MAYBE_MID_RUN | typeof AFTER_EXIT;
  reader: DialectReader | null;
  emit: Emit;
}

export class LogDemux implements LineSink {
  private pending: Held[] | null = [];
  private pendingChars = 0;
  private debugView: boolean | null = null;
  /** The frame (frames.ts `frameOf`), decided by `opening`, the first two lines that are not blank (undefined until then). */
  private frame: Frame | null | undefined = undefined;
  private opening: string[] = [];
  /** A transcript's blocks, followed line by line (frames.ts). */
  private transcript: TranscriptFrame | null = null;
  private dialect: Dialect | null;
  private classify: ((line: string) => LineEvent) | null = null;
  /** The byte path's scanner: set for the default dialect once detection ended (alloc and free lines skip their events). */
  private scanner: SpyScanner | null = null;
  private recognized = false;
  private nonBlank = 0;
  private readonly procs = new Map<number | null, Proc>();
  /** A spy line that did not parse, waiting for the next line (see `unwrap`). */
  private wrapped: WrappedLine | null = null;
  private lastProc: Proc | null = null;
  private endRun: CapturedRun | null = null;
  /** Reused by the DebugView byte path. */
  private readonly columns: DebugViewColumns = { message: 0, pid: null };

  /** Lines held in full before `PastCap`: at least FIRST_SPLITS. */
  private readonly holdLines: number;

  constructor(private readonly opts: DemuxOptions) {
    this.dialect = opts.named ? opts.dialects[0]! : null;
    const hold = opts.holdLines ?? HOLD_LINES;
    this.holdLines = Math.max(Number.isNaN(hold) ? HOLD_LINES : Math.floor(hold), FIRST_SPLITS);
  }

  line(text: string, lineNo: number, dropped: number, at: Readonly<LinePosition>): void {
    if (this.pending === null) return this.dispatch(text, lineNo, dropped, at);
    this.pending.push({ text, lineNo, dropped, at: { ...at } });
    this.pendingChars += text.length;
    if (this.detect(text) || this.pending.length >= DETECT_LINES || this.pendingChars >= DETECT_CHARS) this.decide();
  }

  /**
   * Spans (undecoded lines) are read only in a plain log, once its dialect is the default
   * one. Both are settled when detection ends and never change after: once true, this
   * stays true, which is why `span` need not ask again per line.
   */
  spanning(): boolean {
    // A CI job log is read the decoded way (its lines are a step's output: small).
    return (
      this.scanner !== null &&
      this.scanner.fitsLine &&
      this.debugView !== null &&
      this.frame !== undefined &&
      this.frame !== 'ci-log' &&
      this.opts.bytePath !== false
    );
  }

  /**
   * The byte path (Utf8LineSplitter, only after `spanning()`): an alloc or free line, or a
   * dump entry, of a plain log, read from its bytes. The same route as `dispatch` gives the
   * line decoded (a dump entry is printed by the program: the C runtime's flush follows it).
   */
  span(bytes: Buffer, start: number, len: number, maxEnd: number, lineNo: number, base: number, crlf: number): number {
    // The line after a spy line that did not parse goes the decoded way, which joins the two
    // when the console wrapped one line in two (see `unwrap`; attack notes #230).
    if (this.wrapped !== null) return -1;
    if (this.debugView) return this.spanDebugView(bytes, start, len, maxEnd, lineNo);
    const scanner = this.scanner!;
    const kind = scanner.lineAt(bytes, start, len);
    if (kind !== SCAN_OTHER) {
      if (scanner.contentEnd > maxEnd) return -1;
      this.spy(this.lastProc ?? this.proc(null, lineNo, NO_POSITION), kind, lineNo);
      return scanner.lineEnd;
    }
    if (bytes[start] !== 48 /* 0 */ || !scanner.dumpAt(bytes, start, len) || scanner.contentEnd > maxEnd) return -1;
    const lf = scanner.lineEnd;
    const proc = this.lastProc ?? this.proc(null, lineNo, NO_POSITION);
    this.spyOutput(proc);
    printedThrough(proc.run, base + lf + 1, crlf + (lf > scanner.contentEnd ? 1 : 0), lineNo, false);
    proc.run.tracker!.dumpScan(scanner, lineNo);
    this.counted(proc, lineNo);
    return lf;
  }

  /**
   * A DebugView line whose message is an alloc or free line of a process already seen:
   * its columns and its message read from the bytes. Anything else (a new pid, a
   * continuation line, any other message) goes the decoded way.
   */
  private spanDebugView(bytes: Buffer, start: number, len: number, maxEnd: number, lineNo: number): number {
    const columns = this.columns;
    if (!debugViewColumns(bytes, start, len, columns)) return -1;
    const proc = this.procs.get(columns.pid);
    if (proc === undefined) return -1;
    const scanner = this.scanner!;
    const kind = scanner.lineAt(bytes, columns.message, len);
    if (kind === SCAN_OTHER || scanner.contentEnd > maxEnd) return -1;
    this.spy(proc, kind, lineNo);
    return scanner.lineEnd;
  }

  /** Ends the input: the capture, with every process's and run's tracker (not yet finished). */
  finish(): Capture {
    if (this.pending !== null) this.decide();
    if (this.wrapped !== null) this.flushWrapped(this.wrapped);
    const dialect = this.dialect!;
    if (this.procs.size === 0) this.proc(null, 1, NO_POSITION);
    // Held lines go to their finished runs; the file's end is the run whose line came last (in
    // a DebugView capture, a process released here may have printed before another's last line).
    let end = this.endRun;
    for (const p of this.procs.values()) {
      if (p.held.length > 0) {
        // The end of the input closes a prompt's stretch as another prompt would: a paste that
        // ends with the next command's output (`echo %ERRORLEVEL%`, `0`; attack notes #245).
        if (p.startHeld) this.startHeldRun(p, true);
        else this.release(p, true, true);
        if (end === null || p.run.lastLine > end.lastLine) end = p.run;
      }
    }
    this.endRun = end;
    for (const p of this.procs.values()) {
      this.lastProc = p;
      p.reader?.end(p.emit);
    }
    const processes = [...this.procs.values()];
    return {
      dialect,
      tried: this.opts.named ? [dialect.name] : this.opts.dialects.map((d) => d.name),
      debugView: this.debugView === true,
      frame: this.frame ?? null,
      recognized: this.recognized,
      anyText: this.nonBlank > 0,
      processes,
      endRun: this.endRun ?? processes[0]!.runs[0]!,
    };
  }

  /** Looks at one held line: is the file DebugView's, and which dialect speaks in it? */
  private detect(text: string): boolean {
    if (text.trim() === '') return false;
    this.nonBlank++;
    let message = text;
    const dv = parseDebugViewLine(text);
    if (this.debugView === null) this.debugView = dv !== null;
    if (this.debugView && dv) message = dv.message;
    if (this.frame === undefined) {
      this.opening.push(text);
      this.frame = this.debugView ? null : frameOf(this.opening);
    }
    // A CI job log's lines are read behind the time, and so is a first line with the time while the second has yet to tell.
    const stripped = this.frame === 'ci-log' || this.frame === undefined ? stampedMessage(text) : null;
    if (stripped !== null) message = stripped;
    if (this.dialect === null) {
      for (const d of this.opts.dialects) {
        if (d.recognizes(message)) {
          this.dialect = d;
          this.recognized = true;
          break;
        }
      }
    } else if (!this.recognized && this.dialect.recognizes(message)) {
      this.recognized = true;
    }
    return this.dialect !== null && this.debugView !== null && this.frame !== undefined;
  }

  /** Whether a program line is the frame's (a transcript's blocks, a CI runner's lines). */
  private isFrame(text: string, lineNo: number): boolean {
    if (this.frame === 'ci-log') return isRunnerLine(text);
    return (this.transcript ??= new TranscriptFrame()).isFrame(text, lineNo);
  }

  /** Ends detection (falling back to the first dialect) and replays the held lines. */
  private decide(): void {
    const held = this.pending ?? [];
    this.pending = null;
    this.dialect ??= this.opts.dialects[0]!;
    this.debugView ??= false;
    this.frame ??= null;
    this.opening = [];
    this.classify = this.dialect.classify ?? null;
    const fast = this.classify !== null ? fastPathOf(this.dialect) : null;
    this.scanner = fast === null ? null : new SpyScanner(fast);
    for (const h of held) this.dispatch(h.text, h.lineNo, h.dropped, h.at);
  }

  /** A decoded line, after detection: DebugView columns stripped, then read by the dialect. */
  private dispatch(text: string, lineNo: number, dropped: number, at: Readonly<LinePosition>): void {
    let proc = this.lastProc;
    let message = text;
    if (this.debugView) {
      const dv = parseDebugViewLine(text);
      if (dv) {
        message = dv.message;
        proc = this.procs.get(dv.pid) ?? this.proc(dv.pid, lineNo, at);
      }
      // A line without the columns (a continuation) stays with the previous process.
    } else {
      // A line without the time column (a runner that wrote one line in two) is read as it is.
      if (this.frame === 'ci-log') message = stampedMessage(text) ?? text;
      if (this.pending === null && this.nonBlank === 0 && text.trim() !== '') this.nonBlank++; // lines read after detection ended count too
    }
    if (message.includes('\r')) message = this.written(message);
    proc ??= this.proc(null, lineNo, at);
    if (this.wrapped !== null && this.unwrap(proc, message, lineNo, dropped, at)) return;
    const kind = this.scanner !== null && dropped === 0 ? this.scanner.text(message) : SCAN_OTHER;
    if (kind !== SCAN_OTHER) {
      this.spy(proc, kind, lineNo);
    } else if (this.classify !== null) {
      const e = this.classify(message);
      if (e.type === 'malformed' && dropped === 0) {
        // Maybe the first row of a line the console wrapped: the next line tells (see `unwrap`).
        this.wrapped = { proc, message, e, lineNo, at: { ...at } };
        return;
      }
      if (!this.route(proc, e, lineNo, dropped, at)) this.counted(proc, lineNo);
    } else {
      if (dropped > 0) proc.run.tracker!.overlong(lineNo, dropped);
      proc.at = at;
      proc.reader!.line(message, lineNo, proc.emit);
      this.counted(proc, lineNo);
    }
  }

  /**
   * A console copied with its window's rows, not its lines (the consoles of NT 4, 2000 and XP;
   * any console whose text is selected as a block): a line wider than the window is two lines
   * in the paste, the first exactly as wide as the window. A 64-bit
   * `MALLOC SPY: 0x… - freed (realloc to 0 bytes), 101 blocks remaining` is 81 characters: at 80
   * columns its `g` became the program's last line, the free an anomaly and its block a leak
   * (attack notes #228). So a spy line that does not parse waits for the next line: when the
   * two read as one spy event, they are that event, on the first one's line number; otherwise
   * the first is what it was (a malformed spy line) and the second is read as it is.
   * True when `message` was the held line's second half.
   */
  private unwrap(proc: Proc, message: string, lineNo: number, dropped: number, at: Readonly<LinePosition>): boolean {
    const w = this.wrapped!;
    this.wrapped = null;
    if (w.proc === proc && dropped === 0) {
      const joined = w.message + message;
      const kind = this.scanner !== null ? this.scanner.text(joined) : SCAN_OTHER;
      if (kind !== SCAN_OTHER) {
        this.spy(proc, kind, w.lineNo);
        this.counted(proc, lineNo);
        return true;
      }
      const e = this.classify!(joined);
      if (e.type === 'realloc' || e.type === 'alloc-failed') {
        if (!this.route(proc, e, w.lineNo, 0, at)) this.counted(proc, w.lineNo);
        this.counted(proc, lineNo);
        return true;
      }
    }
    this.flushWrapped(w);
    return false;
  }

  /** The held spy line that did not parse (see `unwrap`), as it is. */
  private flushWrapped(w: WrappedLine): void {
    this.wrapped = null;
    if (!this.route(w.proc, w.e, w.lineNo, 0, w.at)) this.counted(w.proc, w.lineNo);
  }

  /**
   * An alloc or free line the scanner just read, from its bytes or its text: the one route
   * of such lines to their tracker. They never start nor end a run (see `route`).
   */
  private spy(proc: Proc, kind: number, lineNo: number): void {
    this.spyOutput(proc);
    proc.run.tracker!.spy(kind, this.scanner!, lineNo);
    this.counted(proc, lineNo);
  }

  /** A line read from its bytes (spy output or a dump entry): the lines held before it are its run's, and the log has text. */
  private spyOutput(proc: Proc): void {
    proc.afterPrompt = NO_PROMPT;
    if (proc.held.length > 0) {
      if (proc.startHeld) this.startHeldRun(proc);
      else this.release(proc);
    }
    if (this.nonBlank === 0) this.nonBlank++;
  }

  /** The line is its process's latest, and so far the file's last. */
  private counted(proc: Proc, lineNo: number): void {
    this.lastProc = proc;
    const run = proc.run;
    run.lines++;
    run.lastLine = lineNo;
    this.endRun = run;
  }

  /**
   * An event to its process's run; true when the line is held instead (its caller then does
   * not count it: `release` does, for the run that gets it).
   *
   * After a run finished (its revoke or dump), plain program lines are held: whose they are
   * is known only later. Spy output or a phase marker after them makes them the finished
   * run's (its exit-time output follows them); a run start makes them the next run's (a
   * banner, a prompt, a usage line printed before CoInitialize: as the finished run's they
   * would be its "last program line" with no spy output after it, and a complete run
   * appended with `>>` would read as cut); the end of the input makes them the finished run's.
   *
   * A run that printed a registration that succeeded (`CoRegisterMallocSpy() returns
   * 0x00000000`) keeps its spy until it revokes it, and COM refuses a second one in the
   * same process (CO_E_OBJISREG, 0x800401FB). So, for such a run:
   * - another registration that succeeds is another process's run, even when this one never
   *   finished: it died before its revoke (a crash, `exit()`, a kill), and the next run was
   *   appended. Read as one run, the dead run's blocks were "reused" by the next process's
   *   allocations at the same addresses and its leak counted freed (attack notes #90). Its
   *   plain lines wait for what follows them, as after a finished run, but at most
   *   `TENTATIVE_LINES`: the next process's banner and `CoInitialize` are the new run's. A
   *   call's line (`CLSIDFromProgID() returns …`) is not held: it names the call of the
   *   blocks allocated before it, the running program's;
   * - after it finished, its `CoInitialize` waits for the next line that tells: a
   *   registration that fails (the same process starts a second COM session while its spy,
   *   never revoked, goes on printing: attack notes #93) keeps it and the lines held with it
   *   in the finished run; anything else starts the new run there, as `CoInitialize` always
   *   did (the next run may register in a shape the markers do not read, `returns S_OK`, or
   *   not print it at all: read as one run, its allocations at the finished run's leaked
   *   addresses counted that leak freed; attack notes #98).
   */
  private route(proc: Proc, e: LineEvent, lineNo: number, dropped: number, at: Readonly<LinePosition>): boolean {
    // The frame's own lines (a transcript's header and footer, a CI runner's lines) are the console's.
    if (this.frame && e.type === 'program' && e.marker === null && this.isFrame(e.text, lineNo)) e = asConsole(e);
    // Held, a line keeps what it is and whether it came after a prompt: it is the console's only
    // if it goes to the run the prompt came after, not the next one (its banner; see `afterPrompt`).
    const shown = this.afterPrompt(proc, e);
    const trailer = shown !== e ? proc.afterPrompt : NO_PROMPT;
    if (!proc.finished && proc.registered) {
      if (registers(e)) {
        this.startRun(proc, proc.held, lineNo, at, true);
        if (proc.held.length > 0) this.release(proc, false);
      } else if (this.holds(proc, e) && !this.namesCall(e)) {
        if (proc.held.length < TENTATIVE_LINES && proc.heldChars + textLength(e) <= TENTATIVE_CHARS)
          return hold(proc, { e, lineNo, dropped, at: { ...at }, trailer });
        // Past the cap, as below: the lines after it come as they are read (attack notes #246).
        this.release(proc, true, true);
      } else if (proc.held.length > 0) {
        this.release(proc);
      }
    } else if (proc.finished) {
      // A run that printed a registration that succeeded: its `CoInitialize` waits for the next line that tells (see above).
      const waits = proc.registered && !proc.holdingOff && proc.past === null;
      if (waits && refused(e)) {
        // The same process: COM refused a second spy. What was held is the finished run's.
        proc.startHeld = false;
        if (proc.held.length > 0) this.release(proc);
      } else if (waits && e.type === 'program' && e.marker === null && this.dialect!.isRunStart(e) && proc.held.length < this.holdLines) {
        proc.startHeld = true;
        return hold(proc, { e, lineNo, dropped, at: { ...at }, trailer });
      } else if (this.dialect!.isRunStart(e)) {
        // Past the cap, the held lines' last places are in the ring: the splits are those of all the lines.
        this.startRun(proc, proc.past ? [...proc.held, ...proc.past.ring] : proc.held, lineNo, at, false);
        proc.holdingOff = false;
        proc.startHeld = false;
        if (proc.held.length > 0) this.release(proc, false);
      } else if (proc.startHeld && !this.holds(proc, e)) {
        this.startHeldRun(proc);
      } else if (this.holds(proc, e)) {
        const line: HeldLine = { e, lineNo, dropped, at: { ...at }, trailer };
        if (proc.past === null && proc.held.length < this.holdLines && proc.heldChars + textLength(e) <= HOLD_CHARS) return hold(proc, line);
        // Past the cap only with the first splits held in full (not when a few very long lines fill the characters).
        if (proc.held.length >= FIRST_SPLITS && this.holdPast(proc, line)) return true;
        // Overflowed: with a run start held, the new run starts there, as it did before it waited.
        if (proc.startHeld) this.startHeldRun(proc);
        else {
          proc.holdingOff = true;
          // Past every cap, a prompt's stretch is taken as closed: the lines after it are delivered
          // as they come from here on, the console's (as `afterPrompt` reads them), like these.
          this.release(proc, true, true);
        }
      } else if (proc.held.length > 0) {
        this.release(proc);
      }
    }
    this.deliver(proc, shown, lineNo, dropped, at);
    return false;
  }

  /**
   * After a shell's prompt the program has exited: what follows is the next command's output
   * (`echo %ERRORLEVEL%`'s `0`, PowerShell's `$LASTEXITCODE`, another test binary's
   * `[ RUN      ]`, a tool's `DllRegisterServer() returns 0x00000000`, its `...` and colour
   * codes), the console's as much as the prompt. Read as the program's last line, no spy
   * output followed it and a complete console paste read possibly-truncated, its exit-time
   * frees ordinary ones (attack notes #227, #229, #238). Spy output, a marker or a run's start
   * (`CoInitialize`, a registration) is a program's again: the next run's.
   *
   * Before the run is over (its revoke or dump), a prompt may be a batch file's that the
   * program runs (`system("setup.bat")` echoes `C:\work\spy>echo ...`) and the program goes on
   * after it: only plain lines are the console's then (the batch's output; a crash's `echo
   * %ERRORLEVEL%`), up to the program's next call's line, test line or spy output (#236).
   *
   * Held lines keep what they are for the next run (see `release`). Decided here, line by line
   * as they come, so lines held past the cap read the same as lines held in full.
   */
  private afterPrompt(proc: Proc, e: LineEvent): LineEvent {
    if (e.type === 'blank') return e;
    if (e.type === 'console') {
      const tracker = proc.run.tracker;
      if (e.prompt && tracker?.begun === true) proc.afterPrompt = proc.finished || tracker.uninitialized ? AFTER_EXIT : MAYBE_MID_RUN;
      return e;
    }
    if (proc.afterPrompt === NO_PROMPT) return e;
    if (proc.afterPrompt === AFTER_EXIT) {
      if (e.type === 'elision' || e.type === 'unreadable') return asConsole(e);
      if (
        e.type === 'program' &&
        e.marker === null &&
        !this.dialect!.isRunStart(e) &&
        !opensComSession(e.text) &&
        !this.endsRunningTest(proc, e.text)
      )
        return asConsole(e);
    } else if (e.type === 'unreadable') {
      // Colour codes (`git log --color=always` after an early `exit()`) say nothing of the program (#252).
      return asConsole(e);
    } else if (e.type === 'program' && e.marker === null && e.call === null && !opensComSession(e.text)) {
      const tests = this.opts.tracker.tests;
      if (tests === null || readTestLine(e.text, tests) === null) return asConsole(e);
    }
    proc.afterPrompt = NO_PROMPT;
    return e;
  }

  /** Whether a program line is the end line of a test running in the process's run (a fixture's `[ OK ]` after a batch its TearDown ran: attack notes #243). */
  private endsRunningTest(proc: Proc, text: string): boolean {
    const tests = this.opts.tracker.tests;
    const test = tests === null ? null : readTestLine(text, tests);
    return test?.kind === 'end' && proc.run.tracker?.isRunningTest(test.name) === true;
  }

  /**
   * Whether a line after a finished run waits to know its run: plain program lines, blanks
   * and prompts. Not a phase marker, not a test's end line (a fixture that revokes its spy
   * per test prints `[ OK ]` after its run's revoke), not spy output.
   */
  private holds(proc: Proc, e: LineEvent): boolean {
    if (proc.reader !== null || proc.holdingOff) return false;
    if (e.type === 'blank' || e.type === 'console') return true;
    // After a prompt, what may be the next command's output waits too (see `afterPrompt`).
    const trailing = proc.afterPrompt === AFTER_EXIT;
    if (trailing && (e.type === 'elision' || e.type === 'unreadable')) return true;
    if (e.type !== 'program' || e.marker !== null) return false;
    const tests = this.opts.tracker.tests;
    return trailing || tests === null || readTestLine(e.text, tests)?.kind !== 'end';
  }

  /**
   * A line with lone CRs, as the text written last (`lastWritten`); but a spy event written
   * before text that went over it (`…freed, 1 blocks remaining\rdone`) happened: its line
   * is read, not the text over it (attack notes #101).
   */
  private written(message: string): string {
    const shown = lastWritten(message);
    const classify = this.classify;
    if (classify === null || isBlockEvent(classify(shown))) return shown;
    const pieces = message.split('\r');
    for (let i = pieces.length - 1; i >= 0; i--) if (isBlockEvent(classify(pieces[i]!))) return pieces[i]!;
    return shown;
  }

  /** The held lines from their run start on are a new run's (nothing refused its registration). */
  private startHeldRun(proc: Proc, atEnd = false): void {
    const start = proc.held.findLast((h) => this.dialect!.isRunStart(h.e));
    if (start) this.startRun(proc, proc.held, start.lineNo, start.at, false);
    proc.startHeld = false;
    proc.holdingOff = false;
    this.release(proc, start === undefined, atEnd);
  }

  /** Whether a program line names a call of the running program (`… returns …`), not one that starts a run. */
  private namesCall(e: LineEvent): boolean {
    return e.type === 'program' && e.call !== null && !this.dialect!.isRunStart(e);
  }

  /** A line past the cap (see `PastCap`); false when the lines held in full overflow. */
  private holdPast(proc: Proc, line: HeldLine): boolean {
    const past = (proc.past ??= {
      kept: [],
      keptChars: 0,
      counted: 0,
      lastProgram: null,
      lastPrinted: null,
      lastConsole: null,
      trailers: { lastProgram: null, lastPrinted: null, lastConsole: null },
      nonBlank: false,
      program: false,
      anyProgram: false,
      ring: [],
    });
    heldNonBlank(proc, line);
    if (past.ring.length < PAST_RING) {
      past.ring.push(line);
      return true;
    }
    // The ring's oldest line makes room: held in full, as its anomaly, or only counted.
    const h = past.ring[0]!;
    const e = h.e;
    const tests = this.opts.tracker.tests;
    // A trailer (see `afterPrompt`) is no program line of the finished run; a test line is kept either way (the next run's, maybe).
    const program = e.type === 'program' && h.trailer === NO_PROMPT;
    const test = e.type === 'program' && tests !== null && readTestLine(e.text, tests) !== null;
    // An elision or an unreadable line is held only after a prompt; its anomaly must not be lost.
    const anomaly = e.type === 'elision' || e.type === 'unreadable';
    const full =
      (!past.nonBlank && e.type !== 'blank') || test || anomaly || (program && !past.program) || (e.type === 'program' && !past.anyProgram);
    if (full || h.dropped > 0) {
      const chars = full ? textLength(e) : 0;
      if (past.kept.length >= HOLD_LINES || past.keptChars + chars > HOLD_CHARS) return false;
      past.kept.push(full ? h : { e: null, lineNo: h.lineNo, dropped: h.dropped });
      past.keptChars += chars;
    }
    past.ring.shift();
    past.ring.push(line);
    if (full) {
      past.nonBlank = true; // a blank is never held in full here
      past.program ||= program;
      past.anyProgram ||= e.type === 'program';
      return true;
    }
    past.counted++;
    const plain = h.dropped > 0 ? { ...h, dropped: 0 } : h;
    standIn(past, e.type, plain);
    standIn(past.trailers, h.trailer !== NO_PROMPT ? 'console' : e.type, plain);
    return true;
  }

  /**
   * The held lines, in order, to the process's current run. `trailers`: the run is the one
   * they were held after (not a new one begun since), so a line after its prompt is the
   * console's (see `afterPrompt`).
   */
  private release(proc: Proc, trailers = true, closedHere = false): void {
    const held = proc.held;
    const past = proc.past;
    // After the run, the lines after a prompt are the console's when the console's line closes
    // them (the next prompt), the input ends there (`closedHere`, as a paste ends), or they pass
    // every cap; not when the program's own output goes on after them (spy output, a marker: a
    // batch file the program ran after its dump; attack notes #240). (Lines held past the cap
    // are all after the run.)
    const closed = trailers && (closedHere || proc.lastHeld === 'console');
    proc.held = [];
    proc.heldChars = 0;
    proc.past = null;
    proc.lastHeld = null;
    const event = (h: HeldLine): LineEvent =>
      trailers && (h.trailer === MAYBE_MID_RUN || (h.trailer === AFTER_EXIT && closed)) ? asConsole(h.e) : h.e;
    for (const h of held) {
      this.deliver(proc, event(h), h.lineNo, h.dropped, h.at);
      this.counted(proc, h.lineNo);
    }
    if (past === null) return;
    // In line order: the lines kept in full, and in place of the lines only counted, their latest program, printed and console lines.
    const last = closed ? past.trailers : past;
    const stand = [last.lastProgram, last.lastPrinted, last.lastConsole].filter((h, i, all): h is HeldLine => h !== null && all.indexOf(h) === i);
    const lines = [...past.kept, ...stand].sort((a, b) => a.lineNo - b.lineNo);
    for (const h of lines) {
      if (h.e !== null) this.deliver(proc, event(h), h.lineNo, h.dropped, h.at);
      else proc.run.tracker!.overlong(h.lineNo, h.dropped);
    }
    for (const h of past.kept) if (h.e !== null) this.counted(proc, h.lineNo);
    proc.run.lines += past.counted;
    for (const h of past.ring) {
      this.deliver(proc, event(h), h.lineNo, h.dropped, h.at);
      this.counted(proc, h.lineNo);
    }
  }

  /**
   * A new run of `proc` from its run-start line (`startLine`, at `startAt`), with the lines
   * held before it (its first lines). Where the held lines split between the two runs is not
   * known: every split (the last CRT_SPLITS) is a place both runs' C runtime buffers may
   * end or start. `newProcess`: the new run is certainly another process's (see `route`).
   */
  private startRun(proc: Proc, held: readonly HeldLine[], startLine: number, startAt: Readonly<LinePosition>, newProcess: boolean): void {
    const ended = proc.run;
    const first = held[0];
    const firstLine = first?.lineNo ?? startLine;
    const at = first?.at ?? startAt;
    ended.endByte = at.start;
    ended.endCrlf = at.crlfBefore;
    // A run whose exit-time output is in the log ended its process there: it printed none of
    // the lines after it, and the next run starts its own buffers. Only a run that shows no
    // exit may have printed some of them (a `Done.`) or share its buffer with the next run (a
    // test fixture that registers the spy per test). The next run's buffers may start at any
    // split either way: a line between may be another program's (a CI script's `echo`).
    const exited = ended.tracker?.showsExit() ?? true;
    // A run started by its registration whose `CoInitialize` was held: that line is where it certainly starts, no line after it.
    const call = held.findLastIndex((h) => this.dialect!.isRunStart(h.e));
    const before = call < 0 ? held : held.slice(0, call);
    const startPlace = call < 0 ? place(startLine, startAt, 'split') : place(held[call]!.lineNo, held[call]!.at, 'split');
    const all = [...before.slice(1).map((h) => place(h.lineNo, h.at, 'split')), ...(before.length > 0 ? [startPlace] : [])];
    // The finished run's own last lines come first, the next run's banner last: both ends.
    const splits = all.length <= CRT_SPLITS ? all : [...all.slice(0, CRT_SPLITS / 2), ...all.slice(-CRT_SPLITS / 2)];
    if (!exited) ended.boundaries.ends.push(...splits);
    proc.run = this.newRun(ended.index + 1, firstLine, at);
    const starts = proc.run.boundaries.starts;
    starts.push(...splits);
    if (!exited && !newProcess) {
      // Runs of one process share its buffer: the previous run's first byte, and the first byte of the runs before it that did not exit either.
      if (ended.firstByte >= 0) starts.push(place(ended.firstLine, { start: ended.firstByte, crlfBefore: ended.firstCrlf }, 'shared'));
      const origin = ended.boundaries.starts.findLast((b) => b.kind === 'shared');
      if (origin && !starts.some((b) => b.byte === origin.byte)) starts.push(origin);
    }
    // Another session of the same process, perhaps: the spy, still installed, counts what the
    // ended run left alive (the new run confirms it by freeing one of those blocks).
    if (!newProcess && ended.tracker) proc.run.tracker!.inherit(ended.tracker);
    proc.runs.push(proc.run);
    proc.finished = false;
    proc.registered = false;
    proc.startHeld = false;
    if (this.opts.onRunEnd) {
      this.opts.onRunEnd(ended, proc.pid, this.dialect!, this.debugView === true, this.frame ?? null);
      ended.tracker = null;
      // Only the process's last run is needed at the end; the others were judged.
      proc.runs.splice(0, proc.runs.length - 1);
    }
  }

  private deliver(proc: Proc, e: LineEvent, lineNo: number, dropped: number, at: Readonly<LinePosition>): void {
    if (e.type === 'dump-start' || (e.type === 'program' && e.marker === 'revoke')) proc.finished = true;
    if (registers(e)) proc.registered = true;
    if (dropped > 0) proc.run.tracker!.overlong(lineNo, dropped);
    if (PRINTED_BY_PROGRAM.has(e.type) && at.next >= 0) {
      printedThrough(proc.run, at.next, at.crlfThrough, lineNo, e.type === 'blank');
    }
    if (at.next >= 0) noteLine(proc.run, lineKind(e), at, lineNo, this.dialect!.isRunStart(e));
    proc.run.tracker!.event(e, lineNo);
  }

  private proc(pid: number | null, firstLine: number, at: Readonly<LinePosition>): Proc {
    const run = this.newRun(1, firstLine, at);
    const reader = this.dialect!.reader?.() ?? null;
    // A reader emits the events of the line it is given (or of the one it held before it): that line's position.
    const p: Proc = {
      pid,
      runs: [run],
      run,
      held: [],
      heldChars: 0,
      past: null,
      holdingOff: false,
      finished: false,
      registered: false,
      startHeld: false,
      afterPrompt: NO_PROMPT,
      lastHeld: null,
      reader,
      at,
      emit: (e, line) => void this.route(p, e, line, 0, p.at),
    };
    this.procs.set(pid, p);
    return p;
  }

  private newRun(index: number, firstLine: number, at: Readonly<LinePosition>): CapturedRun {
    return {
      index,
      firstLine,
      lastLine: firstLine,
      lines: 0,
      tracker: new Tracker({ ...this.opts.tracker, dumpOnly: this.dialect!.dumpOnly }),
      firstByte: at.start,
      firstCrlf: at.crlfBefore,
      flushByte: -1,
      flushCrlf: 0,
      flushLine: 0,
      textFlushByte: -1,
      textFlushCrlf: 0,
      textFlushLine: 0,
      endByte: -1,
      endCrlf: 0,
      boundaries: { starts: [], ends: [] },
      own: {
        afterConsole: [],
        atLines: [],
        started: false,
        afterByte: -1,
        afterCrlf: 0,
        afterLine: -1,
        consoleByte: -1,
        consoleCrlf: 0,
        consoleLine: 0,
      },
    };
  }
}
