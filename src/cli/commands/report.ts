// `spylog report LOG...`: one report per log, in the chosen format.
import type { Argv } from 'yargs';
import { SpylogError } from '../../errors.js';
import { REPORT_FORMATS, REPORTERS, type ReportFormat, type Reporter } from '../../report/index.js';
import { analysisOptions, toAnalyzeOptions, type AnalysisArgs } from '../common.js';
import { analyzeLog, styleFor, warn, type Io } from '../io.js';

export function reportBuilder<T>(y: Argv<T>) {
  return analysisOptions(
    y
      .positional('logs', { type: 'string', array: true, describe: 'log files (- for standard input)', demandOption: true })
      .option('format', { alias: 'f', choices: REPORT_FORMATS, default: 'text' as ReportFormat, describe: 'output format' }),
  );
}

export interface ReportArgs extends AnalysisArgs {
  logs: string[];
  format: ReportFormat;
}

export async function reportCommand(args: ReportArgs, io: Io): Promise<number> {
  if (args.logs.filter((l) => l === '-').length > 1) throw new SpylogError('USAGE', 'standard input (-) can be read only once');
  const reporter: Reporter = REPORTERS[args.format];
  const style = styleFor(io);
  const options = toAnalyzeOptions(args);
  let status = 0;
  let written = 0;
  if (reporter.header) io.stdout.write(reporter.header());
  for (const log of args.logs) {
    try {
      const report = await analyzeLog(log, io, options, args.quiet);
      if (written++ > 0 && reporter.separator) io.stdout.write(reporter.separator);
      io.stdout.write(reporter.render(report, style));
    } catch (err) {
      if (!(err instanceof SpylogError)) throw err;
      warn(io, err.message);
      status = 2;
    }
  }
  return status;
}
