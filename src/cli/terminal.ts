// What the output can show: its width, colour, and box-drawing characters. Decided once per
// run from the streams and the environment (passed in: tests fake terminals this way).

/** The terminal's width when `columns` is known (a TTY), else $COLUMNS (set it to lay out a piped report), else 80. */
export function outputWidth(columns: number | undefined, env: Record<string, string | undefined>): number {
  if (columns !== undefined && Number.isInteger(columns) && columns > 0) return columns;
  const c = /^\s*\d+\s*$/.test(env.COLUMNS ?? '') ? Number(env.COLUMNS) : NaN;
  return c >= 20 && c <= 1000 ? c : 80;
}

/**
 * --color/--no-color win; then NO_COLOR (set and not empty: off, as no-color.org says); then
 * FORCE_COLOR ('0' or 'false': off, anything else, even empty: on, as Node and the chalk family
 * read it); then TERM=dumb (off); then colour exactly when the output is a terminal.
 * (tty.hasColors() is not asked: with both variables set it prints a warning on stderr.)
 */
export function wantColour(flag: boolean | undefined, env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR) return false;
  if (env.FORCE_COLOR !== undefined) return !['0', 'false'].includes(env.FORCE_COLOR.trim().toLowerCase());
  if (env.TERM === 'dumb') return false;
  return isTTY;
}

/**
 * Box-drawing characters only on a terminal. A Windows console gets UTF-16 (Node writes with
 * WriteConsoleW), so its code page does not matter; a redirected or piped output is bytes that
 * `type` or PowerShell 5.1 decode with the OEM code page, turning UTF-8 boxes into mojibake.
 * Elsewhere a terminal is UTF-8 unless the locale says otherwise (LANG=C).
 */
export function wantUnicode(isTTY: boolean, env: Record<string, string | undefined>, platform: string): boolean {
  if (!isTTY || env.TERM === 'dumb') return false;
  if (platform === 'win32') return true;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return locale === '' || /utf-?8/i.test(locale);
}
