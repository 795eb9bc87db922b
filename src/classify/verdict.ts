// From the tracker's trace to a report: the completeness verdict with its evidence
// (SPEC §3), then one category for every block. Pure: no I/O.
import { CATEGORIES, type Block, type Category, type DecidedBy, type Tally, type Truncation } from '../model.js';
import type { Trace } from '../track/tracker.js';
import { REPORT_SCHEMA, type Report, type ReportBlock, type Timeline } from '../report/schema.js';
import { findingsOf } from './findings.js';

export interface InputFacts {
  source: string;
  bytes: number;
  encoding: string;
  lines: number;
  endedOnLineEnd: boolean;
  endedOnBareCR: boolean;
  /** The number of the last line, when it differs from `lines` (one run or process of a file). */
  lastLine?: number;
  /** Whether the C runtime's 4096-byte buffering can have cut this input (default true). */
  crtBuffered?: boolean;
}

export interface VerdictOptions {
  /** Treat the log as complete: never-freed blocks are true leaks (decidedBy `assume-complete`). */
  assumeComplete: boolean;
  windowLimit: number;
  /** The CoUninitialize marker text, for the evidence. */
  coUninitializeMarker: string;
  /** Blocks in one group that make a deferred-release or unbounded-growth finding. */
  episodeThreshold: number;
}

const E_ACCESSDENIED = 0x80070005;
const CRT_BUFFER = 4096;

export function judge(trace: Trace, input: InputFacts, opts: VerdictOptions): Report {
  const { truncation, evidence } = completeness(trace, input, opts);
  const m = trace.marks;
  const summary = Object.fromEntries(CATEGORIES.map((c) => [c, { blocks: 0, bytes: 0 }])) as Record<Category, Tally>;
  const blocks: ReportBlock[] = [];
  const add = (b: Block, category: Category, decidedBy: DecidedBy): void => {
    summary[category].blocks++;
    summary[category].bytes += b.size;
    if (category !== 'freed') blocks.push(toReportBlock(b, category, decidedBy));
  };

  addTally(summary.freed, trace.freed);
  for (const b of trace.couninitialize) add(b, 'couninitialize', 'log');
  addTally(summary.couninitialize, trace.couninitializeOverflow);

  // Frees after the program's last line happened inside ExitProcess, provided the
  // program got past CoUninitialize or dumped; otherwise it was still running.
  const pastShutdown = m.coUninitialize !== null || m.dump !== null;
  const windowCategory: Category = pastShutdown ? 'exitprocess' : 'freed';
  for (const b of trace.window) add(b, windowCategory, 'log');
  addTally(summary[windowCategory], trace.windowOverflow);
  if (pastShutdown && trace.windowOverflow.blocks > 0) {
    trace.anomalies.add(
      'window-overflow',
      m.lastProgramLine ?? 0,
      `${trace.windowOverflow.blocks} blocks freed during process exit are counted but not listed (more than ${opts.windowLimit})`,
    );
  }

  for (const b of trace.live) {
    if (truncation === 'complete') add(b, 'true-leak', 'log');
    else if (opts.assumeComplete) add(b, 'true-leak', 'assume-complete');
    else add(b, 'unresolved', 'log');
  }
  if (truncation !== 'complete' && opts.assumeComplete && trace.live.length > 0) {
    evidence.push('--assume-complete: blocks never freed are counted as true leaks despite this verdict');
  }

  blocks.sort((a, b) => (a.allocLine ?? Infinity) - (b.allocLine ?? Infinity) || a.address.localeCompare(b.address));
  const anomalyCounts: Record<string, number> = {};
  for (const [kind, n] of [...trace.anomalies.counts].sort()) anomalyCounts[kind] = n;

  return {
    schema: REPORT_SCHEMA,
    source: input.source,
    truncation,
    evidence,
    lines: input.lines,
    allocs: trace.allocs,
    frees: trace.frees,
    summary,
    blocks,
    anomalies: trace.anomalies.list(),
    findings: findingsOf(trace.deferred, blocks, opts.episodeThreshold),
    peak: trace.peak,
    timeline: timelineOf(trace, pastShutdown),
    reallocs: trace.reallocs,
    bytes: input.bytes,
    encoding: input.encoding,
    anomalyCounts,
    phases: {
      spyRegistered: m.register,
      coUninitialize: m.coUninitialize,
      revoke: m.revoke ? { line: m.revoke.line, hresult: m.revoke.hresult === null ? null : hex32(m.revoke.hresult) } : null,
      dump: m.dump ? { line: m.dump.line, entries: m.dump.entries } : null,
      lastProgramLine: m.lastProgramLine,
      exitEvents: pastShutdown ? m.exitEvents : 0,
    },
  };
}

