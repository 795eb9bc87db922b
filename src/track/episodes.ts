// Deferred release (KB Q216248): many blocks of one size pile up over a stretch of the
// log, stay alive, then are freed together in a burst. Watching this while streaming
// needs only a few numbers per block size, never the blocks themselves.
import type { Block } from '../model/block.js';
import type { DeferredReleaseFinding } from '../model/report.js';

/** What the stream shows of an episode; its context is known only at the end. */
type EpisodeFacts = Omit<DeferredReleaseFinding, 'context' | 'message' | 'pid' | 'run'>;

interface SizeState {
  live: number;
  /** Allocations since the pile started (live went up from its low). */
  allocs: number;
  firstLine: number;
  /**
   * Blocks of the pile, evenly spread over it (every `stride`-th allocation, the stride
   * doubling as the sample fills): the context most of them were allocated in names the
   * episode once contexts are known (a pile's first block may come from another call).
   */
  sample: Block[];
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
function mostCommonContext(sample: readonly Block[]): string {
  const counts = new Map<string, number>();
  let best = 'ExitProcess';
  let bestCount = 0;
  for (const b of sample) {
    const context = b.context ?? 'ExitProcess';
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

export class EpisodeDetector {
  /**
   * Per block size. An entry whose pile is gone is not deleted but marked absent and
   * revived in place: alloc/free pairs of one size would otherwise delete and re-add
   * the same key over and over, the Map churn live.ts explains.
   */
  private sizes = new Map<number, SizeState>();
  /**
   * A small direct-mapped cache in front of `sizes` (slot: size & 63): every alloc and
   * free looks its size up, and a loop's few sizes then cost an array read, not a Map get.
   */
  private cache: { size: Float64Array; state: (SizeState | undefined)[] } | null = null;
  private absent = 0;
  private nextSeq = 0;
  private readonly pending: { state: EpisodeFacts; sample: Block[] }[] = [];
  /** Episodes found beyond EPISODES_LISTED. */
  notListed = 0;

  constructor(private readonly threshold: number) {}

  /** A block was born; `liveBytes` is the log's live total after it. */
  alloc(block: Block, line: number, liveBytes: number): void {
    const s = this.state(block.size);
    if (s.burstFreed > 0) this.closeBurst(block.size, s);
    if (s.allocs === 0) {
      s.firstLine = line;
      s.sample = [];
      s.stride = 1;
      s.startBytes = liveBytes - block.size;
    }
    if (s.allocs % s.stride === 0) {
      s.sample.push(block);
      if (s.sample.length > SAMPLE) {
        s.sample = s.sample.filter((_, i) => i % 2 === 0);
        s.stride *= 2;
      }
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
      const context = mostCommonContext(sample);
      return {
        ...state,
        context,
        message:
          `${state.peak.blocks} blocks of ${state.size} bytes allocated in ${context} from line ${state.firstLine} ` +
          `stayed alive (peak at line ${state.peakLine}) and ${state.blocks} were released together at lines ` +
          `${state.releaseLine}\u2013${state.releaseEndLine}: delayed deallocation, not a leak`,
      };
    });
  }

  private closeBurst(size: number, s: SizeState): void {
    if (s.burstFreed >= this.threshold && s.peak >= this.threshold && this.pending.length >= EPISODES_LISTED) {
      // Listed up to a bound (a log of a million bursts would keep a million findings); counted always.
      this.notListed++;
    } else if (s.burstFreed >= this.threshold && s.peak >= this.threshold) {
      this.pending.push({
        sample: s.sample,
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
    s.sample = [];
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
    const slot = size & (CACHE - 1);
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
        sample: [],
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
