// `spylog report LOG...`: one report per log, in the chosen format.
import { SpylogError } from '../../errors.js';
import { REPORT_FORMATS, loadReporter, type ReportFormat } from '../../report/formats.js';
import { ANALYSIS_OPTIONS, decisionOptions, toAnalyzeOptions, toDeciders, wholeOption, type AnalysisArgs, type DecisionArgs } from '../common.js';
import { analyzeLog, styleFor, warn, writeParts, type Io } from '../io.js';
import { makeFolderFor, writeOutputFile } from '../output.js';
import type { Report } from '../../model/report.js';
import { noDialectMatched } from '../../verdict/nothing.js';
import { expandLogArgs } from '../expand.js';
import type { CommandSpec } from '../spec.js';

export const spec: CommandSpec = {
  name: 'report',
  summary: 'analyse logs: true leaks, runtime-held memory, and what a truncated log cannot tell',
  description:
    'Analyse each log: which blocks the program leaked, which the COM runtime held until CoUninitialize or ExitProcess, and which a truncated log cannot decide. Wildcards (logs\\*.log) are expanded by spylog, also in cmd and PowerShell.',
  positionals: [{ name: 'logs', variadic: true, describe: 'log files or wildcards such as logs\\*.log; - reads standard input' }],
  options: {
    format: { type: 'string', short: 'f', value: 'FORMAT', choices: REPORT_FORMATS, default: 'text', describe: 'output format' },
    html: { type: 'string', value: 'FILE', describe: 'also write a self-contained HTML report (chart, tables) to FILE; missing folders are created' },
    ...decisionOptions(),
    'episode-threshold': {
      type: 'number',
      value: 'N',
      default: 100,
      describe: 'same-size blocks piled up then released (or never) that make a deferred-release / unbounded-growth finding',
    },
    ...ANALYSIS_OPTIONS,
  },
  examples: [
    ['spylog report fixtures\\w2k-console.log', 'text report'],
    ['spylog report "logs\\*.log" -f json', 'one JSON object (spylog/report@1) per log, one per line'],
    ['prog.exe | spylog -', 'read standard input'],
  ],
};

export interface ReportArgs extends AnalysisArgs, DecisionArgs {
  logs: string[];
  format: ReportFormat;
  html?: string;
  episodeThreshold: number;
}

export async function run(args: ReportArgs, io: Io): Promise<number> {
  if (args.logs.filter((l) => l === '-').length > 1) throw new SpylogError('USAGE', 'standard input (-) can be read only once');
  // `--html -` would write a file named `-`; standard output gets the text, JSON or CSV report.
  if (args.html === '-') throw new SpylogError('USAGE', '--html needs a file name: standard output gets the --format report, not the HTML one');
  const reporter = await loadReporter(args.format);
  const style = styleFor(io, args.color);
  const options = {
    ...toAnalyzeOptions(args),
    ...(await toDeciders(args)),
    episodeThreshold: wholeOption('--episode-threshold', args.episodeThreshold, 2),
  };
  // A folder that cannot be made fails now, not after a long analysis and a printed report.
  if (args.html !== undefined) await makeFolderFor(args.html);
  let status = 0;
  // A wildcard that matches nothing is like a missing file: said, exit 2, the others reported.
  const logs: string[] = [];
  for (const arg of args.logs) {
    try {
      logs.push(...(await expandLogArgs([arg], { platform: io.platform ?? process.platform, cwd: process.cwd() })));
    } catch (err) {
      if (!(err instanceof SpylogError)) throw err;
      warn(io, err.message);
      status = 2;
    }
  }
  const forHtml: Report[] = [];
  let written = 0;
  if (reporter.header) io.stdout.write(reporter.header());
  for (const log of logs) {
    try {
      const report = await analyzeLog(log, io, options, args.quiet);
      const unmatched = noDialectMatched(report);
      if (unmatched) warn(io, unmatched);
      if (written++ > 0 && reporter.separator) io.stdout.write(reporter.separator);
      const parts = reporter.bytes ?? reporter.parts;
      await writeParts(io.stdout, parts ? parts(report, style) : [reporter.render(report, style)]);
      if (args.html !== undefined) forHtml.push(report);
    } catch (err) {
      if (!(err instanceof SpylogError)) throw err;
      warn(io, err.message);
      status = 2;
    }
  }
  if (args.html !== undefined && forHtml.length > 0) {
    const { renderHtml } = await import('../../report/html.js');
    await writeOutputFile(args.html, renderHtml(forHtml));
  }
  return status;
}
