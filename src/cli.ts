// The process boundary: wires real streams into main() and sets process.exitCode, keeping
// the worst code any part reported (a full disk found while main() ran must not end in 0).
import { main } from './cli/main.js';
import { writeError } from './cli/write-error.js';
import { displayText } from './text/display.js';
import { isSystemError } from './errors.js';

function fail(code: number): void {
  process.exitCode = Math.max(Number(process.exitCode ?? 0), code);
}

export function run(argv: string[]): void {
  // A closed pipe (`spylog report big.log | head`) is not an error worth a message; any other
  // output failure (a full disk) is unreadable output: one line, once, exit 2.
  let said = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return;
    fail(2);
    if (said) return;
    said = true;
    const message = isSystemError(err) ? writeError('the output', err).message : `cannot write the output: ${(err as Error).message}`;
    process.stderr.write(`spylog: ${displayText(message)}\n`);
  });
  // stderr failing (`2>/dev/full`, a closed descriptor) can only be said by the exit code:
  // its handler must never write to stderr, or every write's failure would start another.
  process.stderr.on('error', () => fail(2));
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
    fail(70);
    const text = String((err as Error | undefined)?.stack ?? err)
      .split('\n')
      .map(displayText)
      .join('\n');
    process.stderr.write(`spylog: internal error (a bug in spylog; please report it with this message): ${text}\n`);
  });
}
