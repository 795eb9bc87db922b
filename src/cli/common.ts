// Options shared by the commands that analyse a log, compiled once into AnalyzeOptions.
import { SpylogError } from '../errors.js';
import type { Argv } from 'yargs';
import type { AnalyzeOptions } from '../analyze.js';
import { DEFAULT_MARKERS } from '../parse/options.js';
import { loadDialect } from './dialect.js';

export function analysisOptions<T>(y: Argv<T>) {
  return y
    .option('assume-complete', {
      type: 'boolean',
      default: false,
      describe: 'treat the log as complete: never-freed blocks are true leaks even if it may be truncated',
    })
    .option('couninitialize-marker', {
      type: 'string',
      default: DEFAULT_MARKERS.coUninitialize,
      describe: 'program line printed after CoUninitialize() returned',
    })
    .option('revoke-marker', {
      type: 'string',
      default: DEFAULT_MARKERS.revoke,
      describe: "prefix of the program line with CoRevokeMallocSpy's HRESULT",
    })
    .option('register-marker', {
      type: 'string',
      default: DEFAULT_MARKERS.register,
      describe: "prefix of the program line with CoRegisterMallocSpy's HRESULT",
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
    });
}

export interface AnalysisArgs {
  assumeComplete: boolean;
  couninitializeMarker: string;
  revokeMarker: string;
  registerMarker: string;
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
  const markers = {
    coUninitialize: a.couninitializeMarker,
    revoke: a.revokeMarker,
    register: a.registerMarker,
    spyPrefix: a.spyPrefix,
    dumpStart: a.dumpMarker,
  };
  for (const [name, text] of Object.entries({
    '--couninitialize-marker': a.couninitializeMarker,
    '--revoke-marker': a.revokeMarker,
    '--register-marker': a.registerMarker,
    '--spy-prefix': a.spyPrefix,
    '--dump-marker': a.dumpMarker,
  })) {
    // An empty marker would silently read every line as a program line (or none); one
    // with a line break could never match a line.
    if (text.trim() === '') throw new SpylogError('USAGE', `${name} must not be empty`);
    if (/[\r\n]/.test(text)) throw new SpylogError('USAGE', `${name} must be a single line`);
  }
  return {
    ...(a.dialect !== undefined ? { dialect: loadDialect(a.dialect, markers) } : {}),
    assumeComplete: a.assumeComplete,
    maxLineLength: wholeOption('--max-line-length', a.maxLineLength, 80),
    markers,
  };
}
