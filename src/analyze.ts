// The analysis, start to end: bytes → UTF-8 → lines → events → tracked blocks → one
// decision per block → report. Alloc and free lines go from their bytes straight to the
// tracker (parse/scan.ts), without a string or an event. No I/O here: adapters
// (analyzeBuffer, analyzeStream) feed it bytes.
//
// The order of the work after the last line is the one place it is written down:
//   for every run of every process: its trace, the completeness verdict (rule table),
//   the decision of every block (the log, then a baseline, then --assume-complete), data
//   hints, findings over the decided blocks, the run's report;
//   then the runs of a process, and the processes of the file, merged (sums only).
import { ByteDecoder, type WideChars } from './read/decode.js';
import { LineSplitter } from './read/lines.js';
import type { MarkerOptions } from './parse/options.js';
import { GTEST_TESTS, type TestPatterns } from './parse/tests.js';
import type { Report } from './model/report.js';
import { LogDemux, type CapturedRun, type Capture } from './capture/demux.js';
import type { Frame } from './capture/frames.js';
import type { Dialect } from './dialect/dialect.js';
import { builtinDialects } from './dialect/registry.js';
import type { Baseline } from './baseline/model.js';
import { BaselineTally } from './baseline/match.js';
import { addDataHints } from './hint/datahint.js';
import { addHolderHints } from './hint/holders.js';
import type { CrtFacts, CrtSpan } from './verdict/completeness.js';
import { decide, type Deciders } from './verdict/decide.js';
import { findingsOf } from './verdict/findings.js';
import { assembleReport } from './verdict/assemble.js';
import { PartMerger, type Part } from './verdict/merge.js';

export interface AnalyzeOptions {
  /** Shown as the report's `source` (a path, or `-` for stdin). */
  source?: string;
  markers?: Partial<MarkerOptions>;
  /** Read the log in this dialect; by default the built-ins are tried (MallocSpyTest first). */
  dialect?: Dialect;
  /** Known runtime-held memory: never-freed blocks that fit it are `exitprocess` (decidedBy `baseline`). */
  baseline?: Baseline | null;
  /**
   * Decide never-freed blocks that fit memory a known runtime holder keeps until ExitProcess
   * (`exitprocess`, decidedBy `known-holder`); without it, such blocks only carry a `hint`.
   */
  trustKnownHolders?: boolean;
  /** Count never-freed blocks of an incomplete log as true leaks (after the baseline and the known holders). */
  assumeComplete?: boolean;
  /**
   * How the program's test runner prints where each test starts and ends (compileTestPatterns);
   * default GoogleTest's `[ RUN      ]` / `[       OK ]` lines; null: no test attribution.
   */
  tests?: TestPatterns | null;
  /** Longer lines are cut to this many characters and reported as anomalies. */
  maxLineLength?: number;
  /** Anomalies listed per kind; all are counted. */
  anomaliesPerKind?: number;
  /** Frees held while their phase is undecided before they are only counted. */
  windowLimit?: number;
  /** Blocks of one size piled up then freed together (or never) that make a finding. */
  episodeThreshold?: number;
  /**
   * Whether alloc and free lines may be read straight from their bytes (default true).
   * The report is the same either way; tests turn it off to compare the two routes.
   */
  bytePath?: boolean;
  /**
   * Program lines held in full after a finished run before only their count and their
   * latest lines are kept (default 4096, at least 5). The report is the same either way
   * unless the lines kept in full past them overflow too; tests make it small to compare.
   */
  holdLines?: number;
}

export const DEFAULTS = {
  maxLineLength: 64 * 1024,
  anomaliesPerKind: 100,
  windowLimit: 100_000,
  contextLength: 80,
  episodeThreshold: 100,
};

const SLICE = 64 * 1024;

export interface Analyzer {
  write(chunk: Uint8Array): void;
  end(): Report;
}

/** What the whole input says of itself, known at its end. */
interface InputEnd {
  source: string;
  bytes: number;
  encoding: string;
  lines: number;
  endedOnLineEnd: boolean;
  endedOnBareCR: boolean;
  /** Bytes of a Ctrl+Z end-of-file mark after the last line end (LineSplitter.endMark): not the program's. */
  endMark: number;
  /** Lines ended by CR LF in the whole input. */
  crlf: number;
  /** Bytes of the UTF-8 stream the lines were read from: `bytes` but a UTF-16 input's, decoded. */
  streamBytes: number;
  /** The characters outside ASCII in that stream, where they are (for the 4096-byte rules' count in characters). */
  wide: WideChars;
}

