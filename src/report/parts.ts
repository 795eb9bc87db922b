// Text for what a real capture adds to a report: the format it was read as, one row per
// process or run (each judged on its own), and what the leaked blocks' dump bytes suggest.
import { fitTable, type TableLook } from './table.js';
import { displayWidth } from './width.js';
import { displayText } from '../text/display.js';
import { groupBy } from '../model/groups.js';
import { num } from '../text/words.js';
import type { DataHint, PartTag, Report, ReportBlock, ReportPart } from '../model/report.js';

/** `Format: DebugView capture, 3 processes; dialect crt`, or null for a plain MallocSpyTest log. */
export function formatLine(report: Report): string | null {
  const parts: string[] = [];
  if (report.capture === 'debugview') parts.push('DebugView capture');
  else if (report.capture === 'ci-log') parts.push("CI job log (the runner's time column stripped)");
  else if (report.capture === 'transcript') parts.push('PowerShell transcript');
  if (report.processes) parts.push(`${report.processes.length} processes (one analysis per pid)`);
  if (report.runs) parts.push(`${report.runs.length} runs (each judged on its own)`);
  if (report.dialect?.matched) parts.push(`${report.dialect.name} dialect`);
  else if (report.dialect) parts.push(`no line matched a known dialect (tried: ${report.dialect.tried.join(', ')})`);
  return parts.length ? `Format: ${parts.join('; ')}` : null;
}

interface Row {
  label: string;
  part: ReportPart;
  firstLine: number;
  lastLine: number;
}

/** The processes and runs of a merged report, flattened: `pid 4242`, `pid 4242 run 2`, `run 1`. */
export function partRows(report: Report, prefix = ''): Row[] {
  const out: Row[] = [];
  for (const p of report.processes ?? []) {
    const label = p.pid === null ? 'no pid' : `pid ${p.pid}`;
    out.push({ label, part: p, firstLine: p.firstLine, lastLine: p.lastLine });
    if (p.report) for (const row of partRows(p.report, `${label} `)) out.push(row);
  }
  for (const r of report.runs ?? []) out.push({ label: `${prefix}run ${r.index}`, part: r, firstLine: r.firstLine, lastLine: r.lastLine });
  return out;
}

/** Parts shown in the text table; the rest are counted in a line under it (JSON and CSV have them all). */
export const PARTS_SHOWN = 50;

/** One row per process and run, with its own verdict; null when the file holds one run. */
export function partsTable(report: Report, verdict: (part: ReportPart) => string, look: TableLook & { width: number }): string[] | null {
  const list = partRows(report);
  if (list.length === 0) return null;
  const columns = [{ head: 'part' }, { head: 'lines' }, { head: 'log' }, { head: 'verdict', flex: true, min: 20 }];
  const cells = list
    .slice(0, PARTS_SHOWN)
    .map((r) => [r.label, `${r.firstLine}\u2013${r.lastLine}`, (r.part.report ?? r.part.verdict!).truncation, verdict(r.part).split('\n')[0]!]);
  const more = list.length - PARTS_SHOWN;
  return [...fitTable(columns, cells, look), ...(more > 0 ? [`${num(more)} more parts not shown (--format json lists every part's verdict)`] : [])];
}

/** Where a block of a merged report lived, or '' in a single-run report. */
export function partOf(b: PartTag): string {
  const pid = b.pid === undefined ? '' : b.pid === null ? 'no pid' : `pid ${b.pid}`;
  const run = b.run === undefined ? '' : `run ${b.run}`;
  return [pid, run].filter(Boolean).join(' ');
}

/** The hint in a few words, for a table cell. */
export function hintText(h: DataHint | undefined): string {
  if (!h) return '';
  if (h.kind === 'vtable') return `object? vtable ${h.pointer}`;
  const what = h.kind === 'utf16-text' ? 'UTF-16' : 'text';
  return displayText(`${what} ${JSON.stringify(h.text)}${h.offset ? ` at +${h.offset}` : ''}`);
}

/**
 * The dump bytes of a block as hex and text, with the hint, in the widest of these that
 * fits: `ADDR  HEX  |TEXT|  hint`; with single spaces (a 32-bit address fits 80 columns);
 * 8 bytes a line (a 64-bit address at 80). A hint that does not fit goes on a line of its
 * own when `hintLine` (the block table had no room for it), else it is left to the table.
 */
export function dataLines(b: ReportBlock, width: number, hintLine: boolean, typography: (s: string) => string = (s) => s): string[] {
  const data = b.data ?? '';
  const hint = typography(hintText(b.dataHint));
  const indent = ' '.repeat(2 + b.address.length + 1);
  const withHint = (lines: string[]) => (hint && hintLine ? [...lines, indent + hint] : lines);
  // Chosen by a full 16-byte line, so every block of the section gets the same layout.
  const full = (gap: number) => 2 + b.address.length + gap + (16 * 3 - 1) + gap + 18;
  const wide = `  ${b.address}  ${hexAndText(data)}`;
  if (hint && full(2) + 2 + displayWidth(hint) <= width) return [`${wide}  ${hint}`];
  if (full(2) <= width) return withHint([wide]);
  if (full(1) <= width) return withHint([`  ${b.address} ${hexAndText(data, ' ')}`]);
  const bytes = data.split(' ').filter(Boolean);
  const out: string[] = [];
  for (let i = 0; i < bytes.length || i === 0; i += 8)
    out.push(`${i === 0 ? `  ${b.address} ` : indent}${hexAndText(bytes.slice(i, i + 8).join(' '), ' ', 8)}`);
  return withHint(out);
}

/**
 * The dump bytes as the article prints them: hex, then the printable characters (`.` for
 * the rest); the hex is padded to `perLine` bytes so the text lines up under a full line's.
 */
export function hexAndText(data: string, gap = '  ', perLine = 16): string {
  const bytes = data.split(' ').filter(Boolean);
  const text = bytes
    .map((h) => parseInt(h, 16))
    .map((b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.'))
    .join('');
  return `${data.padEnd(perLine * 3 - 1)}${gap}|${text}|`;
}

/** The blocks with a holder's hint, by part, holder and category, in report order. */
export function holderGroups(report: Report): { part: string; blocks: ReportBlock[] }[] {
  const hinted = report.blocks.filter((b) => b.hint !== undefined);
  const groups = groupBy(hinted, (b) => `${partOf(b)}\0${b.hint!.id}\0${b.category}`);
  return [...groups.values()].map((blocks) => ({ part: partOf(blocks[0]!), blocks }));
}
