// The lifecycle tracker: rebuilds every block's life from the event stream.
//
// Memory is proportional to the blocks alive, plus the blocks the report must list,
// plus the "window": the blocks freed since the last program line. Which phase those
// frees belong to is only known at the next program line (was it `Called
// CoUninitialize()`?) or at the end (were they exit-time frees?), so they wait there;
// frees that turn out to be ordinary are then dropped, keeping only their tally.
import { UNREADABLE_COUNT, type LineEvent } from '../parse/events.js';
import { isNull, type Address } from '../parse/address.js';
import { SCAN_ALLOC, type SpyScanner } from '../parse/scan.js';
import type { Block, BlockKey, Tally } from '../model/block.js';
import type { DeferredReleaseFinding } from '../model/report.js';
import { AnomalyLog } from './anomalies.js';
import { LiveTable } from './live.js';
import { Timeline, type TimelinePoint } from './timeline.js';
import { EpisodeDetector } from './episodes.js';

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
  /** Spy events in the whole log. */
  events: number;
  elisions: number;
  /** The last `<k> blocks remaining` the spy printed, and where. */
  spyRemaining: { count: number; line: number } | null;
}

/** What the tracker knows at the end of the input, before any verdict. */
export interface Trace {
  live: Block[];
  /** Blocks freed after the program's last line (exit-time frees if the run got that far). */
  window: Block[];
  windowOverflow: Tally;
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
  /** The last line was a spy line that does not parse: the log ends inside an event. */
  endsInBrokenEvent: boolean;
  timeline: { span: number; points: TimelinePoint[] };
  deferred: DeferredReleaseFinding[];
  /** Deferred releases found but not listed in `deferred` (beyond its bound). */
  deferredNotListed: number;
}

export class Tracker {
  private readonly live = new LiveTable();
  private liveBytes = 0;
  private window: Block[] = [];
  private windowOverflow: Tally = { blocks: 0, bytes: 0 };
  private readonly couninit: Block[] = [];
  private couninitOverflow: Tally = { blocks: 0, bytes: 0 };
  private readonly freed: Tally = { blocks: 0, bytes: 0 };
  /** Blocks allocated since the last program line: their context is that line. */
  private pendingContext: Block[] = [];
  private pendingCompactAt = 1024;
  private allocs = 0;
  private frees = 0;
  private reallocs = 0;
  private peak = { blocks: 0, bytes: 0, line: 0 };
  /** The spy's count minus this log's, at its last count; and where the disagreement began (null while they agree). */
  private countDrift = 0;
  private driftFrom: { line: number; count: number; accounted: number } | null = null;
  private dumpActive = false;
  /** The blocks the current dump listed (null outside a dump). */
  private dumpSeen: Set<BlockKey> | null = null;
  /** Whether the latest line was a malformed spy line (the verdict asks it of the last line). */
  private lastMalformed = false;
  readonly anomalies: AnomalyLog;
  private readonly marks: Marks = {
    register: null,
    coUninitialize: null,
    revoke: null,
    dump: null,
    lastProgramLine: null,
    exitEvents: 0,
    exitFrom: null,
    events: 0,
    elisions: 0,
    spyRemaining: null,
  };

  private readonly timeline = new Timeline();
  private readonly episodes: EpisodeDetector;

  constructor(private readonly opts: TrackerOptions) {
    this.anomalies = new AnomalyLog(opts.anomaliesPerKind);
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
    this.enter(line, false, false);
    if (kind === SCAN_ALLOC) this.alloc(scan.key, scan.address(), scan.n, line);
    else this.free(scan.key, scan, scan.n, line);
  }

