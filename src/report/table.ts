// One table look for every text reporter: boxes with no rule between rows (compact in CI
// logs), numbers right-aligned, no colour. cli-table3 draws it; spylog decides what it is
// given: the column widths (fitted to the output's width by narrowing and wrapping the text
// columns), the cells already escaped (cellText) and wrapped, box-drawing characters only
// where the output is a terminal (ASCII when piped or redirected: a Windows console's code
// page turns UTF-8 box characters in a file into mojibake), and no colour (cli-table3 would
// colour borders and heads even in a pipe).
//
// cli-table3 lays a table out in time quadratic in its rows (20,000 rows take over a minute),
// so a table is never given more than a few hundred rows: the reporters show the largest
// groups (TABLE_ROWS) and say how many more there are.
import Table from 'cli-table3';
import { count, num } from '../text/words.js';
import { displayText } from '../text/display.js';
import { asciiTypography, displayWidth, wrapText } from './width.js';

export type Align = 'left' | 'right' | 'center';

export interface Column {
  head: string;
  align?: Align;
  /** Text that may wrap when the table is too wide (never numbers). */
  flex?: boolean;
  /** The narrowest a flexible column may get (default: its head's width, at most 12). */
  min?: number;
  /** The head may wrap at its spaces (`A blocks` over two lines) when the table is too wide with it on one line. */
  wrapHead?: boolean;
}

export interface TableLook {
  /** Box-drawing characters; ASCII `+-|` otherwise. */
  unicode: boolean;
  /** Columns available; the table is laid out at its natural width when it fits. */
  width?: number;
}

/** The most rows a text table gets (see above); the rest are counted in a line under it. */
export const TABLE_ROWS = 200;

/** The line under a capped table: `1,234 more groups not shown (5,678 blocks, 90,123 bytes); --format json or csv lists them all`. */
export function moreLine(more: number, what: string, blocks: number, bytes: number, formats: string): string {
  return `${count(more, `more ${what}`)} not shown (${count(blocks, 'block')}, ${num(bytes)} bytes); ${formats} lists them all`;
}

// No rule between rows nor under the head: only the top and bottom borders.
const NO_ROW_RULES = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
const BOX = {
  ...NO_ROW_RULES,
  top: '\u2500',
  'top-mid': '\u252c',
  'top-left': '\u250c',
  'top-right': '\u2510',
  bottom: '\u2500',
  'bottom-mid': '\u2534',
  'bottom-left': '\u2514',
  'bottom-right': '\u2518',
  left: '\u2502',
  right: '\u2502',
  middle: '\u2502',
};
const ASCII = {
  ...NO_ROW_RULES,
  top: '-',
  'top-mid': '+',
  'top-left': '+',
  'top-right': '+',
  bottom: '-',
  'bottom-mid': '+',
  'bottom-left': '+',
  'bottom-right': '+',
  left: '|',
  right: '|',
  middle: '|',
};

/**
 * The one place where text becomes table text: a control character, a line break or a bidi
 * override in a cell would break the box (or the terminal), so each becomes visible (the
 * escaping every human-facing output shares: text/display.ts).
 */
export function cellText(s: string): string {
  return displayText(s);
}

/**
 * Content widths for columns of natural widths `natural` within `width` (borders and one
 * space of padding each side: sum + 3 * columns + 1): the widest flexible column gives up
 * a column at a time, down to its minimum. Null when even the minimums do not fit.
 */
export function fitColumns(natural: number[], columns: Column[], width: number): number[] | null {
  const w = [...natural];
  const mins = columns.map((c, i) => Math.min(natural[i]!, c.min ?? Math.min(displayWidth(c.head), 12)));
  let over = w.reduce((a, b) => a + b, 0) + 3 * w.length + 1 - width;
  while (over > 0) {
    let widest = -1;
    for (let i = 0; i < w.length; i++) if (columns[i]!.flex && w[i]! > mins[i]! && (widest < 0 || w[i]! > w[widest]!)) widest = i;
    if (widest < 0) return null;
    // Down to the next widest column (or the minimum) in one step: linear in the columns, not in the excess.
    let next = mins[widest]!;
    for (let i = 0; i < w.length; i++) if (i !== widest && columns[i]!.flex && w[i]! < w[widest]! && w[i]! > next) next = w[i]!;
    const cut = Math.max(1, Math.min(over, w[widest]! - next));
    w[widest]! -= cut;
    over -= cut;
  }
  return w;
}

