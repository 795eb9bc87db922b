// The human report: verdict first, then why the log is (or is not) complete, the
// categories, the blocks that outlived the program grouped by where they were
// allocated, and the anomalies summarised by kind.
import { nothingToJudge } from '../verdict/nothing.js';
import { byCategorySignature, groupBy } from '../model/groups.js';
import { count, num as n } from '../text/words.js';
import { compactTable } from './table.js';
import { CATEGORIES, CATEGORY_MEANING, type Category } from '../model/block.js';
import type { Report, ReportBlock } from '../model/report.js';
import { PLAIN, type Style } from './style.js';
import { sparkline } from './sparkline.js';
import { dataLine, formatLine, hintText, partOf, partsTable } from './parts.js';

const SPARK_WIDTH = 64;

/** Encodings worth naming (plain UTF-8 is the norm and goes unsaid). */
const ENCODING_NAMES: Record<string, string> = {
  'utf8-bom': 'UTF-8 with BOM',
  'utf16le-bom': 'UTF-16LE with BOM',
  utf16le: 'UTF-16LE without BOM',
  'utf16be-bom': 'UTF-16BE with BOM',
};

export function renderText(report: Report, style: Style): string {
  const out: string[] = [];
  out.push(style.bold(`spylog report: ${report.source}`));
  out.push(headline(report, style));
  out.push('');
  const p = report.peak;
  out.push(
    `Log: ${truncationWord(report, style)}; ${count(report.lines, 'line')}, ${count(report.allocs, 'allocation')}, ${count(report.frees, 'free')}` +
      (report.reallocs ? `, ${count(report.reallocs, 'reallocation')}` : '') +
      (p.blocks > 0 ? `; peak ${n(p.blocks)} blocks / ${n(p.bytes)} bytes at line ${p.line}` : '') +
      (ENCODING_NAMES[report.encoding] ? `; read as ${ENCODING_NAMES[report.encoding]}` : ''),
  );
  for (const e of report.evidence) out.push(`  - ${e}`);
  const format = formatLine(report);
  if (format) out.push(format);
  out.push('');

  const spark = sparkline(report.timeline, report.lines, SPARK_WIDTH, style.unicode);
  if (spark.length > 0) {
    out.push(`Live bytes over the log (${count(report.lines, 'line')}, highest ${n(report.peak.bytes)} bytes):`);
    for (const line of spark) out.push(`  ${line}`);
    out.push('');
  }

  const categories = compactTable(['category', 'blocks', 'bytes', 'meaning'], ['left', 'right', 'right', 'left']);
  for (const c of CATEGORIES) {
    const t = report.summary[c];
    categories.push([c, n(t.blocks), n(t.bytes), CATEGORY_MEANING[c]]);
  }
  out.push(categories.toString());

  const parts = partsTable(report, (r) => headline(r, PLAIN));
  if (parts) {
    out.push('');
    out.push(report.processes ? 'Processes (one analysis per pid):' : 'Runs (each judged on its own):');
    out.push(parts);
  }

  const groups = groupBlocks(report);
  if (groups.length > 0) {
    // Extra columns only when they say something: which process/run, what the data looks like.
    const byPart = groups.some((g) => g.part !== '');
    const hinted = groups.some((g) => g.first.dataHint !== undefined);
    out.push('');
    out.push('Not freed by the program, by where they were allocated:');
    const table = compactTable(
      [...(byPart ? ['part'] : []), 'category', 'context', 'size', 'blocks', 'bytes', 'lines', ...(hinted ? ['data (first block)'] : [])],
      [...(byPart ? ['left' as const] : []), 'left', 'left', 'right', 'right', 'right', 'left', 'left'],
    );
    for (const g of groups) {
      table.push([
        ...(byPart ? [g.part] : []),
        g.category,
        g.context,
        n(g.size),
        n(g.blocks),
        n(g.size * g.blocks),
        g.lines,
        ...(hinted ? [hintText(g.first.dataHint)] : []),
      ]);
    }
    out.push(table.toString());
    const dumped = groups.filter((g) => g.first.data);
    if (dumped.length > 0) {
      out.push('Dump data (first block of each group, hex and text):');
      for (const g of dumped) out.push(dataLine(g.first));
    }
  }

  if (report.findings.length > 0) {
    out.push('');
    out.push('Findings:');
    for (const f of report.findings) out.push(`  ${f.kind}: ${typeof f.message === 'string' ? f.message : JSON.stringify(f)}`);
  }

  const kinds = Object.entries(report.anomalyCounts);
  if (kinds.length > 0) {
    const total = kinds.reduce((s, [, k]) => s + k, 0);
    out.push('');
    out.push(style.yellow(`Anomalies: ${n(total)} (the analysis went on; --format json lists them with line numbers)`));
    for (const [kind, count] of kinds) {
      const first = report.anomalies.find((a) => a.kind === kind);
      out.push(`  ${kind} \u00d7${n(count)}` + (first ? `, first at line ${first.line}: ${first.message}` : ''));
    }
  }
  return out.join('\n') + '\n';
}

