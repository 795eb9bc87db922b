// The layer between lines and trackers. A real capture is not one clean run: DebugView
// interleaves processes (each message is routed by its pid), CI appends runs to one file
// (a run start after a finished run opens a new tracker), and the wording may be another
// dialect's (detected from the first lines unless one is named). Each process and run gets
// its own Tracker and verdict; the file's report merges them. A plain MallocSpyTest log
// goes through exactly one tracker and gives exactly the report it always gave.
import type { LineEvent } from '../parse/events.js';
import type { LineSink } from '../read/lines.js';
import { Tracker, type TrackerOptions } from '../track/tracker.js';
import { judge, type InputFacts, type VerdictOptions } from '../classify/verdict.js';
import type { Report } from '../report/schema.js';
import { addDataHints } from '../report/datahint.js';
import type { Dialect, DialectReader, Emit } from '../dialect/dialect.js';
import { parseDebugViewLine } from './debugview.js';
import { scanLineAt, scanned, scanText, SCAN_OTHER } from '../parse/classify.js';
import type { ParseContext } from '../parse/options.js';
import { mergeReports, type Part } from './merge.js';

export interface DemuxOptions {
  /** The dialects to try, in order; the first is the fallback. */
  dialects: Dialect[];
  /** True when the user named the dialect: it is used without detection. */
  named: boolean;
  tracker: TrackerOptions;
}

/** The verdict's options but the marker, which comes from the dialect. */
export type JudgeOptions = Omit<VerdictOptions, 'coUninitializeMarker'>;

/** Lines (or characters) held while the format is being detected. */
const DETECT_LINES = 1000;
const DETECT_CHARS = 1 << 20;
const NO_SPY_EVENTS = 'the log has no spy events: the spy saw no allocation';

interface Run {
  index: number;
  firstLine: number;
  lastLine: number;
  lines: number;
  tracker: Tracker;
}

interface Proc {
  pid: number | null;
  runs: Run[];
  run: Run;
  /** Past its revoke or dump: a run start now opens a new run. */
  finished: boolean;
  reader: DialectReader | null;
  emit: Emit;
}

export class LogDemux implements LineSink {
  private pending: { text: string; lineNo: number; dropped: number }[] | null = [];
  private pendingChars = 0;
  private debugView: boolean | null = null;
  private dialect: Dialect | null;
  private classify: ((line: string) => LineEvent) | null = null;
  /** Set for the default dialect: alloc and free lines skip their events (the fast path). */
  private spyContext: ParseContext | null = null;
  /** A dialect recognised a line during detection. */
  private recognized = false;
  private nonBlank = 0;
  private readonly procs = new Map<number | null, Proc>();
  private lastProc: Proc | null = null;
  /** The run that received the file's last line: it alone can be cut at the end. */
  private endRun: Run | null = null;

  constructor(private readonly opts: DemuxOptions) {
    this.dialect = opts.named ? opts.dialects[0]! : null;
  }

  line(text: string, lineNo: number, dropped: number): void {
    if (this.pending === null) return this.dispatch(text, lineNo, dropped);
    this.pending.push({ text, lineNo, dropped });
    this.pendingChars += text.length;
    if (this.detect(text) || this.pending.length >= DETECT_LINES || this.pendingChars >= DETECT_CHARS) this.decide();
  }

  /**
   * Spans (undecoded lines) are read only in a plain log, once its dialect is the default
   * one. Both are settled when detection ends and never change after: once true, this
   * stays true, which is why `span` need not ask again per line.
   */
  spanning(): boolean {
    return this.spyContext !== null && this.spyContext.prefixFitsLine && this.debugView === false;
  }

