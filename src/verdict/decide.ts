// Every block of one run ends in exactly one category, decided here, once (SPEC §3). The
// deciders run in a fixed order and each says what it decided (`decidedBy`):
//   1. the log: freed while running, inside CoUninitialize, during ExitProcess (frees after
//      the program's last line once it got past CoUninitialize or dumped);
//   2. a baseline (known runtime-held memory), if given: a never-freed block that fits one
//      of its rows is `exitprocess`, and says the log lost its exit-time output, which the
//      completeness verdict (the rule table, judged here after the baseline) takes in;
//   3. the log again: a never-freed block of a complete run is a true leak;
//   4. the baseline's complete contexts: a never-freed block there that fits no row is a
//      true leak;
//   5. known runtime holders, with --trust-known-holders: a never-freed block that fits
//      memory a holder is documented to keep until ExitProcess (hint/known-holders.json) is
//      `exitprocess`; holders whose blocks look like leaks (a cached BSTR) only hint;
//   6. --assume-complete, if given: what is still undecided is a true leak.
// What no decider settles is `unresolved`. Everything downstream (findings, the parts, the
// file's summary, every output format, diff and the CI gate) reads these categories.
import { CATEGORIES, type Block, type Category, type DecidedBy, type Tally, type Truncation } from '../model/block.js';
import type { ReportBlock, TestReport, UnseenCategory } from '../model/report.js';
import type { Trace, Unseen } from '../track/tracker.js';
import type { Baseline } from '../baseline/model.js';
import { convict, matchBaseline, type BaselineMatch } from '../baseline/match.js';
import { judgeCompleteness, pastShutdown, type CompletenessFacts, type Evidence } from './completeness.js';
import { knownHolder } from '../hint/holders.js';
import { TestTally } from './tests.js';
import { compareText } from '../text/compare.js';
import { count, unseenSource } from '../text/words.js';

/** What decides the blocks the log alone cannot. */
export interface Deciders {
  /** Known runtime-held memory (made by `spylog baseline` from a complete run). */
  baseline: Baseline | null;
  /** Decide never-freed blocks that fit memory a known runtime holder keeps until ExitProcess. */
  trustKnownHolders: boolean;
  /** Count never-freed blocks of an incomplete log as true leaks. */
  assumeComplete: boolean;
}

export type DeciderEvidenceId = 'baseline' | 'known-holder' | 'assume-complete' | 'unseen';

export interface Decision {
  truncation: Truncation;
  /** The completeness evidence, then what each decider did. */
  evidence: (Evidence | { rule: DeciderEvidenceId; text: string })[];
  summary: Record<Category, Tally>;
  /** Every block not in `freed`, in allocation order. */
  blocks: ReportBlock[];
  baseline: BaselineMatch | null;
  /** Each test the program's runner printed, with its blocks by category; null when it printed none. */
  tests: TestReport[] | null;
  /** Blocks only the spy's output knows (Trace.unseen), in `summary` with no bytes: their sizes are unknown. */
  unseen: (Unseen & { category: UnseenCategory }) | null;
}

/** The run's completeness facts but what the baseline decides. */
export type RunFacts = Omit<CompletenessFacts, 'trace' | 'baselineDecided' | 'baselineFile'>;