function completeness(trace: Trace, input: InputFacts, opts: VerdictOptions): { truncation: Truncation; evidence: string[] } {
  const m = trace.marks;
  const live = trace.live.length;
  const last = input.lastLine ?? input.lines;
  const cut: string[] = [];
  const doubt: string[] = [];
  const fine: string[] = [];

  if (!input.endedOnLineEnd) {
    cut.push(
      input.endedOnBareCR
        ? `the last line (${last}) ends in a CR without its LF: the log was cut inside a line end`
        : `the last line (${last}) has no line end: the log was cut`,
    );
  }
  if (trace.endsInBrokenEvent) {
    cut.push(`the last line (${last}) is an incomplete spy event`);
  }

  const r = m.revoke;
  if (r && r.hresult !== null && r.hresult >= 0x80000000 && (r.liveBlocks > 0 || r.hresult === E_ACCESSDENIED) && m.exitEvents === 0) {
    doubt.push(
      `CoRevokeMallocSpy failed with ${hex32(r.hresult)} (line ${r.line}) while ${r.liveBlocks} block${r.liveBlocks === 1 ? ' was' : 's were'} outstanding, ` +
        `and no spy output follows the program's last line (${m.lastProgramLine}): the exit-time frees are missing, as when stdout is redirected`,
    );
  }
  if (input.crtBuffered !== false && input.bytes > 0 && input.bytes % CRT_BUFFER === 0 && live > 0) {
    doubt.push(
      `the file is exactly ${input.bytes / CRT_BUFFER} \u00d7 ${CRT_BUFFER} bytes with ${live} block${live === 1 ? '' : 's'} outstanding: the C runtime may have dropped a last, partial buffer`,
    );
  }
  const lost: string[] = [];
  if (m.elisions > 0) lost.push(`${m.elisions} elision${m.elisions === 1 ? '' : 's'} such as "more leaks..."`);
  const mismatches = trace.anomalies.count('count-mismatch');
  if (mismatches > 0) lost.push(`the spy's block count disagrees with the log ${mismatches} time${mismatches === 1 ? '' : 's'}`);
  const missingFrees = trace.anomalies.count('address-reused-while-alive') + trace.anomalies.count('revoke-with-live-blocks');
  if (missingFrees > 0) lost.push(`${missingFrees} free${missingFrees === 1 ? ' is' : 's are'} missing`);
  if (lost.length > 0) doubt.push(`lines are missing from this log (${lost.join('; ')}): a block's free may be among them`);

  if (input.bytes === 0) fine.push('the log is empty: it has no events');
  else if (m.events === 0) fine.push('the log has no spy events: the spy saw no allocation');
  else {
    if (input.endedOnLineEnd) fine.push('the last line ends with a line end');
    if ((m.coUninitialize !== null || m.dump !== null) && m.exitEvents > 0) {
      fine.push(`${m.exitEvents} spy event${m.exitEvents === 1 ? ' follows' : 's follow'} the program's last line (${m.lastProgramLine}): the exit-time output is present`);
    }
    if (r && r.hresult === 0) fine.push(`CoRevokeMallocSpy succeeded (line ${r.line}): no spied block was outstanding`);
    if (live === 0) fine.push('no block is outstanding at the end of the log');
  }
  if (live > 0 && m.coUninitialize === null && m.dump === null) {
    fine.push(`the program's output never reaches "${opts.coUninitializeMarker}" nor a dump: the run may have ended early`);
  }

  if (cut.length > 0) return { truncation: 'truncated', evidence: [...cut, ...doubt] };
  if (doubt.length > 0) return { truncation: 'possibly-truncated', evidence: doubt };
  return { truncation: 'complete', evidence: fine };
}

function timelineOf(trace: Trace, pastShutdown: boolean): Timeline {
  const m = trace.marks;
  const marks: Timeline['marks'] = [];
  if (m.register !== null) marks.push({ kind: 'spy-registered', line: m.register });
  if (m.coUninitialize !== null) marks.push({ kind: 'couninitialize', line: m.coUninitialize });
  if (m.revoke) marks.push({ kind: 'revoke', line: m.revoke.line });
  if (m.dump) marks.push({ kind: 'dump', line: m.dump.line });
  if (pastShutdown && m.exitFrom !== null) marks.push({ kind: 'exit', line: m.exitFrom });
  if (trace.peak.line > 0) marks.push({ kind: 'peak', line: trace.peak.line });
  marks.sort((a, b) => a.line - b.line);
  return { ...trace.timeline, marks };
}

function toReportBlock(b: Block, category: Category, decidedBy: DecidedBy): ReportBlock {
  return {
    address: b.address,
    size: b.size,
    category,
    context: b.context ?? 'ExitProcess',
    allocLine: b.allocLine,
    freeLine: b.freeLine,
    inDump: b.inDump,
    data: b.data,
    decidedBy,
    reallocs: b.reallocs,
  };
}

function addTally(into: Tally, from: Tally): void {
  into.blocks += from.blocks;
  into.bytes += from.bytes;
}

export function hex32(n: number): string {
  return '0x' + (n >>> 0).toString(16).toUpperCase().padStart(8, '0');
}
