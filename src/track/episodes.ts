// Deferred release (KB Q216248): many blocks of one size pile up over a stretch of the
// log, stay alive, then are freed together in a burst. Watching this while streaming
// needs only a few numbers per block size, never the blocks themselves.
import type { DeferredReleaseFinding } from '../model/report.js';
import { contextText, type Stretch } from './stretch.js';

/** What the stream shows of an episode; its context is known only at the end. */
type EpisodeFacts = Omit<DeferredReleaseFinding, 'context' | 'message' | 'pid' | 'run'>;

interface SizeState {
  live: number;
  /** Allocations since the pile started (live went up from its low). */
  allocs: number;
  firstLine: number;
  /**
   * The contexts of blocks of the pile, evenly spread over it (every `stride`-th
   * allocation, the stride doubling as the sample fills): the context most of them were
   * allocated in names the episode (a pile's first block may come from another call). A
   * block born without a context of its own has its stretch's, known once the stretch's
   * program line is read. A reused array: no garbage per allocation.
   */
  sampleContext: (string | Stretch | null)[];
  sampleCount: number;
  stride: number;
  peak: number;
  peakLine: number;
  /** Live bytes of the whole log when the pile started, and at its peak. */
  startBytes: number;
  peakBytes: number;
  allocsAtPeak: number;
  burstStart: number;
  burstFreed: number;
  burstEnd: number;
  /** False once the pile is gone: the entry stays in the Map (see `state`). */
  present: boolean;
  /** Order of (re)insertion: what the Map's order would be had it been deleted and re-added. */
  seq: number;
}

const SWEEP_SLACK = 4096;
/** Deferred-release episodes listed per run; more are only counted. */
export const EPISODES_LISTED = 1000;
/** Blocks sampled per pile to name its context. */
const SAMPLE = 64;

/** The context most of the sampled blocks were allocated in (the earliest on a tie); a block allocated after the program's last line: ExitProcess. */
function mostCommonContext(sample: readonly (string | Stretch | null)[]): string {
  const counts = new Map<string, number>();
  let best = 'ExitProcess';
  let bestCount = 0;
  for (const c of sample) {
    const context = contextText(c) ?? 'ExitProcess';
    const n = (counts.get(context) ?? 0) + 1;
    counts.set(context, n);
    if (n > bestCount) {
      best = context;
      bestCount = n;
    }
  }
  return best;
}
const CACHE = 64;
/**
 * The cache's slot of a size: Fibonacci hashing, the top 6 bits of size × 2^32/φ. `size & 63`
 * put 64, 128, 256, 384 and 512 in one slot (and 16 with 80, 32 with 96 and 160): a loop of
 * those sizes missed the cache on nearly every event and went to the Map.
 */
function cacheSlot(size: number): number {
  return Math.imul(size, 0x9e3779b1) >>> 26;
}

/** An episode's sampled contexts. */
interface Sample {
  context: (string | Stretch | null)[];
}

/**
 * A deferred release in words; `rest`: what became of the pile's blocks that were not
 * released together (verdict/findings.ts: "50 were never freed (true-leak)"), when any.
 */
export function deferredMessage(f: Omit<DeferredReleaseFinding, 'message'>, rest: string[]): string {
  return (
    `${f.peak.blocks} blocks of ${f.size} bytes allocated in ${f.context} from line ${f.firstLine} ` +
    `stayed alive (peak at line ${f.peakLine}) and ${f.blocks} were released together at lines ` +
    `${f.releaseLine}\u2013${f.releaseEndLine}: delayed deallocation` +
    (rest.length === 0 ? ', not a leak' : `; of the rest, ${rest.join(' and ')}`)
  );
}

export class EpisodeDetector {
  /**
   * Per block size. An entry whose pile is gone is not deleted but marked absent and
   * revived in place: alloc/free pairs of one size would otherwise delete and re-add
   * the same key over and over, the Map churn live.ts explains.
   */
  private sizes = new Map<number, SizeState>();
  /**
   * A small direct-mapped cache in front of `sizes` (slot: `cacheSlot`): every alloc and
   * free looks its size up, and a loop's few sizes then cost an array read, not a Map get.
   */
  private cache: { size: Float64Array; state: (SizeState | undefined)[] } | null = null;
  private absent = 0;
  private nextSeq = 0;
  private readonly pending: { state: EpisodeFacts; sample: Sample }[] = [];
  /** Episodes found beyond EPISODES_LISTED. */
  notListed = 0;

  constructor(private readonly threshold: number) {}

