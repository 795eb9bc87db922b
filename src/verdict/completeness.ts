// Why is a log complete, truncated or possibly truncated? One table of rules (SPEC §3),
// one row per rule, mirrored row for row by the README's completeness table. Each rule has
// an id, the verdict it gives, the README's wording of when it applies, and the evidence
// sentence it writes. Code and anything downstream name a rule by its id, never by its
// sentence. Pure.
import type { Truncation } from '../model/block.js';
import type { Trace } from '../track/tracker.js';
import { hex32 } from '../text/words.js';

/** What the log and its input say, for one run of one process. */
export interface CompletenessFacts {
  trace: Trace;
  /** Raw bytes of the input (the whole file: the CRT buffers count from its first byte). */
  bytes: number;
  /** The number of the part's last line. */
  lastLine: number;
  endedOnLineEnd: boolean;
  endedOnBareCR: boolean;
  /** Whether the C runtime's 4096-byte buffering can have cut this part (not for DebugView, not for a run the file goes on after). */
  crtBuffered: boolean;
  /** The dialect's CoUninitialize marker, for the evidence. */
  coUninitializeMarker: string;
  /** The dialect prints a leak dump only (its name), or null. */
  dumpOnly: string | null;
}

export type CompletenessRuleId =
  | 'no-line-end'
  | 'cut-in-line-end'
  | 'incomplete-last-event'
  | 'revoke-failed-exit-missing'
  | 'crt-whole-buffers'
  | 'lines-missing'
  | 'empty'
  | 'no-spy-events'
  | 'dump-only'
  | 'ends-with-line-end'
  | 'exit-output-present'
  | 'revoke-succeeded'
  | 'nothing-outstanding'
  | 'no-shutdown-seen';

export interface CompletenessRule {
  id: CompletenessRuleId;
  /** The verdict this rule gives when it applies (`complete` rules only explain a complete log). */
  verdict: Truncation;
  /** When it applies, as the README's completeness table words it. */
  when: string;
  /** The evidence sentence when the rule applies to these facts, else null. */
  evidence(f: CompletenessFacts): string | null;
}

const E_ACCESSDENIED = 0x80070005;
export const CRT_BUFFER = 4096;

