// The words of the command line -> a command and its arguments, or one usage error. A small
// pre-pass over the words (classify) answers help and --version and finds the command, with a
// suggestion for a mistyped one; yargs then parses and validates the command's words against
// its table (spec.ts). Every mistake is refused by name, on one line, with a suggestion where
// one is close.
//
// yargs is configured so that nothing is swallowed: an unknown option comes back as a word
// (never taking the next word as its value), is refused here by name with the closest known
// option, or the command that takes it. yargs' own help, version, command suggestions and
// exit are off: with a default command (`spylog x.log`) its recommendCommands() is inert, it
// suggests no options, and the help is rendered from the table (help.ts).
import { SpylogError } from '../errors.js';
import { yargsFor, type Parsed, type YargsEntry, type YargsOption } from './yargs.js';
import {
  COMMAND_NAMES,
  DEFAULT_COMMAND,
  GLOBAL_OPTIONS,
  camelCase,
  positionalUsage,
  type CommandName,
  type CommandSpec,
  type OptionSpec,
} from './spec.js';

/** A mistake in the command line: exit 2, one line, with the help to read. */
export class UsageError extends SpylogError {
  constructor(
    message: string,
    /** The command whose help the hint names, or null for spylog's own. */
    readonly command: CommandName | null,
  ) {
    super('USAGE', message);
  }
}

export type Invocation =
  | { kind: 'help'; command: CommandName | null }
  | { kind: 'version' }
  /** `words`: the command line without the command's name. `named`: the user typed the command. */
  | { kind: 'run'; command: CommandName; named: boolean; words: string[] };

const isCommand = (w: string | undefined): w is CommandName => (COMMAND_NAMES as readonly string[]).includes(w ?? '');
const isOption = (w: string) => w.startsWith('-') && w !== '-';

/**
 * Which command runs, or help or version. `help`, `help <command>`, `-h`/`--help` anywhere
 * before `--`, and `<command> help` all mean help: a user who asks for help gets it, even
 * when the command's required logs are missing. `findFirstWord(words)` is the first word
 * that is not an option or an option's value (it needs the default command's table, so the
 * caller loads it only when the line starts with an option).
 */
export function classify(raw: string[], fileExists: (path: string) => boolean, findFirstWord: (words: string[]) => number): Invocation {
  const dd = raw.indexOf('--');
  const head = dd < 0 ? raw : raw.slice(0, dd);
  let at = raw.length > 0 && isOption(raw[0]!) && raw[0] !== '--' ? findFirstWord(raw) : 0;
  if (dd >= 0 && at >= dd) at = -1; // only words after `--`: they are logs, never a command
  const first = at >= 0 ? raw[at] : undefined;
  const command = isCommand(first) ? first : null;
  const words = command === null ? raw : [...raw.slice(0, at), ...raw.slice(at + 1)];

  if (first === 'help' && !fileExists('help')) {
    const want = raw[at + 1];
    if (want === undefined || isOption(want)) return { kind: 'help', command: null };
    if (isCommand(want)) return { kind: 'help', command: want };
    const guess = closest(want, COMMAND_NAMES);
    throw new UsageError(`no command '${want}'${guess ? ` (did you mean '${guess}'?)` : ''}; the commands are ${COMMAND_NAMES.join(', ')}`, null);
  }
  // Only `-h`, `--help` and clusters of the boolean switches (`-qh`): a PowerShell-style
  // `-Anchor` or `-html` is a mistake to refuse, never a request for help (which exits 0 and
  // would pass a CI gate that read nothing).
  if (head.some((w) => w === '--help' || /^-q*h[qh]*$/.test(w))) {
    return { kind: 'help', command };
  }
  if (head.includes('--version')) return { kind: 'version' };
  // `spylog check help`: the only word after the command is `help` (and no file has that name).
  if (command !== null) {
    const rest = words.filter((w, i) => !isOption(w) && (dd < 0 || i < dd - 1));
    if (rest.length === 1 && rest[0] === 'help' && !fileExists('help')) return { kind: 'help', command };
  }
  if (command === null && first !== undefined && /^[a-z]+$/i.test(first) && !fileExists(first)) {
    const guess = closest(first.toLowerCase(), COMMAND_NAMES);
    if (guess) throw new UsageError(`unknown command '${first}' (did you mean '${guess}'?); no file has that name either`, null);
  }
  return { kind: 'run', command: command ?? DEFAULT_COMMAND, named: command !== null, words };
}

