// Opening a log: a path or `-` (stdin). File-system errors become SpylogErrors with a
// message that names the file; nothing here reads the whole file.
import { fstat, promises as fsp, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { SpylogError } from '../errors.js';

export interface LogSource {
  name: string;
  stream: NodeJS.ReadableStream;
  /** Bytes expected, when known (a regular file): for progress. */
  size: number | null;
  /** Gives back a chunk the stream gave, once nothing keeps its bytes: its memory is read into again (a file's chunks; others are ignored). */
  recycle?: (chunk: Buffer) => void;
}

/**
 * Read buffers given back to be read into again, at most `RECYCLED` of them. A fresh 256 KB
 * buffer per read is memory outside V8's heap, freed only when a collection finds it dead:
 * a run that makes little garbage collects seldom, and 30-40 MB of spent buffers waited.
 */
const RECYCLED = 4;

/**
 * 256 KB per read: each read costs ~80 µs of promise and stream machinery whatever its
 * size, 12 % of the time at 64 KB. The analyzer still works in 64 KB slices (analyze.ts).
 */
const CHUNK = 256 * 1024;

export async function openLog(path: string, stdin: NodeJS.ReadableStream): Promise<LogSource> {
  if (path === '-') {
    // `spylog - < dir`: the shell opens a directory as standard input, and reading it
    // fails in a way the stream reports as an empty input. Ask the descriptor first.
    const fd = (stdin as { fd?: unknown }).fd;
    if (typeof fd === 'number' && (await fstatOf(fd))?.isDirectory()) {
      throw new SpylogError('IS_DIRECTORY', 'cannot read standard input: it is a directory');
    }
    return { name: '-', stream: stdin, size: null };
  }
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    const stat = await handle.stat();
    if (stat.isDirectory()) throw new SpylogError('IS_DIRECTORY', `cannot read ${path}: is a directory`);
    // The stream owns the handle from here on: it closes it however the stream ends (read
    // to the end, failed, or destroyed, even before its first read, when the generator has
    // not started and no `finally` of its would run).
    const free: Buffer[] = [];
    const ours = new WeakSet<ArrayBufferLike>();
    const stream = Readable.from(readAhead(handle, free, ours), { objectMode: false, highWaterMark: CHUNK });
    stream.once('close', () => void handle.close().catch(() => undefined));
    const recycle = (chunk: Buffer): void => {
      // Only a buffer this reader made, whole, and only once.
      if (free.length >= RECYCLED || !ours.has(chunk.buffer) || chunk.byteOffset !== 0) return;
      ours.delete(chunk.buffer);
      free.push(Buffer.from(chunk.buffer, 0, CHUNK));
    };
    return { name: path, stream, size: stat.isFile() ? stat.size : null, recycle };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err instanceof SpylogError ? err : fileError(path, err);
  }
}

/**
 * The file's chunks, the next one always being read while the consumer works on the
 * current one. A read stream (fs or FileHandle) only starts its next read once the
 * last chunk's 'data' handlers have returned, so the analysis sat idle for every read.
 * One read in flight, so memory stays two chunks.
 */
async function* readAhead(handle: fsp.FileHandle, free: Buffer[], ours: WeakSet<ArrayBufferLike>): AsyncGenerator<Buffer> {
  const read = (): Promise<Buffer> => {
    // A given-back buffer is no longer held by anyone (see `recycle`); a fresh one is new memory.
    const into = free.pop() ?? Buffer.allocUnsafeSlow(CHUNK);
    ours.add(into.buffer);
    const pending = handle.read(into, 0, CHUNK, null).then((r) => r.buffer.subarray(0, r.bytesRead));
    // A read that fails while the consumer is paused is not awaited yet: without a
    // handler it would be an unhandled rejection. The `await` below still sees the error.
    pending.catch(() => undefined);
    return pending;
  };
  let next = read();
  for (;;) {
    const chunk = await next;
    if (chunk.length === 0) return;
    next = read();
    yield chunk;
  }
}

function fstatOf(fd: number): Promise<Stats | null> {
  return new Promise((resolve) => fstat(fd, (err, stats) => resolve(err ? null : stats)));
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
    case 'ENOTDIR':
      return new SpylogError('NOT_FOUND', `cannot read ${path}: a part of the path is a file, not a folder`);
    case 'ELOOP':
      return new SpylogError('UNREADABLE', `cannot read ${path}: too many symbolic links on the way`);
    case 'EIO':
      return new SpylogError('UNREADABLE', `cannot read ${path}: an input/output error of the device`);
    case 'ENAMETOOLONG':
      return new SpylogError('UNREADABLE', `cannot read ${path}: the path is too long`);
    default:
      return new SpylogError('UNREADABLE', `cannot read ${path}: ${(err as Error | undefined)?.message ?? String(err)}`);
  }
}
