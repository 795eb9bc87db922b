// The words of the command line -> a command and its arguments, or one usage error. Node's
// own util.parseArgs splits the words (short clusters `-qf json`, `--x=v`, `--no-x`, `--`);
// what it finds is checked here against the command's table (spec.ts), so every mistake is
// refused by name, on one line, with a suggestion where one is close.
//
// Why not yargs' strict mode: with a default command yargs lets an unknown `--asume-complete`
// swallow the next word and then reports "Not enough non-option arguments"; its
// recommendCommands() is inert when a default command exists; it never suggests options;
// and loading it costs ~65 ms of CPU on every run.
import { parseArgs } from 'node:util';
import { SpylogError } from '../errors.js';
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
  if (head.includes('--help') || head.includes('-h') || head.some((w) => /^-[a-z]*h[a-z]*$/i.test(w) && !w.startsWith('--'))) {
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

/** The index of the first positional word, skipping options and their values, by `spec`'s table; -1 if none. */
export function firstWord(words: string[], spec: CommandSpec): number {
  const { tokens } = parseArgs({ args: words, options: nodeOptions(spec), strict: false, allowPositionals: true, tokens: true });
  for (const t of tokens) {
    if (t.kind === 'option-terminator') return -1;
    if (t.kind === 'positional') return t.index;
  }
  return -1;
}

/**
 * The words after the command name -> the arguments its `run` receives: camelCase option
 * names with defaults applied, positionals by name. `others` are the other commands' specs,
 * for the hint that an unknown option belongs to another command.
 */
export function parseCommand(words: string[], spec: CommandSpec, others: CommandSpec[] = []): Record<string, unknown> {
  const options: Record<string, OptionSpec> = { ...spec.options, ...GLOBAL_OPTIONS };
  const fail = (message: string) => new UsageError(message, spec.name);
  const { tokens } = parseArgs({
    args: normaliseColour(words, fail),
    options: nodeOptions({ ...spec, options }),
    strict: false, // an unknown option must not swallow the next word: it is refused below, by name
    allowPositionals: true,
    allowNegative: true,
    tokens: true,
  });

  const values: Record<string, unknown> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') positionals.push(t.value);
    if (t.kind !== 'option') continue;
    const negated = t.rawName.startsWith('--no-');
    const known = options[t.name];
    if (!known || (negated && known.type !== 'boolean')) throw fail(unknownOption(t.rawName, options, spec, others));
    if (known.type === 'boolean') {
      if (t.value !== undefined) throw fail(`${t.rawName} takes no value (got '${t.rawName}=${t.value}')`);
      values[t.name] = !negated;
      continue;
    }
    const long = `--${t.name}`;
    if (t.value === undefined || (!t.inlineValue && isOption(t.value) && options[t.value.replace(/^--?(no-)?/, '')] !== undefined)) {
      throw fail(`${long} needs a value${known.value ? ` (${known.value})` : ''}`);
    }
    const value = convert(long, t.value, known, fail);
    // A repeatable option collects its values (given ones replace the default); others keep the last.
    values[t.name] = known.multiple ? [...((values[t.name] as unknown[] | undefined) ?? []), value] : value;
  }

  const args: Record<string, unknown> = {};
  for (const [name, o] of Object.entries(options)) {
    const v = values[name] ?? o.default;
    if (v !== undefined) args[camelCase(name)] = v;
  }
  Object.assign(args, positionalArgs(positionals, spec, fail));
  return args;
}

function positionalArgs(words: string[], spec: CommandSpec, fail: (m: string) => UsageError): Record<string, unknown> {
  const usage = `spylog ${spec.name} ${positionalUsage(spec)}`;
  const variadic = spec.positionals.some((p) => p.variadic);
  const need = spec.positionals.length;
  if (words.length < need) {
    const what = variadic ? 'no log file given' : `${spec.name} needs ${need === 1 ? 'a log file' : `${need} log files (got ${words.length})`}`;
    throw fail(`${what}: ${usage} (- reads standard input)`);
  }
  if (!variadic && words.length > need) {
    const extra = words.slice(need);
    throw fail(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((w) => `'${w}'`).join(' ')}: ${usage}`);
  }
  const out: Record<string, unknown> = {};
  spec.positionals.forEach((p, i) => {
    out[camelCase(p.name)] = p.variadic ? words.slice(i) : words[i];
  });
  return out;
}

function convert(long: string, raw: string, o: OptionSpec, fail: (m: string) => UsageError): string | number {
  if (o.choices && !o.choices.includes(raw)) {
    const guess = closest(raw.toLowerCase(), o.choices);
    throw fail(`${long} must be one of ${o.choices.join(', ')} (got '${raw}'${guess ? `; did you mean ${guess}?` : ''})`);
  }
  if (o.type !== 'number') return raw;
  // Number('') is 0 and Number('0x10') is 16: only plain decimal numbers are numbers here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw.trim())) throw fail(`${long} needs a number (got '${raw}')`);
  return Number(raw);
}

/** `--color=always|never|auto` (as git and GNU tools spell it) and `--colour`: util.parseArgs knows only the boolean. */
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

function unknownOption(raw: string, options: Record<string, OptionSpec>, spec: CommandSpec, others: CommandSpec[]): string {
  const name = raw.replace(/^--?/, '');
  if (!raw.startsWith('--')) {
    const shorts = Object.values(options)
      .flatMap((o) => (o.short ? [`-${o.short}`] : []))
      .join(' ');
    return `unknown option ${raw} (${spec.name}'s short options: ${shorts})`;
  }
  const base = name.startsWith('no-') ? name.slice(3) : name;
  const booleans = Object.keys(options).filter((n) => options[n]!.type === 'boolean');
  const guess = name.startsWith('no-') ? closest(base, booleans) : closest(name, Object.keys(options));
  if (guess) return `unknown option ${raw} (did you mean --${name.startsWith('no-') ? 'no-' : ''}${guess}?)`;
  const elsewhere = others.filter((c) => c.options[base] !== undefined).map((c) => c.name);
  if (elsewhere.length) {
    const who = elsewhere.length === 1 ? `${elsewhere[0]} takes` : `${elsewhere.slice(0, -1).join(', ')} and ${elsewhere.at(-1)} take`;
    return `unknown option ${raw}: ${who} it, ${spec.name} does not`;
  }
  return `unknown option ${raw}`;
}

function nodeOptions(spec: Pick<CommandSpec, 'options'>) {
  const out: Record<string, { type: 'boolean' | 'string'; short?: string }> = {};
  for (const [name, o] of Object.entries(spec.options))
    out[name] = { type: o.type === 'boolean' ? 'boolean' : 'string', ...(o.short ? { short: o.short } : {}) };
  return out;
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
