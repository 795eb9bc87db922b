// The human report: verdict first, then why the log is (or is not) complete, the
// categories, the blocks that outlived the program grouped by where they were
// allocated, and the anomalies summarised by kind.
import { noSpyEvent, nothingToJudge } from '../verdict/nothing.js';
import { byCategorySignature, groupBy } from '../model/groups.js';
import { bytesOf, count, num as n, testLabel, unseenLost, unseenSource } from '../text/words.js';
import { compareParts, compareWords } from '../text/compare.js';
import { TABLE_ROWS, moreLine, fitTable, renderTable, type Column } from './table.js';
import { asciiTypography, displayWidth, wrapText } from './width.js';
import { CATEGORIES, CATEGORY_MEANING, type Category } from '../model/block.js';
import { UNSEEN_CATEGORIES, unseenIn, type Report, type ReportBlock, type TestReport, type UnseenCategory } from '../model/report.js';
import { PLAIN, type Style } from './style.js';
import { displayLines, displayText } from '../text/display.js';
import { sparkline } from './sparkline.js';
import { dataLines, formatLine, hintText, holderGroups, partOf, partsTable } from './parts.js';

const SPARK_WIDTH = 64;
/** Narrower than this, nothing is readable: lay out for it and let the terminal wrap. */
const MIN_WIDTH = 40;
const LEGEND_SEP = '  ';

/** Encodings worth naming (plain UTF-8 is the norm and goes unsaid). */
const ENCODING_NAMES: Record<string, string> = {
  'utf8-bom': 'UTF-8 with BOM',
  'utf16le-bom': 'UTF-16LE with BOM',
  utf16le: 'UTF-16LE without BOM',
  'utf16be-bom': 'UTF-16BE with BOM',
};

