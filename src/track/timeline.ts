// Live blocks and bytes over the log, in bounded memory: a fixed number of buckets,
// each covering `span` lines. When the log outgrows them, neighbours merge pairwise
// and the span doubles, so memory stays flat however long the log is.

export interface TimelinePoint {
  /** First and last line the bucket covers. */
  fromLine: number;
  toLine: number;
  /** Highest live bytes/blocks seen within the bucket. */
  maxBytes: number;
  maxBlocks: number;
  /** Live bytes/blocks at the end of the bucket. */
  bytes: number;
  blocks: number;
}

export class Timeline {
  private span = 1;
  private readonly points: TimelinePoint[] = [];
  /** The last point, and the first line past its bucket: most events land in it (no division). */
  private last: TimelinePoint | null = null;
  private lastEnd = 0;

  constructor(private readonly capacity = 256) {}

  /** Live totals after the event on `line` (lines arrive in increasing order). */
  sample(line: number, blocks: number, bytes: number): void {
    if (this.last === null || line >= this.lastEnd) this.locate(line);
    const last = this.last!;
    last.toLine = line;
    if (bytes > last.maxBytes) last.maxBytes = bytes;
    if (blocks > last.maxBlocks) last.maxBlocks = blocks;
    last.bytes = bytes;
    last.blocks = blocks;
  }

  /** Makes `last` the bucket of `line`: merging buckets when the log outgrows them, opening a new one. */
  private locate(line: number): void {
    let index = Math.floor((line - 1) / this.span);
    while (index >= this.capacity) {
      this.merge();
      index = Math.floor((line - 1) / this.span);
    }
    let last = this.points[this.points.length - 1];
    if (!last || Math.floor((last.fromLine - 1) / this.span) !== index) {
      // Live totals are never negative: the caller's update sets the real values.
      last = { fromLine: index * this.span + 1, toLine: line, maxBytes: 0, maxBlocks: 0, bytes: 0, blocks: 0 };
      this.points.push(last);
    }
    this.last = last;
    this.lastEnd = (index + 1) * this.span + 1;
  }

  /** The series, one point per bucket that saw an event. */
  finish(): { span: number; points: TimelinePoint[] } {
    return { span: this.span, points: this.points.map((p) => ({ ...p })) };
  }

  private merge(): void {
    this.span *= 2;
    const merged: TimelinePoint[] = [];
    for (const p of this.points) {
      const index = Math.floor((p.fromLine - 1) / this.span);
      const last = merged[merged.length - 1];
      if (last && Math.floor((last.fromLine - 1) / this.span) === index) {
        last.toLine = p.toLine;
        last.maxBytes = Math.max(last.maxBytes, p.maxBytes);
        last.maxBlocks = Math.max(last.maxBlocks, p.maxBlocks);
        last.bytes = p.bytes;
        last.blocks = p.blocks;
      } else {
        merged.push({ ...p, fromLine: index * this.span + 1 });
      }
    }
    this.points.length = 0;
    this.points.push(...merged);
  }
}