export function headline(report: Report, style: Style): string {
  // An empty file, or one no dialect reads, is not a clean run: say so before anything else.
  const nothing = nothingToJudge(report);
  if (nothing) return style.yellow(style.bold(`NOTHING TO JUDGE: ${nothing}`));
  const s = report.summary;
  const parts: string[] = [];
  if (s.exitprocess.blocks) parts.push(`${blocks(s.exitprocess.blocks)} (${n(s.exitprocess.bytes)} bytes) held by the COM runtime until ExitProcess`);
  if (s.couninitialize.blocks) parts.push(`${blocks(s.couninitialize.blocks)} freed in CoUninitialize`);
  const also = parts.length ? `; ${parts.join('; ')}` : '';
  if (s['true-leak'].blocks) {
    return (
      style.red(style.bold(`LEAKS: ${s['true-leak'].blocks} true leak${s['true-leak'].blocks === 1 ? '' : 's'} (${n(s['true-leak'].bytes)} bytes)`)) +
      also
    );
  }
  if (s.unresolved.blocks) {
    return (
      style.yellow(
        style.bold(`UNDECIDED: ${blocks(s.unresolved.blocks)} (${n(s.unresolved.bytes)} bytes) never freed, but the log may be truncated`),
      ) +
      also +
      '\n  To decide: capture on a console, or use `spylog check --baseline`, or pass --assume-complete.'
    );
  }
  return style.green(style.bold('OK: no leaks')) + also;
}

interface Group {
  part: string;
  first: ReportBlock;
  category: Category;
  context: string;
  size: number;
  blocks: number;
  lines: string;
}

const ORDER: Record<Category, number> = { 'true-leak': 0, unresolved: 1, exitprocess: 2, couninitialize: 3, freed: 4 };

function groupBlocks(report: Report): Group[] {
  const groups = groupBy(report.blocks, (b) => `${partOf(b)}\0${byCategorySignature(b)}`);
  return [...groups.values()]
    .map((list) => {
      const first = list[0]!;
      const lines = list.flatMap((b) => (b.allocLine === null ? [] : [b.allocLine]));
      return {
        part: partOf(first),
        first,
        category: first.category,
        context: first.context,
        size: first.size,
        blocks: list.length,
        lines: lineSummary(lines),
      };
    })
    .sort(
      (a, b) =>
        a.part.localeCompare(b.part, 'en', { numeric: true }) ||
        ORDER[a.category] - ORDER[b.category] ||
        b.size * b.blocks - a.size * a.blocks ||
        a.context.localeCompare(b.context) ||
        a.size - b.size,
    );
}

function lineSummary(lines: number[]): string {
  if (lines.length === 0) return 'dump only';
  const shown = lines.slice(0, 3).join(', ');
  return lines.length > 3 ? `${shown}, \u2026` : shown;
}

function truncationWord(report: Report, style: Style): string {
  if (report.truncation === 'complete') return style.green('complete');
  if (report.truncation === 'truncated') return style.red('truncated');
  return style.yellow('possibly truncated');
}

function blocks(k: number): string {
  return count(k, 'block');
}
