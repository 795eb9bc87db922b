// A as the reference for B's exit-time output. A redirected run can keep part of what the spy
// printed inside ExitProcess: the C runtime flushes stdout when its DLL detaches, so the frees of
// DLLs detached before it reach the file and those of DLLs detached after it never do (the
// wine2 capture helperdll-clbhold: a helper's 12 exit-time frees are there, clbhold's 11 are
// not). Nothing in B alone shows the loss, so B reads complete and those blocks true leaks. A, a
// complete run of the same program, shows the order of the exit-time frees; B's kept frees being
// A's first ones, B's never-freed blocks matching A's later ones are that lost tail. They are read
// as A reads them, freed at exit, as `check --baseline` with a baseline made from A reads them
// (SPEC §3: a baseline's runtime-held rows matched by never-freed blocks show the exit output was
// lost). A never-freed block A frees at exit *before* one B shows freed is no cut: the cache
// that let it go at exit no longer does, a leak (attack notes #179, #200). Pure.
import type { Category, Tally } from '../model/block.js';
import type { Report, ReportBlock } from '../model/report.js';
import { count } from '../text/words.js';
import { groupBy } from '../model/groups.js';
import { derivePattern, matchesPattern, wordSizeOf, type Pattern } from '../baseline/pattern.js';

/** B as read against A: `b` itself when A shows no lost tail of B's exit-time output. */
export interface BReadAgainstA {
  b: Report;
  /** Why B reads possibly truncated against A, or null when it is `b` unchanged. */
  cut: string | null;
}

/** The blocks of B that A shows freed at exit after the exit-time frees B kept (see the file's comment), read as A reads them. */
export function readAgainst(a: Report, b: Report): BReadAgainstA {
  const lost = lostExitTail(a, b);
  if (lost.blocks.length === 0) return { b, cut: null };
  const moved: Tally = { blocks: lost.blocks.length, bytes: lost.blocks.reduce((s, x) => s + x.size, 0) };
  const tally = (c: Category, sign: number): Tally => ({
    blocks: b.summary[c].blocks + sign * moved.blocks,
    bytes: b.summary[c].bytes + sign * moved.bytes,
  });
  const cut =
    `${count(moved.blocks, 'block')} (${count(moved.bytes, 'byte')}) never freed in B are freed at exit in A after the ` +
    `${count(lost.kept, 'exit-time free')} B shows, which are A's first: B's exit-time output was cut (stdout flushed before the ` +
    'DLL that frees them was unloaded), and they are read as A reads them, freed during ExitProcess';
  const taken = new Set(lost.blocks);
  return {
    b: {
      ...b,
      truncation: 'possibly-truncated',
      evidence: [cut, ...b.evidence],
      summary: { ...b.summary, 'true-leak': tally('true-leak', -1), exitprocess: tally('exitprocess', 1) },
      blocks: b.blocks.map((x) => (taken.has(x) ? { ...x, category: 'exitprocess', decidedBy: 'baseline' } : x)),
    },
    cut,
  };
}

/**
 * B's true leaks that match A's exit-time frees after the first k, where B's k exit-time frees
 * of A's calls and sizes are A's first k (as a multiset of call and size: threads may reorder a
 * few). B's exit-time frees of a call and size A leaked and never frees at exit (an atexit handler
 * that now frees it: the leak fixed) tell nothing of where B's output was cut (attack notes
 * #208); any other exit-time free of B's counts. A block
 * matches by call and size, and by its dump data where A's blocks of that call and size have
 * some: their pattern as a baseline derives it (bytes that differ, pointers: any), so B's new
 * leak of a runtime block's size and call is not taken for it (#205). Only single-run reports
 * (the order of a file of several runs is not one ExitProcess's), only a complete A, only blocks
 * the logs decided.
 */
function lostExitTail(a: Report, b: Report): { blocks: ReportBlock[]; kept: number } {
  const none = { blocks: [], kept: 0 };
  if (a.truncation !== 'complete' || a.runs || a.processes || b.runs || b.processes) return none;
  const key = (x: ReportBlock) => `${x.size}\0${x.context}`;
  const exitFrees = (r: Report) =>
    r.blocks.filter((x) => x.category === 'exitprocess' && x.decidedBy === 'log' && x.freeLine !== null).sort((x, y) => x.freeLine! - y.freeLine!);
  const inA = exitFrees(a);
  const freedAtExitInA = new Set(inA.map(key));
  const leakedInA = new Set(a.blocks.filter((x) => x.category === 'true-leak').map(key));
  const inB = exitFrees(b).filter((x) => freedAtExitInA.has(key(x)) || !leakedInA.has(key(x)));
  if (inB.length >= inA.length) return none;
  const head = counts(inA.slice(0, inB.length), key);
  for (const x of inB) {
    const n = head.get(key(x)) ?? 0;
    if (n === 0) return none;
    head.set(key(x), n - 1);
  }
  const tailBlocks = inA.slice(inB.length);
  const tail = counts(tailBlocks, key);
  const wordSize = wordSizeOf(a.blocks);
  const patterns = new Map<string, Pattern>();
  for (const [k, list] of groupBy(tailBlocks, key)) {
    patterns.set(
      k,
      derivePattern(
        list.map((x) => x.data),
        wordSize,
      ),
    );
  }
  const blocks: ReportBlock[] = [];
  for (const x of b.blocks) {
    if (x.category !== 'true-leak' || x.decidedBy !== 'log') continue;
    const n = tail.get(key(x)) ?? 0;
    if (n === 0 || !matchesPattern(x.data, patterns.get(key(x))!)) continue;
    tail.set(key(x), n - 1);
    blocks.push(x);
  }
  return { blocks, kept: inB.length };
}

function counts<T>(items: readonly T[], key: (x: T) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of items) out.set(key(x), (out.get(key(x)) ?? 0) + 1);
  return out;
}
