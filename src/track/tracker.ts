// The lifecycle tracker: rebuilds every block's life from the event stream.
//
// Memory is proportional to the blocks alive, plus the blocks the report must list,
// plus the "window": the blocks freed since the last program line. Which phase those
// frees belong to is only known at the next program line (was it `Called
// CoUninitialize()`?) or at the end (were they exit-time frees?), so they wait there;
// frees that turn out to be ordinary are then dropped, keeping only their tally. Blocks
// alive and freed are rows of typed arrays (blocks.ts, FreedRows): a block becomes an
// object only when a report lists it.
import { UNREADABLE_COUNT, type LineEvent } from '../parse/events.js';
import { E_ACCESSDENIED, opensComSession, registrationResult, stableContext } from '../parse/program.js';
import { isNull, spell, spelled, type Address } from '../parse/address.js';
import { SCAN_ALLOC, type SpyScanner } from '../parse/scan.js';
import { readTestLine, type TestLine, type TestOutcome, type TestPatterns } from '../parse/tests.js';
import type { Block, BlockKey, Tally } from '../model/block.js';
import type { DeferredReleaseFinding } from '../model/report.js';
import { AnomalyLog } from './anomalies.js';
import { hex32 } from '../text/words.js';
import {
  BlockTable,
  RECENT_FREES,
  DATA_BYTES,
  DATA_ELSEWHERE,
  NO_DATA,
  HexText,
  NO_F64,
  NO_I32,
  NO_U16,
  NO_U8,
  grown,
  ROW_NUMS as FREED_NUMS,
  ROW_KEY,
  ROW_SIZE,
  ROW_ALLOC_LINE,
  ROW_FIRST_LINE,
  ROW_ORDINAL,
  ROW_FREE_LINE as FREED_LINE,
} from './blocks.js';
import { Timeline, type TimelinePoint } from './timeline.js';
import { EpisodeDetector } from './episodes.js';
import { Stretch, contextText } from './stretch.js';

export interface TrackerOptions {
  /** Anomalies listed per kind (all are counted). */
  anomaliesPerKind: number;
  /** Blocks the window of undecided frees may hold before it only counts them. */
  windowLimit: number;
  /** Characters kept of a program line used as a context. */
  contextLength: number;
  /** Blocks of one size piled up and released together that make a deferred-release finding. */
  episodeThreshold: number;
  /**
   * The dialect prints a leak dump only, no allocation lines: every dumped block being
   * first seen there is the format, not a `dump-unknown-block` inconsistency.
   */
  dumpOnly: boolean;
  /** How the program's test runner prints a test's start and end (null: no test attribution). */
  tests: TestPatterns | null;
}

/** One test the program's runner printed, and what its blocks that were freed while the program ran did. */
export interface TestTrace {
  name: string;
  /** Its start line (null: the runner prints only end lines). */
  startLine: number | null;
  /** Its end line (null: never printed). */
  endLine: number | null;
  outcome: TestOutcome;
  /** The allocations made while it ran (not while a test it holds ran): how many. */
  allocs: number;
  /** The line where it stopped running (its end line, or the next test's start); null while it runs. */
  until: number | null;
  /** Its blocks freed while the program ran (listed frees decided at the end are the verdict's), and of those, the ones freed after it stopped. */
  freed: Tally;
  freedAfter: Tally;
}

export interface Marks {
  register: number | null;
  coUninitialize: number | null;
  revoke: { line: number; hresult: number | null; liveBlocks: number } | null;
  dump: { line: number; entries: number; endLine: number } | null;
  lastProgramLine: number | null;
  /** Spy events (alloc, free, realloc) after the program's last line, and the first one's line. */
  exitEvents: number;
  exitFrom: number | null;
  /** Of those, the frees (a free line, a realloc to 0 bytes): what a program still running does not explain. */
  exitFrees: number;
  /**
   * Of those, the ones printed before the program's dump: the ExitProcess frees of a spy that
   * dumps when its DLL is detached, or frees the program printed before it dumped (see
   * `startDump`). The log cannot tell which, so they alone do not show the exit-time output.
   */
  exitBeforeDump: number;
  /** Spy events in the whole log. */
  events: number;
  elisions: number;
  /** The last `<k> blocks remaining` the spy printed, and where. */
  spyRemaining: { count: number; line: number } | null;
}

/** Blocks only the spy's output knows (Trace.unseen). */
export interface Unseen {
  blocks: number;
  line: number;
  by: 'count' | 'revoke' | 'report';
}

/** What the tracker knows at the end of the input, before any verdict. */
export interface Trace {
  live: BlockList;
  /** Blocks freed after the program's last line (exit-time frees if the run got that far). */
  window: BlockList;
  windowOverflow: Tally;
  /** The bytes of `windowOverflow` at the sizes the blocks held when the program's output ended (see `heldSize`). */
  windowOverflowHeldBytes: number;
  /** Blocks freed inside CoUninitialize. */
  couninitialize: Block[];
  /** Tallies of what is only counted: ordinary frees. */
  freed: Tally;
  couninitializeOverflow: Tally;
  allocs: number;
  frees: number;
  reallocs: number;
  peak: { blocks: number; bytes: number; line: number };
  marks: Marks;
  anomalies: AnomalyLog;
  /**
   * The program's last line, when it is a spy line that does not parse (the log ends inside
   * an event); only blank lines and the console's may follow it (they are not the program's
   * output, SPEC §2).
   */
  brokenEventAt: number | null;
  /** The last line is the console's (a prompt, a pause): its missing line end says nothing of the program's output. */
  endsInConsole: boolean;
  timeline: { span: number; points: TimelinePoint[] };
  deferred: DeferredReleaseFinding[];
  /** Deferred releases found but not listed in `deferred` (beyond its bound). */
  deferredNotListed: number;
  /** The tests the program's runner printed, in log order (empty when it printed none). */
  tests: TestTrace[];
  /** The index in `tests` of the test that ran when the allocation of this ordinal was made, or -1. */
  testAt(ordinal: number | null): number;
  /**
   * Blocks alive that this log never showed allocated (their allocation lines were lost): what
   * the spy still counted at its last count beyond the log's blocks (`by: 'count'`, that count's
   * line), or the one at least that a revoke refused with E_ACCESSDENIED shows while the log
   * knew none (`by: 'revoke'`, its line), or the one at least a dump-only dialect's leak report
   * shows when it lists no block (`by: 'report'`: the C runtime prints one only when blocks
   * leaked); null when there are none.
   */
  unseen: Unseen | null;
}

/**
 * Blocks made one at a time as they are read: a run ending with 200,000 blocks alive
 * would otherwise build them all at once, each surviving to be copied into its report
 * block and then promoted and collected as old garbage (a third of the time and 100 MB
 * on that shape). Read once, in order.
 */
export interface BlockList extends Iterable<Block> {
  readonly length: number;
}

/**
 * A number read from a Float64Array, as a small integer when it is one. Such a read gives a
 * boxed double even for 42; stored in a report block, it made every numeric field of every
 * block a 16-byte box of its own (four per block: 6.5 MB for 100,000 listed blocks). `x | 0`
 * is a small integer V8 keeps inside the object. Larger or fractional values stay as they are.
 */
function small(x: number): number {
  return (x | 0) === x ? x | 0 : x;
}

/** A row of the table as a report lists it: a live block (`freeLine` null), or a freed one still held there; `context` when the row has none yet. */
function rowBlock(t: BlockTable, row: number, freeLine: number | null, context: string | null): Block {
  const allocLine = t.allocLineOf(row);
  const ordinal = t.ordinalOf(row);
  return {
    address: t.address(row),
    size: small(t.sizeOf(row)),
    allocLine: allocLine < 0 ? null : small(allocLine),
    firstLine: small(t.firstLineOf(row)),
    freeLine: freeLine === null ? null : small(freeLine),
    context: t.contextOf(row) ?? context,
    inDump: t.inDumpOf(row),
    data: t.data(row),
    reallocs: t.reallocsOf(row),
    ordinal: ordinal < 0 ? null : small(ordinal),
  };
}

function blockList(length: number, block: (i: number) => Block): BlockList {
  return {
    length,
    *[Symbol.iterator]() {
      for (let i = 0; i < length; i++) yield block(i);
    },
  };
}

