// Per-test attribution: the blocks of a run grouped by the test that ran when each was
// allocated (its ordinal falls in the test's allocations), counted by the category decided
// for it. Frees the tracker settled while the program ran come counted per test; the blocks
// the verdict decides (listed, or freed in the window at the end) are counted here. Nothing is
// decided here.
import { CATEGORIES, type Block, type Category, type Tally } from '../model/block.js';
import type { ReportBlock, TestReport } from '../model/report.js';
import type { Trace } from '../track/tracker.js';

export class TestTally {
  private readonly tests: TestReport[];

  constructor(private readonly trace: Trace) {
    // A name the runner printed more than once in the run (GoogleTest's --gtest_repeat, a
    // retried test): each of its tests says which time it was.
    const times = new Map<string, number>();
    for (const t of trace.tests) times.set(t.name, (times.get(t.name) ?? 0) + 1);
    const seen = new Map<string, number>();
    this.tests = trace.tests.map((t) => {
      const summary = Object.fromEntries(CATEGORIES.map((c) => [c, { blocks: 0, bytes: 0 }])) as Record<Category, Tally>;
      summary.freed = { ...t.freed };
      return {
        name: t.name,
        startLine: t.startLine,
        endLine: t.endLine,
        outcome: t.outcome,
        allocs: t.allocs,
        summary,
        freedAfterTest: { ...t.freedAfter },
        ...(times.get(t.name)! > 1 ? { iteration: seen.set(t.name, (seen.get(t.name) ?? 0) + 1).get(t.name)! } : {}),
      };
    });
  }

  /** The test a block was allocated in, or null. */
  testOf(ordinal: number | null): TestReport | null {
    const k = this.trace.testAt(ordinal);
    return k < 0 ? null : this.tests[k]!;
  }

  /** A block freed while the program ran that the verdict counted (the window at the end of a run that never shut COM down). */
  freed(b: Block): void {
    const k = this.trace.testAt(b.ordinal);
    if (k < 0) return;
    const t = this.tests[k]!;
    add(t.summary.freed, b.size);
    const until = this.trace.tests[k]!.until;
    if (until !== null && b.freeLine !== null && b.freeLine > until) add(t.freedAfterTest, b.size);
  }

  /** The run's decided blocks (every one not in `freed`), counted by category; their report. */
  finish(blocks: readonly ReportBlock[]): TestReport[] {
    for (const b of blocks) {
      const k = this.trace.testAt(b.ordinal);
      if (k >= 0) add(this.tests[k]!.summary[b.category], b.size);
    }
    return this.tests;
  }
}

function add(t: Tally, bytes: number): void {
  t.blocks++;
  t.bytes += bytes;
}
