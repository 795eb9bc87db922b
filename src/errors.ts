// Known failures the CLI turns into one line on stderr and exit code 2. Everything
// else that goes wrong in the data is an anomaly in the report, not an error.
export type ErrorCode = 'USAGE' | 'NOT_FOUND' | 'IS_DIRECTORY' | 'UNREADABLE' | 'BAD_BASELINE' | 'BAD_DIALECT' | 'BAD_OUTPUT';

export class SpylogError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SpylogError';
  }
}

/** An error from the operating system: it carries an errno code such as ENOENT or EIO (Node's own codes start with ERR_). Only these are a file's fault. */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && /^E[A-Z0-9]+$/.test(code);
}