/** Freed rows the window leaves in the live table (see FreedRows) before it copies them out. */
const HOLD_ROWS = 4096;

/**
 * Frees since the last program line: which phase they belong to is known only at the next
 * program line (or the end), and most turn out to be ordinary frees, dropped then. A freed
 * block stays a row of the live table (out of its index, not yet given back) until then:
 * copying each one out on its free was ~7 % of the time on a growing heap, for blocks that
 * are nearly all dropped a few lines later. Past HOLD_ROWS such rows (a loop of alloc/free
 * pairs without program output), and before the table moves its rows together, they are
 * copied into rows of typed arrays and given back, so the table does not grow with the
 * window. A row keeps what a report lists of a block.
 */
class FreedRows {
  count = 0;
  /** The first `copied` of the `count` frees are in the columns below; the rest are rows of the table (`heldRows`). */
  private copied = 0;
  private heldRows = NO_I32;
  private heldFreeLine = NO_F64;
  /**
   * A copied row's numbers, FREED_NUMS per row (one array, not six: one bounds check and
   * one load of the column per copy).
   */
  private nums = NO_F64;
  private reallocs = NO_I32;
  private spelling = NO_U16;
  private inDump = NO_U8;
  private dataBytes = NO_U8;
  private dataLength = NO_U8;
  /**
   * Kept through `clear` (overwritten row by row): truncated at every program line, each
   * stretch grew them again from nothing. They keep at most the contexts of the longest
   * stretch: strings the tracker holds anyway, and small Stretch objects.
   */
  private context: (string | Stretch | null)[] = [];
  /**
   * The address text (when the spelling code cannot say it) and dump data not in `XX XX`
   * form: written only where a block has them, read only where its spelling or data length
   * says so (a stale entry of an earlier stretch is never read).
   */
  private text: (string | undefined)[] = [];
  private data: (string | undefined)[] = [];
  bytes = 0;
  private readonly hex = new HexText();

  /**
   * `limit`: the most rows it ever holds (the tracker counts the frees beyond it instead);
   * `table`: the live table the freed rows come from.
   */
  constructor(
    private readonly limit: number,
    private readonly table: BlockTable,
  ) {}

  /** Freed rows still in the table. */
  get held(): number {
    return this.count - this.copied;
  }

  /** A block just freed, its row out of the table's index: the table gets the row back at `clear` (or `spill`). */
  add(row: number, freeLine: number): void {
    let h = this.count - this.copied;
    if (h === HOLD_ROWS) {
      this.spill();
      h = 0;
    }
    if (h === this.heldRows.length) {
      const n = Math.max(8, Math.min(h * 2, HOLD_ROWS));
      this.heldRows = grown(this.heldRows, n);
      this.heldFreeLine = grown(this.heldFreeLine, n);
    }
    this.heldRows[h] = row;
    this.heldFreeLine[h] = freeLine;
    this.bytes += this.table.sizeOf(row);
    this.count++;
  }

  /** Copies the rows still in the table into the columns, and gives them back to it. */
  spill(): void {
    const t = this.table;
    const h = this.count - this.copied;
    for (let k = 0; k < h; k++) {
      const row = this.heldRows[k]!;
      this.copy(row, this.heldFreeLine[k]!, this.copied + k);
      t.release(row);
    }
    this.copied = this.count;
  }

  /** The frees are settled: their rows go back to the table. */
  clear(): void {
    this.table.releaseRows(this.heldRows, this.count - this.copied);
    this.count = 0;
    this.copied = 0;
    this.bytes = 0;
  }

  sizeOf(i: number): number {
    return i < this.copied ? this.nums[i * FREED_NUMS + ROW_SIZE]! : this.table.sizeOf(this.heldRows[i - this.copied]!);
  }

  ordinalOf(i: number): number {
    return i < this.copied ? this.nums[i * FREED_NUMS + ROW_ORDINAL]! : this.table.ordinalOf(this.heldRows[i - this.copied]!);
  }

  freeLineOf(i: number): number {
    return i < this.copied ? this.nums[i * FREED_NUMS + FREED_LINE]! : this.heldFreeLine[i - this.copied]!;
  }

  /** The i-th freed block, as a report lists it; `context` for one whose call was not known yet. */
  block(i: number, context: string | null): Block {
    // The same block read from its row of the table (what `copy` would have copied).
    if (i >= this.copied) return rowBlock(this.table, this.heldRows[i - this.copied]!, this.heldFreeLine[i - this.copied]!, context);
    const spelling = this.spelling[i]!;
    const at = i * FREED_NUMS;
    const allocLine = this.nums[at + ROW_ALLOC_LINE]!;
    const ordinal = this.nums[at + ROW_ORDINAL]!;
    return {
      address: spelling === 0 ? (this.text[i] ?? '') : spelled(this.nums[at + ROW_KEY]!, spelling),
      size: small(this.nums[at + ROW_SIZE]!),
      allocLine: allocLine < 0 ? null : small(allocLine),
      firstLine: small(this.nums[at + ROW_FIRST_LINE]!),
      freeLine: small(this.nums[at + FREED_LINE]!),
      context: contextText(this.context[i]) ?? context,
      inDump: this.inDump[i] === 1,
      data: this.dataOf(i),
      reallocs: this.reallocs[i]!,
      ordinal: ordinal < 0 ? null : small(ordinal),
    };
  }

  private dataOf(i: number): string | null {
    const n = this.dataLength[i]!;
    if (n === NO_DATA) return null;
    return n === DATA_ELSEWHERE ? (this.data[i] ?? '') : this.hex.text(this.dataBytes, i * DATA_BYTES, n);
  }

  /** Copies the table's `row` (freed at `freeLine`) into the columns' row i. */
  private copy(row: number, freeLine: number, i: number): void {
    const table = this.table;
    if (i === this.reallocs.length) this.grow();
    table.copyNums(row, this.nums, i * FREED_NUMS);
    this.nums[i * FREED_NUMS + FREED_LINE] = freeLine;
    const spelling = table.spelling[row]!;
    this.spelling[i] = spelling;
    this.context[i] = table.context[row] ?? null;
    if (spelling === 0) this.text[i] = table.address(row);
    if (!table.hasRare) {
      // No realloc, dump or extra in this table yet: every row has the defaults.
      this.reallocs[i] = 0;
      this.inDump[i] = 0;
      this.dataLength[i] = NO_DATA;
    } else {
      this.reallocs[i] = table.reallocsOf(row);
      this.inDump[i] = table.inDumpOf(row) ? 1 : 0;
      const n = table.dataLengthOf(row);
      this.dataLength[i] = n;
      if (n === DATA_ELSEWHERE) this.data[i] = table.data(row) ?? undefined;
      else if (n > 0 && n <= DATA_BYTES) this.dataBytes.set(table.dataBytes.subarray(row * DATA_BYTES, row * DATA_BYTES + n), i * DATA_BYTES);
    }
  }

  private grow(): void {
    // Doubling up to the limit, not past it: 100,000 exit-time frees listed took 131,072 rows.
    // (A limit that is not a whole number still admits a row at its floor: `count < limit`.)
    const n = Math.max(8, Math.min(this.reallocs.length * 2, Math.ceil(this.limit)));
    this.nums = grown(this.nums, n * FREED_NUMS);
    this.reallocs = grown(this.reallocs, n);
    this.spelling = grown(this.spelling, n);
    this.inDump = grown(this.inDump, n);
    this.dataLength = grown(this.dataLength, n);
    this.dataBytes = grown(this.dataBytes, n * DATA_BYTES);
  }
}

/** What a line does to an open dump (see `Tracker.enter`). */
type DumpStep = 0 | 1 | 2 | 3;
/** Blocks an earlier run may leave to a later session of its process, at most (see `Tracker.inherit`). */
const INHERITED_LIMIT = 4096;
/** A `<k> blocks remaining` at or above it is no count (see `free`). */
const COUNT_LIMIT = 0x80000000;
/** Blocks that lost their address that a late free may still name (`lateFree`): a race's late line follows within a few lines. */
const RECALLED_LOST = 64;
/** The debug CRT's leak report header (dialect/crt.ts reads the report itself). */
const CRT_REPORT = 'Detected memory leaks!';
const DUMP_ENDS = 0;
const DUMP_GOES_ON = 1;
const DUMP_PAUSES = 2;
/** A spy event: it ends the dump, but another thread's event inside it lets a dump entry after it resume the dump. */
const DUMP_INTERRUPTS = 3;

