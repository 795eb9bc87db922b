// `spylog baseline LOG > known-runtime.csv`: the runtime-held blocks of a trustworthy
// reference run (a console capture), as a CSV for `spylog check --baseline`.
import { SpylogError } from '../../errors.js';
import { bytesOf, count } from '../../text/words.js';
import { unseenIn } from '../../model/report.js';
import { buildBaseline, referenceGap, renderBaseline } from '../../baseline/build.js';
import { ANALYSIS_OPTIONS, refuseNothingToJudge, toAnalyzeOptions, type AnalysisArgs } from '../common.js';
import { analyzeLog, warn, type Io } from '../io.js';
import { oneLog } from '../one-log.js';
import type { CommandSpec } from '../spec.js';

export const spec: CommandSpec = {
  name: 'baseline',
  summary: 'CSV of the memory the COM runtime holds until ExitProcess, from a console capture',
  description:
    "Write the blocks a complete reference run (captured on a console, not redirected) shows freed during ExitProcess, as a CSV for 'spylog check --baseline'. A log that is not complete is refused: its exit-time output is missing.",
  positionals: [{ name: 'log', describe: 'reference log: a console capture; - reads standard input' }],
  options: { ...ANALYSIS_OPTIONS },
  examples: [['spylog baseline console-run.log > known-runtime.csv', 'once per runtime or program change']],
};

export interface BaselineArgs extends AnalysisArgs {
  log: string;
}

export async function run(args: BaselineArgs, io: Io): Promise<number> {
  const report = await analyzeLog(await oneLog(args.log, io), io, toAnalyzeOptions(args), args.quiet);
  // An empty log, or one no dialect reads, is no evidence of anything: a baseline made from it
  // would say the runtime holds nothing, and every runtime-held block of a later run would read as a leak.
  refuseNothingToJudge(report, 'make a baseline from');
  // A baseline lists what the runtime frees in ExitProcess; only a log that shows the
  // exit can say what that is. A redirected capture would give an empty, misleading file.
  if (report.truncation !== 'complete') {
    throw new SpylogError(
      'USAGE',
      `${report.source} is ${report.truncation} (${report.evidence[0] ?? 'no evidence'}); a baseline needs a complete reference run: capture the program on a console`,
    );
  }
  const gap = referenceGap(report);
  if (gap !== null) {
    throw new SpylogError('USAGE', `${report.source}: ${gap}; a baseline needs the whole run, from its first line to its exit`);
  }
  const baseline = buildBaseline(report);
  const leaks = report.summary['true-leak'];
  if (leaks.blocks > 0) {
    warn(
      io,
      `${report.source}: ${count(leaks.blocks, 'true leak')} (${bytesOf(leaks.bytes, leaks.blocks, unseenIn(report.unseen, 'true-leak'))}) in the reference run ${leaks.blocks === 1 ? 'is' : 'are'} not in the baseline: check will keep flagging ${leaks.blocks === 1 ? 'it' : 'them'}`,
    );
  }
  if (baseline.entries.length === 0) warn(io, `${report.source}: no block outlived CoUninitialize; the baseline has no entries`);
  io.stdout.write(renderBaseline(baseline, report));
  return 0;
}