/**
 * The index of the first positional word, skipping options and their values by `spec`'s
 * table; -1 if none. yargs stops at the first word that is not an option
 * (`halt-at-non-option`) and hands back that word and the rest in `--`.
 */
export async function firstWord(words: string[], spec: CommandSpec): Promise<number> {
  let argv: Parsed;
  try {
    argv = (await configured(words, { ...spec.options, ...GLOBAL_OPTIONS }, { 'halt-at-non-option': true }))
      .fail((message) => {
        throw new Error(message ?? 'bad option');
      })
      .parseSync();
  } catch {
    return -1; // a mistake in the options: the command that runs says which
  }
  const rest = argv['--'] ?? [];
  const at = words.length - rest.length;
  // Nothing left, or only words after `--`: they are logs, never a command.
  return rest.length === 0 || words[at - 1] === '--' ? -1 : at;
}

/**
 * How yargs reads the words. An unknown option is kept as a word (`unknown-options-as-args`)
 * instead of taking the next word as its value: `--asume-complete a.log b.log` must be
 * refused by name, not swallow a.log. A log named `123` stays a string; `--a.b` is not an
 * object; `--` ends the options, and the words after it land in `--`.
 */
const PARSER: Record<string, boolean> = {
  'unknown-options-as-args': true,
  'parse-positional-numbers': false,
  'parse-numbers': false,
  'dot-notation': false,
  'populate--': true,
  'camel-case-expansion': true,
  'strip-aliased': true,
  'boolean-negation': true,
  'short-option-groups': true,
  'halt-at-non-option': false,
};

/** A yargs instance for the table `options`: its own help and version off (main.ts answers them), English messages, no process.exit. */
async function configured(words: string[], options: Record<string, OptionSpec>, config: Record<string, boolean>, fail?: Fail, entry?: YargsEntry) {
  return (await yargsFor(words, entry))
    .help(false)
    .version(false)
    .exitProcess(false)
    .locale('en')
    .parserConfiguration({ ...PARSER, ...config })
    .options(yargsOptions(options, fail));
}

type Fail = (message: string) => UsageError;

/**
 * The table as yargs options. Options that take a value need one (`requiresArg`: `--html` at
 * the end is refused, and `--baseline --assume-complete` does not take the option as the file);
 * numbers are read as strings and converted here, so `abc` or `0x10` is an error, not NaN or
 * 16; an option given twice keeps its last value unless it is repeatable.
 */
