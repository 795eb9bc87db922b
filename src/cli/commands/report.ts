// `spylog report LOG...`: one report per log, in the chosen format.
import { writeFile } from 'node:fs/promises';
import type { Argv } from 'yargs';
import { SpylogError } from '../../errors.js';
import { REPORT_FORMATS, REPORTERS, type ReportFormat, type Reporter } from '../../report/index.js';
import { analysisOptions, decisionOptions, toAnalyzeOptions, toDeciders, wholeOption, type AnalysisArgs, type DecisionArgs } from '../common.js';
import { analyzeLog, styleFor, warn, writeParts, type Io } from '../io.js';
import { renderHtml } from '../../report/html.js';
import type { Report } from '../../model/report.js';
import { noDialectMatched } from '../../verdict/nothing.js';

export function reportBuilder<T>(y: Argv<T>) {
  return analysisOptions(
    decisionOptions(y)
      .positional('logs', { type: 'string', array: true, describe: 'log files (- for standard input)', demandOption: true })
      .option('format', { alias: 'f', choices: REPORT_FORMATS, default: 'text' as ReportFormat, describe: 'output format' })
      .option('html', { type: 'string', describe: 'also write a self-contained HTML report (chart, tables) to this file' })
      .option('episode-threshold', {
        type: 'number',
        default: 100,
        describe: 'same-size blocks piled up then released (or never) that make a deferred-release / unbounded-growth finding',
      }),
  );
}

export interface ReportArgs extends AnalysisArgs, DecisionArgs {
  logs: string[];
  format: ReportFormat;
  html?: string;
  episodeThreshold: number;
}

export async function reportCommand(args: ReportArgs, io: Io): Promise<number> {
  if (args.logs.filter((l) => l === '-').length > 1) throw new SpylogError('USAGE', 'standard input (-) can be read only once');
  const reporter: Reporter = REPORTERS[args.format];
  const style = styleFor(io);
  const options = {
    ...toAnalyzeOptions(args),
    ...(await toDeciders(args)),
    episodeThreshold: wholeOption('--episode-threshold', args.episodeThreshold, 2),
  };
  const forHtml: Report[] = [];
  let status = 0;
  let written = 0;
  if (reporter.header) io.stdout.write(reporter.header());
  for (const log of args.logs) {
    try {
      const report = await analyzeLog(log, io, options, args.quiet);
      const unmatched = noDialectMatched(report);
      if (unmatched) warn(io, unmatched);
      if (written++ > 0 && reporter.separator) io.stdout.write(reporter.separator);
      await writeParts(io.stdout, reporter.parts ? reporter.parts(report, style) : [reporter.render(report, style)]);
      if (args.html !== undefined) forHtml.push(report);
    } catch (err) {
      if (!(err instanceof SpylogError)) throw err;
      warn(io, err.message);
      status = 2;
    }
  }
  if (args.html !== undefined && forHtml.length > 0) {
    try {
      await writeFile(args.html, renderHtml(forHtml));
    } catch (err) {
      throw new SpylogError('BAD_OUTPUT', `cannot write ${args.html}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }
  return status;
}
