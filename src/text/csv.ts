// One CSV field as RFC 4180 quotes it: every CSV spylog writes (reports, diffs, baselines)
// goes through here.

export function csvField(value: string | number | boolean): string {
  const s = String(value);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}
