// `spylog check LOG`: the CI gate. Exit 0 when it holds, 1 when it fails, 2 for bad
// usage or unreadable input (the log, the baseline, or the output file).
import { noDialectMatched } from '../../verdict/nothing.js';
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { SpylogError } from '../../errors.js';
import { gate, POLICIES, type Policy } from '../../check/gate.js';
import { CHECK_FORMATS, CHECK_REPORTERS, type CheckFormat } from '../../check/reporters/index.js';
import { PLAIN } from '../../report/style.js';
import { ANALYSIS_OPTIONS, decisionOptions, toAnalyzeOptions, toDeciders, type AnalysisArgs, type DecisionArgs } from '../common.js';
import { analyzeLog, styleFor, type Io } from '../io.js';
import { oneLog } from '../one-log.js';
import type { CommandSpec } from '../spec.js';

export const spec: CommandSpec = {
  name: 'check',
  summary: 'CI gate: exit 1 on true leaks (and, by default, on blocks a truncated log cannot decide)',
  description:
    'Gate a build on a log: exit 0 when the gates hold, 1 when one fails, 2 for bad usage or unreadable input. The gates: true leaks (at most --max-leaks), leaked bytes (with --max-leak-bytes), unresolved blocks (--unresolved), and a baseline that found its blocks (--stale).',
  positionals: [{ name: 'log', describe: 'log file; - reads standard input' }],
  options: {
    ...decisionOptions(),
    'max-leaks': { type: 'number', value: 'N', default: 0, describe: 'true leaks (blocks) tolerated' },
    'max-leak-bytes': { type: 'number', value: 'N', describe: 'true-leak bytes tolerated (default: no byte limit)' },
    unresolved: {
      type: 'string',
      value: 'POLICY',
      choices: POLICIES,
      default: 'fail',
      describe: 'what never-freed blocks of a possibly truncated log do to the gate',
    },
    stale: {
      type: 'string',
      value: 'POLICY',
      choices: POLICIES,
      default: 'warn',
      describe: 'what baseline entries that found fewer blocks do to the gate',
    },
    format: { type: 'string', short: 'f', value: 'FORMAT', choices: CHECK_FORMATS, default: 'text', describe: 'output format' },
    output: { type: 'string', short: 'o', value: 'FILE', describe: 'write the output to FILE; the verdict line still goes to stdout' },
    ...ANALYSIS_OPTIONS,
  },
  examples: [['spylog check spy.log --baseline known-runtime.csv -f junit -o junit.xml', 'the CI gate']],
};

export interface CheckArgs extends AnalysisArgs, DecisionArgs {
  log: string;
  maxLeaks: number;
  maxLeakBytes?: number;
  unresolved: Policy;
  stale: Policy;
  format: CheckFormat;
  output?: string;
}

export async function run(args: CheckArgs, io: Io): Promise<number> {
  const maxLeaks = count('--max-leaks', args.maxLeaks);
  const maxLeakBytes = args.maxLeakBytes === undefined ? null : count('--max-leak-bytes', args.maxLeakBytes);
  const report = await analyzeLog(await oneLog(args.log, io), io, { ...toAnalyzeOptions(args), ...(await toDeciders(args)) }, args.quiet);
  // An empty log is no evidence of anything: a program that died before printing must not pass.
  if (report.bytes === 0) throw new SpylogError('USAGE', `${report.source} is empty: there is nothing to check`);
  // A gate over a log that is not a spy log at all would pass vacuously: refuse it.
  const unmatched = noDialectMatched(report);
  if (unmatched) throw new SpylogError('BAD_DIALECT', unmatched);
  const result = gate(report, { maxLeaks, maxLeakBytes, unresolved: args.unresolved, stale: args.stale });
  if (args.output !== undefined) {
    const text = CHECK_REPORTERS[args.format](result, PLAIN);
    try {
      await fsp.mkdir(dirname(args.output), { recursive: true });
      await fsp.writeFile(args.output, text);
    } catch (err) {
      throw new SpylogError('BAD_OUTPUT', `cannot write ${args.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    io.stdout.write(result.verdict + '\n');
  } else {
    io.stdout.write(CHECK_REPORTERS[args.format](result, styleFor(io, args.color)));
  }
  return result.passed ? 0 : 1;
}

function count(flag: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new SpylogError('USAGE', `${flag} needs a whole number >= 0`);
  return n;
}