  event(e: LineEvent, line: number): void {
    const broken = e.type === 'malformed' || e.type === 'malformed-dump-entry';
    this.enter(line, broken, e.type === 'dump-entry' || e.type === 'blank' || e.type === 'malformed-dump-entry');
    switch (e.type) {
      case 'alloc':
        this.alloc(e.address.key, e.address.text, e.size, line);
        break;
      case 'free':
        this.free(e.address.key, e.address.text, e.remaining, line);
        break;
      case 'realloc':
        this.realloc(e.from, e.to, e.size, line);
        break;
      case 'alloc-failed':
        this.anomalies.add('allocation-failed', line, `the spy saw an allocation of ${e.size} bytes fail`);
        break;
      case 'dump-start':
        this.startDump(line);
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
          const block = this.live.get(e.address.key);
          if (block) {
            this.dumpSeen!.add(e.address.key);
            block.inDump = true;
          }
        }
        break;
      case 'console':
        // The console's prompt or pause, not the program's: it marks no phase and names no call.
        break;
      case 'unreadable':
        this.anomalies.add('unreadable-line', line, 'binary or undecodable bytes, not a log line');
        break;
      case 'blank':
        break;
    }
  }

  /** What every line does first, whichever route it came by: the last line's state, and the end of a dump. */
  private enter(line: number, malformed: boolean, continuesDump: boolean): void {
    this.lastMalformed = malformed;
    if (this.dumpActive && !continuesDump) this.endDump(line - 1);
  }

  finish(lastLine: number): Trace {
    if (this.dumpActive) this.endDump(lastLine);
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
    return {
      live: this.live.values(),
      window: this.window,
      windowOverflow: this.windowOverflow,
      couninitialize: this.couninit,
      freed: this.freed,
      couninitializeOverflow: this.couninitOverflow,
      allocs: this.allocs,
      frees: this.frees,
      reallocs: this.reallocs,
      peak: this.peak,
      marks: this.marks,
      anomalies: this.anomalies,
      endsInBrokenEvent: this.lastMalformed,
      timeline: this.timeline.finish(),
      deferred: this.episodes.finish(),
      deferredNotListed: this.episodes.notListed,
    };
  }

  private born(text: string, key: BlockKey, size: number, line: number): Block {
    const block: Block = {
      address: text,
      key,
      size,
      allocLine: line,
      firstLine: line,
      freeLine: null,
      context: null,
      inDump: false,
      data: null,
      reallocs: 0,
      windowed: false,
    };
    const old = this.live.put(key, block);
    if (old !== undefined) {
      // The free of the old block is missing from the log; the address was reused.
      this.anomalies.add(
        'address-reused-while-alive',
        line,
        `${text} allocated again while the block from line ${old.firstLine} is alive: its free is missing`,
      );
      this.lost(old, line);
    }
    this.liveBytes += size;
    this.pendingContext.push(block);
    this.notePeak(line);
    this.episodes.alloc(block, line, this.liveBytes);
    this.timeline.sample(line, this.live.size, this.liveBytes);
    return block;
  }

  private alloc(key: BlockKey, text: string, size: number, line: number): void {
    if (key === 0) {
      // The spy prints the allocator's result: NULL is an allocation that failed, never a block.
      this.anomalies.add('allocation-failed', line, `the spy printed a NULL address (${text}): an allocation of ${size} bytes failed`);
      return;
    }
    this.allocs++;
    this.spyEvent(line);
    this.born(text, key, size, line);
  }

  /**
   * A free of `key`, printed as `printed`: its text, or the scanner that just read it (the
   * text is then built only if an anomaly needs it).
   */
  private free(key: BlockKey, printed: string | SpyScanner, remaining: number, line: number): void {
    this.spyEvent(line);
    this.frees++; // every free line, like allocs: what `grep -c freed` would count
    const block = key === 0 ? undefined : this.live.take(key, true);
    if (key === 0) {
      // Freeing NULL is allowed and frees nothing.
    } else if (!block) {
      const text = typeof printed === 'string' ? printed : printed.address();
      if (this.live.recentlyFreed(key)) {
        this.anomalies.add('double-free', line, `${text} freed again: it was already freed`);
      } else {
        this.anomalies.add('unknown-free', line, `free of ${text}, which was never allocated in this log`);
      }
    } else {
      this.died(block);
      this.episodes.free(block.size, line);
      this.timeline.sample(line, this.live.size, this.liveBytes);
      block.freeLine = line;
      if (this.window.length < this.opts.windowLimit) {
        block.windowed = true;
        this.window.push(block);
      } else {
        this.windowOverflow.blocks++;
        this.windowOverflow.bytes += block.size;
      }
    }
    if (remaining >= 0) this.checkCount(remaining, line);
    else if (remaining === UNREADABLE_COUNT) {
      this.anomalies.add('unreadable-count', line, `the spy's "blocks remaining" is not a count (a negative number); the free itself is read`);
    }
  }

  private realloc(from: Address, to: Address, size: number, line: number): void {
    this.spyEvent(line);
    if (isNull(from)) {
      // realloc(NULL, n) is an allocation.
      this.allocs++;
      this.born(to.text, to.key, size, line);
      return;
    }
    if (isNull(to)) {
      this.anomalies.add('realloc-failed', line, `reallocation of ${from.text} to ${size} bytes failed`);
      return;
    }
    this.reallocs++;
    const block = this.live.take(from.key);
    const toKey = to.key;
    if (!block) {
      this.anomalies.add('unknown-realloc', line, `realloc of ${from.text}, which was never allocated in this log`);
      this.allocs++;
      this.born(to.text, toKey, size, line);
      return;
    }
    // The block keeps its identity (allocation line, context); address and size follow.
    this.liveBytes -= block.size;
    this.episodes.free(block.size, line);
    block.address = to.text;
    block.key = toKey;
    block.size = size;
    block.reallocs++;
    const other = this.live.put(toKey, block);
    if (other) {
      this.anomalies.add('address-reused-while-alive', line, `${to.text} (realloc target) is already alive since line ${other.firstLine}`);
      this.lost(other, line);
    }
    this.liveBytes += size;
    this.notePeak(line);
    this.episodes.alloc(block, line, this.liveBytes);
    this.timeline.sample(line, this.live.size, this.liveBytes);
  }

  private program(e: Extract<LineEvent, { type: 'program' }>, line: number): void {
    // The frees since the previous program line happened inside this call: inside
    // CoUninitialize if this is its marker, otherwise while the program ran.
    this.settleWindow(e.marker === 'couninitialize', line);
    // Cut, call name or text alike: a context is a group key in every output (a 64 K name
    // would be copied into every row); a lone UTF-16 surrogate shows as U+FFFD in every format.
    const context = (e.call ?? e.text).slice(0, this.opts.contextLength).toWellFormed();
    for (const block of this.pendingContext) block.context = context;
    this.pendingContext = [];
    this.pendingCompactAt = 1024;
    this.marks.lastProgramLine = line;
    this.marks.exitEvents = 0;
    this.marks.exitFrom = null;
    if (e.marker === 'couninitialize') this.marks.coUninitialize = line;
    else if (e.marker === 'register') this.marks.register ??= line;
    else if (e.marker === 'revoke') {
      this.marks.revoke = { line, hresult: e.hresult, liveBlocks: this.live.size };
      if (e.hresult === 0 && this.live.size > 0) {
        this.anomalies.add(
          'revoke-with-live-blocks',
          line,
          `CoRevokeMallocSpy succeeded, so the spy had no blocks outstanding, but ${this.live.size} are alive in this log: their frees are missing`,
        );
      }
    }
  }

  private settleWindow(inCoUninitialize: boolean, line: number): void {
    if (inCoUninitialize) {
      for (const block of this.window) {
        block.windowed = false;
        this.couninit.push(block);
      }
      this.couninitOverflow.blocks += this.windowOverflow.blocks;
      this.couninitOverflow.bytes += this.windowOverflow.bytes;
    } else {
      for (const block of this.window) {
        block.windowed = false;
        this.freed.blocks++;
        this.freed.bytes += block.size;
      }
      this.freed.blocks += this.windowOverflow.blocks;
      this.freed.bytes += this.windowOverflow.bytes;
    }
    if (this.windowOverflow.blocks > 0 && inCoUninitialize) {
      this.anomalies.add(
        'window-overflow',
        line,
        `${this.windowOverflow.blocks} blocks freed inside CoUninitialize are counted but not listed (more than ${this.opts.windowLimit} frees without program output)`,
      );
    }
    this.window = [];
    this.windowOverflow = { blocks: 0, bytes: 0 };
  }

  private startDump(line: number): void {
    this.dumpActive = true;
    this.dumpSeen = new Set();
    this.marks.dump = { line, entries: 0, endLine: line };
  }

  private dumpEntry(address: Address, size: number, data: string, line: number, context?: string): void {
    if (!this.dumpActive) {
      this.anomalies.add('dump-entry-outside-dump', line, `a dump entry for ${address.text} outside a dump`);
      return;
    }
    this.marks.dump!.entries++;
    const key = address.key;
    this.dumpSeen!.add(key);
    let block = this.live.get(key);
    if (!block) {
      if (!this.opts.dumpOnly) {
        this.anomalies.add('dump-unknown-block', line, `the dump lists ${address.text} (${size} bytes), which is not alive in this log`);
      }
      block = this.born(address.text, key, size, line);
      block.allocLine = null;
      block.context = context ?? 'unknown (first seen in the dump)';
      this.pendingContext.pop();
    } else if (block.size !== size) {
      this.anomalies.add('dump-size-mismatch', line, `the dump gives ${address.text} ${size} bytes; it was allocated with ${block.size}`);
    }
    block.inDump = true;
    block.data = data;
  }

  private endDump(endLine: number): void {
    this.dumpActive = false;
    const dump = this.marks.dump!;
    dump.endLine = endLine;
    // Every block a dump entry named is alive (an unknown one was born there): the rest are
    // missing. A count, not a walk over every live block per dump (a log may print a
    // thousand dumps over a hundred thousand live blocks); the first missing one is looked
    // up only while the anomaly is still listed.
    const seen = this.dumpSeen!;
    const missing = this.live.size - seen.size;
    if (missing > 0) {
      const first = this.anomalies.listing('not-in-dump') ? (this.live.first((b) => !seen.has(b.key))?.address ?? '') : '';
      this.anomalies.add(
        'not-in-dump',
        dump.line,
        `${missing} block${missing === 1 ? '' : 's'} alive in this log ${missing === 1 ? 'is' : 'are'} missing from the dump (first: ${first})`,
      );
    }
    this.dumpSeen = null;
  }

  /** A block whose address was allocated again while it lived: its free line is missing. */
  private lost(block: Block, line: number): void {
    this.died(block);
    this.episodes.free(block.size, line);
    this.freed.blocks++;
    this.freed.bytes += block.size;
  }

  /** A block just taken out of the live table. */
  private died(block: Block): void {
    this.liveBytes -= block.size;
    if (this.pendingContext.length >= this.pendingCompactAt) this.compactPending();
  }

  /**
   * Blocks waiting for their context are kept only while they are alive or listed in
   * the window; a long stretch of alloc/free pairs without program output would
   * otherwise grow this list with the log.
   */
  private compactPending(): void {
    // Keep what is still alive (the live table holds this very block) or listed in the window;
    // a block whose address was reused while alive is neither, though its free line is unknown.
    // A freed block has its free line: only the others need the table lookup.
    this.pendingContext = this.pendingContext.filter((b) => b.windowed || (b.freeLine === null && this.live.get(b.key) === b));
    this.pendingCompactAt = Math.max(1024, this.pendingContext.length * 2);
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
    const drift = remaining - this.live.size;
    if (drift === this.countDrift) return;
    if (this.countDrift === 0) {
      this.driftFrom = { line, count: remaining, accounted: this.live.size };
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

  private spyEvent(line: number): void {
    this.marks.events++;
    if (this.marks.exitEvents++ === 0) this.marks.exitFrom = line;
  }

  private notePeak(line: number): void {
    const peak = this.peak; // updated in place: a growing loop sets a new peak on every allocation
    if (this.liveBytes > peak.bytes || (this.liveBytes === peak.bytes && this.live.size > peak.blocks)) {
      peak.blocks = this.live.size;
      peak.bytes = this.liveBytes;
      peak.line = line;
    }
  }
}

function quote(text: string): string {
  return JSON.stringify((text.length > 120 ? text.slice(0, 120) + '\u2026' : text).toWellFormed());
}
