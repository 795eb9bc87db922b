// Options shared by the commands that analyse a log, compiled once into AnalyzeOptions.
import { promises as fsp } from 'node:fs';
import { SpylogError } from '../errors.js';
import type { Argv } from 'yargs';
import type { AnalyzeOptions } from '../analyze.js';
import { DEFAULT_MARKERS } from '../parse/options.js';
import { ByteDecoder } from '../read/decode.js';
import { fileError } from '../read/source.js';
import { parseBaseline } from '../baseline/read.js';
import type { Baseline } from '../baseline/model.js';
import { loadDialect } from './dialect.js';

/** What decides the blocks a log cannot (report, diff, check; not baseline, whose reference run must decide itself). */
export function decisionOptions<T>(y: Argv<T>, short = true) {
  // `diff` has no -b: its second log is the positional `b`.
  return y
    .option('baseline', { ...(short ? { alias: 'b' } : {}), type: 'string', describe: 'CSV of known runtime-held blocks (from `spylog baseline`)' })
    .option('assume-complete', {
      type: 'boolean',
      default: false,
      describe: 'treat the log as complete: never-freed blocks are true leaks even if it may be truncated',
    });
}

export interface DecisionArgs {
  baseline?: string;
  assumeComplete: boolean;
}

/** The deciders for the analysis: the baseline read (first: a bad one should not cost a long analysis) and --assume-complete. */
export async function toDeciders(a: DecisionArgs): Promise<Pick<AnalyzeOptions, 'baseline' | 'assumeComplete'>> {
  const baseline = a.baseline === undefined ? null : await loadBaseline(a.baseline);
  return { baseline, assumeComplete: a.assumeComplete };
}

/** A baseline file: UTF-8, or UTF-16 with a BOM (what PowerShell 5.1's `>` writes). */
async function loadBaseline(path: string): Promise<Baseline> {
  let bytes: Buffer;
  try {
    bytes = await fsp.readFile(path);
  } catch (err) {
    throw fileError(path, err);
  }
  const decoder = new ByteDecoder();
  return parseBaseline(decoder.write(bytes) + decoder.end(), path);
}

export function analysisOptions<T>(y: Argv<T>) {
  return (
    y
      // Repeating a marker option gives several markers (not yargs' `array`, which would swallow the log names after it).
      .option('couninitialize-marker', {
        type: 'string',
        default: [...DEFAULT_MARKERS.coUninitialize],
        describe: 'program line printed after CoUninitialize() returned (repeat the option for several)',
      })
      .option('revoke-marker', {
        type: 'string',
        default: [...DEFAULT_MARKERS.revoke],
        describe: "prefix of the program line with CoRevokeMallocSpy's HRESULT (repeat for several)",
      })
      .option('register-marker', {
        type: 'string',
        default: [...DEFAULT_MARKERS.register],
        describe: "prefix of the program line with CoRegisterMallocSpy's HRESULT (repeat for several)",
      })
      .option('spy-prefix', { type: 'string', default: DEFAULT_MARKERS.spyPrefix, describe: 'prefix of every spy line' })
      .option('dump-marker', { type: 'string', default: DEFAULT_MARKERS.dumpStart, describe: 'spy line that starts the dump of live blocks' })
      .option('dialect', {
        type: 'string',
        describe: 'how the spy words its lines: mallocspy, crt, or a JSON file of named regexes (default: detect from the first lines)',
      })
      .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'no progress bar on stderr' })
      .option('max-line-length', {
        type: 'number',
        default: 65536,
        describe: 'longer lines are cut and reported as anomalies (bounds memory)',
      })
  );
}

export interface AnalysisArgs {
  couninitializeMarker: string | string[];
  revokeMarker: string | string[];
  registerMarker: string | string[];
  spyPrefix: string;
  dumpMarker: string;
  maxLineLength: number;
  dialect?: string;
  quiet: boolean;
}

/** A whole number of at least `min`, or a usage error naming the option. */
export function wholeOption(name: string, value: number, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new SpylogError('USAGE', `${name} must be a whole number of at least ${min} (got ${String(value)})`);
  }
  return value;
}

export function toAnalyzeOptions(a: AnalysisArgs): AnalyzeOptions {
  const list = (v: string | string[]): string[] => (Array.isArray(v) ? v : [v]);
  const markers = {
    coUninitialize: list(a.couninitializeMarker),
    revoke: list(a.revokeMarker),
    register: list(a.registerMarker),
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
  return {
    ...(a.dialect !== undefined ? { dialect: loadDialect(a.dialect, markers) } : {}),
    maxLineLength: wholeOption('--max-line-length', a.maxLineLength, 80),
    markers,
  };
}
