// Why is a log complete, truncated or possibly truncated? One table of rules (SPEC §3),
// one row per rule, mirrored row for row by the README's completeness table. Each rule has
// an id, the verdict it gives, the README's wording of when it applies, and the evidence
// sentence it writes. Code and anything downstream name a rule by its id, never by its
// sentence. Pure.
import type { Truncation } from '../model/block.js';
import type { Trace } from '../track/tracker.js';
import { quoteMarkers } from '../parse/options.js';
import { E_ACCESSDENIED } from '../parse/program.js';
import { count, hex32, num } from '../text/words.js';

/** What the log and its input say, for one run of one process. */
export interface CompletenessFacts {
  trace: Trace;
  /** Raw bytes of the whole input (0: an empty log). */
  bytes: number;
  /** The number of the part's last line. */
  lastLine: number;
  endedOnLineEnd: boolean;
  endedOnBareCR: boolean;
  /** A Ctrl+Z end-of-file mark followed the last line end (read as no line). */
  endMark: boolean;
  /** The C runtime's 4096-byte buffers, for the run holding the end of a byte-for-byte capture (null otherwise: DebugView, UTF-16, an earlier run). */
  crt: CrtFacts | null;
  /** The dialect's CoUninitialize markers, for the evidence. */
  coUninitializeMarkers: readonly string[];
  /** The dialect prints a leak dump only (its name), or null. */
  dumpOnly: string | null;
  /** Never-freed blocks a baseline decided `exitprocess` (it names them runtime memory a complete run shows freed at exit), and its file. */
  baselineDecided: number;
  baselineFile: string | null;
}

/**
 * Bytes the C runtime wrote for a run, to the end of the file. `crlf`: how many of their
 * lines end in CR LF, which is what text mode adds (one CR per LF) after buffering: the
 * buffers hold `bytes - crlf` bytes of what the program wrote.
 */
export interface CrtSpan {
  bytes: number;
  crlf: number;
  /** The line the span starts at (run) or follows (exit). */
  line: number;
  /** Its last line when it ends before the file does (where another run of its process begins), else null. */
  to: number | null;
  /** It starts at an earlier run of the same process (runs of one process share its buffer). */
  shared: boolean;
  /** It leaves out lines before or after the program's that may be the console's or another program's (a prompt, a transcript's header or footer, a script's echo). */
  framed: boolean;
  /** Counted in the text's UTF-16 code units, not in its UTF-8 bytes (a capture that re-encoded it): one byte each in the program's single-byte code page. */
  units?: boolean;
  /**
   * Its last line end was PowerShell's, not the program's: PowerShell reads the program's output
   * line by line and ends the last line it got, cut or not, with CR LF (attack notes #131). Only
   * the program's count (without the CRs and that line end) is tried.
   */
  endAdded?: boolean;
}

/** How a rule's evidence says what it counted. */
interface BufferWords {
  /** What is outstanding, and why it matters. */
  held: string;
  /** `as the program wrote them`, `as written`. */
  asWritten: string;
  /** ` after buffering`, or nothing. */
  afterBuffering: string;
  /** Who wrote the CR of each line end: `text mode`, or `PowerShell` (a UTF-16 file: it writes every line again). */
  crBy: string;
}

/**
 * The evidence that `span` is whole 4096-byte buffers, as the file holds it or as the
 * program wrote it (text mode adds its CRs after buffering), or null when it is neither.
 */
function wholeBuffers(span: CrtSpan, what: string, w: BufferWords): string | null {
  const unit = span.units === true ? 'characters' : 'bytes';
  if (span.endAdded !== true && span.bytes % CRT_BUFFER === 0)
    return `${what} is exactly ${span.bytes / CRT_BUFFER} \u00d7 ${CRT_BUFFER} ${unit} with ${w.held}`;
  const written = span.bytes - span.crlf - (span.endAdded === true ? 1 : 0);
  if (span.crlf === 0 || written <= 0 || written % CRT_BUFFER !== 0) return null;
  const added = span.endAdded === true ? ", and PowerShell ended the last line, which the program's buffer cut before its line end" : '';
  return (
    `${what} is ${num(span.bytes)} ${unit}, exactly ${written / CRT_BUFFER} \u00d7 ${CRT_BUFFER} ${w.asWritten} ` +
    `(${w.crBy} added a CR to each of ${count(span.crlf, 'line end')}${w.afterBuffering}${added}), with ${w.held}`
  );
}