/** The rules, in the order their evidence is listed. */
export const COMPLETENESS_RULES: readonly CompletenessRule[] = [
  {
    id: 'no-line-end',
    verdict: 'truncated',
    when: 'the last line has no line end',
    evidence: (f) => (!f.endedOnLineEnd && !f.endedOnBareCR ? `the last line (${f.lastLine}) has no line end: the log was cut` : null),
  },
  {
    id: 'cut-in-line-end',
    verdict: 'truncated',
    when: 'the last line ends in a CR without its LF (a CRLF cut in two)',
    evidence: (f) =>
      !f.endedOnLineEnd && f.endedOnBareCR ? `the last line (${f.lastLine}) ends in a CR without its LF: the log was cut inside a line end` : null,
  },
  {
    id: 'incomplete-last-event',
    verdict: 'truncated',
    when: 'the last line is a spy event cut short',
    evidence: (f) => (f.trace.endsInBrokenEvent ? `the last line (${f.lastLine}) is an incomplete spy event` : null),
  },
  {
    id: 'revoke-failed-exit-missing',
    verdict: 'possibly-truncated',
    when: "`CoRevokeMallocSpy` failed while blocks were outstanding and no spy output follows the program's last line (the exit-time output is missing, as when stdout is redirected)",
    evidence: (f) => {
      const m = f.trace.marks;
      const r = m.revoke;
      if (!r || r.hresult === null || r.hresult < 0x80000000 || !(r.liveBlocks > 0 || r.hresult === E_ACCESSDENIED) || m.exitEvents !== 0)
        return null;
      return (
        `CoRevokeMallocSpy failed with ${hex32(r.hresult)} (line ${r.line}) while ${r.liveBlocks} block${r.liveBlocks === 1 ? ' was' : 's were'} outstanding, ` +
        `and no spy output follows the program's last line (${m.lastProgramLine}): the exit-time frees are missing, as when stdout is redirected`
      );
    },
  },
  {
    id: 'crt-whole-buffers',
    verdict: 'possibly-truncated',
    when: 'the file is an exact multiple of 4096 bytes with blocks outstanding (the C runtime writes whole 4096-byte buffers)',
    evidence: (f) => {
      const live = f.trace.live.length;
      if (!f.crtBuffered || f.bytes === 0 || f.bytes % CRT_BUFFER !== 0 || live === 0) return null;
      return `the file is exactly ${f.bytes / CRT_BUFFER} \u00d7 ${CRT_BUFFER} bytes with ${live} block${live === 1 ? '' : 's'} outstanding: the C runtime may have dropped a last, partial buffer`;
    },
  },
  {
    id: 'lines-missing',
    verdict: 'possibly-truncated',
    when: "the log shows that lines are missing: the article's `more leaks...` elisions, the spy's `<k> blocks remaining` disagreeing with the reconstruction, an address allocated again while alive, a successful revoke while blocks are alive",
    evidence: (f) => {
      const m = f.trace.marks;
      const anomalies = f.trace.anomalies;
      const lost: string[] = [];
      if (m.elisions > 0) lost.push(`${m.elisions} elision${m.elisions === 1 ? '' : 's'} such as "more leaks..."`);
      const mismatches = anomalies.count('count-mismatch');
      if (mismatches > 0) lost.push(`the spy's block count disagrees with the log ${mismatches} time${mismatches === 1 ? '' : 's'}`);
      const missingFrees = anomalies.count('address-reused-while-alive') + anomalies.count('revoke-with-live-blocks');
      if (missingFrees > 0) lost.push(`${missingFrees} free${missingFrees === 1 ? ' is' : 's are'} missing`);
      return lost.length > 0 ? `lines are missing from this log (${lost.join('; ')}): a block's free may be among them` : null;
    },
  },
  {
    id: 'empty',
    verdict: 'complete',
    when: 'the log is empty',
    evidence: (f) => (f.bytes === 0 ? 'the log is empty: it has no events' : null),
  },
  {
    id: 'no-spy-events',
    verdict: 'complete',
    when: 'the log has no spy event at all',
    evidence: (f) =>
      f.bytes > 0 && f.trace.marks.events === 0 && f.dumpOnly === null ? 'the log has no spy events: the spy saw no allocation' : null,
  },
  {
    id: 'dump-only',
    verdict: 'complete',
    when: 'a dump-only dialect (the CRT debug heap): the dump lists the blocks alive when it was printed',
    evidence: (f) => {
      if (f.bytes === 0 || f.trace.marks.events !== 0 || f.dumpOnly === null) return null;
      const entries = f.trace.marks.dump?.entries ?? 0;
      return entries > 0
        ? `a leak dump only (${f.dumpOnly} dialect): the ${entries} block${entries === 1 ? '' : 's'} it lists were alive when it was printed`
        : `a leak dump only (${f.dumpOnly} dialect), and it lists no block`;
    },
  },
  {
    id: 'ends-with-line-end',
    verdict: 'complete',
    when: 'the last line ends with a line end',
    evidence: (f) => (hasEvents(f) && f.endedOnLineEnd ? 'the last line ends with a line end' : null),
  },
  {
    id: 'exit-output-present',
    verdict: 'complete',
    when: "spy events follow the program's last line after CoUninitialize or a dump: the exit-time output is present",
    evidence: (f) => {
      const m = f.trace.marks;
      if (!hasEvents(f) || !pastShutdown(f.trace) || m.exitEvents === 0) return null;
      return `${m.exitEvents} spy event${m.exitEvents === 1 ? ' follows' : 's follow'} the program's last line (${m.lastProgramLine}): the exit-time output is present`;
    },
  },
  {
    id: 'revoke-succeeded',
    verdict: 'complete',
    when: '`CoRevokeMallocSpy` succeeded: no spied block was outstanding',
    evidence: (f) => {
      const r = f.trace.marks.revoke;
      return hasEvents(f) && r && r.hresult === 0 ? `CoRevokeMallocSpy succeeded (line ${r.line}): no spied block was outstanding` : null;
    },
  },
  {
    id: 'nothing-outstanding',
    verdict: 'complete',
    when: 'no block is outstanding at the end of the log',
    evidence: (f) => (hasEvents(f) && f.trace.live.length === 0 ? 'no block is outstanding at the end of the log' : null),
  },
  {
    id: 'no-shutdown-seen',
    verdict: 'complete',
    when: 'blocks are outstanding but the output never reaches CoUninitialize nor a dump',
    evidence: (f) => {
      const m = f.trace.marks;
      if (f.trace.live.length === 0 || m.coUninitialize !== null || m.dump !== null) return null;
      return `the program's output never reaches "${f.coUninitializeMarker}" nor a dump: the run may have ended early`;
    },
  },
];

export interface Evidence {
  rule: CompletenessRuleId;
  text: string;
}

export interface Completeness {
  truncation: Truncation;
  /** Why: the rules that gave the verdict (for a cut log, also those that doubt it), in table order. */
  evidence: Evidence[];
}

/** The verdict of the rule table over one part's facts. */
export function judgeCompleteness(f: CompletenessFacts): Completeness {
  const applied: (Evidence & { verdict: Truncation })[] = [];
  for (const rule of COMPLETENESS_RULES) {
    const text = rule.evidence(f);
    if (text !== null) applied.push({ rule: rule.id, text, verdict: rule.verdict });
  }
  const truncation: Truncation = applied.some((e) => e.verdict === 'truncated')
    ? 'truncated'
    : applied.some((e) => e.verdict === 'possibly-truncated')
      ? 'possibly-truncated'
      : 'complete';
  // A cut log lists why it is cut and what else makes it doubtful; the others list their own verdict's rules.
  const listed = applied.filter((e) => (truncation === 'truncated' ? e.verdict !== 'complete' : e.verdict === truncation));
  return { truncation, evidence: listed.map(({ rule, text }) => ({ rule, text })) };
}

/** The program got past CoUninitialize or dumped: frees after its last line are exit-time frees. */
export function pastShutdown(trace: Trace): boolean {
  return trace.marks.coUninitialize !== null || trace.marks.dump !== null;
}

function hasEvents(f: CompletenessFacts): boolean {
  return f.bytes > 0 && f.trace.marks.events > 0;
}
