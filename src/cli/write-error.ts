// A file the CLI could not write, in words: one line naming the file and why, exit 2.
import { SpylogError, isSystemError } from '../errors.js';

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
  EIO: 'an input/output error of the device',
  EFBIG: 'the file would be larger than the file system allows',
  EBADF: 'it is not open for writing',
  ELOOP: 'too many symbolic links on the way',
  EMFILE: 'too many files are open',
  ENXIO: 'no device or reader is there',
};

/** `err` from writing `path` as a one-line error naming the file; an error that is not the system's (a bug) is thrown as it is. */
export function writeError(path: string, err: unknown): SpylogError {
  if (err instanceof SpylogError) return err;
  if (!isSystemError(err)) throw err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = (code && WHY[code]) ?? (err as Error | undefined)?.message ?? String(err);
  return new SpylogError('BAD_OUTPUT', `cannot write ${path}: ${why}`);
}
