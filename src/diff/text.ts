// The human diff: whether the comparison can be trusted first, then both sides'
// completeness, the category table, and the changed groups UMDH-style
// (`+ 44 bytes x 1 in CLSIDFromProgID: exitprocess (B only)`).
import { count, num as n } from '../text/words.js';
import { TABLE_ROWS, compactTable, moreLine } from '../report/table.js';
import { asciiTypography } from '../report/width.js';
import { displayLines, displayText } from '../text/display.js';
import { CATEGORIES, type Truncation } from '../model/block.js';
import { isUnseenGroup } from '../model/report.js';
import type { Style } from '../report/style.js';
import type { DiffGroup, DiffResult, DiffSide } from './schema.js';

export function renderDiffText(diff: DiffResult, style: Style): string {
  const out: string[] = [];
  out.push(style.bold(`spylog diff: A = ${displayText(diff.a.source)}, B = ${displayText(diff.b.source)}`));
  if (diff.weak) {
    out.push(style.yellow(style.bold('Comparison: WEAK, the deltas may not mean what they seem:')));
    for (const w of diff.weaknesses) out.push(`  - ${displayText(w)}`);
  } else {
    out.push(style.green('Comparison: sound (both logs complete, no anomalies, similar event counts)'));
  }
  out.push(`A: ${sideLine(diff.a, style)}`);
  out.push(`B: ${sideLine(diff.b, style)}`);
  out.push('');

  const table = compactTable(
    // Δ on a terminal; off one the output is ASCII (a redirected report is read in the OEM code page).
    [
      'category',
      'A blocks',
      'A bytes',
      'B blocks',
      'B bytes',
      ...(style.unicode ? ['\u0394 blocks', '\u0394 bytes'] : ['change blocks', 'change bytes']),
    ],
    ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
    style,
  );
  for (const c of CATEGORIES) {
    const t = diff.categories[c];
    table.push([c, n(t.a.blocks), n(t.a.bytes), n(t.b.blocks), n(t.b.bytes), signed(t.delta.blocks), signed(t.delta.bytes)]);
  }
  out.push(table.toString());
  out.push(style.dim('(freed blocks are only counted in a report, so `freed` has no groups below)'));
  out.push('');

  if (diff.groups.length === 0) {
    out.push(`No group changed: ${count(diff.unchanged.blocks, 'block')} not freed by the program match one to one (context, size, category).`);
  } else {
    out.push('Changed groups (context \u00d7 size \u00d7 category), largest byte change first:');
    // At most TABLE_ROWS lines, as for every text table: JSON and CSV list every group.
    for (const g of diff.groups.slice(0, TABLE_ROWS)) out.push(groupLine(g, style));
    const more = diff.groups.slice(TABLE_ROWS);
    if (more.length > 0) {
      const blocks = more.reduce((t, g) => t + Math.abs(g.delta.blocks), 0);
      out.push(
        style.dim(
          moreLine(
            more.length,
            'changed group',
            blocks,
            more.reduce((t, g) => t + Math.abs(g.delta.blocks) * g.size, 0),
            '--format json or csv',
          ),
        ),
      );
    }
    if (diff.unchanged.blocks > 0) out.push(style.dim(`${count(diff.unchanged.blocks, 'other block')} match one to one.`));
  }
  if (diff.moves.length > 0) {
    const moved = diff.moves.reduce((t, m) => t + m.blocks, 0);
    out.push('');
    out.push(`Of these, ${count(moved, 'block')} of the same sizes changed category (the same memory, decided differently):`);
    for (const m of diff.moves.slice(0, TABLE_ROWS)) {
      const ctx = m.from.context === m.to.context ? ` in ${displayText(m.from.context)}` : '';
      const from = ctx ? m.from.category : `${m.from.category} (${displayText(m.from.context)})`;
      const to = ctx ? m.to.category : `${m.to.category} (${displayText(m.to.context)})`;
      out.push(`~ ${n(m.size)} bytes x ${n(m.blocks)}${ctx}: ${from} \u2192 ${to}`);
    }
    const more = diff.moves.slice(TABLE_ROWS);
    if (more.length > 0) {
      out.push(
        style.dim(
          moreLine(
            more.length,
            'move',
            more.reduce((t, m) => t + m.blocks, 0),
            more.reduce((t, m) => t + m.blocks * m.size, 0),
            '--format json',
          ),
        ),
      );
    }
  }
  // Log text was escaped where it came in; this is the last look before it is written.
  const text = displayLines(out.join('\n') + '\n', style.bold('') !== '');
  return style.unicode ? text : asciiTypography(text);
}

export function groupLine(g: DiffGroup, style: Style): string {
  const sign = g.delta.blocks > 0 ? '+' : '-';
  const where = g.change === 'added' ? 'B only' : g.change === 'removed' ? 'A only' : `A ${n(g.a.blocks)} \u2192 B ${n(g.b.blocks)}`;
  const lines = g.delta.blocks > 0 ? lineList('B', g.bOnlyLines, g.delta.blocks) : lineList('A', g.aOnlyLines, -g.delta.blocks);
  // Blocks only the spy's count knows (diff.ts) have no size.
  const size = isUnseenGroup(g) ? '?' : n(g.size);
  const text = `${sign} ${size} bytes x ${n(Math.abs(g.delta.blocks))} in ${displayText(g.context)}: ${g.category} (${where}${lines})`;
  const bad = g.delta.blocks > 0 && (g.category === 'true-leak' || g.category === 'unresolved');
  return bad ? style.red(text) : text;
}

function lineList(side: 'A' | 'B', lines: (number | null)[], total: number): string {
  const known = lines.filter((l): l is number => l !== null);
  if (known.length === 0) return lines.length > 0 ? `; ${side}: dump only` : '';
  const more = total > known.length ? ', \u2026' : '';
  return `; ${side} line${known.length > 1 || more ? 's' : ''} ${known.join(', ')}${more}`;
}

function sideLine(s: DiffSide, style: Style): string {
  return (
    `${truncationWord(s.truncation, style)}; ${count(s.lines, 'line')}, ${count(s.allocs, 'allocation')}, ${count(s.frees, 'free')}; ` +
    (s.anomalies > 0 ? style.yellow(count(s.anomalies, 'anomaly', 'anomalies')) : 'no anomalies')
  );
}

function truncationWord(t: Truncation, style: Style): string {
  if (t === 'complete') return style.green('complete');
  if (t === 'truncated') return style.red('truncated');
  return style.yellow('possibly truncated');
}

function signed(x: number): string {
  return x > 0 ? `+${n(x)}` : x < 0 ? `-${n(-x)}` : '0';
}
