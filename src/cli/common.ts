// Options shared by the commands that analyse a log (as data: spec.ts), compiled once into
// AnalyzeOptions.
import { SpylogError } from '../errors.js';
import type { AnalyzeOptions } from '../analyze.js';
import type { Report } from '../model/report.js';
import { nothingToJudge } from '../verdict/nothing.js';
import { DEFAULT_MARKERS } from '../parse/options.js';
import { BASELINE_FILE_LIMIT, readSmallFile } from './small-file.js';
import { compileTestPatterns } from '../parse/tests.js';
import type { Baseline } from '../baseline/model.js';
import { decodeText, loadDialect } from './dialect.js';
import type { OptionSpec } from './spec.js';

/** What decides the blocks a log cannot (report, diff, check; not baseline, whose reference run must decide itself). */
export function decisionOptions(short = true): Record<string, OptionSpec> {
  return {
    // `diff` has no -b: its second log is the positional `b`.
    baseline: {
      type: 'string',
      ...(short ? { short: 'b' } : {}),
      value: 'FILE',
      describe: 'CSV of known runtime-held blocks (from spylog baseline): they decide never-freed blocks',
    },
    'trust-known-holders': {
      type: 'boolean',
      default: false,
      describe:
        'never-freed blocks that fit memory a documented runtime holder keeps until ExitProcess (clbcatq.dll) are exitprocess; without it they only get a hint',
    },
    'assume-complete': {
      type: 'boolean',
      default: false,
      describe: 'treat the log as complete: never-freed blocks are true leaks even if it may be truncated',
    },
  };
}

export interface DecisionArgs {
  baseline?: string;
  trustKnownHolders: boolean;
  assumeComplete: boolean;
}

/** The deciders for the analysis: the baseline read (first: a bad one should not cost a long analysis), the known holders and --assume-complete. */
export async function toDeciders(a: DecisionArgs): Promise<Pick<AnalyzeOptions, 'baseline' | 'trustKnownHolders' | 'assumeComplete'>> {
  const baseline = a.baseline === undefined ? null : await loadBaseline(a.baseline);
  return { baseline, trustKnownHolders: a.trustKnownHolders, assumeComplete: a.assumeComplete };
}

/** A baseline file: UTF-8, or UTF-16 with a BOM (what PowerShell 5.1's `>` writes). */
async function loadBaseline(path: string): Promise<Baseline> {
  const text = decodeText(readSmallFile(path, BASELINE_FILE_LIMIT, 'a baseline'));
  // `spylog baseline run.log > known.csv` that failed leaves an empty file behind: taking it
  // for a baseline with no entries would pass the gate's "baseline is current" check.
  if (!text.split(/\r\n|\n|\r/).some((l) => l.trim() !== '' && !l.trimStart().startsWith('#'))) {
    throw new SpylogError('BAD_BASELINE', `${path}:1: the baseline is empty (it needs at least the header line that spylog baseline writes)`);
  }
  // csv-parse is loaded only when a baseline is given.
  const { parseBaseline } = await import('../baseline/read.js');
  return parseBaseline(text, path);
}

export const ANALYSIS_OPTIONS: Record<string, OptionSpec> = {
  dialect: {
    type: 'string',
    value: 'NAME|FILE',
    describe: 'how the spy words its lines: mallocspy, crt, or a JSON file of named regexes (default: detected from the first lines)',
  },
  // Repeating a marker option gives several markers (a program may print either line).
  'couninitialize-marker': {
    type: 'string',
    multiple: true,
    value: 'TEXT',
    default: [...DEFAULT_MARKERS.coUninitialize],
    describe: 'program line printed after CoUninitialize() returned (repeat the option for several)',
  },
  'revoke-marker': {
    type: 'string',
    multiple: true,
    value: 'TEXT',
    default: [...DEFAULT_MARKERS.revoke],
    describe: "prefix of the program line with CoRevokeMallocSpy's HRESULT (repeat for several)",
  },
  'register-marker': {
    type: 'string',
    multiple: true,
    value: 'TEXT',
    default: [...DEFAULT_MARKERS.register],
    describe: "prefix of the program line with CoRegisterMallocSpy's HRESULT (repeat for several)",
  },
  'spy-prefix': { type: 'string', value: 'TEXT', default: DEFAULT_MARKERS.spyPrefix, describe: 'prefix of every spy line' },
  'dump-marker': { type: 'string', value: 'TEXT', default: DEFAULT_MARKERS.dumpStart, describe: 'spy line that starts the dump of live blocks' },
  'max-line-length': {
    type: 'number',
    value: 'N',
    default: 65536,
    describe: 'longer lines are cut and reported as anomalies (bounds memory); 80 to 16777216 (16 MiB)',
  },
  // Test attribution: GoogleTest's lines by default; a harness of one's own by regexes (both replace GoogleTest's).
  'test-start': {
    type: 'string',
    multiple: true,
    value: 'REGEX',
    describe:
      "a program line that starts a test, with a (?<name>...) group for its name (repeat for several; replaces GoogleTest's [ RUN      ] lines, recognised by default)",
  },
  'test-end': {
    type: 'string',
    multiple: true,
    value: 'REGEX',
    describe:
      "a program line that ends a test, with (?<name>...) and optionally (?<outcome>...) (repeat for several; replaces GoogleTest's [       OK ] lines)",
  },
  quiet: { type: 'boolean', short: 'q', default: false, describe: 'no progress bar on stderr' },
};

