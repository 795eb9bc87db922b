// How many terminal columns text takes, and wrapping it to a width. East Asian wide
// characters take two columns, combining marks and zero-width characters none; control
// characters none (they are escaped before they reach a table: see cellText in table.ts).

// Wide and fullwidth ranges of Unicode's East Asian Width property (W and F), the ones that
// occur in text: Hangul Jamo, CJK radicals to Yi, Hangul syllables, CJK compatibility,
// vertical and small forms, fullwidth forms, and the emoji and CJK extension planes.
const WIDE: [number, number][] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x1f300, 0x1f64f],
  [0x1f900, 0x1f9ff],
  [0x20000, 0x3fffd],
];

function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0; // controls
  if (cp < 0x300) return 1; // the common case, fast
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || cp === 0xfeff || (cp >= 0xfe00 && cp <= 0xfe0f)) return 0;
  for (const [lo, hi] of WIDE) if (cp >= lo && cp <= hi) return 2;
  return 1;
}

/** Columns `s` takes on a terminal; ANSI colour sequences take none. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s.includes('\x1b') ? s.replace(/\x1b\[[0-9;]*m/g, '') : s) w += charWidth(ch.codePointAt(0)!);
  return w;
}

/** The longest start of `s` that fits `width` columns. */
export function takeColumns(s: string, width: number): string {
  let w = 0;
  let i = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0)!);
    if (w + cw > width) break;
    w += cw;
    i += ch.length;
  }
  return s.slice(0, i);
}

/**
 * Greedy word wrap to `width` columns. Later lines start with `indent` (a hanging indent
 * for list items); the text's own leading spaces stay on its first line. A word longer than
 * a line is cut across lines, never dropped: a report must not lose a context or an address.
 */
export function wrapText(text: string, width: number, indent = ''): string[] {
  if (displayWidth(text) <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const out: string[] = [];
  let prefix = lead;
  let line = '';
  const avail = () => Math.max(1, width - displayWidth(prefix));
  const push = () => {
    out.push(prefix + line);
    prefix = indent;
    line = '';
  };
  for (const word of text.slice(lead.length).split(/ +/).filter(Boolean)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (displayWidth(candidate) <= avail()) {
      line = candidate;
      continue;
    }
    if (line !== '') push();
    let rest = word;
    while (displayWidth(rest) > avail()) {
      const cut = takeColumns(rest, avail()) || String.fromCodePoint(rest.codePointAt(0)!);
      line = cut;
      push();
      rest = rest.slice(cut.length);
    }
    line = rest;
  }
  if (line !== '' || out.length === 0) push();
  return out;
}

const ASCII_FOR: Record<string, string> = {
  '\u2018': "'",
  '\u2019': "'",
  '\u201C': '"',
  '\u201D': '"',
  '\u2026': '...',
  '\u2013': '-',
  '\u2014': '-',
  '\u00D7': 'x',
  '\u2192': '->',
};

/**
 * spylog's own typography (’ … – × →) in ASCII, for output that is not a terminal: `type`
 * and Windows PowerShell read a redirected report in the OEM code page, where UTF-8 turns
 * into mojibake. Text from the log itself is left as it is (a context in another script must
 * stay readable where UTF-8 is read).
 */
export function asciiTypography(text: string): string {
  return text.replace(/[\u2018\u2019\u201C\u201D\u2026\u2013\u2014\u00D7\u2192]/g, (c) => ASCII_FOR[c]!);
}
