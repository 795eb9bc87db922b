// A progress bar on stderr for long inputs: bytes read / size and MB/s. Only on a
// terminal (a bar in a CI log or a redirected stderr is noise) and never with --quiet.
// The bar fits the terminal's width, re-read at every redraw (a window can be resized).
// The formatting and the throttling are pure (`formatProgress`, `shouldDraw`) so they
// can be tested without a terminal or a clock.
import { displayWidth, takeColumns } from '../report/width.js';
import { displayText } from '../text/display.js';

/** Redraw at most this often: drawing per 1 MB chunk would cost more than it shows. */
export const REDRAW_MS = 100;
/** Inputs smaller than this finish before a bar is worth drawing. */
export const MIN_BYTES = 32 * 1024 * 1024;
const BAR_WIDTH = 24;
const MIN_BAR = 10;

/**
 * One line of progress, e.g. `spylog: run.log [#####-----]  42%  512.0/1,200.0 MB  95.3 MB/s`,
 * at most `columns - 1` wide: a line that reaches the last column wraps (or leaves the cursor
 * waiting to wrap), and the next `\r` then returns to the wrong line, leaving a trail of bars.
 * To fit it drops the rate, narrows the bar, then shortens the file name from the left (its end
 * names the file).
 */
export function formatProgress(file: string, done: number, total: number | null, elapsedMs: number, columns = Infinity): string {
  const name = displayText(file); // a file name can hold anything
  const max = Math.max(20, columns - 1);
  const mb = (b: number) => (b / 1e6).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const rate = `  ${(elapsedMs > 0 ? done / 1e6 / (elapsedMs / 1000) : 0).toFixed(1)} MB/s`;
  const known = total !== null && total > 0;
  const ratio = known ? Math.min(1, done / total) : 0;
  const pct = `${Math.floor(ratio * 100)}%`.padStart(4);
  const sizes = known ? `  ${mb(done)}/${mb(total)} MB` : `  ${mb(done)} MB`;
  for (const withRate of [true, false]) {
    for (let bar = BAR_WIDTH; bar >= MIN_BAR; bar -= 2) {
      const filled = Math.round(ratio * bar);
      const tail = (known ? ` [${'#'.repeat(filled)}${'-'.repeat(bar - filled)}] ${pct}` : '') + sizes + (withRate ? rate : '');
      const room = max - 'spylog: '.length - tail.length;
      if (room >= Math.min(12, displayWidth(name))) return `spylog: ${shortenLeft(name, room)}${tail}`;
      if (!known) break; // no bar to narrow
    }
  }
  return takeColumns(`spylog: ${known ? pct.trim() : mb(done) + ' MB'}`, max);
}

function shortenLeft(s: string, room: number): string {
  if (displayWidth(s) <= room) return s;
  const chars = [...s];
  while (chars.length > 0 && displayWidth(chars.join('')) > room - 3) chars.shift();
  return '...' + chars.join('');
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
  /** stderr's width now (80 when unknown). */
  columns?: () => number;
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
      stderr.write(`\r${formatProgress(opts.name, done, opts.size, t - start, opts.columns?.() ?? 80)}\x1b[K`);
    },
    done() {
      if (drawn) stderr.write('\r\x1b[K');
    },
  };
}
