// The process boundary: wires real streams into main() and sets process.exitCode.
import { main } from './cli/main.js';

export function run(argv: string[]): void {
  // A closed pipe (`spylog report big.log | head`) is not an error worth a stack trace;
  // any other output failure (a full disk) is unreadable-output: one line, exit 2.
  const quietOnEpipe = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      process.exitCode ??= 0;
      return;
    }
    process.exitCode = 2;
    try {
      process.stderr.write(`spylog: cannot write the output: ${err.code ?? err.message}\n`);
    } catch {
      // stderr is gone too: the exit code must say it
    }
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