  /**
   * A block was born (or moved by a realloc); `liveBytes` is the log's live total after it;
   * `context` is its call, or its stretch's (see Stretch).
   */
  alloc(size: number, line: number, liveBytes: number, context: string | Stretch | null): void {
    const s = this.state(size);
    if (s.burstFreed > 0) this.closeBurst(size, s);
    if (s.allocs === 0) {
      s.firstLine = line;
      s.sampleCount = 0;
      s.stride = 1;
      s.startBytes = liveBytes - size;
    }
    if (s.allocs % s.stride === 0) {
      let n = s.sampleCount;
      s.sampleContext[n] = context;
      if (++n > SAMPLE) {
        // Keep every other one: the sample stays spread over the whole pile.
        let kept = 0;
        for (let i = 0; i < n; i += 2, kept++) s.sampleContext[kept] = s.sampleContext[i]!;
        n = kept;
        s.stride *= 2;
      }
      s.sampleCount = n;
    }
    s.live++;
    s.allocs++;
    if (s.live > s.peak) {
      s.peak = s.live;
      s.peakLine = line;
      s.peakBytes = liveBytes;
      s.allocsAtPeak = s.allocs;
    }
  }

  free(size: number, line: number): void {
    const s = this.lookup(size);
    if (s === undefined || s.live === 0) return;
    s.live--;
    if (s.burstFreed === 0) s.burstStart = line;
    s.burstFreed++;
    s.burstEnd = line;
    if (s.live === 0) this.closeBurst(size, s);
  }

  /** Episodes found, with their contexts (known only once the log has ended). */
  finish(): DeferredReleaseFinding[] {
    const open: [number, SizeState][] = [];
    for (const entry of this.sizes) if (entry[1].present && entry[1].burstFreed > 0) open.push(entry);
    open.sort((a, b) => a[1].seq - b[1].seq);
    for (const [size, s] of open) this.closeBurst(size, s);
    return this.pending.map(({ state, sample }) => {
      const context = mostCommonContext(sample.context);
      const found = { ...state, context };
      return { ...found, message: deferredMessage(found, []) };
    });
  }

  private closeBurst(size: number, s: SizeState): void {
    if (s.burstFreed < this.threshold || s.peak < this.threshold) {
      // Not an episode.
    } else if (this.pending.length >= EPISODES_LISTED) {
      // Listed up to a bound (a log of a million bursts would keep a million findings); counted always.
      this.notListed++;
    } else {
      const sample: Sample = { context: s.sampleContext.slice(0, s.sampleCount) };
      this.pending.push({
        sample,
        state: {
          kind: 'deferred-release',
          size,
          blocks: s.burstFreed,
          bytes: s.burstFreed * size,
          firstLine: s.firstLine,
          peakLine: s.peakLine,
          peak: { blocks: s.peak, bytes: s.peak * size },
          releaseLine: s.burstStart,
          releaseEndLine: s.burstEnd,
          growthPerAlloc: s.allocsAtPeak > 0 ? Math.round((s.peakBytes - s.startBytes) / s.allocsAtPeak) : size,
        },
      });
    }
    s.burstFreed = 0;
    // A new pile starts from what is left alive now.
    s.peak = s.live;
    s.peakLine = s.burstEnd;
    s.allocs = 0;
    if (s.live === 0) this.remove(s);
  }

  /** Like deleting the entry: a revived one starts as a fresh state, at the end of the order. */
  private remove(s: SizeState): void {
    s.present = false;
    s.sampleCount = 0;
    if (++this.absent > 2 * (this.sizes.size - this.absent) + SWEEP_SLACK) {
      const sizes = new Map<number, SizeState>();
      const kept = [...this.sizes].filter(([, st]) => st.present).sort((a, b) => a[1].seq - b[1].seq);
      for (const [size, st] of kept) sizes.set(size, st);
      this.sizes = sizes;
      this.absent = 0;
      this.cache = null; // dropped states must not be found again
    }
  }

  private lookup(size: number): SizeState | undefined {
    const slot = cacheSlot(size);
    // Made on first use: a file of thousands of processes has a detector each, most idle.
    const cache = (this.cache ??= { size: new Float64Array(CACHE).fill(-1), state: new Array<SizeState | undefined>(CACHE).fill(undefined) });
    if (cache.size[slot] === size) return cache.state[slot];
    const s = this.sizes.get(size);
    if (s !== undefined) {
      cache.size[slot] = size;
      cache.state[slot] = s;
    }
    return s;
  }

  private state(size: number): SizeState {
    let s = this.lookup(size);
    if (s !== undefined && !s.present) {
      // Revive: every field a fresh state reads before writing it is zero after closeBurst.
      s.present = true;
      s.seq = this.nextSeq++;
      s.firstLine = 0;
      s.peakLine = 0;
      s.startBytes = 0;
      s.peakBytes = 0;
      s.allocsAtPeak = 0;
      s.burstStart = 0;
      s.burstEnd = 0;
      this.absent--;
    } else if (s === undefined) {
      s = {
        live: 0,
        allocs: 0,
        firstLine: 0,
        sampleContext: [],
        sampleCount: 0,
        stride: 1,
        peak: 0,
        peakLine: 0,
        startBytes: 0,
        peakBytes: 0,
        allocsAtPeak: 0,
        burstStart: 0,
        burstFreed: 0,
        burstEnd: 0,
        present: true,
        seq: this.nextSeq++,
      };
      this.sizes.set(size, s);
    }
    return s;
  }
}
