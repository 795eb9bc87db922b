// A one-line picture of live bytes over the log, with the phases marked under it.
// Unicode block characters on a terminal, plain ASCII elsewhere. Line numbers are written
// without thousands separators everywhere, as editors show them (a count is `1,234`).
import type { Timeline, TimelineMarkKind } from '../model/report.js';

const UNICODE_LEVELS = ['\u2581', '\u2582', '\u2583', '\u2584', '\u2585', '\u2586', '\u2587', '\u2588'];
const ASCII_LEVELS = ['_', '.', ':', '-', '=', '+', '*', '#'];

const MARK_SYMBOL: Partial<Record<TimelineMarkKind, string>> = { peak: '^', couninitialize: 'U', dump: 'D', exit: 'X' };
const MARK_NAME: Partial<Record<TimelineMarkKind, string>> = {
  peak: 'peak',
  couninitialize: 'CoUninitialize',
  dump: 'dump',
  exit: 'exit-time frees',
};

/** Max live bytes per column; the columns split the log's lines evenly. */
export function columns(timeline: Timeline, lines: number, width: number): number[] {
  const out = new Array<number>(width).fill(0);
  const points = timeline.points;
  let p = 0;
  let before = 0; // live bytes at the end of the last point left behind: memory persists
  for (let c = 0; c < width && lines > 0; c++) {
    const lo = Math.floor((c * lines) / width) + 1;
    const hi = Math.max(lo, Math.floor(((c + 1) * lines) / width));
    while (p < points.length && points[p]!.toLine < lo) before = points[p++]!.bytes;
    let max = before;
    for (let q = p; q < points.length && points[q]!.fromLine <= hi; q++) max = Math.max(max, points[q]!.maxBytes);
    out[c] = max;
  }
  return out;
}

export function sparkline(timeline: Timeline, lines: number, width: number, unicode: boolean): string[] {
  const values = columns(timeline, lines, width);
  const max = Math.max(...values);
  if (max === 0) return [];
  const levels = unicode ? UNICODE_LEVELS : ASCII_LEVELS;
  const chart = values.map((v) => (v === 0 ? ' ' : levels[Math.min(levels.length - 1, Math.ceil((v / max) * levels.length) - 1)]!)).join('');
  const under = new Array<string>(width).fill(' ');
  const legend: string[] = [];
  for (const m of timeline.marks) {
    const symbol = MARK_SYMBOL[m.kind];
    if (!symbol) continue;
    const c = Math.min(width - 1, Math.floor(((m.line - 1) * width) / lines));
    if (under[c] === ' ') under[c] = symbol;
    legend.push(`${symbol} ${MARK_NAME[m.kind]} (line ${m.line})`);
  }
  return [`|${chart}|`, ` ${under.join('').trimEnd()}`, legend.join('  ')];
}
