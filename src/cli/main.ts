// Argument parsing and dispatch. main() returns the exit code: 0 ok, 1 a gate failed,
// 2 bad usage or unreadable input. It never calls process.exit.
import yargs from 'yargs';
import { SpylogError } from '../errors.js';
import { reportBuilder, reportCommand, type ReportArgs } from './commands/report.js';
import { diffBuilder, diffCommand, type DiffArgs } from './commands/diff.js';
import { warn, type Io } from './io.js';
import { checkBuilder, checkCommand, type CheckArgs } from './commands/check.js';
import { baselineBuilder, baselineCommand, type BaselineArgs } from './commands/baseline.js';

/** yargs-parser drops a lone `-`; it stands for standard input, so carry it through. */
const STDIN_TOKEN = '\u0000stdin';

export async function main(rawArgv: string[], io: Io): Promise<number> {
  const argv = rawArgv.map((a) => (a === '-' ? STDIN_TOKEN : a));
  let action: (() => Promise<number>) | null = null;
  const parser = yargs(argv)
    .scriptName('spylog')
    .usage('$0 [report] <log...>\n\nTurn COM IMallocSpy ("MALLOC SPY:") logs into a leak verdict.')
    .command(
      ['report <logs..>', '$0 <logs..>'],
      'analyse logs: true leaks, runtime-held memory, and what a truncated log cannot tell',
      (y) => reportBuilder(y),
      (args) => {
        action = () => reportCommand(withStdin(args) as unknown as ReportArgs, io);
      },
    )
    .command(
      'diff <a> <b>',
      'what changed between two runs (NT 4 vs Windows 2000, before vs after a fix)',
      (y) => diffBuilder(y),
      (args) => {
        action = () => diffCommand(withStdin(args) as unknown as DiffArgs, io);
      },
    )
    .command(
      'check <log>',
      'CI gate: exit 1 on true leaks (and, by default, on blocks a truncated log cannot decide)',
      (y) => checkBuilder(y),
      (args) => {
        action = () => checkCommand(withStdin(args) as unknown as CheckArgs, io, rawArgv);
      },
    )
    .command(
      'baseline <log>',
      'CSV of the memory the COM runtime holds until ExitProcess, from a console capture',
      (y) => baselineBuilder(y),
      (args) => {
        action = () => baselineCommand(withStdin(args) as unknown as BaselineArgs, io);
      },
    )
    .example('$0 report fixtures/w2k-console.log', 'text report')
    .example('$0 report --format json run.log', 'one JSON object (spylog/report@1) per log, one per line')
    .example('prog.exe | $0 -', 'read standard input')
    .strict()
    .exitProcess(false)
    .wrap(Math.min(100, process.stdout.columns ?? 100))
    .version()
    .help()
    .fail((msg, err) => {
      throw err ?? new SpylogError('USAGE', msg);
    });

  let output = '';
  try {
    await parser.parseAsync(argv, {}, (_err, _args, out) => {
      output = out;
    });
  } catch (err) {
    if (err instanceof SpylogError) {
      warn(io, err.message);
      io.stderr.write('Run "spylog --help" for usage.\n');
      return 2;
    }
    throw err;
  }
  if (output) io.stdout.write(output.endsWith('\n') ? output : output + '\n');
  if (!action) return 0; // --help or --version
  try {
    return await (action as () => Promise<number>)();
  } catch (err) {
    if (err instanceof SpylogError) {
      warn(io, err.message);
      return 2;
    }
    throw err;
  }
}

function withStdin<T extends Record<string, unknown>>(args: T): T {
  const out: Record<string, unknown> = { ...args };
  for (const [k, v] of Object.entries(out)) {
    if (v === STDIN_TOKEN) out[k] = '-';
    else if (Array.isArray(v)) out[k] = v.map((x) => (x === STDIN_TOKEN ? '-' : x));
  }
  return out as T;
}
