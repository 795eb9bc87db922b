// The process boundary: wires real streams into main() and sets process.exitCode.
import { main } from './cli/main.js';

export function run(argv: string[]): void {
  // A closed pipe (`spylog report big.log | head`) is not an error worth a stack trace.
  const quietOnEpipe = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      process.exitCode ??= 0;
      return;
    }
    throw err;
  };
  process.stdout.on('error', quietOnEpipe);
  process.stderr.on('error', quietOnEpipe);
  main(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
  }).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      // A bug, not bad input: say so plainly, with the stack for the bug report.
      process.stderr.write(`spylog: internal error: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 70;
    },
  );
}
