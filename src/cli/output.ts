// Files spylog writes besides stdout (--html): missing folders are created (a CI script
// writes into fresh folders, as `check -o` does), and a failure is one line that names the
// file and says why in words (write-error.ts). A file left half-written by a full disk is
// removed: a truncated report that opens fine is worse than none. What is written comes in
// pieces (a check of a million leaks is hundreds of megabytes): each is written before the
// next is made, so the whole never exists as one string.
import { promises as fsp } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { joinPieces, PIECE } from '../text/pieces.js';
import { writeError } from './write-error.js';

/** Creates the folders `path` needs. */
export async function makeFolderFor(path: string): Promise<void> {
  try {
    await makeFolders(dirname(resolve(path)));
  } catch (err) {
    throw writeError(path, err);
  }
}

/**
 * `mkdir -p`, in a bounded number of steps: the missing folders are found by walking up to
 * the first that exists, then made one at a time, top down. Node's own recursive mkdir
 * retries forever where a file system answers ENOENT for a child of a folder that exists
 * (procfs: `-o /proc/nope/x.xml` spun at 90 % CPU).
 */
export async function makeFolders(dir: string): Promise<void> {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    const stat = await fsp.stat(d).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      throw err;
    });
    if (stat) {
      if (!stat.isDirectory()) throw Object.assign(new Error(`${d} is not a folder`), { code: 'ENOTDIR' });
      break;
    }
    missing.push(d);
    if (dirname(d) === d) break; // a root that does not exist (a missing drive): mkdir says why
  }
  for (const d of missing.reverse()) {
    try {
      await fsp.mkdir(d);
    } catch (err) {
      // Made meanwhile by someone else: fine if it is a folder.
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !(await fsp.stat(d)).isDirectory()) throw err;
    }
  }
}

/**
 * Writes `content` (a string, or pieces to write in order) to `path`, replacing it or, with
 * 'append', after what it holds (a file other tools write to too, which is never removed).
 * `size`: the pieces are joined to at least this many characters a write.
 */
export async function writeOutputFile(
  path: string,
  content: string | Iterable<string>,
  how: 'write' | 'append' = 'write',
  size = PIECE,
): Promise<void> {
  await makeFolderFor(path);
  try {
    // Each piece is written (every byte of it) before the next is asked for.
    await fsp.writeFile(path, joinPieces(typeof content === 'string' ? [content] : content, size), { flag: how === 'append' ? 'a' : 'w' });
  } catch (err) {
    // Only errors of the writing itself leave a truncated file (not of opening it: a
    // read-only file of the user's is not ours to delete).
    if (how === 'write' && ['ENOSPC', 'EDQUOT', 'EIO', 'EFBIG'].includes((err as NodeJS.ErrnoException).code ?? '')) await removeIfPlainFile(path);
    throw writeError(path, err);
  }
}

async function removeIfPlainFile(path: string): Promise<void> {
  // Never a device (/dev/full, NUL) or a folder: only a regular file we were writing.
  const stat = await fsp.stat(path).catch(() => null);
  if (stat?.isFile()) await fsp.rm(path, { force: true }).catch(() => undefined);
}
