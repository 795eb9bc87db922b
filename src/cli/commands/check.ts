// `spylog check LOG`: the CI gate. Exit 0 when it holds, 1 when it fails, 2 for bad
// usage or unreadable input (the log, the baseline, or the output file).
import { noDialectMatched } from '../../verdict/nothing.js';
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { packageInfo } from '../package-info.js';
import type { Argv } from 'yargs';
import { SpylogError } from '../../errors.js';
import { gate, POLICIES, type Policy } from '../../check/gate.js';
import { CHECK_FORMATS, CHECK_REPORTERS, type CheckFormat } from '../../check/reporters/index.js';
import { PLAIN } from '../../report/style.js';
import type { CiOptions } from '../../check/findings.js';
import { analysisOptions, decisionOptions, toAnalyzeOptions, toDeciders, type AnalysisArgs, type DecisionArgs } from '../common.js';
import { analyzeLog, styleFor, type Io } from '../io.js';

export function checkBuilder<T>(y: Argv<T>) {
  return analysisOptions(
    decisionOptions(y.positional('log', { type: 'string', describe: 'log file (- for standard input)', demandOption: true }))
      .option('max-leaks', { type: 'number', default: 0, describe: 'true leaks (blocks) tolerated' })
      .option('max-leak-bytes', { type: 'number', describe: 'true-leak bytes tolerated (default: no byte limit)' })
      .option('unresolved', {
        choices: POLICIES,
        default: 'fail' as Policy,
        describe: 'what never-freed blocks of a possibly truncated log do to the gate',
      })
      .option('stale', { choices: POLICIES, default: 'warn' as Policy, describe: 'what baseline entries that found fewer blocks do to the gate' })
      .option('format', { alias: 'f', choices: CHECK_FORMATS, default: 'text' as CheckFormat, describe: 'output format' })
      .option('output', { alias: 'o', type: 'string', describe: 'write the output to FILE; the verdict line still goes to stdout' })
      .option('name', {
        type: 'string',
        describe: "the log's id in CI outputs: JUnit classname, SARIF category, fingerprints (default: the log's file name without extension)",
      })
      .option('anchor', {
        type: 'string',
        describe: 'FILE[:LINE]: a committed file to locate CI findings at when no source line or baseline row does (default: the log)',
      })
      .option('source-root', {
        type: 'string',
        describe: 'the repository root: absolute paths under it are written relative to it in CI outputs (default: the current folder)',
      }),
  );
}

export interface CheckArgs extends AnalysisArgs, DecisionArgs {
  log: string;
  maxLeaks: number;
  maxLeakBytes?: number;
  unresolved: Policy;
  stale: Policy;
  format: CheckFormat;
  output?: string;
  name?: string;
  anchor?: string;
  sourceRoot?: string;
}

export async function checkCommand(args: CheckArgs, io: Io): Promise<number> {
  const maxLeaks = count('--max-leaks', args.maxLeaks);
  const maxLeakBytes = args.maxLeakBytes === undefined ? null : count('--max-leak-bytes', args.maxLeakBytes);
  if (args.name !== undefined && (args.name.trim() === '' || /[\u0000-\u001f]/.test(args.name)))
    throw new SpylogError('USAGE', '--name must be a non-empty single line');
  const anchor = args.anchor === undefined ? null : await parseAnchor(args.anchor);
  const started = performance.now();
  const deciders = await toDeciders(args);
  const report = await analyzeLog(args.log, io, { ...toAnalyzeOptions(args), ...deciders }, args.quiet);
  // An empty log is no evidence of anything: a program that died before printing must not pass.
  if (report.bytes === 0) throw new SpylogError('USAGE', `${report.source} is empty: there is nothing to check`);
  // A gate over a log that is not a spy log at all would pass vacuously: refuse it.
  const unmatched = noDialectMatched(report);
  if (unmatched) throw new SpylogError('BAD_DIALECT', unmatched);
  const result = gate(report, { maxLeaks, maxLeakBytes, unresolved: args.unresolved, stale: args.stale });
  const options: CiOptions = {
    ...(args.name !== undefined ? { name: args.name } : {}),
    sourceRoot: sourceRoot(args.sourceRoot),
    anchor,
    baselineComplete: deciders.baseline?.completeLines ?? null,
    elapsedMs: performance.now() - started,
    tool: packageInfo(),
  };
  if (args.output !== undefined) {
    const text = CHECK_REPORTERS[args.format](result, PLAIN, options);
    try {
      await fsp.mkdir(dirname(args.output), { recursive: true });
      await fsp.writeFile(args.output, text);
    } catch (err) {
      throw new SpylogError('BAD_OUTPUT', `cannot write ${args.output}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    io.stdout.write(result.verdict + '\n');
  } else {
    io.stdout.write(CHECK_REPORTERS[args.format](result, styleFor(io), options));
  }
  return result.passed ? 0 : 1;
}

function count(flag: string, n: number): number {
  if (!Number.isSafeInteger(n) || n < 0) throw new SpylogError('USAGE', `${flag} needs a whole number >= 0`);
  return n;
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