export class Tracker {
  private readonly live = new BlockTable();
  private liveBytes = 0;
  private readonly window: FreedRows;
  private windowOverflow: Tally = { blocks: 0, bytes: 0 };
  private windowOverflowHeldBytes = 0;
  /**
   * The size at the end of the program's output so far (its last line, or its dump) of each
   * block reallocated since, by the line it was first seen on (a row may move, that line
   * does not). A realloc after the program's last line happened inside ExitProcess: the
   * block held that size until then, which is all a capture that lost its exit-time output
   * shows (see `withHeldSize`; attack notes #224). Alive, or freed into the window; emptied
   * when the window settles.
   */
  private readonly sizeAtOutputEnd = new Map<number, number>();
  /** The line the window last settled at (the program's last line, or its dump); 0: none yet. */
  private settledAt = 0;
  private readonly couninit: Block[] = [];
  private couninitOverflow: Tally = { blocks: 0, bytes: 0 };
  private readonly freed: Tally = { blocks: 0, bytes: 0 };
  /**
   * Blocks whose address a new block took after shutdown began or a later COM initialization:
   * never freed as far as the log shows (see `reused`); null where a late free showed one freed
   * (see `lateFree`).
   */
  private readonly displaced: (Block | null)[] = [];
  /**
   * The last RECALLED_LOST blocks whose address a new block took, by that address (see
   * `lateFree`): where each is in `displaced`, or -1 for one counted freed, with the
   * line it was born on, and whether a realloc moved a block away from that address since.
   */
  private readonly recalled = new Map<BlockKey, { at: number; firstLine: number; moved: boolean }>();
  /** The last `CoInitialize`/`CoInitializeEx`/`OleInitialize` line, or a spy registered again (0: none yet; see `reused`). */
  private comInitAt = 0;
  /** The allocations since the last program line: the next program line is their context. */
  private stretch = new Stretch();
  private allocs = 0;
  /**
   * Allocations the spy printed in this run, failed ones included: each was one call of its
   * IMallocSpy::PreAlloc (or PreRealloc of NULL), so a spy counting those calls stops on the
   * block whose ordinal it is given. A run starts at the file's start or at a new run's first
   * line; the spy prints nothing before it is registered, so this counts from its registration.
   */
  private ordinals = 0;
  private frees = 0;
  private reallocs = 0;
  private peak = { blocks: 0, bytes: 0, line: 0 };
  /** The spy's count minus this log's, at its last count; and where the disagreement began (null while they agree). */
  private countDrift = 0;
  private driftFrom: { line: number; count: number; accounted: number } | null = null;
  /** Blocks first seen in a dump since the spy's last count: among those it counted, though the log had not seen them. */
  private bornInDumpSinceCount = 0;
  /** A revoke refused with E_ACCESSDENIED while the log knew no live block, and nothing since that shows the block: its line; else 0. */
  private revokeDeniedAt = 0;
  /** A dump-only dialect's leak report that listed no block (its entries lost or unreadable): its line; else 0. */
  private emptyReportAt = 0;
  /**
   * The addresses of blocks an earlier run of the same process may have left alive (see
   * `inherit`): the spy, still installed, counts them, and a revoke is refused for them, though
   * this run never saw them. Only once this run frees (or reallocates) one of them is it known to
   * be that process: until then they discount nothing, since a new process appended after it
   * looks the same and may have lost a leak's line (attack notes #123). A free takes its block
   * out; an allocation at one shows another process (its heap gave the address again): none
   * then. Null: none.
   */
  private inheritedKeys: Set<number> | null = null;
  private inheritConfirmed = false;
  /** Of those, how many were alive at the spy's last count (what that count includes of them). */
  private inheritedAtCount = 0;
  /** A revoke succeeded since the spy's last count: nothing it saw allocated was alive then. */
  private revokedSinceCount = false;
  private dumpActive = false;
  /** The first plain program line since the open dump's last entry (see `enter`); 0: none. */
  private dumpPausedAt = 0;
  /**
   * Dumps so far, and the live rows the current one listed (each row keeps the number of
   * the last dump that listed it: no Set of 200,000 rows to grow per dump).
   */
  private dumps = 0;
  private dumpListed = 0;
  /**
   * The dump ended at a spy event, and only spy events and plain lines came since: a dump entry
   * resumes it (another thread's free printed while the main thread dumps; attack notes #105).
   * Its "missing from the dump" anomaly waits until it can no longer resume.
   */
  private dumpResumable = false;
  /** The open dump may list nothing (a dump-start with `listsAny`): an empty one shows no lost block. */
  private dumpListsAny = false;
  private dumpMissing: { line: number; message: string } | null = null;
  /** The latest line but the console's and blank ones, when it was a malformed spy line (the verdict asks it of the program's last line); else 0. */
  private lastMalformed = 0;
  /** The latest line the console printed (a prompt, a pause), or 0. */
  private consoleLine = 0;
  /** The latest line of the program's own (neither the console's nor blank), or 0: where its bytes end (capture/demux.ts, OwnBytes). */
  ownThrough = 0;

  /** Whether the run has begun: its spy registered, or a spy event seen (what the console printed before is another program's). */
  get begun(): boolean {
    return this.marks.events > 0 || this.marks.register !== null;
  }

  /** Whether a test of this name is running (its start line seen, not its end). */
  isRunningTest(name: string): boolean {
    return (this.runningNames.get(name) ?? 0) > 0;
  }

  /** Whether the program printed its CoUninitialize marker since its latest COM initialization: what it does after is its exit (attack notes #250). */
  get uninitialized(): boolean {
    const at = this.marks.coUninitialize;
    return at !== null && at > this.comInitAt;
  }
  readonly anomalies: AnomalyLog;
  private readonly marks: Marks = {
    register: null,
    coUninitialize: null,
    revoke: null,
    dump: null,
    lastProgramLine: null,
    exitEvents: 0,
    exitFrom: null,
    exitFrees: 0,
    exitBeforeDump: 0,
    events: 0,
    elisions: 0,
    spyRemaining: null,
  };

  private readonly timeline = new Timeline();
  private readonly episodes: EpisodeDetector;
  private readonly tests: TestTrace[] = [];
  /** The tests running now, the innermost last (a harness's suite around its tests). */
  private readonly running: number[] = [];
  /** How many running tests have each name. */
  private readonly runningNames = new Map<string, number>();
  /** Where the innermost running test's allocations began (an ordinal: the next is its first). */
  private segmentFrom = 0;
  /** The allocations of each test, in ordinal order: (from[i], to[i]] are test[i]'s. */
  private readonly segments = { from: [] as number[], to: [] as number[], test: [] as number[] };
  /** Where the last test ended (an ordinal), for a runner that prints only end lines. */
  private lastTestEnd = 0;

  constructor(private readonly opts: TrackerOptions) {
    this.anomalies = new AnomalyLog(opts.anomaliesPerKind);
    this.window = new FreedRows(opts.windowLimit, this.live);
    this.episodes = new EpisodeDetector(opts.episodeThreshold);
  }

  /** An overlong line was cut to the line limit before classification. */
  overlong(line: number, dropped: number): void {
    this.anomalies.add('overlong-line', line, `line is ${dropped} characters over the limit; only its start was read`);
  }

  /**
   * The hot path: an alloc or free line the byte scanner just accepted (its results are
   * the scanner's fields, read here before its next scan), without building its event.
   * Takes the same route as `event` does with that line's event.
   */
  spy(kind: number, scan: SpyScanner, line: number): void {
    this.enter(line, false, DUMP_INTERRUPTS);
    if (kind === SCAN_ALLOC) this.alloc(scan.key, scan.spelling, scan, scan.n, line);
    else this.free(scan.key, scan, scan.n, line);
  }

