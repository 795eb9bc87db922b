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
import { ByteDecoder } from './read/decode.js';
import { LineSplitter } from './read/lines.js';
import type { MarkerOptions } from './parse/options.js';
import type { Report } from './model/report.js';
import { LogDemux, type CapturedProcess, type CapturedRun, type Capture } from './capture/demux.js';
import type { Dialect } from './dialect/dialect.js';
import { builtinDialects } from './dialect/registry.js';
import type { Baseline } from './baseline/model.js';
import { baselineUse, type BaselineMatch } from './baseline/match.js';
import { addDataHints } from './hint/datahint.js';
import type { CrtFacts } from './verdict/completeness.js';
import { decide, type Deciders } from './verdict/decide.js';
import { findingsOf } from './verdict/findings.js';
import { assembleReport } from './verdict/assemble.js';
import { mergeReports, type Part } from './verdict/merge.js';

export interface AnalyzeOptions {
  /** Shown as the report's `source` (a path, or `-` for stdin). */
  source?: string;
  markers?: Partial<MarkerOptions>;
  /** Read the log in this dialect; by default the built-ins are tried (MallocSpyTest first). */
  dialect?: Dialect;
  /** Known runtime-held memory: never-freed blocks that fit it are `exitprocess` (decidedBy `baseline`). */
  baseline?: Baseline | null;
  /** Count never-freed blocks of an incomplete log as true leaks (after the baseline). */
  assumeComplete?: boolean;
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
  /** Lines ended by CR LF in the whole input. */
  crlf: number;
}

export function createAnalyzer(options: AnalyzeOptions = {}): Analyzer {
  const windowLimit = options.windowLimit ?? DEFAULTS.windowLimit;
  const episodeThreshold = options.episodeThreshold ?? DEFAULTS.episodeThreshold;
  const demux = new LogDemux({
    dialects: options.dialect ? [options.dialect] : builtinDialects(options.markers),
    named: options.dialect !== undefined,
    bytePath: options.bytePath ?? true,
    tracker: {
      anomaliesPerKind: options.anomaliesPerKind ?? DEFAULTS.anomaliesPerKind,
      windowLimit,
      contextLength: DEFAULTS.contextLength,
      episodeThreshold,
    },
  });
  const decoder = new ByteDecoder();
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
      const input: InputEnd = {
        source: options.source ?? '-',
        bytes: decoder.bytes,
        encoding: decoder.encoding ?? 'utf8',
        lines: lines.lineNo,
        endedOnLineEnd: lines.endedOnLineEnd,
        endedOnBareCR: lines.endedOnBareCR,
        crlf: lines.crlf,
      };
      const deciders: Deciders = { baseline: options.baseline ?? null, assumeComplete: options.assumeComplete ?? false };
      return judgeCapture(demux.finish(), input, deciders, { windowLimit, episodeThreshold });
    },
  };
}

/** A run's report, with what the baseline matched in it. */
interface Judged {
  report: Report;
  match: BaselineMatch | null;
}

