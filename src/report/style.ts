// How to draw for one output, decided once by the CLI (terminal or not, its width,
// --color, NO_COLOR, FORCE_COLOR) and passed down: reporters never look at the environment.
export interface Style {
  /** Box drawing and block characters only on a terminal; ASCII in files and pipes. */
  unicode: boolean;
  /** Columns a line may take: the terminal's, COLUMNS when piped, 80 otherwise. */
  width: number;
  bold(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  green(s: string): string;
  dim(s: string): string;
}

const wrap = (open: number, close: number) => (s: string) => `\x1b[${open}m${s}\x1b[${close}m`;

/** The width of a report in a file or a pipe, and of the text goldens. */
export const DEFAULT_WIDTH = 80;

export const COLOR: Style = {
  unicode: false,
  width: DEFAULT_WIDTH,
  bold: wrap(1, 22),
  red: wrap(31, 39),
  yellow: wrap(33, 39),
  green: wrap(32, 39),
  dim: wrap(2, 22),
};

const id = (s: string) => s;
export const PLAIN: Style = { unicode: false, width: DEFAULT_WIDTH, bold: id, red: id, yellow: id, green: id, dim: id };