export function renderText(report: Report, style: Style): string {
  const width = Math.max(style.width, MIN_WIDTH);
  const out: string[] = [];
  // Off a terminal spylog's own typography is ASCII; measured after that, before wrapping.
  const typography = style.unicode ? (s: string) => s : asciiTypography;
  // Prose wraps at word boundaries, items with a hanging indent under their text.
  const say = (text: string, indent = '') => out.push(...wrapText(typography(text), width, indent));
  say(style.bold(`spylog report: ${displayText(report.source)}`));
  for (const line of headline(report, style).split('\n')) say(line, '  ');
  out.push('');
  const p = report.peak;
  say(
    `Log: ${truncationWord(report, style)}; ${count(report.lines, 'line')}, ${count(report.allocs, 'allocation')}, ${count(report.frees, 'free')}` +
      (report.reallocs ? `, ${count(report.reallocs, 'reallocation')}` : '') +
      (p.blocks > 0 ? `; peak ${count(p.blocks, 'block')} / ${n(p.bytes)} bytes at line ${p.line}` : '') +
      (ENCODING_NAMES[report.encoding] ? `; read as ${ENCODING_NAMES[report.encoding]}` : ''),
    '  ',
  );
  for (const e of report.evidence) say(`  - ${displayText(e)}`, '    ');
  const format = formatLine(report);
  if (format) say(displayText(format), '  ');
  out.push('');

  const spark = sparkline(report.timeline, report.lines, Math.min(SPARK_WIDTH, width - 4), style.unicode);
  if (spark.length > 0) {
    say(`Live bytes over the log (${count(report.lines, 'line')}, highest ${n(report.peak.bytes)} bytes):`);
    const [chart, marks, legend] = spark;
    out.push(`  ${chart}`, `  ${marks}`);
    // The legend's items wrap as wholes: `U CoUninitialize (line 45)` never splits.
    let line = '';
    for (const item of legend!.split(LEGEND_SEP)) {
      if (line && displayWidth(`  ${line}${LEGEND_SEP}${item}`) > width) {
        out.push(`  ${line}`);
        line = item;
      } else line = line ? `${line}${LEGEND_SEP}${item}` : item;
    }
    if (line) out.push(`  ${line}`);
    out.push('');
  }

  const look = { unicode: style.unicode, width };
  out.push(
    ...fitTable(
      [{ head: 'category' }, { head: 'blocks', align: 'right' }, { head: 'bytes', align: 'right' }, { head: 'meaning', flex: true, min: 20 }],
      CATEGORIES.map((c) => [c, n(report.summary[c].blocks), n(report.summary[c].bytes), CATEGORY_MEANING[c]]),
      look,
    ),
  );
  const unseen = unseenSentence(report);
  if (unseen) say(unseen);

  const parts = partsTable(
    report,
    (part) => (part.report ? headline(part.report, PLAIN, true) : summaryHeadline(part.verdict!.summary, PLAIN, part.verdict!.unseen)),
    look,
  );
  if (parts) {
    out.push('');
    out.push(report.processes ? 'Processes (one analysis per pid):' : 'Runs (each judged on its own):');
    out.push(...parts);
  }

  const { shown: groups, hidden } = largestGroups(groupBlocks(report));
  if (groups.length > 0) {
    // Extra columns only when they say something: which process/run, what the data looks like.
    const byPart = groups.some((g) => g.part !== '');
    const hinted = groups.some((g) => g.first.dataHint !== undefined);
    out.push('');
    say('Not freed by the program, by where they were allocated:');
    const columns: Column[] = [
      ...(byPart ? [{ head: 'part', flex: true, min: 6 }] : []),
      { head: 'category' },
      { head: 'context', flex: true, min: 12 },
      { head: 'size', align: 'right' as const },
      { head: 'blocks', align: 'right' as const },
      { head: 'bytes', align: 'right' as const },
      { head: 'lines', flex: true, min: 8 },
      ...(hinted ? [{ head: 'data (first block)', flex: true, min: 12 }] : []),
    ];
    const rows = groups.map((g) => [
      ...(byPart ? [g.part] : []),
      g.category,
      g.context,
      n(g.size),
      n(g.blocks),
      n(g.size * g.blocks),
      g.lines,
      ...(hinted ? [hintText(g.first.dataHint)] : []),
    ]);
    // The whole table if it fits as it is; else without the data column (each hint then gets
    // a line of its own in the dump), its text columns wrapped; else all columns wrapped.
    const whole = renderTable(
      columns.map((c) => ({ ...c, flex: false })),
      rows,
      look,
    );
    const narrow =
      whole ??
      (hinted
        ? renderTable(
            columns.slice(0, -1),
            rows.map((r) => r.slice(0, -1)),
            look,
          )
        : null);
    out.push(...(narrow ?? fitTable(columns, rows, look)));
    if (hidden.length > 0) {
      const blocks = hidden.reduce((t, g) => t + g.blocks, 0);
      say(
        moreLine(
          hidden.length,
          'group',
          blocks,
          hidden.reduce((t, g) => t + g.size * g.blocks, 0),
          '--format json or csv',
        ),
      );
    }
    const dumped = groups.filter((g) => g.first.data);
    if (dumped.length > 0) {
      say('Dump data (first block of each group, hex and text):');
      for (const g of dumped) out.push(...dataLines(g.first, width, whole === null && narrow !== null, typography));
    }
  }

  const tests = report.tests ?? [];
  if (tests.length > 0) {
    out.push('');
    say(
      `Tests (${n(tests.length)}, as the program's runner printed them): bytes each one allocated that it leaked, that the log ` +
        'cannot decide (unresolved), that the COM runtime held, and that were freed only after the test ended (freed later: a cache?)',
    );
    out.push(...testsTable(tests, look));
  }

  const held = holderGroups(report);
  if (held.length > 0) {
    out.push('');
    say('Known runtime holders (a hint decides nothing unless --trust-known-holders is given):');
    for (const g of held) {
      const first = g.blocks[0]!;
      const bytes = g.blocks.reduce((s, b) => s + b.size, 0);
      const decided = first.decidedBy === 'known-holder' ? ', decided by it' : '';
      say(
        `  ${g.part ? `${g.part}: ` : ''}${first.hint!.holder}: ${count(g.blocks.length, `${first.category} block`)} (${n(bytes)} bytes${decided}), ` +
          `${allocated(g.blocks)}`,
        '    ',
      );
      say(`    ${first.hint!.message}`, '    ');
      say(`    source: ${first.hint!.source}`, '    ');
    }
  }

  if (report.findings.length > 0) {
    out.push('');
    out.push('Findings:');
    for (const f of report.findings) say(displayText(`  ${f.kind}: ${typeof f.message === 'string' ? f.message : JSON.stringify(f)}`), '    ');
  }

  const kinds = Object.entries(report.anomalyCounts);
  if (kinds.length > 0) {
    const total = kinds.reduce((s, [, k]) => s + k, 0);
    out.push('');
    say(style.yellow(`Anomalies: ${n(total)} (the analysis went on; --format json lists them with line numbers)`));
    for (const [kind, count] of kinds) {
      const first = report.anomalies.find((a) => a.kind === kind);
      say(displayText(`  ${kind} \u00d7${n(count)}` + (first ? `, first at line ${first.line}: ${first.message}` : '')), '    ');
    }
  }
  // Log text was escaped where it came in; this is the last look before it is written.
  return displayLines(out.join('\n') + '\n', style.bold('') !== '');
}