  event(e: LineEvent, line: number): void {
    if (e.type === 'console') {
      // The console's prompt or pause, not the program's: it marks no phase, names no call,
      // and leaves the program's last line what it was (a spy event cut short stays the end).
      if (this.dumpActive) this.endDump(this.dumpEnd(line), false);
      else this.closeDump();
      this.consoleLine = line;
      return;
    }
    // An empty line says nothing either: a dump goes on past it, a spy event cut short before
    // it is still cut (cmd prints one before each prompt; attack notes #70).
    if (e.type === 'blank') return;
    const broken = e.type === 'malformed' || e.type === 'malformed-dump-entry';
    const dump =
      e.type === 'dump-entry' || e.type === 'malformed-dump-entry'
        ? DUMP_GOES_ON
        : e.type === 'program' && e.marker === null
          ? DUMP_PAUSES
          : e.type === 'alloc' || e.type === 'free' || e.type === 'realloc' || e.type === 'malformed'
            ? DUMP_INTERRUPTS
            : DUMP_ENDS;
    this.enter(line, broken, dump);
    switch (e.type) {
      case 'alloc':
        this.alloc(e.address.key, spell(e.address.text, e.address.key), e.address.text, e.size, line);
        break;
      case 'free':
        this.free(e.address.key, e.address.text, e.remaining, line);
        break;
      case 'realloc':
        this.realloc(e.from, e.to, e.size, line);
        break;
      case 'alloc-failed':
        this.ordinals++;
        this.anomalies.add('allocation-failed', line, `the spy saw an allocation of ${e.size} bytes fail`);
        break;
      case 'dump-start':
        this.startDump(line, e.listsAny === true);
        break;
      case 'dump-entry':
        this.dumpEntry(e.address, e.size, e.data, line, e.context);
        break;
      case 'program':
        this.program(e, line);
        break;
      case 'elision':
        this.marks.elisions++;
        this.anomalies.add('elided-lines', line, `"${e.text}": lines were left out of this log`);
        break;
      case 'malformed':
        this.anomalies.add('malformed-spy-line', line, `${e.reason}: ${quote(e.text)}`);
        break;
      case 'malformed-dump-entry':
        this.anomalies.add('malformed-dump-entry', line, `${e.reason}${this.dumpActive ? '' : ' (outside a dump)'}: ${quote(e.text)}`);
        if (this.dumpActive) {
          // Its size or data cannot be read, but it names its block: the dump does list it.
          const row = this.live.find(e.address.key);
          if (row >= 0) this.listedInDump(row);
        }
        break;
      case 'unreadable':
        this.anomalies.add('unreadable-line', line, 'binary or undecodable bytes, not a log line');
        break;
    }
  }

  /**
   * What every line does first, whichever route it came by: the last line's state, and the
   * end of a dump. A plain program line inside a dump (another thread's `Worker 2 finished`,
   * printed while the main thread dumps) does not end it by itself: a dump entry after it
   * continues the dump, and any other line ends it where the plain lines began. Ended at the
   * plain line, the entries after it were only anomalies, a block the dump alone knew was
   * never born, and a listed block read "missing from the dump" (attack notes #92).
   */
  private enter(line: number, malformed: boolean, dump: DumpStep): void {
    this.lastMalformed = malformed ? line : 0;
    this.ownThrough = line;
    if (!this.dumpActive) {
      if (!this.dumpResumable) return;
      if (dump === DUMP_GOES_ON) this.resumeDump();
      else if (dump === DUMP_ENDS) this.closeDump();
      return;
    }
    if (dump === DUMP_GOES_ON) this.dumpPausedAt = 0;
    else if (dump === DUMP_ENDS) this.endDump(this.dumpEnd(line), false);
    else if (dump === DUMP_INTERRUPTS) this.endDump(this.dumpEnd(line), true);
    else if (this.dumpPausedAt === 0) this.dumpPausedAt = line;
  }

  /** A dump entry after the spy events that ended the dump: they were another thread's, printed inside it. */
  private resumeDump(): void {
    this.dumpResumable = false;
    this.dumpMissing = null;
    this.dumpActive = true;
    this.dumpPausedAt = 0;
    // They happened while the program dumped: no exit-time output (see startDump).
    this.programOutputEndsAt(this.marks.dump!.line);
  }

  /** No spy event has followed the program's own output yet: what follows from here may be the exit-time output. */
  private noExitYet(): void {
    const m = this.marks;
    m.exitEvents = 0;
    m.exitFrom = null;
    m.exitFrees = 0;
    m.exitBeforeDump = 0;
  }

  /** The program's own output goes on to `line` (its dump): the frees since its last line were while it ran, none at exit. */
  private programOutputEndsAt(line: number): void {
    this.settleWindow(false, line, '');
    this.noExitYet();
  }

  /** The ended dump can no longer resume: what it missed is said. */
  private closeDump(): void {
    this.dumpResumable = false;
    const missing = this.dumpMissing;
    this.dumpMissing = null;
    if (missing) this.anomalies.add('not-in-dump', missing.line, missing.message);
  }

  /** The last line of the dump an event on `line` ends: before it, or before the plain program lines it paused at. */
  private dumpEnd(line: number): number {
    return (this.dumpPausedAt === 0 ? line : this.dumpPausedAt) - 1;
  }

  finish(lastLine: number): Trace {
    if (this.dumpActive) this.endDump(this.dumpPausedAt === 0 ? lastLine : this.dumpPausedAt - 1, false);
    this.closeDump();
    const drift = this.driftFrom;
    if (drift !== null) {
      // Still disagreeing at the spy's last count: the log lost lines (a disagreement that goes away is only reordering).
      const last = this.marks.spyRemaining!;
      this.anomalies.add(
        'count-mismatch',
        drift.line,
        `the spy says ${drift.count} block${drift.count === 1 ? '' : 's'} remaining where this log accounts for ${drift.accounted}, ` +
          `and still disagrees at its last count (line ${last.line}: ${last.count} against ${last.count - this.countDrift}): lines are missing`,
      );
    }
    const rows = this.live.rows();
    const displaced = this.displaced.filter((b) => b !== null);
    const window = this.window;
    return {
      live: blockList(rows.length + displaced.length, (i) =>
        i < rows.length ? this.withHeldSize(rowBlock(this.live, rows[i]!, null, null)) : displaced[i - rows.length]!,
      ),
      window: blockList(window.count, (i) => this.withHeldSize(window.block(i, null))),
      windowOverflow: this.windowOverflow,
      windowOverflowHeldBytes: this.windowOverflowHeldBytes,
      couninitialize: this.couninit,
      freed: this.freed,
      couninitializeOverflow: this.couninitOverflow,
      allocs: this.allocs,
      frees: this.frees,
      reallocs: this.reallocs,
      peak: this.peak,
      marks: this.marks,
      anomalies: this.anomalies,
      brokenEventAt: this.lastMalformed === 0 ? null : this.lastMalformed,
      endsInConsole: this.consoleLine === lastLine,
      timeline: this.timeline.finish(),
      deferred: this.episodes.finish(),
      deferredNotListed: this.episodes.notListed,
      tests: this.finishTests(),
      testAt: (ordinal) => this.testAt(ordinal),
      unseen: this.unseen(),
    };
  }

  /**
   * A block is born at `key`, printed as `spelling` (a code; 0: `text` is the printed
   * address, or the scanner that read it). `context` is known only for a block first seen
   * in the dump. Returns its row.
   */
  private born(key: BlockKey, spelling: number, text: string | SpyScanner, size: number, line: number, context: string | null): number {
    const t = this.live;
    // An address keyed by its text (more than 13 digits) keeps its text: no spelling code says it.
    if (typeof key === 'string') spelling = 0;
    // Without a context of its own, the block was allocated in the call the next program line names.
    const within = context ?? this.stretch;
    const row = t.newRow(size, line, spelling, spelling === 0 ? (typeof text === 'string' ? text : text.address()) : null, within);
    const old = t.put(key, row);
    if (old >= 0) {
      // The free of the old block is missing from the log; the address was reused.
      this.anomalies.add(
        'address-reused-while-alive',
        line,
        `${t.address(row)} allocated again while the block from line ${t.firstLineOf(old)} is alive: its free is missing`,
      );
      this.reused(old, key, line);
    }
    this.liveBytes += size;
    this.notePeak(line);
    this.episodes.alloc(size, line, this.liveBytes, within);
    this.timeline.sample(line, t.size, this.liveBytes);
    return row;
  }