export function createAnalyzer(options: AnalyzeOptions = {}): Analyzer {
  const windowLimit = options.windowLimit ?? DEFAULTS.windowLimit;
  const episodeThreshold = options.episodeThreshold ?? DEFAULTS.episodeThreshold;
  const decoder = new ByteDecoder();
  const judge = new Judge(
    { baseline: options.baseline ?? null, trustKnownHolders: options.trustKnownHolders ?? false, assumeComplete: options.assumeComplete ?? false },
    { windowLimit, episodeThreshold },
    options.source ?? '-',
  );
  const demux = new LogDemux({
    dialects: options.dialect ? [options.dialect] : builtinDialects(options.markers),
    named: options.dialect !== undefined,
    bytePath: options.bytePath ?? true,
    holdLines: options.holdLines,
    tracker: {
      anomaliesPerKind: options.anomaliesPerKind ?? DEFAULTS.anomaliesPerKind,
      windowLimit,
      contextLength: DEFAULTS.contextLength,
      episodeThreshold,
      tests: options.tests === undefined ? GTEST_TESTS : options.tests,
    },
    // A run another run followed in its process is judged right away: its tracker goes.
    onRunEnd: (run, pid, dialect, debugView, frame) =>
      judge.earlyRun(run, pid, dialect, { bytes: decoder.bytes, encoding: decoder.encoding ?? 'utf8', wide: decoder.wide, frame }, debugView),
  });
  const lines = new LineSplitter(demux, options.maxLineLength ?? DEFAULTS.maxLineLength);
  let ended = false;
  const feed = (out: Buffer): void => {
    if (out.length > 0) lines.push(out);
  };

  return {
    write(chunk) {
      if (ended) throw new Error('write after end');
      // In slices: text decoded on the slow paths (a whole slice at a time for a capture
      // or UTF-16) then stays small enough to die young (bench/README.md).
      for (let i = 0; i < chunk.length; i += SLICE) {
        feed(decoder.writeUtf8(i === 0 && chunk.length <= SLICE ? chunk : chunk.subarray(i, i + SLICE)));
      }
    },
    end() {
      ended = true;
      feed(decoder.endUtf8());
      lines.end();
      return judge.capture(demux.finish(), {
        source: options.source ?? '-',
        bytes: decoder.bytes,
        encoding: decoder.encoding ?? 'utf8',
        lines: lines.lineNo,
        endedOnLineEnd: lines.endedOnLineEnd,
        endedOnBareCR: lines.endedOnBareCR,
        endMark: lines.endMark,
        crlf: lines.crlf,
        streamBytes: lines.bytes,
        wide: decoder.wide,
      });
    },
  };
}

/** A process's runs so far: merged as they are judged. */
interface ProcessRuns {
  /**
   * The runs merged; made with the second run (most processes have one run, and a
   * DebugView capture may hold a hundred thousand processes): until then the first run's
   * part waits in `firstPart`.
   */
  merger: PartMerger | null;
  firstPart: { part: Part; isEnd: boolean } | null;
  baseline: BaselineTally | null;
  /** How many runs there were. */
  runs: number;
}

/** The judging of one analysis: every run once, then the merge. */
class Judge {
  private readonly processes = new Map<number | null, ProcessRuns>();
  private readonly baseline: BaselineTally | null;

  constructor(
    private readonly deciders: Deciders,
    private readonly limits: { windowLimit: number; episodeThreshold: number },
    private readonly source: string,
  ) {
    this.baseline = deciders.baseline ? new BaselineTally(deciders.baseline) : null;
  }

  /** A run over before the input ended: never the one holding the file's end, never the file's only run. */
  earlyRun(run: CapturedRun, pid: number | null, dialect: Dialect, input: CrtInput & { bytes: number }, debugView: boolean): void {
    this.dialect = dialect;
    const report = this.run(run, pid, {
      bytes: input.bytes,
      encoding: input.encoding,
      lastLine: run.lastLine,
      lines: run.lines,
      endedOnLineEnd: true,
      endedOnBareCR: false,
      endMark: false,
      crt: debugView ? null : crtFacts(run, input, { bytes: run.endByte, crlf: run.endCrlf }),
    });
    this.add(pid, run, report, false);
  }

