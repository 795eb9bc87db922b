// `spylog --help`, `spylog help <command>`, `spylog <command> -h`: rendered from the same
// tables the parser reads (spec.ts), wrapped to the terminal's width (at most 100 columns:
// longer lines are hard to read).
import { wrapText } from '../report/width.js';
import { EXIT_CODES, GLOBAL_OPTIONS, optionNames, positionalUsage, type CommandSpec, type OptionSpec } from './spec.js';

const MAX_WIDTH = 100;
const NBSP = '\u00a0';

/** The overview: what spylog is, its commands, the global options. */
export function renderOverview(specs: CommandSpec[], width: number): string {
  const w = Math.min(width, MAX_WIDTH);
  const out = [
    'Usage: spylog [report] [options] <logs...>',
    '       spylog <command> [options] <arguments>',
    '',
    ...wrapText(
      'Turn COM IMallocSpy ("MALLOC SPY:") logs into a leak verdict: true leaks, memory the COM runtime holds until ExitProcess, and what a truncated log cannot tell.',
      w,
    ),
    '',
    'Commands:',
    ...twoColumns(
      specs.map((s) => [`${s.name} ${positionalUsage(s)}`, s.summary + (s.name === 'report' ? ' (the default command)' : '')]),
      w,
    ),
    '',
    'Options of every command:',
    ...twoColumns(optionRows(GLOBAL_OPTIONS), w),
    '',
    ...wrapText(`'spylog help <command>' or 'spylog <command> --help' lists a command's options.`, w),
    '',
    'Examples:',
    ...twoColumns(
      specs.flatMap((s) => s.examples ?? []),
      w,
    ),
    '',
    ...wrapText(EXIT_CODES, w),
  ];
  return out.join('\n') + '\n';
}

/** One command's help: usage, description, arguments, options, examples. */
export function renderCommandHelp(spec: CommandSpec, width: number): string {
  const w = Math.min(width, MAX_WIDTH);
  const out = [
    `Usage: spylog ${spec.name} [options] ${positionalUsage(spec)}`,
    '',
    ...wrapText(spec.description, w),
    '',
    'Arguments:',
    ...twoColumns(
      spec.positionals.map((p) => [p.variadic ? `<${p.name}...>` : `<${p.name}>`, p.describe]),
      w,
    ),
    '',
    'Options:',
    ...twoColumns(optionRows({ ...spec.options, ...GLOBAL_OPTIONS }), w),
  ];
  if (spec.examples?.length) out.push('', 'Examples:', ...twoColumns(spec.examples, w));
  out.push('', ...wrapText(EXIT_CODES, w));
  return out.join('\n') + '\n';
}

function optionRows(options: Record<string, OptionSpec>): [string, string][] {
  return Object.entries(options).map(([name, o]) => {
    const names = optionNames(name, o);
    const left = (o.short ? '' : '    ') + names.join(', ') + (o.type === 'boolean' ? '' : ` ${o.value ?? (o.type === 'number' ? 'N' : 'TEXT')}`);
    const facts: string[] = [];
    if (o.choices) facts.push(`${o.choices.join(', ')}`);
    // A default is never split across lines (no-break spaces until the text is wrapped).
    if (o.default !== undefined && o.default !== false) {
      const shown = (Array.isArray(o.default) ? o.default : [o.default]).map((d) =>
        typeof d === 'string' ? JSON.stringify(d).replaceAll(' ', NBSP) : String(d),
      );
      facts.push(`default: ${shown.join(', ')}`);
    }
    return [left, o.describe + (facts.length ? ` [${facts.join('; ')}]` : '')];
  });
}

/** Left column (names) and right column (text), the text wrapped; a long name puts its text on the next line. */
function twoColumns(rows: [string, string][], width: number): string[] {
  const indent = 2;
  const left = Math.min(Math.max(...rows.map(([l]) => l.length), 0), 28);
  const textCol = indent + left + 2;
  const out: string[] = [];
  for (const [l, r] of rows) {
    const text = wrapText(r, Math.max(20, width - textCol)).map((t) => t.replaceAll(NBSP, ' '));
    if (l.length > left) {
      out.push(' '.repeat(indent) + l);
      for (const t of text) out.push(' '.repeat(textCol) + t);
      continue;
    }
    text.forEach((t, i) => out.push(i === 0 ? ' '.repeat(indent) + l.padEnd(left + 2) + t : ' '.repeat(textCol) + t));
  }
  return out;
}
