// Files read whole: a dialect file and a baseline. Only regular files, and only up to a
// size: `--dialect /dev/zero` or `-b /dev/zero` read forever (8 GB after 30 s), and a FIFO
// without a writer would wait at open. The log itself is streamed (read/source.ts) and has
// no such limit.
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { SpylogError } from '../errors.js';
import { fileError } from '../read/source.js';
import { num } from '../text/words.js';

export const DIALECT_FILE_LIMIT = 1024 * 1024;
export const BASELINE_FILE_LIMIT = 64 * 1024 * 1024;

/** The bytes of the regular file `path`, at most `limit` of them; `what` names the file's kind in messages ("a baseline"). */
export function readSmallFile(path: string, limit: number, what: string): Buffer {
  // stat before open: opening a FIFO blocks until someone writes to it.
  checkKind(path, () => statSync(path), limit, what);
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw fileError(path, err);
  }
  try {
    const size = checkKind(path, () => fstatSync(fd), limit, what);
    // One byte more than allowed: a file that grew since the stat is refused too.
    const buf = Buffer.allocUnsafe(Math.min(size, limit) + 1);
    let got = 0;
    for (let n; got < buf.length && (n = readSync(fd, buf, got, buf.length - got, null)) > 0;) got += n;
    if (got > limit) throw tooLarge(path, `more than ${num(limit)} bytes`, limit, what);
    return buf.subarray(0, got);
  } catch (err) {
    throw err instanceof SpylogError ? err : fileError(path, err);
  } finally {
    closeSync(fd);
  }
}

function checkKind(path: string, stat: () => { isFile(): boolean; isDirectory(): boolean; size: number }, limit: number, what: string): number {
  let s;
  try {
    s = stat();
  } catch (err) {
    throw fileError(path, err);
  }
  if (s.isDirectory()) throw new SpylogError('IS_DIRECTORY', `cannot read ${path}: is a directory`);
  if (!s.isFile())
    throw new SpylogError('UNREADABLE', `cannot read ${path}: not a regular file (${what} is read from a file, not a device or a pipe)`);
  if (s.size > limit) throw tooLarge(path, `${num(s.size)} bytes`, limit, what);
  return s.size;
}

function tooLarge(path: string, size: string, limit: number, what: string): SpylogError {
  return new SpylogError('UNREADABLE', `cannot read ${path}: ${size}, larger than ${what} may be (${num(limit / 1024 / 1024)} MiB)`);
}