  private alloc(key: BlockKey, spelling: number, text: string | SpyScanner, size: number, line: number): void {
    const ordinal = ++this.ordinals;
    if (key === 0) {
      // The spy prints the allocator's result: NULL is an allocation that failed, never a block.
      const printed = typeof text === 'string' ? text : text.address();
      this.anomalies.add('allocation-failed', line, `the spy printed a NULL address (${printed}): an allocation of ${size} bytes failed`);
      return;
    }
    this.allocs++;
    this.spyEvent(line);
    // An address an earlier run left alive, allocated anew: another process's heap (attack notes #120).
    if (this.inheritedKeys !== null && this.inheritedKeys.has(key as number)) this.inheritedKeys = null;
    this.live.setOrdinal(this.born(key, spelling, text, size, line, null), ordinal);
  }

  /**
   * A free of `key`, printed as `printed`: its text, or the scanner that just read it (the
   * text is then built only if an anomaly needs it).
   */
  private free(key: BlockKey, printed: string | SpyScanner, remaining: number, line: number): void {
    this.frees++; // every free line, like allocs: what `grep -c freed` would count
    // Freeing NULL is allowed and frees nothing: like a failed allocation, it is no sign that
    // the exit-time output is in the log (a program's cleanup may free NULL after its dump,
    // before exit() flushes; attack notes #97).
    if (key !== 0) {
      this.spyEvent(line);
      this.marks.exitFrees++;
    }
    const row = key === 0 ? -1 : this.live.take(key, true);
    if (key === 0) {
      // Nothing to take.
    } else if (row < 0) {
      const text = typeof printed === 'string' ? printed : printed.address();
      const end = this.live.recentEnd(key);
      if (this.lateFree(key, text, line)) {
        // The free of a block whose address another allocation took before this line (see `lateFree`).
      } else if (end === 'freed') {
        this.anomalies.add('double-free', line, `${text} freed again: it was already freed`);
      } else if (end === 'moved') {
        this.anomalies.add('double-free', line, `${text} freed after a realloc moved its block: the old pointer is no longer a block`);
      } else if (this.tookInherited(key)) {
        // A block an earlier session of this process left alive: no longer counted by the spy (attack notes #119).
      } else {
        // Ends are remembered for the last RECENT_FREES only: an older double free looks the same.
        this.anomalies.add(
          'unknown-free',
          line,
          `free of ${text}, which is not alive in this log: never allocated in it, or freed over ${RECENT_FREES} frees ago`,
        );
      }
    } else {
      // A block the ended dump listed, freed before the dump resumes (another thread's): no longer to be counted as listed.
      if (this.dumpResumable && this.live.listedIn(this.dumps, row)) this.dumpListed--;
      this.ended(row, line);
    }
    // 2^31 blocks or more fit in no process: a counter below zero printed unsigned (`%u` of -1 is
    // 4294967295), as unreadable as -1 itself. Taken as a count it made four billion blocks
    // only the spy knew (attack notes #113).
    if (remaining >= 0 && remaining < COUNT_LIMIT) this.checkCount(remaining, line);
    else if (remaining === UNREADABLE_COUNT || remaining >= COUNT_LIMIT) {
      this.anomalies.add(
        'unreadable-count',
        line,
        `the spy's "blocks remaining" is not a count (a negative number, or too large to be one); the free itself is read`,
      );
    }
  }

  /** A live row's block ends here (freed, or reallocated to 0 bytes): into the window of undecided frees. */
  private ended(row: number, line: number): void {
    const size = this.live.sizeOf(row);
    this.liveBytes -= size;
    this.episodes.free(size, line);
    this.timeline.sample(line, this.live.size, this.liveBytes);
    if (this.window.count < this.opts.windowLimit) {
      this.window.add(row, line);
    } else {
      this.windowOverflow.blocks++;
      this.windowOverflow.bytes += size;
      let held = size;
      if (this.sizeAtOutputEnd.size > 0) {
        const first = this.live.firstLineOf(row);
        held = this.sizeAtOutputEnd.get(first) ?? size;
        this.sizeAtOutputEnd.delete(first);
      }
      this.windowOverflowHeldBytes += held;
      this.live.release(row);
    }
    // Room for the rows the window holds again after the compaction: without it, a loop of
    // alloc/free pairs with few blocks alive (a soak's CopyProxy loop) compacted the table
    // at every HOLD_ROWS frees, and the window's rows grew it back (DebugView's shape: 30
    // compactions, each spilling 4,096 rows and growing the columns again from 256 rows).
    if (this.live.sparseWithout(this.window.held, Math.min(HOLD_ROWS, this.opts.windowLimit))) {
      // The window's rows first: they would keep the table from shrinking.
      this.window.spill();
      this.live.compactRows();
    }
  }

  private realloc(from: Address, to: Address, size: number, line: number): void {
    this.spyEvent(line);
    if (isNull(from)) {
      // realloc(NULL, n) is an allocation (it counts as one whether or not it succeeds).
      const ordinal = ++this.ordinals;
      if (isNull(to)) {
        // NULL back: the allocation failed; with n = 0 nothing was asked for.
        if (size > 0) this.anomalies.add('allocation-failed', line, `realloc of NULL to ${size} bytes returned NULL: an allocation failed`);
        return;
      }
      this.allocs++;
      this.live.setOrdinal(this.born(to.key, spell(to.text, to.key), to.text, size, line, null), ordinal);
      return;
    }
    if (isNull(to)) {
      if (size > 0) {
        this.anomalies.add('realloc-failed', line, `reallocation of ${from.text} to ${size} bytes failed`);
        return;
      }
      // IMalloc::Realloc to 0 bytes frees the block and returns NULL. A spy that printed a
      // `freed (realloc to 0 bytes)` line for it first has ended it already.
      const row = this.live.take(from.key, true);
      this.marks.exitFrees++;
      if (row >= 0) this.ended(row, line);
      else if (this.tookInherited(from.key)) {
        // A block an earlier session left alive, freed here (attack notes #127).
      } else if (this.live.recentEnd(from.key) !== 'freed')
        this.anomalies.add('unknown-realloc', line, `realloc of ${from.text} to 0 bytes (a free), which is not alive in this log`);
      return;
    }
    this.reallocs++;
    const t = this.live;
    const row = t.take(from.key, false);
    if (row < 0) {
      const end = t.recentEnd(from.key);
      const why =
        end === 'freed'
          ? 'which was already freed'
          : end === 'moved'
            ? 'whose block an earlier realloc moved'
            : `which is not alive in this log: never allocated in it, or freed over ${RECENT_FREES} frees ago`;
      // A block an earlier session left alive, moved: it is this run's now (attack notes #124).
      // A block whose address another allocation took before this line: it ended here (see `lateFree`).
      if (!this.tookInherited(from.key) && !this.lateFree(from.key, from.text, line))
        this.anomalies.add('unknown-realloc', line, `realloc of ${from.text}, ${why}`);
      this.allocs++;
      this.born(to.key, spell(to.text, to.key), to.text, size, line, null);
      return;
    }
    // A realloc of an address a block lost to another allocation: maybe the lost block's, printed late (see `lateFree`).
    // Only while the program runs (see `lateFree`).
    if (this.recalled.size > 0 && this.marks.coUninitialize === null && this.marks.dump === null) {
      const lost = this.recalled.get(from.key);
      if (lost !== undefined) lost.moved = true;
    }
    // The block keeps its identity (allocation line, context); address and size follow.
    const first = t.firstLineOf(row);
    if (first <= this.settledAt && !this.sizeAtOutputEnd.has(first)) this.sizeAtOutputEnd.set(first, t.sizeOf(row));
    this.liveBytes -= t.sizeOf(row);
    this.episodes.free(t.sizeOf(row), line);
    const spelling = spell(to.text, to.key);
    t.setSpelling(row, spelling, spelling === 0 ? to.text : null);
    t.setSize(row, size);
    t.addRealloc(row);
    const other = t.put(to.key, row);
    if (other >= 0) {
      this.anomalies.add('address-reused-while-alive', line, `${to.text} (realloc target) is already alive since line ${t.firstLineOf(other)}`);
      this.reused(other, to.key, line);
    }
    this.liveBytes += size;
    this.notePeak(line);
    this.episodes.alloc(size, line, this.liveBytes, t.context[row] ?? null);
    this.timeline.sample(line, t.size, this.liveBytes);
  }