/** The verdict line; `part`: a part's in the table of a file's parts, which names no file. */
export function headline(report: Report, style: Style, part = false): string {
  // An empty file, or one no dialect reads, is not a clean run: say so before anything else.
  const nothing = part ? noSpyEvent(report) : nothingToJudge(report);
  if (nothing) return style.yellow(style.bold(`NOTHING TO JUDGE: ${displayText(nothing)}`));
  return summaryHeadline(report.summary, style, report.unseen);
}

/** What the report says of blocks only the spy's output knows (Report.unseen), or null when there are none. */
export function unseenSentence(report: Report): string | null {
  const said: string[] = [];
  for (const c of UNSEEN_CATEGORIES) {
    const unseen = report.unseen?.[c];
    if (!unseen) continue;
    const k = unseen.blocks;
    said.push(
      `${count(k, `${c} block`)} ${k === 1 ? 'is' : 'are'} known only from ${unseenSource(unseen)}: ` +
        `this log lost ${unseenLost(unseen)}, so ${k === 1 ? 'its size and where it was' : 'their sizes and where they were'} allocated are unknown.`,
    );
  }
  return said.length > 0 ? said.join(' ') : null;
}

/** The verdict line of a summary: LEAKS, UNDECIDED or OK, and what the runtime held. */
export function summaryHeadline(s: Report['summary'], style: Style, unseen?: Report['unseen']): string {
  const sizes = (c: UnseenCategory): string => bytesOf(s[c].bytes, s[c].blocks, unseenIn(unseen, c));
  const parts: string[] = [];
  if (s.exitprocess.blocks) parts.push(`${blocks(s.exitprocess.blocks)} (${n(s.exitprocess.bytes)} bytes) held by the COM runtime until ExitProcess`);
  if (s.couninitialize.blocks) parts.push(`${blocks(s.couninitialize.blocks)} freed in CoUninitialize`);
  const also = parts.length ? `; ${parts.join('; ')}` : '';
  if (s['true-leak'].blocks) {
    return style.red(style.bold(`LEAKS: ${s['true-leak'].blocks} true leak${s['true-leak'].blocks === 1 ? '' : 's'} (${sizes('true-leak')})`)) + also;
  }
  if (s.unresolved.blocks) {
    return (
      style.yellow(style.bold(`UNDECIDED: ${blocks(s.unresolved.blocks)} (${sizes('unresolved')}) never freed, but the log may be truncated`)) +
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
      return {
        part: partOf(first),
        first,
        category: first.category,
        context: first.context,
        size: first.size,
        blocks: list.length,
        lines: lineSummary(list),
      };
    })
    .sort(
      (a, b) =>
        (a.part === b.part ? 0 : compareParts(a.part, b.part)) ||
        ORDER[a.category] - ORDER[b.category] ||
        b.size * b.blocks - a.size * a.blocks ||
        compareWords(a.context, b.context) ||
        a.size - b.size,
    );
}

/**
 * At most TABLE_ROWS groups for the table (a person does not read 20,000 rows, and the table's
 * layout is quadratic in them): true leaks first, then undecided, runtime-held, cleaned up;
 * the most bytes first within each. They keep the report's order; the rest are counted.
 */
function largestGroups(groups: Group[]): { shown: Group[]; hidden: Group[] } {
  if (groups.length <= TABLE_ROWS) return { shown: groups, hidden: [] };
  const rank = [...groups].sort((a, b) => ORDER[a.category] - ORDER[b.category] || b.size * b.blocks - a.size * a.blocks);
  const keep = new Set(rank.slice(0, TABLE_ROWS));
  return { shown: groups.filter((g) => keep.has(g)), hidden: groups.filter((g) => !keep.has(g)) };
}

/**
 * The allocation lines of a group and, after them, the blocks' allocation ordinals (`#N`:
 * what a spy counting its PreAlloc calls breaks on), consecutive numbers as ranges:
 * `19\u201322 (#13\u201316)`.
 */
