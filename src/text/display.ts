// Text from a log (or a baseline, a dialect file, a file name) on its way to a person: the
// one escaping every human-facing output uses (the text report, check and diff text, stderr,
// the progress line). Printed raw, such text can move the cursor and rewrite the verdict
// line, set the window title, write the clipboard (ESC and C1 sequences), reorder what is
// read (bidi controls, "Trojan Source"), break lines where none is (U+2028/9) or hide text
// (zero-width characters). Each becomes visible: C0 and C1 controls and DEL as `\xNN`, the
// others as `<U+202E>`. Backslashes are left alone (Windows paths are full of them). JSON,
// CSV and XML have escapings of their own and do not use this.

/** C0 controls, DEL, C1 controls; ALM; zero-width space/joiners, LRM, RLM; line and paragraph separators; LRE..RLO; word joiner and invisible operators, LRI..PDI; BOM. */
const UNSAFE = /[\u0000-\u001F\u007F-\u009F\u061C\u200B-\u200F\u2028-\u202E\u2060-\u2069\uFEFF]/g;

function escape(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase();
  return cp <= 0xff ? `\\x${hex.padStart(2, '0')}` : `<U+${hex.padStart(4, '0')}>`;
}

/** `s` safe to show: every control, bidi, line-separating and invisible character made visible. */
export function displayText(s: string): string {
  return s.replace(UNSAFE, escape);
}

/** Whether `s` holds nothing displayText would change. */
export function isDisplaySafe(s: string): boolean {
  return !new RegExp(UNSAFE.source).test(s);
}

/** The colour sequences spylog's own styles write (report/style.ts): bold, dim, red, green, yellow, and their ends. */
const OUR_SGR = /(\x1b\[(?:1|2|22|31|32|33|39)m)/;

/**
 * The last look at a whole human-facing output before it is written: its lines as they are,
 * spylog's own colour sequences when `colour`, and everything else displayText'd. The
 * reporters escape log text where they take it in (so that widths are measured on what is
 * shown); this makes sure nothing they missed reaches a terminal raw.
 */
export function displayLines(text: string, colour: boolean): string {
  const pieces = colour ? text.split(OUR_SGR) : [text];
  // split() with a capture group: the sequences are at the odd places.
  return pieces.map((p, i) => (i % 2 === 1 ? p : p.split('\n').map(displayText).join('\n'))).join('');
}