  /**
   * A registration of the spy and what it returned. One COM refused installed no spy
   * (E_INVALIDARG from a spy that does not answer IID_IMallocSpy, CO_E_OBJISREG while another
   * is registered): it marks no registration, and without any spy event such a log has nothing
   * a gate may pass (verdict/nothing.ts; attack notes #201, #206).
   */
  private registration(hresult: number | null, line: number): void {
    if (hresult === null || hresult < 0x80000000) this.marks.register ??= line;
    else this.anomalies.add('spy-not-registered', line, `CoRegisterMallocSpy failed with ${hex32(hresult)}: this call installed no spy`);
  }

  private program(e: Extract<LineEvent, { type: 'program' }>, line: number): void {
    // A test's start or end line names a context too: an end line its test (like a call's
    // `returns` line; the runner's time, `(3 ms)`, would change it every run), a start line
    // itself up to the test's name. Any other line's pointers read as `<address>` (stableContext).
    const test = e.marker === null && this.opts.tests !== null ? readTestLine(e.text, this.opts.tests) : null;
    const named = test === null ? (e.call ?? stableContext(e.text)) : test.kind === 'end' ? test.name : e.text.slice(0, test.nameEnd);
    // Cut, call name or text alike: a context is a group key in every output (a 64 K name
    // would be copied into every row); a lone UTF-16 surrogate shows as U+FFFD in every format.
    const context = named.slice(0, this.opts.contextLength).toWellFormed();
    // A COM initialization, or a spy registered again (however the program words it, no marker
    // the dialect knows included): maybe another process's session, appended to a dead run
    // (see `reused`; attack notes #147, #166, #177).
    if ((e.marker === 'register' && e.hresult === 0) || opensComSession(e.text)) this.comInitAt = line;
    // The frees since the previous program line happened inside this call: inside
    // CoUninitialize if this is its marker, otherwise while the program ran.
    this.settleWindow(e.marker === 'couninitialize', line, context);
    if (test !== null) this.testLine(test, line);
    // The debug CRT's own leak report (`_CrtDumpMemoryLeaks`, `_CRTDBG_LEAK_CHECK_DF`) in a log
    // of the spy's: leaks of the C runtime's heap, not COM task memory, that this reading
    // cannot judge; said, not passed over in silence (attack notes #108).
    if (e.text.length === CRT_REPORT.length && e.text === CRT_REPORT && !this.opts.dumpOnly) {
      this.anomalies.add(
        'crt-leak-report',
        line,
        "the C runtime's debug heap reports leaks here: its heap, not COM task memory, so this analysis does not judge them; read the log with --dialect crt for those",
      );
    }
    // The blocks allocated since then were allocated in this call: one store for all of them
    // (after the window is settled above: a block born and freed in this stretch is listed
    // with this context either way).
    const t = this.live;
    this.stretch.context = context;
    this.stretch = new Stretch();
    this.marks.lastProgramLine = line;
    this.noExitYet();
    // A registration in another wording (`::CoRegisterMallocSpy(&g_spy) returns S_OK`) says
    // whether a spy watched, and nothing more (attack notes #209); a dump-only dialect (the
    // CRT's) has no spy to watch.
    if (e.marker === null && !this.opts.dumpOnly) {
      // Only with its result: `CoRegisterMallocSpy failed`, `Skipping CoRegisterMallocSpy` say
      // none, and are no registration (attack notes #215).
      const result = registrationResult(e.text);
      if (result !== undefined && result !== null) this.registration(result, line);
    }
    if (e.marker === 'couninitialize') this.marks.coUninitialize = line;
    else if (e.marker === 'register') {
      this.registration(e.hresult, line);
      // A spy registered now counts from zero: nothing an earlier run left is its.
      if (e.hresult === 0) this.inheritedKeys = null;
    } else if (e.marker === 'revoke') {
      this.marks.revoke = { line, hresult: e.hresult, liveBlocks: t.size };
      // COM refuses to revoke a spy while blocks it saw allocated are alive (SPEC §1): with none
      // alive in the log, at least one allocation line was lost (attack notes #107).
      this.revokeDeniedAt = e.hresult === E_ACCESSDENIED && t.size === 0 ? line : 0;
      // S_OK: the spy had nothing outstanding, whatever its last count said (attack notes #113).
      if (e.hresult === 0) this.revokedSinceCount = true;
      if (e.hresult === 0 && t.size > 0) {
        this.anomalies.add(
          'revoke-with-live-blocks',
          line,
          `CoRevokeMallocSpy succeeded, so the spy had no blocks outstanding, but ${t.size} are alive in this log: their frees are missing`,
        );
      }
    }
  }

  /** The window's frees, settled by the program line `context` names: inside CoUninitialize (listed) or ordinary (counted). */
  private settleWindow(inCoUninitialize: boolean, line: number, context: string): void {
    const w = this.window;
    if (inCoUninitialize) {
      for (let i = 0; i < w.count; i++) this.couninit.push(w.block(i, context));
      this.couninitOverflow.blocks += this.windowOverflow.blocks;
      this.couninitOverflow.bytes += this.windowOverflow.bytes;
    } else {
      this.freed.blocks += w.count + this.windowOverflow.blocks;
      this.freed.bytes += w.bytes + this.windowOverflow.bytes;
      if (this.tests.length > 0) this.testsFreed(w);
    }
    if (this.windowOverflow.blocks > 0 && inCoUninitialize) {
      this.anomalies.add(
        'window-overflow',
        line,
        `${this.windowOverflow.blocks} blocks freed inside CoUninitialize are counted but not listed (more than ${this.opts.windowLimit} frees without program output)`,
      );
    }
    w.clear();
    this.windowOverflow = { blocks: 0, bytes: 0 };
    this.windowOverflowHeldBytes = 0;
    if (this.sizeAtOutputEnd.size > 0) this.sizeAtOutputEnd.clear();
    this.settledAt = line;
  }

  /** A block alive, or freed since the program's output ended, with the size it had there when a realloc since changed it (see `sizeAtOutputEnd`). */
  private withHeldSize(b: Block): Block {
    const held = this.sizeAtOutputEnd.size > 0 ? this.sizeAtOutputEnd.get(b.firstLine) : undefined;
    if (held !== undefined && held !== b.size) b.heldSize = held;
    return b;
  }

  /**
   * A test's start or end line: the running tests, and the ordinals each test's allocations
   * have. A test that starts while another runs runs inside it (a suite around its tests, a
   * harness of one's own): its allocations are its own, and the outer test's resume when it
   * ends. An end line ends the innermost running test of its name, and the tests started
   * inside that one that never printed their end (they stay not-ended).
   */
  private testLine(t: TestLine, line: number): void {
    const patterns = this.opts.tests!;
    if (t.kind === 'start') {
      // Without end lines, a test runs until the next one starts.
      if (patterns.end.length === 0) this.stopRunning(line);
      this.tests.push(this.newTest(t.name, line));
      this.push(this.tests.length - 1);
      return;
    }
    if ((this.runningNames.get(t.name) ?? 0) > 0) {
      for (;;) {
        const r = this.tests[this.pop()]!;
        r.until = line;
        if (r.name === t.name) {
          r.endLine = line;
          r.outcome = t.outcome;
          break;
        }
      }
      this.lastTestEnd = this.ordinals;
    } else if (patterns.start.length === 0) {
      // A runner that prints only end lines: the test covers what happened since the previous one ended.
      const test = this.newTest(t.name, null);
      test.endLine = test.until = line;
      test.outcome = t.outcome;
      this.tests.push(test);
      this.segment(this.lastTestEnd, this.tests.length - 1);
      this.lastTestEnd = this.ordinals;
    } else if (this.running.length > 0) {
      const r = this.tests[this.running[this.running.length - 1]!]!;
      this.anomalies.add(
        'test-end-not-running',
        line,
        `an end line for ${t.name}, which is not running (${r.name} is, since line ${r.startLine}): it ends no test`,
      );
    }
    // Otherwise an end line while no test runs (GoogleTest's list of failed tests at the end): nothing.
  }