/** What the parser settles (cli/args.ts): a repeatable option is always an array, its default too. */
export interface AnalysisArgs {
  couninitializeMarker: string[];
  revokeMarker: string[];
  registerMarker: string[];
  spyPrefix: string;
  dumpMarker: string;
  maxLineLength: number;
  dialect?: string;
  testStart?: string[];
  testEnd?: string[];
  quiet: boolean;
  /** --color / --no-color; undefined: decided by the environment. */
  color?: boolean;
}

/** A whole number of at least `min` (and at most `max`), or a usage error naming the option. */
export function wholeOption(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new SpylogError('USAGE', `${name} must be a whole number ${range} (got ${String(value)})`);
  }
  return value;
}

/**
 * The longest line --max-line-length may allow: 16 MiB. A line is held whole while it is read
 * (and a JavaScript string has a size limit): without a bound, one line of a few hundred MB
 * took gigabytes and ended in a crash.
 */
export const MAX_LINE_LENGTH_LIMIT = 16 * 1024 * 1024;

export function toAnalyzeOptions(a: AnalysisArgs): AnalyzeOptions {
  const markers = {
    coUninitialize: a.couninitializeMarker,
    revoke: a.revokeMarker,
    register: a.registerMarker,
    spyPrefix: a.spyPrefix,
    dumpStart: a.dumpMarker,
  };
  for (const [name, texts] of Object.entries({
    '--couninitialize-marker': markers.coUninitialize,
    '--revoke-marker': markers.revoke,
    '--register-marker': markers.register,
    '--spy-prefix': [a.spyPrefix],
    '--dump-marker': [a.dumpMarker],
  })) {
    for (const text of texts) {
      // An empty marker would silently read every line as a program line (or none); one
      // with a line break could never match a line.
      if (String(text).trim() === '') throw new SpylogError('USAGE', `${name} must not be empty`);
      if (/[\r\n]/.test(String(text))) throw new SpylogError('USAGE', `${name} must be a single line`);
    }
  }
  // Either option replaces GoogleTest's patterns: a harness that prints only end lines gives no start pattern.
  const tests = a.testStart === undefined && a.testEnd === undefined ? {} : { tests: compileTestPatterns(a.testStart ?? [], a.testEnd ?? []) };
  return {
    ...(a.dialect !== undefined ? { dialect: loadDialect(a.dialect, markers) } : {}),
    maxLineLength: wholeOption('--max-line-length', a.maxLineLength, 80, MAX_LINE_LENGTH_LIMIT),
    markers,
    ...tests,
  };
}

/**
 * Refuses a log with nothing to judge (empty, or no line any dialect reads) before a gate or
 * a baseline uses it: evidence of nothing would pass a gate vacuously. An empty file is a
 * usage error, a file of other text a dialect error. `what` is what the command would do
 * with it ("check"), `why` what it needs (added to the message).
 */
export function refuseNothingToJudge(report: Report, what: string, why = ''): void {
  const nothing = nothingToJudge(report, what);
  if (nothing) throw new SpylogError(report.bytes === 0 ? 'USAGE' : 'BAD_DIALECT', nothing + why);
}