  /** The hot path (Utf8LineSplitter, only after `spanning()`): an alloc or free line of a plain log, read from its bytes. */
  span(bytes: Buffer, start: number, len: number, maxEnd: number, lineNo: number): number {
    const kind = scanLineAt(bytes, start, len, this.spyContext!);
    if (kind === SCAN_OTHER || scanned.contentEnd > maxEnd) return -1;
    if (this.nonBlank === 0) this.nonBlank++; // as dispatch counts lines read after detection
    const proc = this.lastProc ?? this.proc(null, lineNo);
    this.lastProc = proc;
    const lineEnd = scanned.lineEnd;
    proc.run.tracker.spy(kind, lineNo);
    this.counted(proc.run, lineNo);
    return lineEnd;
  }

  finish(input: InputFacts, opts: JudgeOptions): Report {
    if (this.pending !== null) this.decide();
    const dialect = this.dialect!;
    if (this.procs.size === 0) this.proc(null, 1);
    for (const p of this.procs.values()) {
      this.lastProc = p;
      p.reader?.end(p.emit);
    }
    const single = this.procs.size === 1 && this.lastProc!.runs.length === 1;
    const judgeRun = (run: Run): Report => {
      const facts: InputFacts = single
        ? { ...input, crtBuffered: !this.debugView }
        : {
            ...input,
            lines: run.lines,
            lastLine: run.lastLine,
            endedOnLineEnd: run === this.endRun ? input.endedOnLineEnd : true,
            endedOnBareCR: run === this.endRun ? input.endedOnBareCR : false,
            crtBuffered: run === this.endRun && !this.debugView,
          };
      const trace = run.tracker.finish(single ? input.lines : run.lastLine);
      const report = judge(trace, facts, { ...opts, coUninitializeMarker: dialect.coUninitializeMarker });
      addDataHints(report.blocks);
      if (dialect.dumpOnly) dumpOnly(report, dialect.name);
      return report;
    };

    const processParts: (Part & { pid: number | null })[] = [];
    for (const p of this.procs.values()) {
      const runParts: (Part & { index: number })[] = p.runs.map((run) => ({
        label: `run ${run.index}`,
        index: run.index,
        firstLine: run.firstLine,
        lastLine: run.lastLine,
        report: judgeRun(run),
        tag: { run: run.index },
      }));
      const first = runParts[0]!;
      const last = runParts[runParts.length - 1]!;
      let report = first.report;
      if (runParts.length > 1) {
        report = mergeReports(runParts, { lines: runParts.reduce((s, r) => s + r.report.lines, 0) });
        report.runs = runParts.map(({ index, firstLine, lastLine, report }) => ({ index, firstLine, lastLine, report }));
      }
      const label = p.pid === null ? 'no pid' : `pid ${p.pid}`;
      processParts.push({ label, pid: p.pid, firstLine: first.firstLine, lastLine: last.lastLine, report, tag: { pid: p.pid } });
    }

    let top = processParts[0]!.report;
    if (processParts.length > 1) {
      top = mergeReports(processParts, { lines: input.lines });
      top.processes = processParts.map(({ pid, firstLine, lastLine, report }) => ({ pid, firstLine, lastLine, report }));
    }
    if (this.debugView) top.capture = 'debugview';
    const matched = this.recognized || this.nonBlank === 0 || hasSpyContent(top);
    if (dialect.name !== 'mallocspy' || !matched) {
      top.dialect = { name: dialect.name, tried: this.opts.named ? [dialect.name] : this.opts.dialects.map((d) => d.name), matched };
    }
    return top;
  }

  /** Looks at one held line: is the file DebugView's, and which dialect speaks in it? */
  private detect(text: string): boolean {
    if (text.trim() === '') return false;
    this.nonBlank++;
    let message = text;
    const dv = parseDebugViewLine(text);
    if (this.debugView === null) this.debugView = dv !== null;
    if (this.debugView && dv) message = dv.message;
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
    return this.dialect !== null && this.debugView !== null;
  }

  /** Ends detection (falling back to the first dialect) and replays the held lines. */
  private decide(): void {
    const held = this.pending ?? [];
    this.pending = null;
    this.dialect ??= this.opts.dialects[0]!;
    this.debugView ??= false;
    this.classify = this.dialect.classify ?? null;
    this.spyContext = this.classify !== null ? (this.dialect.spyContext ?? null) : null;
    for (const h of held) this.dispatch(h.text, h.lineNo, h.dropped);
  }

