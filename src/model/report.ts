// The JSON shape of a report (`spylog/report@1`, SPEC §4). This type is the contract
// every reporter reads and that scripts depend on: change meanings only with a new
// schema version. Fields beyond SPEC §4 are marked "extra".
import type { Category, DecidedBy, Tally, Truncation } from './block.js';

export const REPORT_SCHEMA = 'spylog/report@1';

/** The context blocks only the spy's count knows (`Report.unseen`) are filed under where a context is needed: a CI finding, a diff group. */
export const UNSEEN_CONTEXT = 'allocations this log lost';

/** The categories blocks only the spy's output knows can be in: never freed, as far as the log goes. */
export type UnseenCategory = 'true-leak' | 'unresolved';
export const UNSEEN_CATEGORIES: readonly UnseenCategory[] = ['true-leak', 'unresolved'];

/** Blocks only the spy's output knows, in one category (Report.unseen). */
export interface UnseenBlocks {
  blocks: number;
  /** The line that shows them: the spy's last count, a refused revoke, a leak report with no readable entry. */
  line: number;
  by: 'count' | 'revoke' | 'report';
}

/** A group of blocks (a diff's, a gate's) that stands for blocks only the spy's output knows: no size of their own. */
export function isUnseenGroup(g: { context: string; size: number }): boolean {
  return g.context === UNSEEN_CONTEXT && g.size === 0;
}

/** How many blocks of category `c` only the spy's output knows. */
export function unseenIn(unseen: Report['unseen'], c: Category): number {
  return c === 'true-leak' || c === 'unresolved' ? (unseen?.[c]?.blocks ?? 0) : 0;
}

export interface ReportBlock {
  address: string;
  size: number;
  category: Category;
  context: string;
  /** null when the block was first seen in the dump (its allocation is not in the log). */
  allocLine: number | null;
  freeLine: number | null;
  inDump: boolean;
  data: string | null;
  decidedBy: DecidedBy;
  /** extra: how many times the block was reallocated. */
  reallocs: number;
  /**
   * extra, only on a block reallocated inside ExitProcess (after the program's last line of a
   * run that got past CoUninitialize or dumped): its size there. `size` is the size it held
   * until the program's output ended: what the runtime held, and all a capture that lost its
   * exit-time output shows of it (attack notes #224, #231).
   */
  exitSize?: number;
  /**
   * extra: the block was the Nth allocation of its run (alloc lines, failed ones included, and
   * reallocs of NULL; counted from the run's first line, which for a spy that prints from its
   * registration is the count since CoRegisterMallocSpy): a spy that counts its PreAlloc calls
   * can break on it. Null when the allocation is not in the log (first seen in the dump).
   */
  ordinal: number | null;
  /** extra, only in a report with `tests`: the test that ran when the block was allocated (null: none). */
  test?: string | null;
  /** extra, only on a block of a test whose name the run printed more than once: that test's `iteration`. */
  testIteration?: number;
  /** extra, only when the dump data suggests what leaked (see report/datahint.ts). */
  dataHint?: DataHint;
  /** extra, only on a never-freed block that fits memory a known runtime holder keeps (hint/known-holders.json). */
  hint?: HolderHint;
  /** extra, only in a report merged from several processes or runs: where the block lived (pid, run). */
  pid?: number | null;
  run?: number;
}

/**
 * A known runtime holder a never-freed block fits: who may be keeping it, what to do, and where
 * that is documented. A hint decides nothing unless --trust-known-holders is given (and the
 * holder may decide: a BSTR the cache keeps looks like a BSTR that leaked).
 */
export interface HolderHint {
  /** The entry's id in the knowledge file. */
  id: string;
  holder: string;
  /** What the block probably is, and what to do. */
  message: string;
  /** Where the knowledge comes from (its first source). */
  source: string;
}

/** What the first dump bytes of a block look like. */
export interface DataHint {
  kind: 'vtable' | 'utf16-text' | 'ascii-text';
  /** The decoded text (`…` when it runs on past the dumped bytes). */
  text?: string;
  /** Byte offset of the text in the block. */
  offset?: number;
  /** The pointer read from the first bytes (little-endian), for `vtable`. */
  pointer?: string;
}

