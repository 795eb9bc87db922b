// The command line: which command, its arguments, help, version; then the command runs.
// main() returns the exit code: 0 ok, 1 a gate failed, 2 bad usage or unreadable input. It
// never calls process.exit and never sets process.exitCode (cli.ts does).
//
// Only the command that runs is loaded (each command module with what it needs): start-up
// is part of a short report's time, and `spylog x.log` never loads the check, diff or
// baseline code, the HTML reporter, csv-parse or the wildcard library.
import { existsSync, readFileSync } from 'node:fs';
import { SpylogError } from '../errors.js';
import { DEFAULT_COMMAND, COMMAND_NAMES, type CommandName, type CommandSpec } from './spec.js';
import { UsageError, classify, firstWord, parseCommand } from './args.js';
import { warn, type Io } from './io.js';
import { outputWidth } from './terminal.js';

interface Command {
  spec: CommandSpec;
  /** `words`: the command line after the command's name (check pairs each -f with its -o by their order). */
  run(args: never, io: Io, words: readonly string[]): Promise<number>;
}

const COMMANDS: Record<CommandName, () => Promise<Command>> = {
  report: () => import('./commands/report.js'),
  diff: () => import('./commands/diff.js'),
  check: () => import('./commands/check.js'),
  baseline: () => import('./commands/baseline.js'),
};

export async function main(argv: string[], io: Io): Promise<number> {
  const cwdExists = (p: string) => existsSync(p);
  let command: Command;
  let args: Record<string, unknown>;
  let words: string[];
  try {
    // --version alone needs no table (nor yargs): the fastest answer.
    if (argv.length === 1 && argv[0] === '--version') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    // The default command's table is needed only to find a command word after options (`spylog -q check x.log`).
    const defaultSpec = argv[0]?.startsWith('-') && argv[0] !== '-' && argv[0] !== '--' ? (await COMMANDS[DEFAULT_COMMAND]()).spec : null;
    const at = defaultSpec ? await firstWord(argv, defaultSpec) : 0;
    const what = classify(argv, cwdExists, () => at);
    if (what.kind === 'version') {
      io.stdout.write(`${version()}\n`);
      return 0;
    }
    if (what.kind === 'help') {
      const { renderOverview, renderCommandHelp } = await import('./help.js');
      const width = outputWidth(io.stdoutIsTTY ? io.stdoutColumns?.() : undefined, io.env);
      io.stdout.write(what.command ? renderCommandHelp((await COMMANDS[what.command]()).spec, width) : renderOverview(await allSpecs(), width));
      return 0;
    }
    command = await COMMANDS[what.command]();
    words = what.words;
    try {
      args = await parseCommand(what.words, command.spec);
    } catch (err) {
      // Parse again with every table, for a hint such as "check takes it, report does not".
      if (!(err instanceof UsageError) || !err.message.startsWith('unknown option')) throw err;
      const others = (await allSpecs()).filter((s) => s.name !== command.spec.name);
      await parseCommand(what.words, command.spec, others);
      throw err;
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    warn(io, `${err.message}; see spylog ${err.command ? `${err.command} ` : ''}--help`);
    return 2;
  }
  try {
    return await command.run(args as never, io, words);
  } catch (err) {
    if (err instanceof SpylogError) {
      warn(io, err.message);
      return 2;
    }
    throw err;
  }
}

async function allSpecs(): Promise<CommandSpec[]> {
  return Promise.all(COMMAND_NAMES.map(async (name) => (await COMMANDS[name]()).spec));
}

/** The package's version, read only when asked for. */
function version(): string {
  // dist/src/cli/main.js -> the package root.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}