  private dispatch(text: string, lineNo: number, dropped: number): void {
    let proc = this.lastProc;
    let message = text;
    if (this.debugView) {
      const dv = parseDebugViewLine(text);
      if (dv) {
        message = dv.message;
        proc = this.procs.get(dv.pid) ?? this.proc(dv.pid, lineNo);
      }
      // A line without the columns (a continuation) stays with the previous process.
    } else if (this.pending === null && this.nonBlank === 0 && text.trim() !== '') {
      this.nonBlank++; // lines read after detection ended count too
    }
    proc ??= this.proc(null, lineNo);
    this.lastProc = proc;
    let kind = SCAN_OTHER;
    if (this.spyContext !== null && dropped === 0 && (kind = scanText(message, this.spyContext)) !== SCAN_OTHER) {
      // An alloc or free: never a run start nor a run end (see route).
      proc.run.tracker.spy(kind, lineNo);
    } else if (this.classify !== null) {
      this.route(proc, this.classify(message), lineNo, dropped);
    } else {
      if (dropped > 0) proc.run.tracker.overlong(lineNo, dropped);
      proc.reader!.line(message, lineNo, proc.emit);
    }
    this.counted(proc.run, lineNo);
  }

  /** The line is the run's latest (and, so far, the file's last). */
  private counted(run: Run, lineNo: number): void {
    run.lines++;
    run.lastLine = lineNo;
    this.endRun = run;
  }

  private route(proc: Proc, e: LineEvent, lineNo: number, dropped: number): void {
    if (proc.finished && this.dialect!.isRunStart(e)) {
      proc.run = this.newRun(proc.runs.length + 1, lineNo);
      proc.runs.push(proc.run);
      proc.finished = false;
    }
    if (e.type === 'dump-start' || (e.type === 'program' && e.marker === 'revoke')) proc.finished = true;
    if (dropped > 0) proc.run.tracker.overlong(lineNo, dropped);
    proc.run.tracker.event(e, lineNo);
  }

  private proc(pid: number | null, firstLine: number): Proc {
    const run = this.newRun(1, firstLine);
    const reader = this.dialect!.reader?.() ?? null;
    const p: Proc = { pid, runs: [run], run, finished: false, reader, emit: (e, line) => this.route(p, e, line, 0) };
    this.procs.set(pid, p);
    return p;
  }

  private newRun(index: number, firstLine: number): Run {
    return { index, firstLine, lastLine: firstLine, lines: 0, tracker: new Tracker(this.opts.tracker) };
  }
}

/** Whether the report holds anything a spy wrote: spy events, a dump, phase markers, broken spy lines. */
function hasSpyContent(r: Report): boolean {
  const p = r.phases;
  return (
    r.allocs + r.frees + r.reallocs > 0 ||
    p.dump !== null ||
    p.spyRegistered !== null ||
    p.revoke !== null ||
    p.coUninitialize !== null ||
    (r.anomalyCounts['malformed-spy-line'] ?? 0) > 0
  );
}

/**
 * A dump-only dialect has no allocation lines: every dumped block being "unknown" is the
 * format, not an inconsistency, and "no spy events" would misread it.
 */
function dumpOnly(report: Report, name: string): void {
  const expected = 'dump-unknown-block';
  report.anomalies = report.anomalies.filter((a) => a.kind !== expected);
  delete report.anomalyCounts[expected];
  const i = report.evidence.indexOf(NO_SPY_EVENTS);
  if (i >= 0) {
    const entries = report.phases.dump?.entries ?? 0;
    report.evidence[i] =
      entries > 0
        ? `a leak dump only (${name} dialect): the ${entries} block${entries === 1 ? '' : 's'} it lists were alive when it was printed`
        : `a leak dump only (${name} dialect), and it lists no block`;
  }
}
