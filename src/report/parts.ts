// Text for what a real capture adds to a report: the format it was read as, one row per
// process or run (each judged on its own), and what the leaked blocks' dump bytes suggest.
import { compactTable } from './table.js';
import type { DataHint, Report, ReportBlock, ReportPart } from '../model/report.js';

/** `Format: DebugView capture, 3 processes; dialect crt`, or null for a plain MallocSpyTest log. */
export function formatLine(report: Report): string | null {
  const parts: string[] = [];
  if (report.capture === 'debugview') parts.push('DebugView capture');
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
function rows(report: Report, prefix = ''): Row[] {
  const out: Row[] = [];
  for (const p of report.processes ?? []) {
    const label = p.pid === null ? 'no pid' : `pid ${p.pid}`;
    out.push({ label, part: p, firstLine: p.firstLine, lastLine: p.lastLine });
    if (p.report) for (const row of rows(p.report, `${label} `)) out.push(row);
  }
  for (const r of report.runs ?? []) out.push({ label: `${prefix}run ${r.index}`, part: r, firstLine: r.firstLine, lastLine: r.lastLine });
  return out;
}

/** Parts shown in the text table; the rest are counted in a line under it (JSON and CSV have them all). */
const PARTS_SHOWN = 50;

/** One row per process and run, with its own verdict; null when the file holds one run. */
export function partsTable(report: Report, verdict: (part: ReportPart) => string): string | null {
  const list = rows(report);
  if (list.length === 0) return null;
  const table = compactTable(['part', 'lines', 'log', 'verdict'], ['left', 'left', 'left', 'left']);
  for (const r of list.slice(0, PARTS_SHOWN)) {
    const first = verdict(r.part).split('\n')[0]!;
    table.push([r.label, `${r.firstLine}\u2013${r.lastLine}`, (r.part.report ?? r.part.verdict!).truncation, first]);
  }
  const more = list.length - PARTS_SHOWN;
  return table.toString() + (more > 0 ? `\n${more.toLocaleString('en-US')} more parts not shown (--format json lists every part's verdict)` : '');
}

/** Where a block of a merged report lived, or '' in a single-run report. */
export function partOf(b: ReportBlock): string {
  const pid = b.pid === undefined ? '' : b.pid === null ? 'no pid' : `pid ${b.pid}`;
  const run = b.run === undefined ? '' : `run ${b.run}`;
  return [pid, run].filter(Boolean).join(' ');
}

/** The hint in a few words, for a table cell. */
export function hintText(h: DataHint | undefined): string {
  if (!h) return '';
  if (h.kind === 'vtable') return `object? vtable ${h.pointer}`;
  const what = h.kind === 'utf16-text' ? 'UTF-16' : 'text';
  return `${what} ${JSON.stringify(h.text)}${h.offset ? ` at +${h.offset}` : ''}`;
}

/** The dump bytes of a block as hex and text, with the hint. */
export function dataLine(b: ReportBlock): string {
  const hint = hintText(b.dataHint);
  return `  ${b.address}  ${hexAndText(b.data ?? '')}${hint ? `  ${hint}` : ''}`;
}

/** The dump bytes as the article prints them: hex, then the printable characters (`.` for the rest). */
export function hexAndText(data: string): string {
  const bytes = data.split(' ').filter(Boolean);
  const text = bytes
    .map((h) => parseInt(h, 16))
    .map((b) => (b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '.'))
    .join('');
  return `${data}  |${text}|`;
}
