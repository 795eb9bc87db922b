// Deferred release (KB Q216248): many blocks of one size pile up over a stretch of the
// log, stay alive, then are freed together in a burst. Watching this while streaming
// needs only a few numbers per block size, never the blocks themselves.
import type { Block, Finding } from '../model.js';

/** What the stream shows of an episode; its context is known only at the end. */
interface EpisodeFacts {
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
}

export interface DeferredRelease extends EpisodeFacts, Finding {
  kind: 'deferred-release';
  context: string;
  message: string;
}

interface SizeState {
  live: number;
  /** Allocations since the pile started (live went up from its low). */
  allocs: number;
  firstLine: number;
  /** A block of the pile: its context names the episode once known. */
  first: Block | null;
  peak: number;
  peakLine: number;
  /** Live bytes of the whole log when the pile started, and at its peak. */
  startBytes: number;
  peakBytes: number;
  allocsAtPeak: number;
  burstStart: number;
  burstFreed: number;
  burstEnd: number;
}

export class EpisodeDetector {
  private readonly sizes = new Map<number, SizeState>();
  private readonly pending: { state: EpisodeFacts; first: Block | null }[] = [];

  constructor(private readonly threshold: number) {}

  /** A block was born; `liveBytes` is the log's live total after it. */
  alloc(block: Block, line: number, liveBytes: number): void {
    const s = this.state(block.size);
    if (s.burstFreed > 0) this.closeBurst(block.size, s);
    if (s.allocs === 0) {
      s.firstLine = line;
      s.first = block;
      s.startBytes = liveBytes - block.size;
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
    const s = this.sizes.get(size);
    if (!s || s.live === 0) return;
    s.live--;
    if (s.burstFreed === 0) s.burstStart = line;
    s.burstFreed++;
    s.burstEnd = line;
    if (s.live === 0) this.closeBurst(size, s);
  }

  /** Episodes found, with their contexts (known only once the log has ended). */
  finish(): DeferredRelease[] {
    for (const [size, s] of this.sizes) if (s.burstFreed > 0) this.closeBurst(size, s);
    return this.pending.map(({ state, first }) => {
      const context = first?.context ?? 'unknown';
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
    if (s.burstFreed >= this.threshold && s.peak >= this.threshold) {
      this.pending.push({
        first: s.first,
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
    if (s.live === 0) this.sizes.delete(size);
  }

  private state(size: number): SizeState {
    let s = this.sizes.get(size);
    if (!s) {
      s = {
        live: 0,
        allocs: 0,
        firstLine: 0,
        first: null,
        peak: 0,
        peakLine: 0,
        startBytes: 0,
        peakBytes: 0,
        allocsAtPeak: 0,
        burstStart: 0,
        burstFreed: 0,
        burstEnd: 0,
      };
      this.sizes.set(size, s);
    }
    return s;
  }
}