/**
 * extra: one process of a DebugView capture, or one run of a file with several: its whole
 * report, or (beyond the first hundred parts of a file) only its verdict, to keep memory
 * bounded by what the file reports, not by how many runs it appends.
 */
export interface ReportPart {
  firstLine: number;
  lastLine: number;
  report?: Report;
  verdict?: PartVerdict;
}

/** A part kept as a summary. */
export interface PartVerdict {
  truncation: Truncation;
  summary: Record<Category, Tally>;
  allocs: number;
  frees: number;
  /** As the part's report has it (Report.unseen). */
  unseen?: Report['unseen'];
}

/** An inconsistency in the log, with its line: data, never an error. */
export interface Anomaly {
  kind: string;
  line: number;
  message: string;
}

/** Where a block, finding or phase lived in a file of several processes or runs. */
export interface PartTag {
  pid?: number | null;
  run?: number;
}

/**
 * Many blocks of one size piled up, stayed alive, then were freed together in a burst
 * (KB Q216248's CopyProxy loop): delayed deallocation, not a leak.
 */
export interface DeferredReleaseFinding extends PartTag {
  kind: 'deferred-release';
  size: number;
  /** Blocks and bytes released in the burst. */
  blocks: number;
  bytes: number;
  /** Line of the first allocation of the pile-up. */
  firstLine: number;
  /** Where the pile reached its height, and how high. */
  peakLine: number;
  peak: { blocks: number; bytes: number };
  /** First and last free of the burst. */
  releaseLine: number;
  releaseEndLine: number;
  /** Live bytes (all blocks) added per allocation of this size while the pile grew. */
  growthPerAlloc: number;
  context: string;
  message: string;
}

/** A group of blocks that piled up and was never given back: what a leak in a loop looks like. */
export interface UnboundedGrowthFinding extends PartTag {
  kind: 'unbounded-growth';
  context: string;
  size: number;
  blocks: number;
  bytes: number;
  /** The category its blocks ended in (true-leak or unresolved). */
  category: Category;
  firstLine: number;
  /** The last allocation of the group: where its growth stood highest. */
  peakLine: number;
  releaseLine: null;
  message: string;
}

/** A baseline row that found fewer blocks than it expects: the runtime now holds less, or the program changed. */
export interface StaleRow {
  context: string;
  size: number;
  /** The row's pattern as written (`?? 00 ...`), '' for any data. */
  pattern: string;
  /** The row's line in the baseline file. */
  line: number;
  /** Blocks expected (the row's count, once per run) and found. */
  expected: number;
  found: number;
}

/** What a baseline did to a report. */
export interface BaselineUse {
  file: string;
  /** Blocks that fit a row: shown freed at exit by the log, or decided `exitprocess` by the baseline. */
  matched: number;
  /** Never-freed blocks a row decided `exitprocess`. */
  decided: number;
  /** Never-freed blocks decided `true-leak` because the baseline lists their context completely. */
  convicted: number;
  stale: StaleRow[];
}

/** How a test ended, as its runner printed it; `not-ended`: its end line never came (a crash, a cut log). */
export type TestOutcome = 'passed' | 'failed' | 'skipped' | 'ended' | 'not-ended';

/**
 * One test the program's runner printed (GoogleTest's `[ RUN      ]`, or --test-start/--test-end),
 * and what became of the blocks allocated while it ran.
 */
export interface TestReport extends PartTag {
  name: string;
  /** Null when the runner prints no start line. */
  startLine: number | null;
  /** Null when its end line never came. */
  endLine: number | null;
  outcome: TestOutcome;
  /** Allocations made while it ran (failed ones included, as ordinals count them). */
  allocs: number;
  /** Those blocks by category, as the report's summary counts the run's (all five, zeros included). */
  summary: Record<Category, Tally>;
  /** Of its `freed` blocks, those freed after the test ended: they outlived it (a cache, a singleton). */
  freedAfterTest: Tally;
  /** Only when the run printed its name more than once (GoogleTest's --gtest_repeat): which time this is, from 1. */
  iteration?: number;
}

