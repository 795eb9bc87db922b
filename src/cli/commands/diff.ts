// `spylog diff A B`: what changed between two runs. A is analysed to the end before B
// is opened, so memory holds two reports (live and reported blocks), never two logs.
import { SpylogError } from '../../errors.js';
import { nothingToJudge } from '../../verdict/nothing.js';
import { DIFF_FORMATS, DIFF_PARTS, FAIL_ON_NEW, diffReports, failOnNew, type DiffFormat, type FailOnNew } from '../../diff/index.js';
import {
  ANALYSIS_OPTIONS,
  decisionOptions,
  refuseNothingToJudge,
  toAnalyzeOptions,
  toDeciders,
  type AnalysisArgs,
  type DecisionArgs,
} from '../common.js';
import { analyzeLog, styleFor, warn, writeParts, type Io } from '../io.js';
import { oneLog } from '../one-log.js';
import type { CommandSpec } from '../spec.js';

export const spec: CommandSpec = {
  name: 'diff',
  summary: 'what changed between two runs (NT 4 vs Windows 2000, before vs after a fix)',
  description:
    'Compare two runs: blocks are matched by category, allocating context and size (addresses change from run to run), and the output says which groups grew, shrank, appeared or moved between categories.',
  positionals: [
    { name: 'a', describe: 'the earlier (reference) log; - reads standard input' },
    { name: 'b', describe: 'the later log; - reads standard input' },
  ],
  options: {
    format: { type: 'string', short: 'f', value: 'FORMAT', choices: DIFF_FORMATS, default: 'text', describe: 'output format' },
    'fail-on-new': {
      type: 'string',
      value: 'CATEGORY',
      choices: FAIL_ON_NEW,
      describe: 'exit 1 when B has more blocks of this category than A at some allocating context and size (any: true-leak and unresolved together)',
    },
    ...decisionOptions(false),
    ...ANALYSIS_OPTIONS,
  },
  examples: [['spylog diff before.log after.log --fail-on-new true-leak', 'CI: exit 1 on a new leak']],
};

export interface DiffArgs extends AnalysisArgs, DecisionArgs {
  a: string;
  b: string;
  format: DiffFormat;
  failOnNew?: FailOnNew;
}

export async function run(args: DiffArgs, io: Io): Promise<number> {
  const a = await oneLog(args.a, io, '<a>');
  const b = await oneLog(args.b, io, '<b>');
  if (a === '-' && b === '-') throw new SpylogError('USAGE', 'standard input (-) can be only one side of a diff');
  const options = { ...toAnalyzeOptions(args), ...(await toDeciders(args)) };
  const before = await analyzeLog(a, io, options, args.quiet);
  const after = await analyzeLog(b, io, options, args.quiet);
  for (const side of [before, after]) {
    // A side with nothing to judge makes every block of the other look new (or gone).
    if (args.failOnNew) refuseNothingToJudge(side, 'compare', ': --fail-on-new needs two spy logs');
    else {
      const nothing = nothingToJudge(side, 'compare');
      if (nothing) warn(io, nothing);
    }
  }
  const diff = diffReports(before, after);
  await writeParts(io.stdout, DIFF_PARTS[args.format](diff, styleFor(io, args.color)));
  if (!args.failOnNew) return 0;
  const gate = failOnNew(diff, args.failOnNew);
  if (!gate.tripped) return 0;
  warn(io, gate.message + (diff.weak ? ' (the comparison is weak: see the output)' : ''));
  return 1;
}