  /** The end of the input: the runs still open, then the file's report. */
  capture(capture: Capture, input: InputEnd): Report {
    const { dialect } = capture;
    this.dialect = dialect;
    const single = capture.processes.length === 1 && this.processes.size === 0 && capture.processes[0]!.runs.length === 1;
    // Process by process: its open runs judged, its report made and handed to the file's
    // merge, its trackers and (past the first hundred) its report dropped.
    const many = capture.processes.length > 1;
    const fileMerger = many ? new PartMerger(false) : null;
    let top: Report | null = null;
    let endPart: Part | null = null;
    for (const p of capture.processes) {
      for (const run of p.runs) {
        // Only the run holding the file's end can be cut at the end; any run may end in a partial
        // C runtime buffer (a run appended with `>>` after it starts its own).
        const atEnd = single || run === capture.endRun;
        // A UTF-16 file's end, in the UTF-8 stream the runs' offsets are of (a UTF-8 file's is its size, BOM included).
        // Without an end-of-file mark after the last line: the program never wrote it.
        const fileEnd = { bytes: (input.encoding.startsWith('utf16') ? input.streamBytes : input.bytes) - input.endMark, crlf: input.crlf };
        const end = run.endByte >= 0 ? { bytes: run.endByte, crlf: run.endCrlf } : fileEnd;
        const report = this.run(run, p.pid, {
          bytes: input.bytes,
          encoding: input.encoding,
          lastLine: single ? input.lines : run.lastLine,
          lines: single ? input.lines : run.lines,
          endedOnLineEnd: atEnd ? input.endedOnLineEnd : true,
          endedOnBareCR: atEnd ? input.endedOnBareCR : false,
          endMark: atEnd && input.endMark > 0,
          crt:
            (atEnd || run.endByte >= 0) && !capture.debugView
              ? crtFacts(run, { encoding: input.encoding, wide: input.wide, frame: capture.frame }, end)
              : null,
        });
        run.tracker = null;
        this.add(p.pid, run, report, true);
      }
      const part = this.processReport(p.pid, input.bytes);
      this.processes.delete(p.pid);
      if (!fileMerger) {
        top = part.report;
        break;
      }
      const holdsEnd = p.runs.includes(capture.endRun);
      fileMerger.add(part, holdsEnd);
      if (holdsEnd) endPart = part;
    }
    if (fileMerger) {
      const end = endPart ?? fileMerger.lastPart();
      top = fileMerger.finish(input.lines, end);
      if (this.baseline) top.baseline = this.baseline.use();
      top.processes = fileMerger.parts.map(({ tag, ...part }) => ({ pid: (tag as { pid: number | null }).pid, ...part }));
    }
    top = top!;
    if (capture.debugView) top.capture = 'debugview';
    else if (capture.frame !== null) top.capture = capture.frame;
    // A file of only blank lines (or only a BOM: what PowerShell's `>` leaves when the program
    // printed nothing) is no spy log either: nothing to judge, like an empty one (attack notes #76).
    const matched = capture.recognized || input.bytes === 0 || hasSpyContent(top);
    if (dialect.name !== 'mallocspy' || !matched) top.dialect = { name: dialect.name, tried: capture.tried, matched };
    return top;
  }

  /** The dialect the capture is read in (known once detection ended, before any run is judged). */
  private dialect: Dialect | null = null;

  private run(run: CapturedRun, pid: number | null, facts: RunInput): Report {
    const dialect = this.dialect!;
    const trace = run.tracker!.finish(facts.lastLine);
    const decision = decide(
      trace,
      {
        bytes: facts.bytes,
        lastLine: facts.lastLine,
        endedOnLineEnd: facts.endedOnLineEnd,
        endedOnBareCR: facts.endedOnBareCR,
        endMark: facts.endMark,
        crt: facts.crt,
        coUninitializeMarkers: dialect.coUninitializeMarkers,
        dumpOnly: dialect.dumpOnly ? dialect.name : null,
      },
      this.deciders,
      this.limits.windowLimit,
    );
    addDataHints(decision.blocks);
    addHolderHints(decision.blocks);
    const findings = findingsOf(trace.deferred, decision.blocks, this.limits.episodeThreshold);
    const report = assembleReport(
      { source: this.source, bytes: facts.bytes, encoding: facts.encoding, lines: facts.lines },
      trace,
      decision,
      findings,
    );
    if (trace.deferredNotListed > 0) report.findingCounts = countKinds(findings, trace.deferredNotListed);
    if (this.deciders.baseline && decision.baseline) {
      report.baseline = new BaselineTally(this.deciders.baseline).add(decision.baseline).use();
      this.baseline!.add(decision.baseline);
      this.processRuns(pid).baseline!.add(decision.baseline);
    }
    return report;
  }