export function decide(trace: Trace, facts: RunFacts, deciders: Deciders, windowLimit: number): Decision {
  const summary = Object.fromEntries(CATEGORIES.map((c) => [c, { blocks: 0, bytes: 0 }])) as Record<Category, Tally>;
  const blocks: ReportBlock[] = [];
  const tests = trace.tests.length > 0 ? new TestTally(trace) : null;
  // Frees after the program's last line happened inside ExitProcess, provided the
  // program got past CoUninitialize or dumped; otherwise it was still running.
  const exiting = pastShutdown(trace);
  const list = (b: Block, category: Category): void => {
    // Reallocated inside ExitProcess (freed there, or alive at the end: a capture that kept the
    // realloc and lost the free): listed at the size it held until then (ReportBlock.exitSize;
    // attack notes #224, #231).
    const held = exiting ? b.heldSize : undefined;
    const block = toReportBlock(held === undefined ? b : { ...b, size: held }, category, 'log');
    if (held !== undefined) block.exitSize = b.size;
    // Every block of a run with tests says which test allocated it.
    if (tests) {
      const t = tests.testOf(b.ordinal);
      block.test = t?.name ?? null;
      if (t?.iteration !== undefined) block.testIteration = t.iteration;
    }
    blocks.push(block);
  };

  // 1. The log. Ordinary frees are only counted; what is listed is tallied at the end.
  addTally(summary.freed, trace.freed);
  for (const b of trace.couninitialize) list(b, 'couninitialize');
  addTally(summary.couninitialize, trace.couninitializeOverflow);
  const windowCategory: Category = exiting ? 'exitprocess' : 'freed';
  for (const b of trace.window) {
    if (exiting) list(b, 'exitprocess');
    else {
      addTally(summary.freed, { blocks: 1, bytes: b.size });
      tests?.freed(b);
    }
  }
  // Counted past the window: at the sizes held until the program's output ended, as the listed ones.
  addTally(summary[windowCategory], exiting ? { blocks: trace.windowOverflow.blocks, bytes: trace.windowOverflowHeldBytes } : trace.windowOverflow);
  if (exiting && trace.windowOverflow.blocks > 0) {
    trace.anomalies.add(
      'window-overflow',
      trace.marks.lastProgramLine ?? 0,
      `${trace.windowOverflow.blocks} blocks freed during process exit are counted but not listed (more than ${windowLimit})`,
    );
  }
  const neverFreed = blocks.length;
  for (const b of trace.live) list(b, 'unresolved');
  // Blocks the spy counted alive that the log never showed allocated: never freed, as far as
  // the log goes, and the log that lost their lines is never complete. No row of a baseline and
  // no holder can fit a block whose size and context are unknown; only --assume-complete decides them.
  const unseen: Decision['unseen'] = trace.unseen && { ...trace.unseen, category: 'unresolved' };
  const undecided = (b: ReportBlock): boolean => b.category === 'unresolved';

  // 2. The baseline's rows.
  const baseline = deciders.baseline ? matchBaseline(blocks, deciders.baseline, undecided) : null;

  // The completeness verdict, with what the baseline says of the log.
  const verdict = judgeCompleteness({
    ...facts,
    trace,
    baselineDecided: baseline?.decided ?? 0,
    baselineFile: deciders.baseline?.file ?? null,
  });
  const evidence: Decision['evidence'] = [...verdict.evidence];

  // 3. A complete run: what it never freed, it leaked.
  if (verdict.truncation === 'complete') {
    for (let i = neverFreed; i < blocks.length; i++) if (undecided(blocks[i]!)) blocks[i]!.category = 'true-leak';
    if (unseen) {
      // A refused revoke in a run whose exit-time output is there: the block it shows was never freed.
      unseen.category = 'true-leak';
      evidence.push({
        rule: 'unseen',
        text: `${count(unseen.blocks, 'block')} this log never showed allocated, known only from ${unseenSource(unseen)}, ${unseen.blocks === 1 ? 'was' : 'were'} never freed in a complete log: ${unseen.blocks === 1 ? 'a true leak' : 'true leaks'} of unknown size`,
      });
    }
  }

  // 4. The baseline's complete contexts.
  if (baseline && deciders.baseline) {
    baseline.convicted = convict(blocks, deciders.baseline, undecided);
    if (baseline.convicted > 0) {
      const n = baseline.convicted;
      evidence.push({
        rule: 'baseline',
        text: `baseline ${deciders.baseline.file} lists what the runtime holds completely: ${n} never-freed block${n === 1 ? '' : 's'} that fit none of its rows ${n === 1 ? 'is a true leak' : 'are true leaks'}`,
      });
    }
  }

  // 5. Known runtime holders, when the user trusts them: only what the log left undecided (a
  // complete log that shows such a block never freed knows more than the knowledge file).
  if (deciders.trustKnownHolders) {
    const holders = new Map<string, number>();
    for (const b of blocks) {
      if (!undecided(b)) continue;
      const h = knownHolder(b);
      if (h?.decides !== 'exitprocess') continue;
      b.category = 'exitprocess';
      b.decidedBy = 'known-holder';
      holders.set(h.holder, (holders.get(h.holder) ?? 0) + 1);
    }
    if (holders.size > 0) {
      const n = [...holders.values()].reduce((a, k) => a + k, 0);
      evidence.push({
        rule: 'known-holder',
        text: `--trust-known-holders: ${n} never-freed block${n === 1 ? '' : 's'} that fit${n === 1 ? 's' : ''} memory a known runtime holder keeps until ExitProcess (${[...holders.keys()].join('; ')}) ${n === 1 ? 'is' : 'are'} counted as exitprocess`,
      });
    }
  }

  // 6. --assume-complete: what is still undecided is the program's.
  if (deciders.assumeComplete) {
    let assumed = 0;
    for (const b of blocks) {
      if (undecided(b)) {
        b.category = 'true-leak';
        b.decidedBy = 'assume-complete';
        assumed++;
      }
    }
    if (unseen) {
      unseen.category = 'true-leak';
      assumed += unseen.blocks;
    }
    if (assumed > 0)
      evidence.push({ rule: 'assume-complete', text: '--assume-complete: blocks never freed are counted as true leaks despite this verdict' });
  }

  for (const b of blocks) {
    summary[b.category].blocks++;
    summary[b.category].bytes += b.size;
  }
  if (unseen) summary[unseen.category].blocks += unseen.blocks;
  blocks.sort(byAllocation);
  return { truncation: verdict.truncation, evidence, summary, blocks, baseline, tests: tests?.finish(blocks) ?? null, unseen };
}

/** Report order: by allocation line (blocks first seen in the dump last), then address. */
export function byAllocation(a: ReportBlock, b: ReportBlock): number {
  return (a.allocLine ?? Infinity) - (b.allocLine ?? Infinity) || compareText(a.address, b.address);
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
    ordinal: b.ordinal,
  };
}

function addTally(into: Tally, from: Tally): void {
  into.blocks += from.blocks;
  into.bytes += from.bytes;
}
