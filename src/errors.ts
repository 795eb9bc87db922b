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
