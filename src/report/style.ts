// Minimal ANSI styling, decided once by the CLI (TTY and NO_COLOR) and passed down:
// reporters never look at the environment themselves.
export interface Style {
  /** Unicode drawing (sparklines) only on a UTF-8 terminal. */
  unicode: boolean;
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

export const COLOR: Style = {
  unicode: false,
  bold: wrap(1, 22),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  green: wrap(32, 39),
  dim: wrap(2, 22),
};

const id = (s: string) => s;
export const PLAIN: Style = { unicode: false, bold: id, red: id, yellow: id, green: id, dim: id };
