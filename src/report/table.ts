// One table look for every text reporter: boxes with no rule between rows (compact in CI
// logs), numbers right-aligned, no colour. Drawn in one pass over the rows (cli-table3,
// used before, lays a table out in time quadratic in its rows: 20,000 rows took over a
// minute), fitted to a width by narrowing and wrapping the text columns, with box-drawing
// characters only where the output is a terminal (ASCII when piped or redirected: a
// Windows console's code page turns UTF-8 box characters in a file into mojibake).
import { asciiTypography, displayWidth, wrapText } from './width.js';

export type Align = 'left' | 'right' | 'center';

export interface Column {
  head: string;
  align?: Align;
  /** Text that may wrap when the table is too wide (never numbers). */
  flex?: boolean;
  /** The narrowest a flexible column may get (default: its head's width, at most 12). */
  min?: number;
}

export interface TableLook {
  /** Box-drawing characters; ASCII `+-|` otherwise. */
  unicode: boolean;
  /** Columns available; the table is laid out at its natural width when it fits. */
  width?: number;
}

const BOX = { tl: '\u250c', tm: '\u252c', tr: '\u2510', bl: '\u2514', bm: '\u2534', br: '\u2518', h: '\u2500', v: '\u2502' };
const ASCII = { tl: '+', tm: '+', tr: '+', bl: '+', bm: '+', br: '+', h: '-', v: '|' };

/**
 * The one place where text from a log becomes table text: a control character, a line
 * break or a bidi override in a cell would break the box (or the terminal), so each becomes
 * a visible `\xHH` / `\uHHHH`.
 */
export function cellText(s: string): string {
  return s.replace(/[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u2028\u2029\u202A-\u202E\u2066-\u2069]/g, (c) => {
    const cp = c.codePointAt(0)!;
    return cp <= 0xff ? `\\x${cp.toString(16).toUpperCase().padStart(2, '0')}` : `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  });
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

/** The table's lines, or null when it cannot fit `look.width` (the caller prints the rows as lists). */
export function renderTable(columns: Column[], rows: string[][], look: TableLook): string[] | null {
  const chars = look.unicode ? BOX : ASCII;
  const text = (s: string) => (look.unicode ? cellText(s) : asciiTypography(cellText(s)));
  const cells = [columns.map((c) => c.head), ...rows].map((r) => columns.map((_, i) => text(r[i] ?? '')));
  const natural = columns.map((_, i) => {
    let max = 0;
    for (const r of cells) max = Math.max(max, displayWidth(r[i]!));
    return max;
  });
  const widths = look.width === undefined ? natural : fitColumns(natural, columns, look.width);
  if (widths === null) return null;
  const rule = (l: string, m: string, r: string) => l + widths.map((w) => chars.h.repeat(w + 2)).join(m) + r;
  const out = [rule(chars.tl, chars.tm, chars.tr)];
  for (const r of cells) {
    const wrapped = r.map((c, i) => (displayWidth(c) <= widths[i]! ? [c] : wrapText(c, widths[i]!)));
    const height = Math.max(...wrapped.map((x) => x.length));
    for (let k = 0; k < height; k++) {
      out.push(chars.v + wrapped.map((x, i) => ` ${pad(x[k] ?? '', widths[i]!, columns[i]!.align ?? 'left')} `).join(chars.v) + chars.v);
    }
  }
  out.push(rule(chars.bl, chars.bm, chars.br));
  return out;
}

function pad(s: string, width: number, align: Align): string {
  const room = width - displayWidth(s);
  if (room <= 0) return s;
  if (align === 'right') return ' '.repeat(room) + s;
  if (align === 'center') return ' '.repeat(Math.floor(room / 2)) + s + ' '.repeat(Math.ceil(room / 2));
  return s + ' '.repeat(room);
}

/**
 * The rows as a list, one `head: value` group per row, for a width no table fits:
 *   freed: 8 blocks, 820 bytes ...
 */
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

/** A table to push rows into, for reporters that build one row at a time. Without a look: box characters, natural width. */
export function compactTable(head: string[], colAligns: Align[], look: TableLook = { unicode: true }) {
  const rows: string[][] = [];
  const columns = head.map((h, i) => ({ head: h, align: colAligns[i] ?? 'left' }));
  return {
    push(...more: (string | number)[][]): number {
      return rows.push(...more.map((r) => r.map(String)));
    },
    toString(): string {
      return (renderTable(columns, rows, look) ?? renderRows(columns, rows, { ...look, width: look.width ?? 80 })).join('\n');
    },
  };
}
