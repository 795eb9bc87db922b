// `spylog diff A B`: what changed between two runs. A is analysed to the end before B
// is opened, so memory holds two reports (live and reported blocks), never two logs.
import type { Argv } from 'yargs';
import { SpylogError } from '../../errors.js';
import { nothingToJudge } from '../../verdict/nothing.js';
import { DIFF_FORMATS, DIFF_REPORTERS, FAIL_ON_NEW, diffReports, failOnNew, type DiffFormat, type FailOnNew } from '../../diff/index.js';
import { analysisOptions, decisionOptions, toAnalyzeOptions, toDeciders, type AnalysisArgs, type DecisionArgs } from '../common.js';
import { analyzeLog, styleFor, warn, type Io } from '../io.js';

export function diffBuilder<T>(y: Argv<T>) {
  return analysisOptions(
    decisionOptions(y, false)
      .positional('a', { type: 'string', describe: 'the earlier (reference) log, - for standard input', demandOption: true })
      .positional('b', { type: 'string', describe: 'the later log, - for standard input', demandOption: true })
      .option('format', { alias: 'f', choices: DIFF_FORMATS, default: 'text' as DiffFormat, describe: 'output format' })
      .option('fail-on-new', {
        choices: FAIL_ON_NEW,
        describe:
          'exit 1 when B has more blocks of this category than A at some allocating context and size (any: true-leak and unresolved together)',
      }),
  );
}

export interface DiffArgs extends AnalysisArgs, DecisionArgs {
  a: string;
  b: string;
  format: DiffFormat;
  failOnNew?: FailOnNew;
}

export async function diffCommand(args: DiffArgs, io: Io): Promise<number> {
  if (args.a === '-' && args.b === '-') throw new SpylogError('USAGE', 'standard input (-) can be only one side of a diff');
  const options = { ...toAnalyzeOptions(args), ...(await toDeciders(args)) };
  const a = await analyzeLog(args.a, io, options, args.quiet);
  const b = await analyzeLog(args.b, io, options, args.quiet);
  for (const side of [a, b]) {
    // A side with nothing to judge makes every block of the other look new (or gone).
    const nothing = nothingToJudge(side, 'compare');
    if (nothing && args.failOnNew) throw new SpylogError(side.bytes === 0 ? 'USAGE' : 'BAD_DIALECT', `${nothing}: --fail-on-new needs two spy logs`);
    if (nothing) warn(io, nothing);
  }
  const diff = diffReports(a, b);
  io.stdout.write(DIFF_REPORTERS[args.format](diff, styleFor(io)));
  if (!args.failOnNew) return 0;
  const gate = failOnNew(diff, args.failOnNew);
  if (!gate.tripped) return 0;
  warn(io, gate.message + (diff.weak ? ' (the comparison is weak: see the output)' : ''));
  return 1;
}
