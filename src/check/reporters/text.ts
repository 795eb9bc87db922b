// The human gate report for a CI log: the checks, the leaked and undecided groups with
// their lines, stale baseline entries, and the verdict as the very last line.
import { compactTable } from '../../report/table.js';
import type { Style } from '../../report/style.js';
import type { BlockGroup, CheckResult, Outcome } from '../gate.js';
import { bytes, count } from '../../text/words.js';

export function renderCheckText(r: CheckResult, style: Style): string {
  const out: string[] = [style.bold(`spylog check: ${r.source}`)];
  out.push(`Log: ${r.report.truncation}; ${count(r.report.allocs, 'allocation')}, ${count(r.report.frees, 'free')}`);
  for (const e of r.report.evidence) out.push(`  - ${e}`);
  out.push('');
  for (const c of r.checks) out.push(`${mark(c.outcome, style)} ${c.name}: ${c.message}`);

  const groups = [...r.leaks, ...r.unresolved];
  if (groups.length) {
    out.push('');
    const table = compactTable(
      ['category', 'context', 'size', 'blocks', 'bytes', 'allocated at line'],
      ['left', 'left', 'right', 'right', 'right', 'left'],
    );
    for (const g of groups) table.push([g.category, g.context, g.size, g.blocks.length, g.bytes, lines(g)]);
    out.push(table.toString());
  }
  if (r.baseline?.stale.length) {
    out.push('');
    out.push(style.yellow(`Stale baseline entries in ${r.baseline.file} (expected blocks not found):`));
    for (const s of r.baseline.stale) {
      out.push(
        `  line ${s.line}: ${s.context}, ${bytes(s.size)}${s.pattern ? `, pattern ${s.pattern}` : ''}: expected ${s.expected}, found ${s.found}`,
      );
    }
  }
  out.push('');
  out.push(r.passed ? style.green(style.bold(r.verdict)) : style.red(style.bold(r.verdict)));
  return out.join('\n') + '\n';
}

function mark(o: Outcome, style: Style): string {
  return o === 'pass' ? style.green('[pass]') : o === 'warn' ? style.yellow('[warn]') : style.red('[FAIL]');
}

export function lines(g: BlockGroup): string {
  const ls = g.blocks.map((b) => b.allocLine).filter((l) => l !== null);
  if (ls.length === 0) return 'dump only';
  return ls.length > 6 ? `${ls.slice(0, 6).join(', ')}, \u2026` : ls.join(', ');
}