  private newTest(name: string, startLine: number | null): TestTrace {
    return {
      name,
      startLine,
      endLine: null,
      outcome: 'not-ended',
      allocs: 0,
      until: null,
      freed: { blocks: 0, bytes: 0 },
      freedAfter: { blocks: 0, bytes: 0 },
    };
  }

  /** The allocations since `from` are test `k`'s. */
  private segment(from: number, k: number): void {
    if (this.ordinals <= from) return;
    const s = this.segments;
    s.from.push(from);
    s.to.push(this.ordinals);
    s.test.push(k);
    this.tests[k]!.allocs += this.ordinals - from;
  }

  private push(k: number): void {
    const top = this.running[this.running.length - 1];
    if (top !== undefined) this.segment(this.segmentFrom, top);
    this.running.push(k);
    this.segmentFrom = this.ordinals;
    const name = this.tests[k]!.name;
    this.runningNames.set(name, (this.runningNames.get(name) ?? 0) + 1);
  }

  private pop(): number {
    const k = this.running.pop()!;
    this.segment(this.segmentFrom, k);
    this.segmentFrom = this.ordinals;
    const name = this.tests[k]!.name;
    const n = this.runningNames.get(name)! - 1;
    if (n === 0) this.runningNames.delete(name);
    else this.runningNames.set(name, n);
    return k;
  }

  /** The running test stops at `line` (another starts): its runner prints no end lines. */
  private stopRunning(line: number): void {
    while (this.running.length > 0) {
      const r = this.tests[this.pop()]!;
      r.until = line;
      r.outcome = 'ended';
    }
  }

  private finishTests(): TestTrace[] {
    while (this.running.length > 0) {
      const r = this.tests[this.pop()]!;
      if (this.opts.tests!.end.length === 0) r.outcome = 'ended';
    }
    return this.tests;
  }

  /** Ordinary frees of blocks allocated in a test: freed before it stopped, or after (it outlived its test). */
  private testsFreed(w: FreedRows): void {
    for (let i = 0; i < w.count; i++) {
      const k = this.testAt(w.ordinalOf(i));
      if (k < 0) continue;
      const t = this.tests[k]!;
      const size = w.sizeOf(i);
      t.freed.blocks++;
      t.freed.bytes += size;
      if (t.until !== null && w.freeLineOf(i) > t.until) {
        t.freedAfter.blocks++;
        t.freedAfter.bytes += size;
      }
    }
  }

  /** The test whose allocations include this ordinal (their ranges follow each other: a binary search), or -1. */
  private testAt(ordinal: number | null): number {
    if (ordinal === null || ordinal <= 0) return -1;
    // Not yet in a range: the innermost running test's, if it started before.
    if (this.running.length > 0 && ordinal > this.segmentFrom) return this.running[this.running.length - 1]!;
    const { from, to, test } = this.segments;
    let lo = 0;
    let hi = from.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (from[mid]! < ordinal) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && ordinal <= to[found]! ? test[found]! : -1;
  }

  private startDump(line: number, listsAny: boolean): void {
    this.dumpListsAny = listsAny;
    // In a log of spy lines only (a spy DLL in a silent program, a `findstr "MALLOC SPY"`
    // filter), every free before the dump was read as exit-time output, and a redirected run as
    // complete (attack notes #110): with neither CoUninitialize nor a revoke before it, the
    // program had not shut down, and the dump is where its own output ends. After them, the
    // phases are SPEC's: a spy that dumps when its DLL is detached prints the ExitProcess frees
    // of the DLLs detached before it first (attack notes #114).
    // Such frees alone never show that the exit-time output is there: a free the program printed
    // between its revoke and its dump looks the same, and read as exit output it made a
    // redirected run complete and its runtime blocks true leaks (attack notes #121).
    if (this.marks.coUninitialize === null && this.marks.revoke === null) {
      this.programOutputEndsAt(line);
    } else this.marks.exitBeforeDump = this.marks.exitEvents;
    this.dumpActive = true;
    this.dumps++;
    this.dumpListed = 0;
    this.marks.dump = { line, entries: 0, endLine: line };
  }

  private dumpEntry(address: Address, size: number, data: string, line: number, context?: string): void {
    const row = this.dumpRow(address.key, spell(address.text, address.key), address.text, size, line, context);
    if (row >= 0) this.live.setData(row, data);
  }

  /** A dump entry the byte scanner just read (its results are its fields): the same as `event` with its event. */
  dumpScan(scan: SpyScanner, line: number): void {
    this.enter(line, false, DUMP_GOES_ON);
    const row = this.dumpRow(scan.key, scan.spelling, scan, scan.n, line, undefined);
    if (row >= 0) this.live.setDataBytes(row, scan.data, scan.dataLength);
  }

  /** The row a dump entry lists (born there if it was not alive), marked as listed; -1 outside a dump. */
  private dumpRow(key: BlockKey, spelling: number, text: string | SpyScanner, size: number, line: number, context: string | undefined): number {
    const printed = (): string => (typeof text === 'string' ? text : text.address());
    if (!this.dumpActive) {
      this.anomalies.add('dump-entry-outside-dump', line, `a dump entry for ${printed()} outside a dump`);
      return -1;
    }
    this.marks.dump!.entries++;
    const t = this.live;
    let row = t.find(key);
    if (row < 0) {
      // After a realloc moved a block away from an address another block had taken, the one
      // still there (the realloc was the lost block's, printed late: see `lateFree`).
      if (!this.opts.dumpOnly && !this.lateFree(key, printed(), line)) {
        this.anomalies.add('dump-unknown-block', line, `the dump lists ${printed()} (${size} bytes), which is not alive in this log`);
      }
      row = this.born(key, spelling, text, size, line, context ?? 'unknown (first seen in the dump)');
      t.seenFirstInDump(row);
      this.bornInDumpSinceCount++;
      this.revokeDeniedAt = 0;
    } else if (t.sizeOf(row) !== size) {
      this.anomalies.add('dump-size-mismatch', line, `the dump gives ${printed()} ${size} bytes; it was allocated with ${t.sizeOf(row)}`);
    }
    this.listedInDump(row);
    return row;
  }

  /** The dump ends at `endLine`; `resumable`: at a spy event, which another thread may have printed inside it (see `resumeDump`). */
  private endDump(endLine: number, resumable: boolean): void {
    this.dumpActive = false;
    this.dumpPausedAt = 0;
    const dump = this.marks.dump!;
    dump.endLine = endLine;
    // Every block a dump entry named is alive (an unknown one was born there): the rest are
    // missing. A count, not a walk over every live block per dump (a log may print a
    // thousand dumps over a hundred thousand live blocks); the first missing one is looked
    // up only while the anomaly is still listed.
    if (this.opts.dumpOnly && dump.entries === 0 && !this.dumpListsAny && this.emptyReportAt === 0) this.emptyReportAt = dump.line;
    const t = this.live;
    const missing = t.size - this.dumpListed;
    if (missing > 0) {
      let first = '';
      if (this.anomalies.listing('not-in-dump')) {
        const row = t.first((r) => !t.listedIn(this.dumps, r));
        if (row >= 0) first = t.address(row);
      }
      const message = `${missing} block${missing === 1 ? '' : 's'} alive in this log ${missing === 1 ? 'is' : 'are'} missing from the dump (first: ${first})`;
      if (resumable) this.dumpMissing = { line: dump.line, message };
      else this.anomalies.add('not-in-dump', dump.line, message);
    }
    this.dumpResumable = resumable;
  }

  private listedInDump(row: number): void {
    const t = this.live;
    if (t.listIn(this.dumps, row)) this.dumpListed++;
  }

