// Files spylog writes besides stdout (--html): missing folders are created (a CI script
// writes into fresh folders, as `check -o` does), and a failure is one line that names the
// file and says why in words (write-error.ts). A file left half-written by a full disk is
// removed: a truncated report that opens fine is worse than none.
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { writeError } from './write-error.js';

/** Creates the folders `path` needs. */
export async function makeFolderFor(path: string): Promise<void> {
  try {
    await fsp.mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw writeError(path, err);
  }
}

export async function writeOutputFile(path: string, text: string): Promise<void> {
  await makeFolderFor(path);
  try {
    await fsp.writeFile(path, text);
  } catch (err) {
    // Only errors of the writing itself leave a truncated file (not of opening it: a
    // read-only file of the user's is not ours to delete).
    if (['ENOSPC', 'EDQUOT', 'EIO', 'EFBIG'].includes((err as NodeJS.ErrnoException).code ?? '')) await removeIfPlainFile(path);
    throw writeError(path, err);
  }
}

async function removeIfPlainFile(path: string): Promise<void> {
  // Never a device (/dev/full, NUL) or a folder: only a regular file we were writing.
  const stat = await fsp.stat(path).catch(() => null);
  if (stat?.isFile()) await fsp.rm(path, { force: true }).catch(() => undefined);
}