export interface CrtFacts {
  /**
   * From the run's first byte (an appended run's buffers start there) to its end, first; then
   * the other places its buffers may start or end (a line between two runs may be either's;
   * runs of one process share one buffer): any of them whole buffers is the evidence.
   */
  runs: CrtSpan[];
  /** After the last line the program printed before exit(), which flushes its buffer: what the spy printed during ExitProcess, to each end the run may have. Empty when the program printed nothing. */
  exit: CrtSpan[];
  /** Counted in the text decoded from a UTF-16LE file (PowerShell 5.1's), not in the file's own bytes. */
  decoded?: boolean;
}

/** The first span that is whole buffers, as evidence, or null. */
function anyWholeBuffers(spans: CrtSpan[], what: (s: CrtSpan) => string, w: BufferWords): string | null {
  for (const span of spans) {
    const found = wholeBuffers(span, what(span), w);
    if (found !== null) return found;
  }
  return null;
}

/** Who wrote the CR of a line end the program's buffers did not hold: PowerShell writes every line of a UTF-16 file again. */
const crBy = (crt: CrtFacts) => (crt.decoded === true ? 'PowerShell' : 'text mode');

/** ` up to line N` for a span that ends where another run of its process begins. */
const upTo = (s: CrtSpan) => (s.to === null ? '' : ` up to line ${s.to}`);

/** How a span counted in code units says so (attack notes #116). */
const IN_CHARACTERS = "counted in characters (one byte each in the program's code page)";
const inCharacters = (s: CrtSpan) => (s.units === true ? `, ${IN_CHARACTERS},` : '');

export type CompletenessRuleId =
  | 'no-line-end'
  | 'cut-in-line-end'
  | 'incomplete-last-event'
  | 'revoke-failed-exit-missing'
  | 'never-revoked-exit-missing'
  | 'crt-whole-buffers'
  | 'crt-whole-buffers-at-exit'
  | 'lines-missing'
  | 'baseline-runtime-memory'
  | 'empty'
  | 'no-spy-events'
  | 'dump-only'
  | 'ends-with-line-end'
  | 'console-line-last'
  | 'exit-output-present'
  | 'revoke-succeeded'
  | 'nothing-outstanding'
  | 'ended-before-couninitialize';

export interface CompletenessRule {
  id: CompletenessRuleId;
  /** The verdict this rule gives when it applies (`complete` rules only explain a complete log). */
  verdict: Truncation;
  /** When it applies, as the README's completeness table words it. */
  when: string;
  /** The evidence sentence when the rule applies to these facts, else null. */
  evidence(f: CompletenessFacts): string | null;
}

export const CRT_BUFFER = 4096;

