// A file the CLI could not write, in words: one line naming the file and why, exit 2.
import { SpylogError } from '../errors.js';

const WHY: Record<string, string> = {
  ENOENT: 'a folder on the way does not exist and cannot be created',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'a part of the path is a file, not a folder',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EBUSY: 'the file is in use by another program',
  ENAMETOOLONG: 'the path is too long',
  EINVAL: 'the path is not valid here',
};

export function writeError(path: string, err: unknown): SpylogError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = (code && WHY[code]) ?? (err as Error | undefined)?.message ?? String(err);
  return new SpylogError('BAD_OUTPUT', `cannot write ${path}: ${why}`);
}