  /** A process's report: its one run's, or its runs merged (the last holds its end). */
  private processReport(pid: number | null, bytes: number): Part {
    const runs = this.processes.get(pid)!;
    const label = pid === null ? 'no pid' : `pid ${pid}`;
    if (runs.merger === null) {
      // One run: its report as is (judged before the end, it knew the bytes read so far).
      const only = runs.firstPart!.part;
      only.report.bytes = bytes;
      return { label, firstLine: only.firstLine, lastLine: only.lastLine, report: only.report, tag: { pid } };
    }
    const parts = runs.merger.parts;
    // Runs judged before the end knew the bytes read so far; they are of one file.
    for (const part of parts) if (part.report) part.report.bytes = bytes;
    const last = parts[parts.length - 1]!;
    const report = runs.merger.finish(null, { label: '', firstLine: last.firstLine, lastLine: last.lastLine, report: last.report!, tag: last.tag });
    if (runs.baseline) report.baseline = runs.baseline.use();
    report.runs = parts.map(({ tag, ...part }) => ({ index: (tag as { run: number }).run, ...part }));
    return { label, firstLine: parts[0]!.firstLine, lastLine: last.lastLine, report, tag: { pid } };
  }

  private processRuns(pid: number | null): ProcessRuns {
    let p = this.processes.get(pid);
    if (!p) {
      p = {
        merger: null,
        firstPart: null,
        baseline: this.deciders.baseline ? new BaselineTally(this.deciders.baseline) : null,
        runs: 0,
      };
      this.processes.set(pid, p);
    }
    return p;
  }

  private add(pid: number | null, run: CapturedRun, report: Report, last: boolean): void {
    const p = this.processRuns(pid);
    p.runs++;
    const part: Part = { label: `run ${run.index}`, firstLine: run.firstLine, lastLine: run.lastLine, report, tag: { run: run.index } };
    if (p.runs === 1) {
      p.firstPart = { part, isEnd: last };
      return;
    }
    if (p.merger === null) {
      p.merger = new PartMerger(true);
      p.merger.add(p.firstPart!.part, p.firstPart!.isEnd);
      p.firstPart = null;
    }
    p.merger.add(part, last);
  }
}

/** What one run is judged with besides its trace. */
interface RunInput {
  bytes: number;
  encoding: string;
  lastLine: number;
  lines: number;
  endedOnLineEnd: boolean;
  endedOnBareCR: boolean;
  endMark: boolean;
  crt: CrtFacts | null;
}