  /**
   * The block at `row` lost its address to a new block: its free is missing from the log.
   * While the program runs, a heap hands out only addresses that were freed, so the block
   * was freed then: an ordinary free. Once shutdown began (CoUninitialize or a dump), or
   * after a COM initialization that came after the block's birth, the missing free may have
   * been an exit-time free, or none at all: the allocation may be the next process's, appended
   * to the file, whose heap gives the same addresses (a run that died before CoUninitialize,
   * then the next process's `CoInitialize`). Counted freed there, a leak the dump listed
   * vanished, and `check` passed (attack notes #144, #147). Such a block is kept as never
   * freed: the log, which shows lines are missing, leaves it undecided.
   */
  private reused(row: number, key: BlockKey, line: number): void {
    const m = this.marks;
    const firstLine = this.live.firstLineOf(row);
    // While the program ran, since its run's last COM initialization: freed on a line the log lost.
    const counted = m.coUninitialize === null && m.dump === null && this.comInitAt <= firstLine;
    // The last few by address, for a late free (see `lateFree`).
    this.recalled.delete(key);
    this.recalled.set(key, { at: counted ? -1 : this.displaced.length, firstLine, moved: false });
    if (this.recalled.size > RECALLED_LOST) this.recalled.delete(this.recalled.keys().next().value!);
    const size = this.live.sizeOf(row);
    if (counted) {
      this.freed.blocks++;
      this.freed.bytes += size;
    } else {
      this.displaced.push(rowBlock(this.live, row, null, null));
    }
    this.liveBytes -= size;
    this.episodes.free(size, line);
    this.live.release(row);
  }

  /**
   * A free (or a realloc) of `key`, which is not alive: when a block lost that address to a new
   * one (`reused`), and a realloc of the address followed, that realloc was the lost block's,
   * printed late, and this is the new block's free: nothing is missing. Threads race so: a spy
   * prints a realloc after the heap released the old block (IMallocSpy::PostRealloc), and
   * another thread's allocation of the same address can be printed first.
   * Kept never freed, the block of a program that freed everything (the spy's last count 0, its
   * revoke S_OK) failed `check`, and `--assume-complete` called it a true leak (attack notes
   * #161); read as a double free, the free it was counted a missing line. However long the
   * other thread kept the address (#170). Returns whether it was such a free; the block is
   * counted freed then, as while the program runs (see `reused`), and a `free-out-of-order` anomaly
   * cancels the missing free.
   *
   * Only after a realloc moved a block away from the address: the spies print a free before
   * the heap releases the block (IMallocSpy::PreFree), so only a realloc, printed after it
   * (PostRealloc), races with another thread's allocation; the free that follows is the
   * other thread's. Two frees after an allocation are a double free: a process appended after
   * a dead run freed the dead run's leak with its own double free, and `check` passed (#176).
   *
   * Only a realloc while the program runs: once shutdown began (CoUninitialize, a dump) a
   * block's end is CoUninitialize's or ExitProcess's, which a late line does not tell; counted
   * freed there, the runtime's block freed at exit was no `exitprocess` block, and a console
   * capture an empty baseline (#172). What shows that a block still holds the address after
   * such a realloc may come later, the dump listing it too (the other thread's block held until
   * exit: the lost block stayed undecided, and `check` failed on a clean console capture, #182). Not the second line of a realloc to 0 bytes either (`freed (realloc
   * to 0 bytes)`, then `reallocated to 0x00000000`: one call, the spy's two hooks), which took
   * a dead run's leak for freed (#168).
   */
  private lateFree(key: BlockKey, text: string, line: number): boolean {
    const lost = this.recalled.get(key);
    if (lost === undefined || !lost.moved) return false;
    this.recalled.delete(key);
    if (lost.at >= 0) {
      const block = this.displaced[lost.at]!;
      this.displaced[lost.at] = null;
      this.freed.blocks++;
      this.freed.bytes += block.size;
    }
    this.anomalies.add(
      'free-out-of-order',
      line,
      `${text} freed: the block from line ${lost.firstLine}, whose address another allocation took before this free was printed (threads printing out of order)`,
    );
    return true;
  }

  /**
   * The spy's `<k> blocks remaining` against this log's live blocks. Threads print out of
   * order: a count that disagrees and then agrees again lost nothing (an anomaly of its
   * own); only a disagreement still there at the last count shows lost lines (`finish`).
   */
  private checkCount(remaining: number, line: number): void {
    const last = this.marks.spyRemaining; // updated in place: one object, not one per free line
    if (last === null) this.marks.spyRemaining = { count: remaining, line };
    else {
      last.count = remaining;
      last.line = line;
    }
    this.bornInDumpSinceCount = 0;
    this.revokeDeniedAt = 0; // a count after the revoke says more, and says how many
    this.revokedSinceCount = false;
    this.inheritedAtCount = this.inheritedKeys?.size ?? 0;
    const alive = this.live.size;
    const drift = remaining - alive;
    if (drift === this.countDrift) return;
    if (this.countDrift === 0) {
      this.driftFrom = { line, count: remaining, accounted: alive };
    } else if (drift === 0) {
      const from = this.driftFrom!;
      this.anomalies.add(
        'count-out-of-order',
        from.line,
        `the spy says ${from.count} block${from.count === 1 ? '' : 's'} remaining where this log accounts for ${from.accounted}, ` +
          `and agrees again at line ${line}: lines printed out of order (threads), none lost`,
      );
      this.driftFrom = null;
    }
    this.countDrift = drift;
  }

  /**
   * The spy's count exceeding this log's at its last count is blocks whose allocation lines
   * were lost (a lost free makes the log's count the larger one; those blocks are in the log).
   * They were still alive then: any free after it would have printed a later count. Blocks a
   * dump listed after that count, unknown to the log, are among them. A crashed run whose only
   * leak lost its allocation line showed nothing never freed, and passed the gate (attack
   * notes #103): these blocks are decided like any never-freed block the log shows.
   */
  private unseen(): Unseen | null {
    if (this.driftFrom !== null && !this.revokedSinceCount) {
      const blocks = this.countDrift - this.bornInDumpSinceCount - (this.inheritConfirmed ? this.inheritedAtCount : 0);
      if (blocks > 0) return { blocks, line: this.marks.spyRemaining!.line, by: 'count' };
    }
    if (this.revokeDeniedAt > 0 && this.inheritedAlive() === 0) return { blocks: 1, line: this.revokeDeniedAt, by: 'revoke' };
    return this.emptyReportAt > 0 ? { blocks: 1, line: this.emptyReportAt, by: 'report' } : null;
  }

  /**
   * This run may be a later session of the process an earlier run was (no registration of its
   * own yet): the blocks that run left alive, and those it inherited, may still be alive under
   * the same spy. Its counts and a refused revoke may show them; they are not this run's lost
   * allocation lines (attack notes #112).
   */
  /** Blocks an earlier session of this process left alive that the spy still counts: none until this run showed it is that process. */
  private inheritedAlive(): number {
    return this.inheritConfirmed && this.inheritedKeys !== null ? this.inheritedKeys.size : 0;
  }

  /** `key` was a block an earlier session left alive, freed or moved here: this run is that process's, and the block no longer the earlier run's. */
  private tookInherited(key: BlockKey): boolean {
    if (this.inheritedKeys === null || !this.inheritedKeys.delete(key as number)) return false;
    this.inheritConfirmed = true;
    return true;
  }

  inherit(earlier: Tracker): void {
    const keys = new Set(earlier.inheritedKeys);
    const t = earlier.live;
    // Bounded, and only by address value: past that, no discount (the cautious way).
    if (t.size + keys.size > INHERITED_LIMIT) return;
    for (const row of t.rows()) {
      const key = t.keyValueOf(row);
      if (Number.isNaN(key)) return;
      keys.add(key);
    }
    this.inheritedKeys = keys.size > 0 ? keys : null;
  }

  /**
   * Whether spy output follows the program's last line so far: past a revoke or dump, the
   * process's exit-time output. Not the events before the program's dump (Marks.exitBeforeDump),
   * as the completeness rules read them: the run splitter and the verdict agree (attack notes #129).
   */
  showsExit(): boolean {
    return this.marks.exitEvents - this.marks.exitBeforeDump > 0;
  }

  private spyEvent(line: number): void {
    this.marks.events++;
    if (this.marks.exitEvents++ === 0) this.marks.exitFrom = line;
  }

  private notePeak(line: number): void {
    const peak = this.peak; // updated in place: a growing loop sets a new peak on every allocation
    const alive = this.live.size;
    if (this.liveBytes > peak.bytes || (this.liveBytes === peak.bytes && alive > peak.blocks)) {
      peak.blocks = alive;
      peak.bytes = this.liveBytes;
      peak.line = line;
    }
  }
}

function quote(text: string): string {
  return JSON.stringify((text.length > 120 ? text.slice(0, 120) + '\u2026' : text).toWellFormed());
}