/** The rules, in the order their evidence is listed. */
export const COMPLETENESS_RULES: readonly CompletenessRule[] = [
  {
    id: 'no-line-end',
    verdict: 'truncated',
    when: "the last line has no line end (unless it is the console's: a prompt or a pause, printed without one)",
    evidence: (f) =>
      !f.endedOnLineEnd && !f.endedOnBareCR && !f.trace.endsInConsole ? `the last line (${f.lastLine}) has no line end: the log was cut` : null,
  },
  {
    id: 'cut-in-line-end',
    verdict: 'truncated',
    when: "the last line ends in a CR without its LF (a CRLF cut in two; unless it is the console's)",
    evidence: (f) =>
      !f.endedOnLineEnd && f.endedOnBareCR && !f.trace.endsInConsole
        ? `the last line (${f.lastLine}) ends in a CR without its LF: the log was cut inside a line end`
        : null,
  },
  {
    id: 'incomplete-last-event',
    verdict: 'truncated',
    when: "the program's last line is a spy event cut short (only blank lines and the console's, a prompt or a pause, may follow it)",
    evidence: (f) => {
      const at = f.trace.brokenEventAt;
      if (at === null) return null;
      return at === f.lastLine
        ? `the last line (${at}) is an incomplete spy event`
        : `the program's last line (${at}) is an incomplete spy event; only blank lines and the console's follow it`;
    },
  },
  {
    id: 'revoke-failed-exit-missing',
    verdict: 'possibly-truncated',
    when: "`CoRevokeMallocSpy` failed while blocks were outstanding and no spy output follows the program's last line (the exit-time output is missing, as when stdout is redirected)",
    evidence: (f) => {
      const m = f.trace.marks;
      const r = m.revoke;
      if (!r || r.hresult === null || r.hresult < 0x80000000 || !(r.liveBlocks > 0 || r.hresult === E_ACCESSDENIED) || exitShown(m) !== 0)
        return null;
      return (
        `CoRevokeMallocSpy failed with ${hex32(r.hresult)} (line ${r.line}) while ` +
        (r.liveBlocks === 0
          ? 'this log knew no block outstanding (COM knew at least one: its allocation line is missing), '
          : `${r.liveBlocks} block${r.liveBlocks === 1 ? ' was' : 's were'} outstanding, `) +
        `and no spy output follows ${lastOwnLine(m)}: the exit-time frees are missing, as when stdout is redirected`
      );
    },
  },
  {
    id: 'never-revoked-exit-missing',
    verdict: 'possibly-truncated',
    when: "`CoRevokeMallocSpy` never ran (a crash, `exit()` or a kill before CoUninitialize; or no revoke line) while blocks were outstanding, and no spy output follows the program's last line (for a run that ended before CoUninitialize and a dump: no free follows it, since allocations there are the program still inside its last call): a spy never revoked is still installed during ExitProcess, and what it printed there can be lost as after a failed revoke",
    evidence: (f) => {
      const m = f.trace.marks;
      const live = f.trace.live.length;
      if (f.dumpOnly !== null || live === 0 || (m.revoke !== null && m.revoke.hresult !== null)) return null;
      const last = m.lastProgramLine === null ? '' : ` (its last line is ${m.lastProgramLine})`;
      const held = `${count(live, 'block')} ${live === 1 ? 'was' : 'were'} outstanding`;
      if (m.coUninitialize === null && m.dump === null) {
        // Before shutdown, what follows the last program line may be the crashed call's own
        // allocations; only a free there can be exit-time output.
        if (m.exitFrees !== 0) return null;
        const after =
          m.exitEvents === 0
            ? "no spy output follows the program's last line"
            : `only allocations follow the program's last line (${count(m.exitEvents, 'spy event')}: the program still inside its last call)`;
        return (
          `the run ended before CoUninitialize, as after a crash, exit() or a kill${last}, while ${held}: the spy was never revoked, ` +
          `so it was still installed during ExitProcess, and ${after}: what it printed there is missing`
        );
      }
      if (exitShown(m) !== 0) return null;
      return (
        `CoRevokeMallocSpy never returned a result in this log while ${held}, and no spy output follows the program's last line${last}: ` +
        'a spy that was not revoked prints during ExitProcess, and that output is missing'
      );
    },
  },
  {
    id: 'crt-whole-buffers',
    verdict: 'possibly-truncated',
    when: "the run's output, from its first byte (a run appended with `>>` starts its own buffers), is an exact multiple of 4096 bytes, as the file holds it or as the program wrote it (without the CR that text mode adds to each line end), with blocks outstanding: the C runtime writes whole 4096-byte buffers. In a file of several runs, also counted from each split of the lines between two runs (a line there may be another program's), and, after a run that shows no exit (it may have printed some of them, and shared its process), to each split and from that run's first byte (runs of one process share its buffer). Where the capture re-encoded the program's text (PowerShell), also counted in characters, and where PowerShell surely wrote the file (UTF-16, UTF-8 with a BOM, a transcript), also without its last line end, which PowerShell adds",
    evidence: (f) => {
      const live = f.trace.live.length;
      if (!f.crt || live === 0) return null;
      const what = (s: CrtSpan) =>
        s.line === 1
          ? f.crt!.decoded
            ? `the file's text${upTo(s)}, decoded from UTF-16LE${s.units === true ? ` and ${IN_CHARACTERS}` : ''},`
            : `the file${upTo(s)}${inCharacters(s)}`
          : (s.framed && !s.shared
              ? `the program's output from line ${s.line}${upTo(s)} (the lines around it may be the console's or another program's)`
              : s.shared
                ? `the process's output from line ${s.line}${upTo(s)} (runs of one process share its buffers)`
                : `the run's output from line ${s.line}${upTo(s)} (appended: its buffers start there)`) + inCharacters(s);
      const held = `${live} block${live === 1 ? '' : 's'} outstanding: the C runtime may have dropped a last, partial buffer`;
      return anyWholeBuffers(f.crt.runs, what, {
        held,
        asWritten: 'as the program wrote them',
        afterBuffering: ' after buffering',
        crBy: crBy(f.crt),
      });
    },
  },
  {
    id: 'crt-whole-buffers-at-exit',
    verdict: 'possibly-truncated',
    when: "what the spy printed after the program's own output (exit() flushed that; the spy's exit-time lines follow in fresh buffers) is an exact multiple of 4096 bytes, either way (and in characters, and without PowerShell's last line end, as for `crt-whole-buffers`), with blocks outstanding",
    evidence: (f) => {
      const live = f.trace.live.length;
      if (!f.crt || live === 0 || f.trace.marks.exitEvents === 0) return null;
      const what = (s: CrtSpan) =>
        `the spy's output after line ${s.line}${upTo(s)} (where exit() flushed what the program printed)${inCharacters(s)}`;
      const held = `${live} block${live === 1 ? '' : 's'} outstanding: whole buffers of exit-time output reached the file, a last, partial one may have been dropped`;
      return anyWholeBuffers(f.crt.exit, what, { held, asWritten: 'as written', afterBuffering: '', crBy: crBy(f.crt) });
    },
  },
  {
    id: 'lines-missing',
    verdict: 'possibly-truncated',
    when: "the log shows that lines are missing: the article's `more leaks...` elisions, the spy's `<k> blocks remaining` disagreeing with the reconstruction at its last count (a disagreement that goes away is threads printing out of order), an address allocated again while alive, a successful revoke while blocks are alive, a dump-only dialect's leak report that lists no block (the C runtime prints one only when blocks leaked)",
    evidence: (f) => {
      const m = f.trace.marks;
      const anomalies = f.trace.anomalies;
      const lost: string[] = [];
      if (m.elisions > 0) lost.push(`${m.elisions} elision${m.elisions === 1 ? '' : 's'} such as "more leaks..."`);
      const unseen = f.trace.unseen;
      if (unseen?.by === 'report')
        lost.push(`the leak report at line ${unseen.line} lists no block, though the C runtime prints it only when blocks leaked`);
      if (anomalies.count('count-mismatch') > 0) {
        lost.push(
          "the spy's block count still disagrees with the log at its last count" +
            (unseen?.by === 'count'
              ? `, line ${unseen.line}, where it counts ${count(unseen.blocks, 'block')} alive that this log never showed allocated`
              : ''),
        );
      }
      // A late line of the block that lost its address (another thread's allocation printed first) shows its free was not missing (tracker.ts, `lateFree`).
      const missingFrees =
        anomalies.count('address-reused-while-alive') - anomalies.count('free-out-of-order') + anomalies.count('revoke-with-live-blocks');
      if (missingFrees > 0) lost.push(`${missingFrees} free${missingFrees === 1 ? ' is' : 's are'} missing`);
      return lost.length > 0 ? `lines are missing from this log (${lost.join('; ')}): a block's free may be among them` : null;
    },
  },
  {
    id: 'baseline-runtime-memory',
    verdict: 'possibly-truncated',
    when: 'a baseline names never-freed blocks as memory the runtime holds until ExitProcess: a complete run shows those freed at exit, so the exit-time output was lost (stdout flushed before the DLL that frees them was unloaded); they are decided `exitprocess` by the baseline',
    evidence: (f) =>
      f.baselineDecided > 0
        ? `baseline ${f.baselineFile}: ${count(f.baselineDecided, 'never-freed block')} ${f.baselineDecided === 1 ? 'is' : 'are'} memory the runtime holds until ExitProcess, ` +
          'which a complete run shows freed at exit: this log lost exit-time output (stdout was flushed before the DLL that frees them was unloaded)'
        : null,
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
      if (f.bytes === 0 || f.trace.marks.events !== 0 || f.dumpOnly === null || f.trace.unseen?.by === 'report') return null;
      const entries = f.trace.marks.dump?.entries ?? 0;
      return entries > 0
        ? `a leak dump only (${f.dumpOnly} dialect): the ${entries} block${entries === 1 ? '' : 's'} it lists were alive when it was printed`
        : `a leak dump only (${f.dumpOnly} dialect), and it lists no block`;
    },
  },
  {
    id: 'ends-with-line-end',
    verdict: 'complete',
    when: "the last line ends with a line end (a Ctrl+Z after it, the end-of-file mark `copy` writes when it joins files, is no line, and no byte of the program's)",
    evidence: (f) =>
      hasEvents(f) && f.endedOnLineEnd
        ? f.endMark
          ? 'the last line ends with a line end (the Ctrl+Z after it is the end-of-file mark `copy` writes, not a line)'
          : 'the last line ends with a line end'
        : null,
  },
  {
    id: 'console-line-last',
    verdict: 'complete',
    when: "the last line is the console's (a prompt or a pause), which it prints without a line end: the program's output before it is whole",
    evidence: (f) =>
      hasEvents(f) && !f.endedOnLineEnd && f.trace.endsInConsole
        ? `the last line (${f.lastLine}) is the console's, printed without a line end: the program's output before it is whole`
        : null,
  },
  {
    id: 'exit-output-present',
    verdict: 'complete',
    when: "spy events follow the program's last line after CoUninitialize or a dump, and follow the dump when the program printed one after them (events between a refused revoke and the dump may be the program's): the exit-time output is present",
    evidence: (f) => {
      const m = f.trace.marks;
      const shown = exitShown(m);
      if (!hasEvents(f) || !pastShutdown(f.trace) || shown === 0) return null;
      return `${shown} spy event${shown === 1 ? ' follows' : 's follow'} ${m.exitBeforeDump > 0 ? `the dump (line ${m.dump!.line})` : lastOwnLine(m)}: the exit-time output is present`;
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
    when: "no block is outstanding at the end of the log (none the log knows, and none only the spy's output shows)",
    evidence: (f) => (hasEvents(f) && f.trace.live.length === 0 && f.trace.unseen === null ? 'no block is outstanding at the end of the log' : null),
  },
  {
    id: 'ended-before-couninitialize',
    verdict: 'complete',
    when: 'the run ended before CoUninitialize (a crash, `exit()` or a kill), and nothing says output is missing',
    evidence: (f) => {
      const m = f.trace.marks;
      if (!hasEvents(f) || f.dumpOnly !== null || m.coUninitialize !== null || m.dump !== null) return null;
      return `the run ended before CoUninitialize, as after a crash, exit() or a kill: its output never reaches ${quoteMarkers(f.coUninitializeMarkers)} nor a dump`;
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

/**
 * What the exit-time output follows, for the evidence: the program's last line, or the dump in
 * a log whose program printed no line of its own (a spy-only log; not "(null)", attack notes #110).
 */
function lastOwnLine(m: Trace['marks']): string {
  if (m.lastProgramLine !== null) return `the program's last line (${m.lastProgramLine})`;
  return m.dump !== null ? `the dump (line ${m.dump.line}; the program printed no line of its own)` : "the program's output";
}

/**
 * Spy events after the program's last line that show the exit-time output is there: not those
 * printed before its dump (Marks.exitBeforeDump), which a program still running prints too.
 */
function exitShown(m: Trace['marks']): number {
  return m.exitEvents - m.exitBeforeDump;
}

/** The program got past CoUninitialize or dumped: frees after its last line are exit-time frees. */
export function pastShutdown(trace: Trace): boolean {
  return trace.marks.coUninitialize !== null || trace.marks.dump !== null;
}

function hasEvents(f: CompletenessFacts): boolean {
  return f.bytes > 0 && f.trace.marks.events > 0;
}
