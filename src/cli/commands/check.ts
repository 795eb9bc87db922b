// `spylog check LOG`: the CI gate. Exit 0 when it holds, 1 when it fails, 2 for bad
// usage or unreadable input (the log, the baseline, or an output file). The log is read
// and analysed once, whatever the number of outputs: `-f junit -o a.xml -f sarif -o b.sarif`.
import { promises as fsp } from 'node:fs';
import { resolve } from 'node:path';
import { packageInfo } from '../package-info.js';
import { SpylogError } from '../../errors.js';
import { gate, POLICIES, type Policy } from '../../check/gate.js';
import { CHECK_FORMATS, loadCheckReporter, type CheckFormat } from '../../check/reporters/formats.js';
import { PLAIN } from '../../report/style.js';
import { asciiTypography } from '../../report/width.js';
import type { CiOptions } from '../../check/findings.js';
import {
  ANALYSIS_OPTIONS,
  decisionOptions,
  refuseNothingToJudge,
  toAnalyzeOptions,
  toDeciders,
  wholeOption,
  type AnalysisArgs,
  type DecisionArgs,
} from '../common.js';
import { analyzeLog, styleFor, writeParts, type Io } from '../io.js';
import { writeOutputFile } from '../output.js';
import { oneLog } from '../one-log.js';
import type { CommandSpec } from '../spec.js';

export const spec: CommandSpec = {
  name: 'check',
  summary: 'CI gate: exit 1 on true leaks (and, by default, on blocks a truncated log cannot decide)',
  description:
    'Gate a build on a log: exit 0 when the gates hold, 1 when one fails, 2 for bad usage or unreadable input. The gates: true leaks (at most --max-leaks), leaked bytes (with --max-leak-bytes), unresolved blocks (--unresolved), and a baseline that found its blocks (--stale). The log is analysed once, whatever the number of outputs.',
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
    format: {
      type: 'string',
      short: 'f',
      value: 'FORMAT',
      multiple: true,
      choices: CHECK_FORMATS,
      describe: 'output format; repeat it, each followed by its -o, for several outputs of one analysis (default: text)',
    },
    output: {
      type: 'string',
      short: 'o',
      value: 'FILE',
      multiple: true,
      describe: 'write the -f before it to FILE (folders are created); stdout then gets the verdict line',
    },
    name: {
      type: 'string',
      value: 'ID',
      describe: "the log's id in CI outputs: JUnit classname, SARIF category, fingerprints (default: the log's file name without extension)",
    },
    anchor: {
      type: 'string',
      value: 'FILE[:LINE]',
      describe: 'a committed file to locate CI findings at when no source line or baseline row does (default: the log)',
    },
    'source-root': {
      type: 'string',
      value: 'DIR',
      describe: 'the repository root: absolute paths under it are written relative to it in CI outputs (default: the current folder)',
    },
    'step-summary': {
      type: 'boolean',
      default: true,
      describe: 'when GITHUB_STEP_SUMMARY is set, append the Markdown job summary to it (--no-step-summary: do not)',
    },
    ...ANALYSIS_OPTIONS,
  },
  examples: [
    ['spylog check spy.log -b known-runtime.csv -f junit -o junit.xml -f sarif -o spylog.sarif', 'the CI gate, two outputs of one analysis'],
  ],
};

export interface CheckArgs extends AnalysisArgs, DecisionArgs {
  log: string;
  maxLeaks: number;
  maxLeakBytes?: number;
  unresolved: Policy;
  stale: Policy;
  format?: CheckFormat[];
  output?: string[];
  name?: string;
  anchor?: string;
  sourceRoot?: string;
  stepSummary: boolean;
}

/** Where one format goes: a file, or standard output (null). */
interface Target {
  format: CheckFormat;
  path: string | null;
}

