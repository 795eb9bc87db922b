// Text from a log (or a baseline, a dialect file, a file name) on its way to a person: the
// one escaping every human-facing output uses (the text report, check and diff text, stderr,
// the progress line). Printed raw, such text can move the cursor and rewrite the verdict
// line, set the window title, write the clipboard (ESC and C1 sequences), reorder what is
// read (bidi controls, "Trojan Source"), break lines where none is (U+2028/9) or hide text
// (zero-width, format and default-ignorable characters: Unicode tags spelling words that show
// as nothing, a soft hyphen, Hangul fillers, variation selectors). Each becomes visible: C0 and
// C1 controls and DEL as `\xNN`, the others as `<U+202E>`. Backslashes are left alone (Windows
// paths are full of them). JSON, CSV and XML have escapings of their own and do not use this.

/**
 * What is never shown raw, by Unicode's own properties rather than a list of code points: a
 * hand list (C0/C1, bidi, U+200B-F, U+2060-9, U+FEFF) let the rest through, and the tag
 * characters U+E0020-7F spelled hidden words after a context (attack notes #203).
 * - Cc: C0 controls, DEL, C1 controls.
 * - Cf (format): bidi controls (ALM, LRM, RLM, LRE..RLO, LRI..PDI), zero-width space and
 *   joiners, word joiner and invisible operators, BOM, soft hyphen, tags, interlinear annotation
 *   (U+FFF9-B, which can hide text), shorthand and musical format controls. Some show a mark in
 *   Arabic or Syriac text (U+0600-5, U+06DD): rare in a log, and shown escaped they hide nothing.
 * - Default_Ignorable_Code_Point: what a font draws as nothing, Cf or not: Hangul fillers
 *   (U+115F/60, U+3164, U+FFA0, letters), variation selectors (U+FE00-F, U+E0100-EF) and other
 *   ignorable marks (U+034F, U+17B4/5, U+180B-F), and the unassigned code points kept for such
 *   characters (U+E0000-FFF, U+FFF0-8), so a later Unicode's additions there are covered. Not
 *   all of Mn: that is every combining accent (`e` + U+0301, Devanagari's vowel signs).
 * - Zl, Zp: the line and paragraph separators U+2028/9.
 * The two properties grow only by Unicode adding characters, which Node's version decides.
 * One exception: U+FE0F right after an emoji (`❤️`, `✔️`) only picks how the emoji is drawn;
 * escaped, it broke the word it was in (attack notes #217). Elsewhere it is escaped.
 */
const UNSAFE = /(?!(?<=\p{Extended_Pictographic})\uFE0F)[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}\u2028\u2029]/gu;

/** C0 and C1 controls and DEL as `\xNN`; the others (U+00AD too) as `<U+00AD>`. */
function escape(c: string): string {
  const cp = c.codePointAt(0)!;
  const hex = cp.toString(16).toUpperCase();
  return cp <= 0x9f ? `\\x${hex.padStart(2, '0')}` : `<U+${hex.padStart(4, '0')}>`;
}

/** `s` safe to show: every control, bidi, line-separating and invisible character made visible. */
export function displayText(s: string): string {
  return s.replace(UNSAFE, escape);
}

/** Whether `s` holds nothing displayText would change. */
export function isDisplaySafe(s: string): boolean {
  return !new RegExp(UNSAFE.source, 'u').test(s);
}

/** The colour sequences spylog's own styles write (report/style.ts): bold, dim, red, green, yellow, and their ends. */
const OUR_SGR = /(\x1b\[(?:1|2|22|31|32|33|39)m)/;

/**
 * The last look at a whole human-facing output before it is written: its lines as they are,
 * spylog's own colour sequences when `colour`, and everything else displayText'd (the job
 * summary's `⚠️` and `ℹ️` are emoji: UNSAFE lets their U+FE0F through). The reporters escape log text where they take it in (so that widths are
 * measured on what is shown); this makes sure nothing they missed reaches a terminal raw.
 */
export function displayLines(text: string, colour: boolean): string {
  const pieces = colour ? text.split(OUR_SGR) : [text];
  // split() with a capture group: the sequences are at the odd places.
  return pieces.map((p, i) => (i % 2 === 1 ? p : p.split('\n').map(displayText).join('\n'))).join('');
}
