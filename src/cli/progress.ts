// A progress bar on stderr for long inputs: bytes read / size and MB/s. Only on a
// terminal (a bar in a CI log or a redirected stderr is noise) and never with --quiet.
// The formatting and the throttling are pure (`formatProgress`, `shouldDraw`) so they
// can be tested without a terminal or a clock.

/** Redraw at most this often: drawing per 1 MB chunk would cost more than it shows. */
export const REDRAW_MS = 100;
/** Inputs smaller than this finish before a bar is worth drawing. */
export const MIN_BYTES = 32 * 1024 * 1024;
const BAR_WIDTH = 24;

/** One line of progress, e.g. `spylog: run.log [#####-----]  42%  512.0/1,200.0 MB  95.3 MB/s`. */
export function formatProgress(name: string, done: number, total: number | null, elapsedMs: number): string {
  const mbps = elapsedMs > 0 ? done / 1e6 / (elapsedMs / 1000) : 0;
  const rate = `${mbps.toFixed(1)} MB/s`;
  const doneMB = (done / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  if (total === null || total <= 0) return `spylog: ${name}  ${doneMB} MB  ${rate}`;
  const ratio = Math.min(1, done / total);
  const filled = Math.round(ratio * BAR_WIDTH);
  const totalMB = (total / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  return `spylog: ${name} [${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${pct}  ${doneMB}/${totalMB} MB  ${rate}`;
}

/** Throttle: draw when REDRAW_MS passed since the last draw (the first call always draws). */
export function shouldDraw(lastDrawMs: number | null, nowMs: number): boolean {
  return lastDrawMs === null || nowMs - lastDrawMs >= REDRAW_MS;
}

export interface ProgressOptions {
  name: string;
  size: number | null;
  /** stderr is a terminal and --quiet was not given. */
  enabled: boolean;
  now?: () => number;
}

export interface Progress {
  /** Called with the bytes of each chunk read. */
  onChunk(bytes: number): void;
  /** Clears the bar's line (if one was drawn). */
  done(): void;
}

const SILENT: Progress = { onChunk() {}, done() {} };

export function createProgress(stderr: NodeJS.WritableStream, opts: ProgressOptions): Progress {
  // Stdin (unknown size) or a small file: nothing to show.
  if (!opts.enabled || opts.size === null || opts.size < MIN_BYTES) return SILENT;
  const now = opts.now ?? (() => performance.now());
  const start = now();
  let done = 0;
  let last: number | null = null;
  let drawn = false;
  return {
    onChunk(bytes) {
      done += bytes;
      const t = now();
      if (!shouldDraw(last, t)) return;
      last = t;
      drawn = true;
      stderr.write(`\r${formatProgress(opts.name, done, opts.size, t - start)}\x1b[K`);
    },
    done() {
      if (drawn) stderr.write('\r\x1b[K');
    },
  };
}
