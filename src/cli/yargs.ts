// yargs, loaded for what spylog asks of it: parsing the words of a command line against the
// option table (spec.ts) and validating them. Help is rendered from the same table (help.ts),
// so yargs' help machinery is never used.
//
// Start-up: `import 'yargs'` costs ~85 ms of CPU (Node 20, `node scripts/startup.mjs`), and
// most of it is not the parser: yargs' Node entry (index.mjs; `yargs/yargs` is the same file
// in yargs 18) goes through a platform shim that eagerly imports cliui (~29 ms, for help
// text), string-width, escalade and get-caller-file (~20 ms together: help layout,
// package.json lookup, commandDir) and y18n (locale files). yargs builds itself from that
// shim (`YargsFactory(shim)`), so spylog hands it a shim with only what parsing and
// validation need: yargs-parser, node:path, and English messages (spylog's words are
// English; yargs' English messages are its own keys). That costs ~31 ms. If a later yargs
// moves its factory, the full entry is loaded instead (same behaviour, the higher cost):
// `yargsEntry()` says which one runs, and a test pins it for the version in package.json.
//
// yargs 18 ships no types for its Node entry (its package excludes *.d.ts but the browser
// one), and the module is imported by URL here, so the small part of its API spylog uses is
// typed below instead of adding @types/yargs.
import { createRequire } from 'node:module';
import { basename, dirname, extname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface YargsOption {
  type: 'boolean' | 'string';
  alias?: string;
  default?: unknown;
  choices?: readonly string[];
  requiresArg?: boolean;
  coerce?: (value: unknown) => unknown;
}

/** What yargs gives back: option values by name (kebab-case and camelCase), positionals in `_`, the words after `--` in `--`. */
export interface Parsed {
  _: (string | number)[];
  '--'?: (string | number)[];
  [key: string]: unknown;
}

/** The calls spylog makes on a yargs instance (yargs' own names and meanings). */
export interface Yargs {
  options(options: Record<string, YargsOption>): Yargs;
  parserConfiguration(config: Record<string, boolean>): Yargs;
  middleware(fn: (argv: Parsed) => void, applyBeforeValidation: boolean): Yargs;
  fail(fn: (message: string | null, err: Error | undefined) => void): Yargs;
  help(enable: false): Yargs;
  version(enable: false): Yargs;
  exitProcess(enable: false): Yargs;
  locale(locale: string): Yargs;
  strictOptions(): Yargs;
  demandCommand(min: number, max: number, minMsg?: string): Yargs;
  parseSync(): Parsed;
}

export type YargsFn = (args: string[]) => Yargs;

export type YargsEntry = 'factory' | 'index';

const loaded = new Map<YargsEntry, Promise<{ fn: YargsFn; entry: YargsEntry }>>();

function get(entry: YargsEntry) {
  let p = loaded.get(entry);
  if (!p) loaded.set(entry, (p = load(entry)));
  return p;
}

/** yargs, ready to parse `args`: through its factory with spylog's shim (the default), or its full Node entry. */
export async function yargsFor(args: string[], entry: YargsEntry = 'factory'): Promise<Yargs> {
  return (await get(entry)).fn(args);
}

/** Which way yargs is loaded when the factory is asked for: 'index' when this yargs has no factory where 18.2 keeps it. */
export async function yargsEntry(): Promise<YargsEntry> {
  return (await get('factory')).entry;
}

async function load(want: YargsEntry): Promise<{ fn: YargsFn; entry: YargsEntry }> {
  const index = import.meta.resolve('yargs');
  if (want === 'factory') {
    let factory: unknown;
    let parser: unknown;
    try {
      [factory, parser] = await Promise.all([
        import(new URL('build/lib/yargs-factory.js', index).href).then((m: { YargsFactory?: unknown }) => m.YargsFactory),
        // yargs' own yargs-parser, resolved from yargs' folder (it is yargs' dependency, not spylog's).
        import(pathToFileURL(createRequire(index).resolve('yargs-parser')).href).then((m: { default?: unknown }) => m.default),
      ]);
    } catch (err) {
      if (!['ERR_MODULE_NOT_FOUND', 'MODULE_NOT_FOUND'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
    }
    if (typeof factory === 'function' && typeof parser === 'function') {
      return { fn: (factory as (shim: unknown) => YargsFn)(shim(parser)), entry: 'factory' };
    }
  }
  const full = (await import(index)) as { default: YargsFn };
  return { fn: full.default, entry: 'index' };
}

/** `%s` placeholders filled in order, as y18n does for English. */
function format(text: string, ...args: unknown[]): string {
  let i = 0;
  return text.replace(/%s/g, () => String(args[i++] ?? ''));
}

const unused = (what: string) => () => {
  throw new Error(`spylog does not use yargs' ${what}`);
};

/** yargs' platform shim (lib/platform-shims/esm.mjs) reduced to parsing and validation. */
function shim(Parser: unknown) {
  return {
    assert: { notStrictEqual() {}, strictEqual() {} },
    cliui: unused('help layout'),
    findUp: () => undefined, // no package.json lookup: spylog prints its own version
    getEnv: () => undefined, // no YARGS_* or locale variables: the same parse everywhere
    inspect: String,
    getCallerFile: unused('commandDir'),
    getProcessArgvBin: () => 'spylog',
    mainFilename: 'spylog',
    Parser,
    path: { basename, dirname, extname, relative, resolve, join },
    process: {
      argv: () => [],
      cwd: () => process.cwd(),
      emitWarning() {},
      execPath: () => process.execPath,
      exit() {},
      nextTick: process.nextTick,
      stdColumns: 80,
    },
    readFileSync: () => '{}',
    readdirSync: () => [],
    require: unused('require'),
    stringWidth: (s: string) => s.length,
    y18n: {
      __: (text: string, ...args: unknown[]) => format(text, ...args),
      __n: (one: string, many: string, count: number, ...args: unknown[]) => format(count === 1 ? one : many, ...args),
      getLocale: () => 'en',
      setLocale() {},
      updateLocale() {},
    },
  };
}
