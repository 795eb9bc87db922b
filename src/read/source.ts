// Opening a log: a path or `-` (stdin). File-system errors become SpylogErrors with a
// message that names the file; nothing here reads the whole file.
import { promises as fsp } from 'node:fs';
import { SpylogError } from '../errors.js';

export interface LogSource {
  name: string;
  stream: NodeJS.ReadableStream;
  /** Bytes expected, when known (a regular file): for progress. */
  size: number | null;
}

/** 64 KB: decoded chunks stay in V8's young generation and die cheaply (1 MB ones did not). */
const CHUNK = 64 * 1024;

export async function openLog(path: string, stdin: NodeJS.ReadableStream): Promise<LogSource> {
  if (path === '-') return { name: '-', stream: stdin, size: null };
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new SpylogError('IS_DIRECTORY', `cannot read ${path}: is a directory`);
    // The stream owns the handle from here on and closes it at the end or on error.
    const stream = handle.createReadStream({ highWaterMark: CHUNK, autoClose: true });
    return { name: path, stream, size: stat.isFile() ? stat.size : null };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err instanceof SpylogError ? err : fileError(path, err);
  }
}

export function fileError(path: string, err: unknown): SpylogError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return new SpylogError('NOT_FOUND', `cannot read ${path}: no such file`);
    case 'EISDIR':
      return new SpylogError('IS_DIRECTORY', `cannot read ${path}: is a directory`);
    case 'EACCES':
    case 'EPERM':
      return new SpylogError('UNREADABLE', `cannot read ${path}: permission denied`);
    default:
      return new SpylogError('UNREADABLE', `cannot read ${path}: ${(err as Error | undefined)?.message ?? String(err)}`);
  }
}