function judgeCapture(capture: Capture, input: InputEnd, deciders: Deciders, limits: { windowLimit: number; episodeThreshold: number }): Report {
  const { dialect } = capture;
  const single = capture.processes.length === 1 && capture.processes[0]!.runs.length === 1;

  const judgeRun = (run: CapturedRun): Judged => {
    // Only the run holding the file's end can be cut at the end, or end in a partial C runtime buffer.
    const atEnd = single || run === capture.endRun;
    const lastLine = single ? input.lines : run.lastLine;
    const trace = run.tracker.finish(lastLine);
    const decision = decide(
      trace,
      {
        bytes: input.bytes,
        lastLine,
        endedOnLineEnd: atEnd ? input.endedOnLineEnd : true,
        endedOnBareCR: atEnd ? input.endedOnBareCR : false,
        crt: atEnd && !capture.debugView ? crtFacts(run, input) : null,
        coUninitializeMarkers: dialect.coUninitializeMarkers,
        dumpOnly: dialect.dumpOnly ? dialect.name : null,
      },
      deciders,
      limits.windowLimit,
    );
    addDataHints(decision.blocks);
    const findings = findingsOf(trace.deferred, decision.blocks, limits.episodeThreshold);
    const report = assembleReport(
      { source: input.source, bytes: input.bytes, encoding: input.encoding, lines: single ? input.lines : run.lines },
      trace,
      decision,
      findings,
    );
    if (deciders.baseline && decision.baseline) report.baseline = baselineUse(deciders.baseline, [decision.baseline]);
    return { report, match: decision.baseline };
  };

  const matches: BaselineMatch[] = [];
  const useOf = (m: BaselineMatch[]) => (deciders.baseline ? baselineUse(deciders.baseline, m) : undefined);
  const processParts: (Part & { pid: number | null; process: CapturedProcess })[] = [];
  for (const p of capture.processes) {
    const processMatches: BaselineMatch[] = [];
    const runParts: (Part & { index: number })[] = p.runs.map((run) => {
      const { report, match } = judgeRun(run);
      if (match) processMatches.push(match);
      return { label: `run ${run.index}`, index: run.index, firstLine: run.firstLine, lastLine: run.lastLine, report, tag: { run: run.index } };
    });
    matches.push(...processMatches);
    const first = runParts[0]!;
    const last = runParts[runParts.length - 1]!;
    let report = first.report;
    if (runParts.length > 1) {
      report = mergeReports(runParts, { lines: runParts.reduce((s, r) => s + r.report.lines, 0) }, last);
      const use = useOf(processMatches);
      if (use) report.baseline = use;
      report.runs = runParts.map(({ index, firstLine, lastLine, report }) => ({ index, firstLine, lastLine, report }));
    }
    const label = p.pid === null ? 'no pid' : `pid ${p.pid}`;
    processParts.push({ label, pid: p.pid, process: p, firstLine: first.firstLine, lastLine: last.lastLine, report, tag: { pid: p.pid } });
  }

  let top = processParts[0]!.report;
  if (processParts.length > 1) {
    const end = processParts.find((p) => p.process.runs.includes(capture.endRun)) ?? processParts[processParts.length - 1]!;
    top = mergeReports(processParts, { lines: input.lines }, end);
    const use = useOf(matches);
    if (use) top.baseline = use;
    top.processes = processParts.map(({ pid, firstLine, lastLine, report }) => ({ pid, firstLine, lastLine, report }));
  }
  if (capture.debugView) top.capture = 'debugview';
  const matched = capture.recognized || !capture.anyText || hasSpyContent(top);
  if (dialect.name !== 'mallocspy' || !matched) top.dialect = { name: dialect.name, tried: capture.tried, matched };
  return top;
}

/**
 * The C runtime's buffers of the run holding the file's end, for a capture that holds the
 * program's bytes as it wrote them (UTF-8 or ASCII; a UTF-16 file was re-encoded by the
 * shell, its bytes say nothing of the runtime's buffers). Offsets are of the UTF-8 stream:
 * a BOM before it counts in the first run.
 */
function crtFacts(run: CapturedRun, input: InputEnd): CrtFacts | null {
  if (input.encoding !== 'utf8' && input.encoding !== 'utf8-bom') return null;
  if (run.firstByte < 0) return null;
  const bom = input.encoding === 'utf8-bom' ? 3 : 0;
  const runStart = run.firstByte === 0 ? 0 : run.firstByte + bom;
  return {
    run: { bytes: input.bytes - runStart, crlf: input.crlf - run.firstCrlf, line: run.firstLine },
    exit: run.flushByte < 0 ? null : { bytes: input.bytes - (run.flushByte + bom), crlf: input.crlf - run.flushCrlf, line: run.flushLine },
  };
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

/** Stream adapter: consumes 'data' events (never `for await` per chunk on the hot path). */
export function analyzeStream(stream: NodeJS.ReadableStream, options: AnalyzeOptions = {}, onChunk?: (bytes: number) => void): Promise<Report> {
  return new Promise((resolve, reject) => {
    const analyzer = createAnalyzer(options);
    stream.on('data', (chunk: Buffer | string) => {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      analyzer.write(bytes);
      onChunk?.(bytes.length);
    });
    stream.once('error', reject);
    stream.once('end', () => {
      try {
        resolve(analyzer.end());
      } catch (err) {
        reject(err);
      }
    });
  });
}