/** Something the whole run shows; `kind` says which. */
export type Finding = DeferredReleaseFinding | UnboundedGrowthFinding;

export type TimelineMarkKind = 'spy-registered' | 'couninitialize' | 'revoke' | 'dump' | 'exit' | 'peak';

/** Live memory over the log, downsampled into at most 256 buckets of `span` lines. */
export interface Timeline {
  span: number;
  points: { fromLine: number; toLine: number; maxBytes: number; maxBlocks: number; bytes: number; blocks: number }[];
  marks: { kind: TimelineMarkKind; line: number }[];
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  source: string;
  truncation: Truncation;
  evidence: string[];
  lines: number;
  allocs: number;
  frees: number;
  summary: Record<Category, Tally>;
  blocks: ReportBlock[];
  anomalies: Anomaly[];
  findings: Finding[];
  peak: { blocks: number; bytes: number; line: number };
  /** extra: live memory over the log (issue 5). */
  timeline: Timeline;
  /** extra: reallocations seen. */
  reallocs: number;
  /** extra: input size in bytes and the encoding it was read as. */
  bytes: number;
  encoding: string;
  /** extra: exact totals per anomaly kind (`anomalies` lists at most a bounded number per kind). */
  anomalyCounts: Record<string, number>;
  /** extra, only when `findings` does not list them all (at most 1,000 per kind): the exact totals per kind. */
  findingCounts?: Record<string, number>;
  /** extra: where the run's phases begin (line numbers; null when absent). */
  phases: {
    spyRegistered: number | null;
    coUninitialize: number | null;
    revoke: { line: number; hresult: string | null } | null;
    dump: { line: number; entries: number } | null;
    lastProgramLine: number | null;
    exitEvents: number;
    /** In a file of several processes or runs: the part these phases are of (the one holding the file's end). */
    part?: PartTag;
  };
  /**
   * extra, only when the program's test runner printed tests (GoogleTest by default): each test
   * and its blocks. In a file of several processes or runs, every part's, with `pid`/`run`.
   */
  tests?: TestReport[];
  /** extra, only when a file of many parts printed more tests than `tests` lists (10,000): how many more. */
  testsNotListed?: number;
  /**
   * extra, only when the spy's output shows blocks alive that this log never showed allocated
   * (their allocation lines were lost) and no dump listed: `by: 'count'`, the spy's `<k> blocks
   * remaining` at its last count (`line`) exceeds the blocks this log knows; `by: 'revoke'`,
   * `CoRevokeMallocSpy` at `line` returned E_ACCESSDENIED (blocks outstanding) while this log
   * knew none (one block, at least); `by: 'report'`, a dump-only dialect's leak report at `line`
   * lists no block this log could read, though the C runtime prints one only when blocks
   * leaked (one, at least). By the category they are counted in, in `summary`, with no bytes
   * since their sizes are unknown (`unresolved`; `true-leak` in a complete log or with
   * --assume-complete); `blocks` cannot list them. In a report of several parts: per category,
   * their sum, with the first such part's `line` and `by`.
   */
  unseen?: Partial<Record<UnseenCategory, UnseenBlocks>>;
  /** extra, only when a baseline decided blocks: what it matched (in every part, and summed over the parts in the file's report). */
  baseline?: BaselineUse;
  /** extra, only for a DebugView capture, a CI job log (every line behind the runner's time) or a PowerShell transcript. */
  capture?: 'debugview' | 'ci-log' | 'transcript';
  /** extra, only when the log was read with another dialect than MallocSpyTest's, or matched none. */
  dialect?: { name: string; tried: string[]; matched: boolean };
  /** extra, only when a DebugView capture holds more than one process: one report per pid. */
  processes?: (ReportPart & { pid: number | null })[];
  /** extra, only when the log holds more than one run: one report per run. */
  runs?: (ReportPart & { index: number })[];
}
