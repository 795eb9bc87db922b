// What a command may touch of the outside world, passed in so tests can run main()
// in-process and the core never sees `process`.
import { SpylogError, isSystemError } from '../errors.js';
import { displayText } from '../text/display.js';
import { openLog } from '../read/source.js';
import { fileError } from '../read/source.js';
import type { AnalyzeOptions } from '../analyze.js';
import type { Report } from '../model/report.js';
import { COLOR, PLAIN, type Style } from '../report/style.js';
import { createProgress } from './progress.js';
import { joinPieces, PIECE, type Part } from '../text/pieces.js';
import { outputWidth, wantColour, wantUnicode } from './terminal.js';

export interface Io {
  stdin: NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  /** The terminals' widths, read when needed (a window can be resized); undefined off a terminal. */
  stdoutColumns?: () => number | undefined;
  stderrColumns?: () => number | undefined;
  /** Standard input is a keyboard: `spylog -` says how to end it. */
  stdinIsTTY?: boolean;
  /** process.platform, for wildcard rules and box characters (tests pass 'win32'). */
  platform?: string;
}

/** How to draw stdout: --color/--no-color and the environment, its width, box characters on a terminal only. */
export function styleFor(io: Io, colorFlag?: boolean): Style {
  const colour = wantColour(colorFlag, io.env, io.stdoutIsTTY);
  return {
    ...(colour ? COLOR : PLAIN),
    unicode: wantUnicode(io.stdoutIsTTY, io.env, io.platform ?? process.platform),
    width: outputWidth(io.stdoutIsTTY ? io.stdoutColumns?.() : undefined, io.env),
  };
}

/** One line on stderr. Messages quote file names and file content: shown safely (a line break in one is shown as \x0A, so it stays one line). */
export function warn(io: Io, message: string): void {
  io.stderr.write(`spylog: ${displayText(message)}\n`);
}

/** Reads and analyses one log; file errors (also mid-read) name the file. */
export async function analyzeLog(path: string, io: Io, options: AnalyzeOptions, quiet = false): Promise<Report> {
  if (path === '-' && io.stdinIsTTY) {
    // Otherwise `spylog -` typed at a prompt just waits, saying nothing.
    io.stderr.write(
      `spylog: reading the log from the keyboard; end it with ${(io.platform ?? process.platform) === 'win32' ? 'Ctrl+Z, Enter' : 'Ctrl+D'}\n`,
    );
  }
  const source = await openLog(path, io.stdin);
  const progress = createProgress(io.stderr, {
    name: source.name,
    size: source.size,
    enabled: io.stderrIsTTY && !quiet,
    columns: () => outputWidth(io.stderrColumns?.(), io.env),
  });
  try {
    // Loaded here, not at start-up: --help, --version and usage errors never need it.
    const { analyzeStream } = await import('../analyze.js');
    return await analyzeStream(source.stream, { ...options, source: source.name }, progress.onChunk, source.recycle);
  } catch (err) {
    // Only an error of the system (ENOENT, EIO...: an errno code) is the file's; anything else
    // (a RangeError, a TypeError) is a bug in spylog, and must not be reported as a bad file.
    if (err instanceof SpylogError || !isSystemError(err)) throw err;
    throw fileError(path === '-' ? 'standard input' : path, err);
  } finally {
    progress.done();
  }
}

/**
 * Writes the pieces in order, waiting while the stream's buffer is full (a slow pipe
 * would otherwise hold the whole output in memory). A stream that fails or closes ends
 * the writing: its 'error' handler (cli.ts) reports that, not this. Small pieces are
 * joined to at least `size` characters a write; bytes are written as they come.
 */
export async function writeParts(out: NodeJS.WritableStream, parts: Iterable<Part>, size = PIECE): Promise<void> {
  for (const part of joinPieces(parts, size)) {
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
