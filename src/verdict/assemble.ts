// One run's report (`spylog/report@1`) from what was traced and decided: the JSON shape
// of SPEC §4, nothing decided here. Pure.
import type { Report, Finding, Timeline } from '../model/report.js';
import { REPORT_SCHEMA } from '../model/report.js';
import type { Trace } from '../track/tracker.js';
import { hex32 } from '../text/words.js';
import { pastShutdown } from './completeness.js';
import type { Decision } from './decide.js';

/** What the input says of itself, beside what its lines say. */
export interface InputFacts {
  source: string;
  /** Raw bytes of the whole input. */
  bytes: number;
  encoding: string;
  /** Lines of this part (the whole file's for a file of one run). */
  lines: number;
}

export function assembleReport(input: InputFacts, trace: Trace, decision: Decision, findings: Finding[]): Report {
  const m = trace.marks;
  const exiting = pastShutdown(trace);
  const anomalyCounts: Record<string, number> = {};
  for (const [kind, n] of [...trace.anomalies.counts].sort()) anomalyCounts[kind] = n;
  const report: Report = {
    schema: REPORT_SCHEMA,
    source: input.source,
    truncation: decision.truncation,
    evidence: decision.evidence.map((e) => e.text),
    lines: input.lines,
    allocs: trace.allocs,
    frees: trace.frees,
    summary: decision.summary,
    blocks: decision.blocks,
    anomalies: trace.anomalies.list(),
    findings,
    peak: trace.peak,
    timeline: timelineOf(trace, exiting),
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
      exitEvents: exiting ? m.exitEvents : 0,
    },
  };
  // Only a log whose program printed tests has them: any other report stays as it was.
  if (decision.tests) report.tests = decision.tests;
  if (decision.unseen) {
    const { category, ...blocks } = decision.unseen;
    report.unseen = { [category]: blocks };
  }
  return report;
}

function timelineOf(trace: Trace, exiting: boolean): Timeline {
  const m = trace.marks;
  const marks: Timeline['marks'] = [];
  if (m.register !== null) marks.push({ kind: 'spy-registered', line: m.register });
  if (m.coUninitialize !== null) marks.push({ kind: 'couninitialize', line: m.coUninitialize });
  if (m.revoke) marks.push({ kind: 'revoke', line: m.revoke.line });
  if (m.dump) marks.push({ kind: 'dump', line: m.dump.line });
  if (exiting && m.exitFrom !== null) marks.push({ kind: 'exit', line: m.exitFrom });
  if (trace.peak.line > 0) marks.push({ kind: 'peak', line: trace.peak.line });
  marks.sort((a, b) => a.line - b.line);
  return { ...trace.timeline, marks };
}
