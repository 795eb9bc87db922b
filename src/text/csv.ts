// One CSV field, as every CSV spylog writes (reports, diffs, baselines) quotes it: RFC 4180,
// and safe to open in a spreadsheet. A cell that starts with = + - @ (or a tab or CR, which
// Excel skips before looking) is a formula to Excel and LibreOffice: a program line or a
// context from a log could run one. Such a text cell gets a leading `'` (OWASP's advice),
// which the spreadsheet shows as text and `readCsvField` takes off again. Numbers are
// written as they are.

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: string | number | boolean): string {
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s)) s = "'" + s;
  // Quoted also when a reader would otherwise drop or trim something: a leading # (a
  // comment to spylog's baseline reader), blanks at either end.
  return /[",\r\n]|^[#\s]|\s$/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** A text field as `csvField` wrote it: the `'` that disarmed a formula taken off. */
export function readCsvField(s: string): string {
  return s.length > 1 && s.charCodeAt(0) === 39 /* ' */ && FORMULA_START.test(s.slice(1)) ? s.slice(1) : s;
}
