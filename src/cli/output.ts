// Files spylog writes besides stdout (--html): missing folders are created (a CI script
// writes into fresh folders, as `check -o` always allowed), and a failure is one line that
// names the file and says why in words. A file left half-written (a full disk) is removed:
// a truncated report that opens fine is worse than none.
import { promises as fsp } from 'node:fs';
import { dirname } from 'node:path';
import { SpylogError } from '../errors.js';

const REASONS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a part of the path is a file, not a folder',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the path is too long',
  EINVAL: 'not a valid file name here',
  EBUSY: 'the file is in use',
};

export function outputError(path: string, err: unknown): SpylogError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason = (code && REASONS[code]) ?? code ?? (err as Error | undefined)?.message ?? String(err);
  return new SpylogError('BAD_OUTPUT', `cannot write ${path}: ${reason}${code && REASONS[code] ? ` (${code})` : ''}`);
}

/** Creates the folders `path` needs. */
export async function makeFolderFor(path: string): Promise<void> {
  try {
    await fsp.mkdir(dirname(path), { recursive: true });
  } catch (err) {
    throw outputError(path, err);
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
    throw outputError(path, err);
  }
}

async function removeIfPlainFile(path: string): Promise<void> {
  // Never a device (/dev/full, NUL) or a folder: only a regular file we were writing.
  const stat = await fsp.stat(path).catch(() => null);
  if (stat?.isFile()) await fsp.rm(path, { force: true }).catch(() => undefined);
}
