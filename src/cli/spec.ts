// The command line as data: each command's positionals and options. The parser (args.ts),
// the help (help.ts) and the README test all read these tables, so an option exists in one
// place. This module imports nothing heavy: main.ts loads only the command that runs.

export type OptionType = 'boolean' | 'string' | 'number';

export interface OptionSpec {
  type: OptionType;
  /** One letter: `-f`. */
  short?: string;
  describe: string;
  /** The value's name in the help (`--baseline FILE`); options that take a value only. */
  value?: string;
  default?: string | number | boolean | readonly string[];
  choices?: readonly string[];
  /** Repeatable: every value is kept, in order (otherwise the last one wins). */
  multiple?: boolean;
}

export interface PositionalSpec {
  name: string;
  describe: string;
  /** `<logs..>`: one or more. */
  variadic?: boolean;
}

export interface CommandSpec {
  name: CommandName;
  /** One line for the command list. */
  summary: string;
  /** A paragraph for the command's own help. */
  description: string;
  positionals: PositionalSpec[];
  options: Record<string, OptionSpec>;
  examples?: [string, string][];
}

export const COMMAND_NAMES = ['report', 'diff', 'check', 'baseline'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];
/** `spylog x.log` is `spylog report x.log`. */
export const DEFAULT_COMMAND: CommandName = 'report';

/** Every command takes these; main.ts answers --help and --version before a command runs. */
export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  color: {
    type: 'boolean',
    describe: 'colour the output: --color[=always|never|auto], --no-color (default: on a terminal, off with NO_COLOR, on with FORCE_COLOR)',
  },
  help: { type: 'boolean', short: 'h', describe: 'show this help' },
  version: { type: 'boolean', describe: "print spylog's version" },
};

export const EXIT_CODES =
  'Exit status: 0 success; 1 a gate failed (check, diff --fail-on-new); 2 bad usage or unreadable input; 70 internal error (a bug in spylog: please report it with the message).';

/** `<logs..>` as the help and the messages write it. */
export function positionalUsage(spec: CommandSpec): string {
  return spec.positionals.map((p) => (p.variadic ? `<${p.name}...>` : `<${p.name}>`)).join(' ');
}

/** The option's names as a user types them: `-f, --format`. */
export function optionNames(name: string, spec: OptionSpec): string[] {
  return [...(spec.short ? [`-${spec.short}`] : []), `--${name}`];
}

/** `max-line-length` -> `maxLineLength`: the key commands read. */
export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}