/**
 * The table's lines, or null when it cannot fit `look.width` (the caller prints the rows as
 * lists). A table too wide with its heads on one line gets the heads that may wrap
 * (`wrapHead`) wrapped at their spaces (`A blocks` over two lines) before it gives up.
 */
export function renderTable(columns: Column[], rows: string[][], look: TableLook): string[] | null {
  if (rows.length > TABLE_ROWS) {
    // The reporters cap their tables themselves, with words; this keeps a forgotten one fast.
    const table = renderTable(columns, rows.slice(0, TABLE_ROWS), look);
    return table && [...table, `${count(rows.length - TABLE_ROWS, 'more row')} not shown`];
  }
  const text = (s: string) => (look.unicode ? cellText(s) : asciiTypography(cellText(s)));
  const body = rows.map((r) => columns.map((_, i) => text(r[i] ?? '')));
  const heads = columns.map((c) => text(c.head));
  for (const wrapHeads of [false, true]) {
    const natural = columns.map((_, i) => {
      let max = wrapHeads && columns[i]!.wrapHead ? Math.max(...heads[i]!.split(' ').map(displayWidth)) : displayWidth(heads[i]!);
      for (const r of body) max = Math.max(max, displayWidth(r[i]!));
      return max;
    });
    const widths = look.width === undefined ? natural : fitColumns(natural, columns, look.width);
    if (widths !== null) return draw(columns, [heads, ...body], widths, look);
    if (!columns.some((c, i) => c.wrapHead && heads[i]!.includes(' '))) break;
  }
  return null;
}

function draw(columns: Column[], cells: string[][], widths: number[], look: TableLook): string[] {
  // Wrapped here, at word boundaries, to the widths chosen above; cli-table3 wraps again only
  // if it measures a line wider than spylog does (then inside words: it never cuts text off).
  const wrapped = cells.map((r) => r.map((c, i) => (displayWidth(c) <= widths[i]! ? c : wrapText(c, widths[i]!).join('\n'))));
  const table = new Table({
    head: wrapped[0]!,
    colWidths: widths.map((w) => w + 2), // cli-table3's widths include one space of padding each side
    colAligns: columns.map((c) => c.align ?? 'left'),
    wordWrap: true,
    wrapOnWordBoundary: false,
    chars: look.unicode ? BOX : ASCII,
    style: { head: [], border: [], 'padding-left': 1, 'padding-right': 1 },
  });
  table.push(...wrapped.slice(1));
  return table.toString().split('\n');
}

/**
 * The rows as a list, one `head: value` group per row, for a width no table fits:
 *   freed: 8 blocks, 820 bytes ...
 */
/** A table fitted to the width, or its rows as a list when no table fits. */
export function fitTable(columns: Column[], rows: string[][], look: TableLook & { width: number }): string[] {
  return renderTable(columns, rows, look) ?? renderRows(columns, rows, look);
}

export function renderRows(columns: Column[], rows: string[][], look: TableLook & { width: number }): string[] {
  const out: string[] = [];
  const text = (s: string) => (look.unicode ? cellText(s) : asciiTypography(cellText(s)));
  for (const r of rows) {
    const [first, ...rest] = columns.map((c, i) => ({ head: c.head, value: text(r[i] ?? '') })).filter((x) => x.value !== '');
    if (!first) continue;
    out.push(...wrapText(`  - ${first.value}: ${rest.map((x) => `${x.head} ${x.value}`).join('; ')}`, look.width, '    '));
  }
  return out;
}

/** A table to push rows into, for reporters that build one row at a time, drawn for `look` (the output's Style: ASCII off a terminal). */
export function compactTable(head: string[], colAligns: Align[], look: TableLook) {
  const rows: string[][] = [];
  const columns = head.map((h, i) => ({ head: h, align: colAligns[i] ?? 'left', wrapHead: true }));
  return {
    push(...more: (string | number)[][]): number {
      return rows.push(...more.map((r) => r.map(String)));
    },
    toString(): string {
      return (renderTable(columns, rows, look) ?? renderRows(columns, rows, { ...look, width: look.width ?? 80 })).join('\n');
    },
  };
}