function yargsOptions(options: Record<string, OptionSpec>, fail?: Fail): Record<string, YargsOption> {
  const out: Record<string, YargsOption> = {};
  for (const [name, o] of Object.entries(options)) {
    out[name] = {
      type: o.type === 'boolean' ? 'boolean' : 'string',
      ...(o.short ? { alias: o.short } : {}),
      ...(o.default !== undefined ? { default: o.default } : {}),
      ...(o.choices ? { choices: o.choices } : {}),
      ...(o.type === 'boolean' ? {} : { requiresArg: true }),
      ...(fail ? { coerce: coerceFor(name, o, fail) } : {}),
    };
  }
  return out;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Values that name a file, a folder or an id: an empty one is a mistake to say before anything is read. */
const FILE_VALUES = new Set(['FILE', 'DIR', 'FILE[:LINE]', 'NAME|FILE', 'ID']);

function coerceFor(name: string, o: OptionSpec, fail: Fail) {
  return (value: unknown): unknown => {
    const empty = () => fail(`--${name} needs ${o.value === 'ID' ? 'a name' : 'a file name'} (got '')`);
    if (o.multiple) {
      const list = ([] as unknown[]).concat(value);
      if (o.value !== undefined && FILE_VALUES.has(o.value) && list.includes('')) throw empty();
      return list;
    }
    if (Array.isArray(value) && o.type !== 'boolean' && new Set(value.map(String)).size > 1) {
      // The last one would win silently: two baselines, two output files, two limits.
      throw fail(`--${name} given ${value.length} times (${value.map((v) => `'${String(v)}'`).join(', ')}): give it once`);
    }
    const last = Array.isArray(value) ? value.at(-1) : value;
    if (last === '' && o.value !== undefined && FILE_VALUES.has(o.value)) throw empty();
    // Defaults are numbers already; `false` (from --no-NAME) is refused as an unknown option.
    if (o.type !== 'number' || typeof last !== 'string') return last;
    // Number('') is 0 and Number('0x10') is 16: only plain decimal numbers are numbers here.
    if (!NUMBER.test(last.trim())) throw fail(`--${name} needs a number (got '${last}')`);
    return Number(last);
  };
}

/**
 * The words after the command name -> the arguments its `run` receives: camelCase option
 * names with defaults applied, positionals by name. yargs parses and validates (types,
 * short names and clusters, `--x=v`, `--no-x`, `--`, values required, numbers, choices, the
 * number of positionals); what it reports is worded here, in one line. `others` are the other
 * commands' specs, for the hint that an unknown option belongs to another command.
 */
export async function parseCommand(
  words: string[],
  spec: CommandSpec,
  others: CommandSpec[] = [],
  /** Which yargs entry parses (tests compare the two). */
  entry?: YargsEntry,
): Promise<Record<string, unknown>> {
  const options: Record<string, OptionSpec> = { ...spec.options, ...GLOBAL_OPTIONS };
  const fail = (message: string) => new UsageError(message, spec.name);
  const usage = `spylog ${spec.name} ${positionalUsage(spec)}`;
  const need = spec.positionals.length;
  const variadic = spec.positionals.some((p) => p.variadic);
  let positionals: string[] = [];
  const argv = (await configured(preprocess(words, options, fail), options, {}, fail, entry))
    // Before yargs' own checks: what it kept as words is either an unknown option or a positional.
    .middleware((argv) => {
      const words = argv._.map(String);
      const unknown = words.find(isOption);
      if (unknown !== undefined) throw fail(unknownOption(unknown, options, spec, others));
      for (const [name, o] of Object.entries(options)) {
        const v = argv[name];
        // `--no-format`: yargs negates any option; only booleans have a `--no-` form here.
        if (o.type !== 'boolean' && (v === false || (Array.isArray(v) && v.includes(false))))
          throw fail(unknownOption(`--no-${name}`, options, spec, others));
      }
      positionals = [...words, ...(argv['--'] ?? []).map(String)];
    }, true)
    .demandCommand(
      need,
      variadic ? Infinity : need,
      variadic
        ? `no log file given: ${usage} (- reads standard input)`
        : `${spec.name} needs ${need === 1 ? 'a log file' : `${need} log files (got $0)`}: ${usage} (- reads standard input)`,
    )
    .strictOptions()
    .fail((message, err) => {
      if (err instanceof UsageError) throw err;
      const text = message ?? err?.message ?? 'bad command line';
      if (/^Too many non-option arguments/.test(text)) {
        const extra = positionals.slice(need);
        throw fail(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((w) => `'${w}'`).join(' ')}: ${usage}`);
      }
      throw fail(yargsMessage(text, options));
    })
    .parseSync();

  const args: Record<string, unknown> = {};
  for (const name of Object.keys(options)) {
    const v = argv[name];
    if (v !== undefined) args[camelCase(name)] = v;
  }
  spec.positionals.forEach((p, i) => {
    args[camelCase(p.name)] = p.variadic ? positionals.slice(i) : positionals[i];
  });
  return args;
}

/** yargs' messages (its English ones: see yargs.ts) in spylog's words, naming the option as it is typed. */
function yargsMessage(text: string, options: Record<string, OptionSpec>): string {
  const long = (key: string) => {
    const name = Object.keys(options).find((n) => n === key || options[n]!.short === key || camelCase(n) === key);
    return name === undefined ? null : { name, o: options[name]! };
  };
  const needs = /^Not enough arguments following: (\S+)/.exec(text);
  const o1 = needs ? long(needs[1]!) : null;
  if (o1) return `--${o1.name} needs a value${o1.o.value ? ` (${o1.o.value})` : ''}`;
  const invalid = /Argument: (\S+), Given: ("(?:[^"\\]|\\.)*"|\S+?),/.exec(text);
  const o2 = invalid ? long(invalid[1]!) : null;
  if (o2?.o.choices) {
    const given = String(JSON.parse(invalid![2]!));
    const guess = closest(given.toLowerCase(), o2.o.choices);
    return `--${o2.name} must be one of ${o2.o.choices.join(', ')} (got '${given}'${guess ? `; did you mean ${guess}?` : ''})`;
  }
  return text.replace(/\s*\n\s*/g, '; ');
}

/**
 * What yargs cannot be told: `--color=always|never|auto` (as git and GNU tools spell it;
 * yargs reads any value but `true` as false) and `--colour`; a boolean given a value
 * (`--quiet=yes`, which yargs would read as false); a short option's value joined to it or
 * to other short options (`-fjson`, `-qfjson`), which yargs would take for unknown letters.
 */
function preprocess(words: string[], options: Record<string, OptionSpec>, fail: Fail): string[] {
  const out: string[] = [];
  const byShort = new Map(Object.entries(options).flatMap(([name, o]) => (o.short ? [[o.short, { name, o }] as const] : [])));
  let literal = false;
  // The word after an option that takes a value is that value (`--name -hello`), whatever it looks like.
  let value = false;
  const all = normaliseColour(words, fail);
  for (let at = 0; at < all.length; at++) {
    const w = all[at]!;
    if (value) {
      value = false;
      out.push(w);
      continue;
    }
    literal ||= w === '--';
    const bare = literal ? null : (/^--([^=]+)$/.exec(w) ?? /^-([A-Za-z])$/.exec(w));
    const named = bare
      ? w.startsWith('--')
        ? Object.hasOwn(options, bare[1]!)
          ? options[bare[1]!]
          : undefined
        : byShort.get(bare[1]!)?.o
      : undefined;
    value = named !== undefined && named.type !== 'boolean';
    // yargs would read `--trust-known-holders false` as the switch's value (turning it off) and a log named `true` as one.
    if (named?.type === 'boolean' && at + 1 < all.length && /^(true|false)$/.test(all[at + 1]!))
      throw fail(`${w} is a switch and takes no value (got '${all[at + 1]}'); a log of that name goes after --`);
    const bool = literal ? null : /^--(no-)?([^=]+)=/.exec(w);
    if (bool && options[bool[2]!]?.type === 'boolean') throw fail(`--${bool[1] ?? ''}${bool[2]} takes no value (got '${w}')`);
    const cluster = literal ? null : /^-([A-Za-z])(.+)$/.exec(w);
    if (cluster && !cluster[2]!.startsWith('=')) {
      // -qfjson -> -q -f json: the letters up to the first that takes a value, then the value.
      const letters = [...w.slice(1)];
      const at = letters.findIndex((l) => byShort.get(l)?.o.type !== 'boolean');
      const known = at >= 0 && byShort.has(letters[at]!) && at < letters.length - 1;
      if (known) {
        out.push(...letters.slice(0, at + 1).map((l) => `-${l}`), letters.slice(at + 1).join(''));
        continue;
      }
      // `-Anchor`, `-html`: a long option written with one dash, as PowerShell's own commands take them.
      if (!letters.every((l) => byShort.has(l))) {
        const name = w.slice(1).replace(/=.*$/s, '');
        const guess = Object.hasOwn(options, name.toLowerCase()) ? name.toLowerCase() : closest(name.toLowerCase(), Object.keys(options));
        if (guess) throw fail(`unknown option -${name} (did you mean --${guess}?)`);
        // `-q2`, `-h-`: yargs would take the switch and drop the rest.
        if (/[^A-Za-z]/.test(name)) throw fail(`unknown option ${w}`);
      }
    }
    out.push(w);
  }
  return out;
}

/** `--color=always|never|auto` (as git and GNU tools spell it) and `--colour`: yargs knows only the boolean (and reads `--color=always` as false). */
function normaliseColour(words: string[], fail: (m: string) => UsageError): string[] {
  const out: string[] = [];
  let literal = false;
  for (const w of words) {
    literal ||= w === '--';
    const m = literal ? null : /^--(no-)?colou?r(?:=(.*))?$/.exec(w);
    if (!m) {
      out.push(w);
      continue;
    }
    if (m[2] === undefined) {
      out.push(m[1] ? '--no-color' : '--color');
      continue;
    }
    const v = m[2].toLowerCase();
    if (m[1]) throw fail(`--no-color takes no value (got '${w}')`);
    if (['always', 'yes', 'on', 'true', '1'].includes(v)) out.push('--color');
    else if (['never', 'no', 'off', 'false', '0'].includes(v)) out.push('--no-color');
    else if (v !== 'auto') throw fail(`--color takes always, never or auto (got '${m[2]}')`);
  }
  return out;
}

function unknownOption(word: string, options: Record<string, OptionSpec>, spec: CommandSpec, others: CommandSpec[]): string {
  // `--name=value`: the name; `-qx`: the first letter that is no short option.
  const shortNames = new Set(Object.values(options).flatMap((o) => (o.short ? [o.short] : [])));
  const raw = word.startsWith('--') ? word.replace(/=.*$/s, '') : `-${[...word.slice(1)].find((l) => !shortNames.has(l)) ?? word.slice(1)}`;
  const name = raw.replace(/^--?/, '');
  if (!raw.startsWith('--')) {
    const shorts = Object.values(options)
      .flatMap((o) => (o.short ? [`-${o.short}`] : []))
      .join(' ');
    return `unknown option ${raw} (${spec.name}'s short options: ${shorts})`;
  }
  const base = name.startsWith('no-') ? name.slice(3) : name;
  if (base !== name && Object.hasOwn(options, base)) return `unknown option ${raw} (--${base} takes a value; only switches have a --no- form)`;
  const booleans = Object.keys(options).filter((n) => options[n]!.type === 'boolean');
  const guess = name.startsWith('no-') ? closest(base, booleans) : closest(name, Object.keys(options));
  if (guess) return `unknown option ${raw} (did you mean --${name.startsWith('no-') ? 'no-' : ''}${guess}?)`;
  const elsewhere = others.filter((c) => Object.hasOwn(c.options, base)).map((c) => c.name);
  if (elsewhere.length) {
    const who = elsewhere.length === 1 ? `${elsewhere[0]} takes` : `${elsewhere.slice(0, -1).join(', ')} and ${elsewhere.at(-1)} take`;
    return `unknown option ${raw}: ${who} it, ${spec.name} does not`;
  }
  return `unknown option ${raw}`;
}

/** Optimal string alignment distance: Levenshtein plus adjacent transpositions (`reprot`). */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest candidate: within 2 edits (more for long words), or the only one the word starts (3 letters or more). */
export function closest(word: string, candidates: readonly string[]): string | null {
  const limit = Math.max(2, Math.floor(word.length / 4));
  let best: string | null = null;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestD) [best, bestD] = [c, d];
  }
  if (best !== null && bestD <= limit && bestD < word.length) return best;
  const prefixed = candidates.filter((c) => word.length >= 3 && c.startsWith(word));
  return prefixed.length === 1 ? prefixed[0]! : null;
}
