// The process boundary: wires real streams into main() and sets process.exitCode, keeping
// the worst code any part reported (a full disk found while main() ran must not end in 0).
import { main } from './cli/main.js';
import { writeError } from './cli/write-error.js';
import { displayText } from './text/display.js';

function fail(code: number): void {
  process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
}

export function run(argv: string[]): void {
  // A closed pipe (`spylog report big.log | head`) is not an error worth a stack trace;
  // any other output failure (a full disk) is unreadable-output: one line, exit 2.
  const onOutputError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    fail(2);
    try {
      process.stderr.write(`spylog: ${displayText(writeError('the output', err).message)}\n`);
    } catch {
      // stderr is gone too: the exit code must say it
    }
  };
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  main(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    stdoutColumns: () => process.stdout.columns,
    stderrColumns: () => process.stderr.columns,
    stdinIsTTY: process.stdin.isTTY === true,
    platform: process.platform,
  }).then(fail, (err: unknown) => {
    // A bug, not bad input: say so plainly, with the stack for the bug report (shown safely:
    // an error's message may quote the log).
    const text = String((err as Error | undefined)?.stack ?? err)
      .split('\n')
      .map(displayText)
      .join('\n');
    process.stderr.write(`spylog: internal error (a bug in spylog; please report it with this message): ${text}\n`);
    fail(70);
  });
}