/** Finding totals per kind when the deferred releases were not all listed. */
function countKinds(findings: readonly { kind: string }[], deferredNotListed: number): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  counts['deferred-release'] = (counts['deferred-release'] ?? 0) + deferredNotListed;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * The C runtime's buffers of a run that ends at `end` (the input's end, as a file offset, or
 * where the next run begins), for a capture that holds the program's bytes as it wrote them
 * (UTF-8 or ASCII; UTF-16LE as Windows PowerShell 5.1 re-encodes each line, counted in the
 * UTF-8 stream decoded from it, which holds the program's bytes for ASCII text). Offsets are of the UTF-8 stream: a BOM before it may be the first run's
 * or not. The spans are every start the run may have (its first line, or the first after the
 * console's; its run-start line; an earlier run of the same process) to every end (the file's,
 * or before the console's last lines; see `CrtBoundaries`), its own first.
 */
/** What the 4096-byte rules need of the input besides a run: how its text was encoded, where its characters outside ASCII are, and its frame. */
interface CrtInput {
  encoding: string;
  wide: WideChars;
  frame: Frame | null;
}

function crtFacts(run: CapturedRun, input: CrtInput, end: { bytes: number; crlf: number }): CrtFacts | null {
  const { encoding, wide } = input;
  // Windows PowerShell 5.1's `>` reads the program's stdout from a pipe the C runtime fills in
  // 4096-byte buffers, as it fills a file, and writes each line again as UTF-16LE with CR LF: for
  // ASCII text the UTF-8 stream decoded from it has the program's bytes, line for line, as a
  // file would (attack notes #109). Its BOM is PowerShell's, not the program's.
  if (encoding !== 'utf8' && encoding !== 'utf8-bom' && encoding !== 'utf16le-bom' && encoding !== 'utf16le') return null;
  if (run.firstByte < 0) return null;
  const bom = encoding === 'utf8-bom' ? 3 : 0;
  const decoded = encoding === 'utf16le-bom' || encoding === 'utf16le';
  // A place inside the stream as a file offset (offset 0 stays 0: a span from the file's start is counted with the BOM and without it, below).
  const file = (byte: number) => (byte === 0 ? 0 : byte + bom);
  const inside = run.endByte >= 0;
  const own = run.own;
  // The console's lines after the program's last (a prompt, a transcript's footer) are not its
  // bytes: the run ends at its last own line, or, with the blank lines before the console's
  // (the program's, or cmd's before its prompt), where the console's begin. That is the latest
  // stretch of blank and console lines, when no line of the program's came after it and it
  // holds a console line.
  const ownThrough = run.tracker?.ownThrough ?? 0;
  const stretch = !inside && own.afterByte >= 0 && ownThrough > 0 && own.afterLine > ownThrough;
  const beforeStretch = { byte: file(own.afterByte), crlf: own.afterCrlf, line: (own.afterLine - 1) as number | null, framed: true };
  const fileEnd = {
    byte: inside ? file(end.bytes) : end.bytes,
    crlf: end.crlf,
    line: inside ? run.lastLine : (null as number | null),
    framed: false,
  };
  const fileEnds =
    stretch && own.consoleByte >= 0
      ? [beforeStretch, { byte: file(own.consoleByte), crlf: own.consoleCrlf, line: (own.consoleLine - 1) as number | null, framed: true }]
      : // Blank lines at the end may be the program's or not (another program's `echo.`): both ways.
        stretch
        ? [fileEnd, beforeStretch]
        : [fileEnd];
  const ends = [...fileEnds, ...run.boundaries.ends.map((b) => ({ byte: file(b.byte), crlf: b.crlf, line: b.line - 1, framed: false }))];
  // Nor are the console's lines before its first (cmd's command line, a transcript's header): it
  // starts after the last console line before the run began, or at one of the lines after it
  // (another program's may come first: a script's echo); in a console's capture with no console
  // line before the run, at its first line or one of those. A plain redirected file, with no
  // console line at all, is the program's from its first byte (every extra start is another
  // chance of whole buffers by accident, and such files are the commonest).
  const consoleRun = own.afterConsole.length > 0 || (stretch && own.consoleByte >= 0);
  const places = consoleRun ? placesOf([...own.afterConsole, ...own.atLines]) : [];
  const first = own.afterConsole.length > 0 ? [] : [{ byte: run.firstByte, crlf: run.firstCrlf, line: run.firstLine, kind: 'own', framed: false }];
  const starts = [
    ...first,
    ...places
      .filter((p) => p.byte >= run.firstByte && !first.some((f) => f.byte === p.byte))
      .map((p) => ({ ...p, kind: 'own', framed: p.byte > run.firstByte })),
    ...run.boundaries.starts.map((b) => ({ ...b, framed: false })),
  ];
  // A character outside ASCII is two to four bytes of the UTF-8 stream but one of the program's
  // (a single-byte code page) where the capture re-encoded its output: such a span is counted
  // in code units as well, without a BOM, which the re-encoder wrote (attack notes #116). Not
  // past where WideChars gave up (-1).
  const stream = (byte: number) => Math.max(0, byte - bom);
  const units = wide.any
    ? (from: number, to: number) => (stream(to) <= wide.exactTo ? wide.unitsAt(stream(to)) - wide.unitsAt(stream(from)) : -1)
    : null;
  // PowerShell ends the last line it read from the program with CR LF, also when the buffers that
  // reached it ended just before a LF (attack notes #131): tried where PowerShell wrote the text,
  // a UTF-16 file, a UTF-8 one with a BOM (`Out-File`, 5.1's transcripts) or any transcript. Not in
  // a UTF-8 file without a BOM (7's `Out-File`, 7.0–7.3's `>`): nothing tells it from cmd's, whose
  // CR LF files are the commonest, and every complete one would pay the extra chance (#136).
  const powerShell = decoded || encoding === 'utf8-bom' || input.frame === 'transcript';
  /** A span from `from` to `to` (file offsets), in bytes, in characters, and with its last line end PowerShell's. */
  const variants = (span: CrtSpan, from: number, to: number): CrtSpan[] => {
    const all = [span];
    const n = units?.(from, to) ?? -1;
    if (n > 0 && n !== span.bytes) all.push({ ...span, bytes: n, units: true });
    if (powerShell && span.crlf > 0) for (const v of [...all]) all.push({ ...v, endAdded: true });
    return all.filter((v) => v.bytes > 0);
  };
  // The same span twice only when it also has the same CR LF count: a span counted in characters
  // may have the bytes of another counted in bytes to an end a blank line away (attack notes #130).
  const same = (a: CrtSpan, b: CrtSpan) => a.bytes === b.bytes && a.crlf === b.crlf && a.line === b.line && a.endAdded === b.endAdded;
  const spans: CrtSpan[] = [];
  for (const s of starts) {
    // A BOM is whoever made the file's (PowerShell, an editor), seldom the program's: both ways (attack notes #79).
    for (const from of s.byte === 0 && bom > 0 ? [0, bom] : [file(s.byte)]) {
      for (const e of ends) {
        const span = {
          bytes: e.byte - from,
          crlf: e.crlf - s.crlf,
          line: s.line,
          to: e.line,
          shared: s.kind === 'shared',
          framed: s.framed || e.framed,
        };
        for (const v of variants(span, from, e.byte)) if (!spans.some((x) => same(x, v))) spans.push(v);
      }
    }
  }
  // From where exit() flushed: after the program's last printed line, and after its last that is not blank.
  const flushes = [{ byte: run.flushByte, crlf: run.flushCrlf, line: run.flushLine }];
  if (run.textFlushByte >= 0 && run.textFlushByte !== run.flushByte)
    flushes.push({ byte: run.textFlushByte, crlf: run.textFlushCrlf, line: run.textFlushLine });
  const exit: CrtSpan[] = [];
  for (const f of run.flushByte < 0 ? [] : flushes) {
    for (const e of ends) {
      const span = { bytes: e.byte - file(f.byte), crlf: e.crlf - f.crlf, line: f.line, to: e.line, shared: false, framed: e.framed };
      if (span.bytes > 0) exit.push(...variants(span, file(f.byte), e.byte));
    }
  }
  return decoded ? { runs: spans, exit, decoded } : { runs: spans, exit };
}

/** `OwnBytes`'s flat lists of places (byte, CR LF count, line) as places, without repeats. */
function placesOf(flat: readonly number[]): { byte: number; crlf: number; line: number }[] {
  const places: { byte: number; crlf: number; line: number }[] = [];
  for (let i = 0; i < flat.length; i += 3) {
    if (!places.some((p) => p.byte === flat[i])) places.push({ byte: flat[i]!, crlf: flat[i + 1]!, line: flat[i + 2]! });
  }
  return places;
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

/** Sync adapter, for tests and small inputs already in memory. */
export function analyzeBuffer(input: Uint8Array | string, options: AnalyzeOptions = {}): Report {
  const analyzer = createAnalyzer(options);
  analyzer.write(typeof input === 'string' ? Buffer.from(input, 'utf8') : input);
  return analyzer.end();
}

/**
 * Stream adapter: consumes 'data' events (never `for await` per chunk on the hot path).
 * `done` is given each chunk once the analyzer has read it: nothing keeps its bytes then.
 */
export function analyzeStream(
  stream: NodeJS.ReadableStream,
  options: AnalyzeOptions = {},
  onChunk?: (bytes: number) => void,
  done?: (chunk: Buffer) => void,
): Promise<Report> {
  return new Promise((resolve, reject) => {
    const analyzer = createAnalyzer(options);
    let failed = false;
    stream.on('data', (chunk: Buffer | string) => {
      if (failed) return;
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      try {
        analyzer.write(bytes);
      } catch (err) {
        // Thrown inside a 'data' handler it would be an uncaught exception (exit 1, which
        // `check` documents as a failed gate); the caller decides what it is.
        failed = true;
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        reject(err);
        return;
      }
      onChunk?.(bytes.length);
      done?.(bytes);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      if (failed) return;
      try {
        resolve(analyzer.end());
      } catch (err) {
        reject(err);
      }
    });
  });
}
