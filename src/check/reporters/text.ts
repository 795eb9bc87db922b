// The human gate report for a CI log: the checks, the leaked and undecided groups with
// their lines, stale baseline entries, and the verdict as the very last line.
import { TABLE_ROWS, moreLine, fitTable, type Column } from '../../report/table.js';
import { asciiTypography, wrapText } from '../../report/width.js';
import type { Style } from '../../report/style.js';
import type { BlockGroup, CheckResult, Outcome } from '../gate.js';
import { crtLeakReport } from '../findings.js';
import { bytes, count } from '../../text/words.js';
import { displayLines, displayText } from '../../text/display.js';

/** `renderCheckText` as the one piece the CLI writes: its size is bounded whatever the log (at most TABLE_ROWS groups and stale entries). */
export function renderCheckTextParts(r: CheckResult, style: Style): string[] {
  return [renderCheckText(r, style)];
}

export function renderCheckText(r: CheckResult, style: Style): string {
  const d = displayText; // log, baseline and file-name text, shown safely
  const out: string[] = [style.bold(`spylog check: ${d(r.source)}`)];
  out.push(`Log: ${r.report.truncation}; ${count(r.report.allocs, 'allocation')}, ${count(r.report.frees, 'free')}`);
  for (const e of r.report.evidence) out.push(`  - ${d(e)}`);
  // Leaks this gate does not judge, but which the log reports: said where a person reading the CI log sees them.
  const crt = crtLeakReport(r);
  if (crt) out.push(`  ! line ${crt.line}: ${d(crt.message)}`);
  out.push('');
  for (const c of r.checks) out.push(`${mark(c.outcome, style)} ${d(c.name)}: ${d(c.message)}`);

  // Largest first (the gate's order), at most TABLE_ROWS: the JSON and SARIF outputs list every group.
  const groups = [...r.leaks, ...r.unresolved];
  if (groups.length) {
    out.push('');
    const columns: Column[] = [
      { head: 'category' },
      { head: 'context', flex: true, min: 12 },
      { head: 'size', align: 'right' },
      { head: 'blocks', align: 'right' },
      { head: 'bytes', align: 'right' },
      { head: 'allocated at line', flex: true, min: 8 },
    ];
    const rows = groups.slice(0, TABLE_ROWS).map((g) => [g.category, g.context, String(g.size), String(g.blocks.length), String(g.bytes), lines(g)]);
    out.push(...fitTable(columns, rows, style));
    const more = groups.slice(TABLE_ROWS);
    if (more.length > 0) {
      const blocks = more.reduce((t, g) => t + g.blocks.length, 0);
      out.push(
        ...wrapText(
          moreLine(
            more.length,
            'group',
            blocks,
            more.reduce((t, g) => t + g.bytes, 0),
            '--format json or sarif',
          ),
          style.width,
        ),
      );
    }
  }
  if (r.baseline?.stale.length) {
    out.push('');
    out.push(style.yellow(`Stale baseline entries in ${d(r.baseline.file)} (expected blocks not found):`));
    for (const s of r.baseline.stale.slice(0, TABLE_ROWS)) {
      out.push(
        d(`  line ${s.line}: ${s.context}, ${bytes(s.size)}${s.pattern ? `, pattern ${s.pattern}` : ''}: expected ${s.expected}, found ${s.found}`),
      );
    }
    const more = r.baseline.stale.length - TABLE_ROWS;
    if (more > 0) out.push(`${count(more, 'more stale entry', 'more stale entries')} not shown; --format json lists them all`);
  }
  out.push('');
  out.push(r.passed ? style.green(style.bold(r.verdict)) : style.red(style.bold(r.verdict)));
  // Off a terminal the output is ASCII (a redirected report is read in the OEM code page).
  const text = displayLines(out.join('\n') + '\n', style.bold('') !== '');
  return style.unicode ? text : asciiTypography(text);
}

function mark(o: Outcome, style: Style): string {
  return o === 'pass' ? style.green('[pass]') : o === 'warn' ? style.yellow('[warn]') : style.red('[FAIL]');
}

export function lines(g: BlockGroup): string {
  const ls = g.blocks.map((b) => b.allocLine).filter((l) => l !== null);
  if (ls.length === 0) return 'dump only';
  return ls.length > 6 ? `${ls.slice(0, 6).join(', ')}, \u2026` : ls.join(', ');
}