function lineSummary(list: ReportBlock[]): string {
  const lines = list.flatMap((b) => (b.allocLine === null ? [] : [b.allocLine]));
  if (lines.length === 0) return 'dump only';
  const ordinals = list.flatMap((b) => (b.ordinal === null ? [] : [b.ordinal]));
  return ranges(lines, '') + (ordinals.length > 0 ? ` (${ranges(ordinals, '#')})` : '');
}

/** `3, 5`, `19\u201322`, `3, 5, 9\u201312, \u2026`: at most three runs of consecutive numbers. */
function ranges(ns: number[], prefix: string): string {
  const items: string[] = [];
  let i = 0;
  while (i < ns.length && items.length < 3) {
    let j = i;
    while (j + 1 < ns.length && ns[j + 1] === ns[j]! + 1) j++;
    items.push(j > i ? `${prefix}${ns[i]}\u2013${ns[j]}` : `${prefix}${ns[i]}`);
    i = j + 1;
  }
  return i < ns.length ? `${items.join(', ')}, \u2026` : items.join(', ');
}

/** Test rows shown in the text report: the largest first; the JSON report lists every test. */
export const TESTS_SHOWN = 20;

const OUTCOME_WORD: Record<TestReport['outcome'], string> = {
  passed: 'passed',
  failed: 'FAILED',
  skipped: 'skipped',
  ended: 'ended',
  'not-ended': 'no end line',
};

/** One row per test, the ones that leaked first, at most TESTS_SHOWN of them, then how many more. */
function testsTable(tests: TestReport[], look: { unicode: boolean; width: number }): string[] {
  const held = (t: TestReport) => t.summary.exitprocess.bytes + t.summary.couninitialize.bytes;
  const order = tests
    .map((t, i) => ({ t, i }))
    .sort(
      (a, b) =>
        b.t.summary['true-leak'].bytes - a.t.summary['true-leak'].bytes ||
        b.t.summary.unresolved.bytes - a.t.summary.unresolved.bytes ||
        held(b.t) - held(a.t) ||
        b.t.freedAfterTest.bytes - a.t.freedAfterTest.bytes ||
        a.i - b.i,
    )
    .map(({ t }) => t);
  const byPart = tests.some((t) => t.pid !== undefined || t.run !== undefined);
  // The runner's outcome only when some test did not pass: a leak is not a test failure.
  const outcomes = tests.some((t) => t.outcome !== 'passed');
  const bytes = (b: number) => (b === 0 ? '-' : `${n(b)} B`);
  const right = 'right' as const;
  const columns: Column[] = [
    ...(byPart ? [{ head: 'part', flex: true, min: 6 }] : []),
    { head: 'test', flex: true, min: 12 },
    ...(outcomes ? [{ head: 'result' }] : []),
    { head: 'leaked', align: right },
    { head: 'unresolved', align: right },
    { head: 'held', align: right },
    { head: 'freed later', align: right },
  ];
  const rows = order
    .slice(0, TESTS_SHOWN)
    .map((t) => [
      ...(byPart ? [partOf(t)] : []),
      testLabel(t.name, t.iteration),
      ...(outcomes ? [OUTCOME_WORD[t.outcome]] : []),
      bytes(t.summary['true-leak'].bytes),
      bytes(t.summary.unresolved.bytes),
      bytes(held(t)),
      bytes(t.freedAfterTest.bytes),
    ]);
  const out = fitTable(columns, rows, look);
  const more = order.slice(TESTS_SHOWN);
  if (more.length > 0) {
    const leaky = more.filter((t) => t.summary['true-leak'].blocks + t.summary.unresolved.blocks > 0).length;
    out.push(
      `  ${count(more.length, 'more test')} not shown (${leaky === 0 ? 'none with true leaks or unresolved blocks' : `${n(leaky)} with smaller leaks`}; --format json lists every test)`,
    );
  }
  return out;
}

/** `line 16 (#1)`, `lines 3\u201345 (#1\u201343)`, `dump only`. */
function allocated(list: ReportBlock[]): string {
  const lines = list.filter((b) => b.allocLine !== null).length;
  return lines === 0 ? 'dump only' : `${lines === 1 ? 'line' : 'lines'} ${lineSummary(list)}`;
}

function truncationWord(report: Report, style: Style): string {
  if (report.truncation === 'complete') return style.green('complete');
  if (report.truncation === 'truncated') return style.red('truncated');
  return style.yellow('possibly-truncated');
}

function blocks(k: number): string {
  return count(k, 'block');
}
