// Wildcards in log arguments. cmd.exe and PowerShell hand `logs\*.log` to a program
// unexpanded (POSIX shells expand unquoted globs, and pass a quoted or unmatched one on), so
// spylog expands them itself, as eslint and prettier do:
//   1. `-` (standard input) and an argument naming an existing path are taken literally,
//      even with wildcard characters in them (`run[1].log`, a file really called `*.log`);
//   2. otherwise an argument with `*`, `?` or `[` is a wildcard: it must match at least one
//      file ("no file matches logs\*.log", exit 2), and its matches come sorted;
//   3. anything else is passed on; opening it says "no such file" as before.
// On Windows `\` and `/` both separate folders (never escapes), matching ignores case and `*`
// matches names starting with a dot, as `dir *.log` does; elsewhere `\` escapes, case counts
// and `*` skips dot files, as the shells do. Only `*`, `?`, `[...]` and a whole-segment `**`
// are wildcards: braces, parentheses, `!`, `+(` are literal (`logs\(old)\*.log` means it).
//
// The matching is tinyglobby's (3 small packages, no install script, ~17 ms to load, what
// Vite, SWC and ESLint's tooling moved to; fast-glob needs 17 packages and globby 23, and
// Node 20 has no fs.glob). It is loaded only when an argument has a wildcard. The folder part
// before the first wildcard is never part of the pattern: it becomes the search's cwd (drive
// letters, UNC shares and `..\` stay out of the pattern) and is joined back as the user spelt it.
import { statSync } from 'node:fs';
import nodePath from 'node:path';
import { SpylogError } from '../errors.js';

export interface ExpandOptions {
  platform: string;
  cwd: string;
  /** For tests: does this argument name an existing path? */
  exists?: (arg: string) => boolean;
}

function segmentIsWild(seg: string, win: boolean): boolean {
  return win ? /[*?[]/.test(seg) : /(^|[^\\])(\\\\)*[*?[]/.test(seg);
}

export function hasWildcard(arg: string, platform: string): boolean {
  return segmentIsWild(arg, platform === 'win32');
}

/** Makes braces, extglobs and negation literal for picomatch (no `\` is left in a win32 segment: the split took them). */
const literalize = (seg: string) => seg.replace(/[(){}!+@|]/g, '\\$&');
const unescapePosix = (seg: string) => seg.replace(/\\(.)/g, '$1');

/**
 * A wildcard argument as the folder it starts in (spelt as the user wrote it, '' for the
 * current folder) and a forward-slash pattern relative to it:
 *   win32 'C:\logs\2024-*\*.log' -> { base: 'C:\logs', pattern: '2024-*\/*.log' }
 */
export function splitWildcard(arg: string, platform: string): { base: string; pattern: string } {
  const win = platform === 'win32';
  const p = win ? nodePath.win32 : nodePath.posix;
  const root = p.parse(arg).root; // 'C:\', '\\srv\share\', '/', or ''
  const rest = arg.slice(root.length);
  const sep = win ? /[\\/]+/ : /\/+/;
  const segs = rest.split(sep);
  const first = segs.findIndex((s) => segmentIsWild(s, win));
  let base = root;
  if (first > 0) {
    // The user's own spelling of the folder part, separators included.
    let end = 0;
    const re = new RegExp(sep.source, 'g');
    for (let k = 0; k < first; k++) {
      const m = re.exec(rest);
      end = m ? m.index + m[0].length : rest.length;
    }
    base = arg.slice(0, root.length + end).replace(/[\\/]+$/, '') || root;
  }
  if (!win) base = unescapePosix(base);
  return { base, pattern: segs.slice(first).map(literalize).join('/') };
}

function existsOnDisk(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false; // ENOENT, or EINVAL for a `*` in a name on Windows
  }
}

/** Windows lists names ignoring case, then by code unit; POSIX shells sort by code unit (LC_ALL=C). */
function compare(win: boolean) {
  const ordinal = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return win ? (a: string, b: string) => ordinal(a.toUpperCase(), b.toUpperCase()) || ordinal(a, b) : ordinal;
}

/** The log arguments with every wildcard replaced by its matches (in place, in order). */
export async function expandLogArgs(args: string[], opts: ExpandOptions): Promise<string[]> {
  const win = opts.platform === 'win32';
  // A win32 simulation on Linux (tests): backslashes become the host's separator.
  const toHost = (a: string) => (win && nodePath.sep === '/' ? a.replace(/\\/g, '/') : a);
  const exists = opts.exists ?? ((a: string) => existsOnDisk(nodePath.resolve(opts.cwd, toHost(a))));
  const out: string[] = [];
  for (const arg of args) {
    if (arg === '-' || !hasWildcard(arg, opts.platform) || exists(arg)) {
      out.push(arg);
      continue;
    }
    const { base, pattern } = splitWildcard(arg, opts.platform);
    const { glob } = await import('tinyglobby');
    const matches = await glob(pattern, {
      cwd: nodePath.resolve(opts.cwd, toHost(base) || '.'),
      onlyFiles: true,
      expandDirectories: false, // tinyglobby's default would read `logs` as `logs/**`
      dot: win,
      caseSensitiveMatch: !(win || opts.platform === 'darwin'),
      followSymbolicLinks: true,
    });
    if (matches.length === 0) throw new SpylogError('NOT_FOUND', `no file matches ${arg}`);
    const sep = win ? '\\' : '/';
    out.push(
      ...[...new Set(matches)]
        .map((m) => (win ? m.replace(/\//g, '\\') : m))
        .sort(compare(win))
        .map((m) => (base === '' ? m : /[\\/]$/.test(base) ? base + m : base + sep + m)),
    );
  }
  return out;
}
