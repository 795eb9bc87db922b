// What a command may touch of the outside world, passed in so tests can run main()
// in-process and the core never sees `process`.
import { SpylogError } from '../errors.js';
import { openLog } from '../read/source.js';
import { fileError } from '../read/source.js';
import { analyzeStream, type AnalyzeOptions } from '../analyze.js';
import type { Report } from '../model/report.js';
import { COLOR, PLAIN, type Style } from '../report/style.js';
import { createProgress } from './progress.js';

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
}

/** Colour only on a terminal, never with NO_COLOR (https://no-color.org); Unicode only on a UTF-8 terminal. */
export function styleFor(io: Io): Style {
  const locale = io.env.LC_ALL || io.env.LC_CTYPE || io.env.LANG || '';
  const unicode = io.stdoutIsTTY && /utf-?8/i.test(locale);
  let colour = io.stdoutIsTTY;
  if (io.env.FORCE_COLOR !== undefined && io.env.FORCE_COLOR !== '0') colour = true;
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') colour = false;
  return { ...(colour ? COLOR : PLAIN), unicode };
}

export function warn(io: Io, message: string): void {
  io.stderr.write(`spylog: ${message}\n`);
}

/** Reads and analyses one log; file errors (also mid-read) name the file. */
export async function analyzeLog(path: string, io: Io, options: AnalyzeOptions, quiet = false): Promise<Report> {
  const source = await openLog(path, io.stdin);
  const progress = createProgress(io.stderr, { name: source.name, size: source.size, enabled: io.stderrIsTTY && !quiet });
  try {
    return await analyzeStream(source.stream, { ...options, source: source.name }, progress.onChunk);
  } catch (err) {
    throw err instanceof SpylogError ? err : fileError(path === '-' ? 'standard input' : path, err);
  } finally {
    progress.done();
  }
}

/**
 * Writes the pieces in order, waiting while the stream's buffer is full (a slow pipe
 * would otherwise hold the whole output in memory). A stream that fails or closes ends
 * the writing: its 'error' handler (cli.ts) reports that, not this.
 */
export async function writeParts(out: NodeJS.WritableStream, parts: Iterable<string>): Promise<void> {
  for (const part of parts) {
    if (out.write(part)) continue;
    const open = await new Promise<boolean>((resolve) => {
      const settle = (ok: boolean) => () => {
        out.removeListener('drain', onDrain);
        out.removeListener('close', onEnd);
        out.removeListener('error', onEnd);
        resolve(ok);
      };
      const onDrain = settle(true);
      const onEnd = settle(false);
      out.once('drain', onDrain);
      out.once('close', onEnd);
      out.once('error', onEnd);
    });
    if (!open) return;
  }
}