export async function run(args: CheckArgs, io: Io, argv: readonly string[] = []): Promise<number> {
  const maxLeaks = wholeOption('--max-leaks', args.maxLeaks, 0);
  const maxLeakBytes = args.maxLeakBytes === undefined ? null : wholeOption('--max-leak-bytes', args.maxLeakBytes, 0);
  if (args.name !== undefined && (args.name.trim() === '' || /[\u0000-\u001f]/.test(args.name)))
    throw new SpylogError('USAGE', '--name must be a non-empty single line');
  const targets = pairOutputs(args.format ?? [], args.output ?? [], argv);
  const anchor = args.anchor === undefined ? null : await parseAnchor(args.anchor);
  const started = performance.now();
  const deciders = await toDeciders(args);
  const report = await analyzeLog(await oneLog(args.log, io), io, { ...toAnalyzeOptions(args), ...deciders }, args.quiet);
  // An empty log, or one no dialect reads, is no evidence of anything: a gate over it would pass vacuously.
  refuseNothingToJudge(report, 'check');
  const result = gate(report, { maxLeaks, maxLeakBytes, unresolved: args.unresolved, stale: args.stale });
  const options: CiOptions = {
    ...(args.name !== undefined ? { name: args.name } : {}),
    sourceRoot: sourceRoot(args.sourceRoot),
    anchor,
    baselineComplete: deciders.baseline?.completeLines ?? null,
    elapsedMs: performance.now() - started,
    tool: packageInfo(),
  };

  const style = styleFor(io, args.color);
  // Each output is written in pieces as it is made (a check of a million leaks is hundreds
  // of megabytes): files in the order given, then standard output.
  let toStdout: CheckFormat | null = null;
  for (const t of targets) {
    if (t.path === null) toStdout = t.format;
    else await writeOutputFile(t.path, (await loadCheckReporter(t.format))(result, PLAIN, options));
  }
  // On GitHub Actions the job summary shows on the run's page; appended, because other
  // steps' tools (and other spylog checks of this step) write to the same file.
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (args.stepSummary && summary) await writeOutputFile(summary, ['\n', ...(await loadCheckReporter('markdown'))(result, PLAIN, options)], 'append');
  // The verdict alone (every format went to a file) is drawn like the text report: ASCII off a terminal.
  if (toStdout !== null) await writeParts(io.stdout, (await loadCheckReporter(toStdout))(result, style, options));
  else io.stdout.write((style.unicode ? result.verdict : asciiTypography(result.verdict)) + '\n');
  return result.passed ? 0 : 1;
}

/**
 * Pairs each --format with the --output after it. The parser gives the two lists apart, so the
 * order they were written in is read from the command line: a format without an output
 * (standard output) must come last, else `-f github -f junit -o j.xml` would silently send
 * the annotations to j.xml.
 */
export function pairOutputs(formats: CheckFormat[], outputs: string[], argv: readonly string[]): Target[] {
  // `-o -` would write a file named `-`: standard output is where the format without -o goes.
  if (outputs.includes('-'))
    throw new SpylogError(
      'USAGE',
      '-o - is not standard output here: give the format that goes to standard output last, without -o (e.g. -f junit -o junit.xml -f github)',
    );
  const order: ('f' | 'o')[] = [];
  for (const a of argv) {
    if (a === '--') break;
    if (/^--format(=|$)/.test(a)) order.push('f');
    else if (/^--output(=|$)/.test(a)) order.push('o');
    else if (/^-[a-zA-Z]/.test(a)) {
      // A cluster (`-f`, `-fjson`, `-qf`, `-qojunit.xml`): switches, then at most one letter that takes a value.
      for (const l of a.slice(1)) {
        if (l === 'f' || l === 'o') order.push(l);
        if (l !== 'q' && l !== 'h') break;
      }
    }
  }
  if (formats.length === 0) {
    // Without -f, the text report; -o alone writes it to a file.
    if (outputs.length > 1)
      throw new SpylogError('USAGE', `${outputs.length} --output files but no --format: give each file its -f (e.g. -f junit -o junit.xml)`);
    return [{ format: 'text', path: outputs[0] ?? null }];
  }
  const shape = order.join('');
  const paired =
    /^(fo)*f?$/.test(shape) && order.filter((x) => x === 'f').length === formats.length && order.filter((x) => x === 'o').length === outputs.length;
  if (!paired) {
    throw new SpylogError(
      'USAGE',
      'write each --format (-f) followed by its --output (-o), e.g. -f junit -o junit.xml -f sarif -o spylog.sarif; one format without -o (standard output) may come last',
    );
  }
  const targets = formats.map((format, i): Target => ({ format, path: outputs[i] ?? null }));
  const seen = new Set<string>();
  for (const t of targets) {
    if (t.path === null) continue;
    const key = resolve(t.path);
    if (seen.has(key)) throw new SpylogError('USAGE', `${t.path} is given as --output twice`);
    seen.add(key);
  }
  return targets;
}

/** `--anchor FILE[:LINE]`: an existing file (a typo would locate every finding nowhere), line 1 by default. */
async function parseAnchor(text: string): Promise<{ path: string; line: number }> {
  // The last `:digits` is the line; `C:\\src\\main.cpp` keeps its drive colon.
  const m = /^(.+?)(?::(\d+))?$/.exec(text);
  const path = m?.[1] ?? '';
  const line = m?.[2] === undefined ? 1 : Number(m[2]);
  if (!path || !Number.isSafeInteger(line) || line < 1)
    throw new SpylogError('USAGE', `--anchor needs FILE or FILE:LINE with a line >= 1 (got "${text}")`);
  const stat = await fsp.stat(path).catch(() => null);
  if (!stat?.isFile()) throw new SpylogError('USAGE', `--anchor ${path}: no such file (name a file committed to the repository)`);
  return { path, line };
}

/** The repository root as given, or the current folder. A Windows path stays as written on any system: CRT paths in a log name the build machine's files. */
function sourceRoot(given: string | undefined): string {
  if (given === undefined) return process.cwd();
  return /^[A-Za-z]:[\\/]|^[\\/]{2}/.test(given) ? given : resolve(given);
}
