// GitLab Code Quality (`artifacts:reports:codequality`): one JSON array, an entry per leak
// site and per stale baseline row. GitLab keys findings on `fingerprint` alone: it keeps one
// of two entries that share it, and its merge-request widget calls a finding whose
// fingerprint changed "new" and the old one "resolved". So the fingerprint is the finding's
// identity (log id, rule, context, size), the same digest as SARIF's. GitLab stops reading
// the file at the first entry its schema rejects, so every entry has every field.
import type { CheckResult } from '../gate.js';
import { ciView, type CiFinding, type CiOptions } from '../findings.js';
import { PLAIN, type Style } from '../../report/style.js';
import { joinAll } from '../../text/pieces.js';

/** GitLab's severities: blocker, critical, major, minor, info. */
const SEVERITY: Record<CiFinding['level'], string> = { error: 'major', warning: 'minor', note: 'info' };

export function renderCodeQuality(r: CheckResult, style: Style = PLAIN, options: CiOptions = {}): string {
  return joinAll(renderCodeQualityParts(r, style, options));
}

/**
 * `renderCodeQuality` in pieces, an entry at a time: exactly JSON.stringify(entries, null, 2),
 * without the array of entries or its text (300,000 leak sites are 300,000 entries).
 */
export function* renderCodeQualityParts(r: CheckResult, _style: Style = PLAIN, options: CiOptions = {}): Generator<string> {
  const { findings, crtReport, logPath } = ciView(r, options);
  const total = findings.length + (crtReport ? 1 : 0);
  if (total === 0) {
    yield '[]\n';
    return;
  }
  yield '[';
  // An entry's own lines indented one level more; no JSON string holds a line break.
  const item = (i: number, e: object) => `${i > 0 ? ',' : ''}\n  ${JSON.stringify(e, null, 2).replace(/\n/g, '\n  ')}`;
  for (let i = 0; i < findings.length; i++) yield item(i, entry(findings[i]!));
  // Leaks this gate does not judge, but which the log reports: an `info` entry, last.
  if (crtReport) {
    yield item(findings.length, {
      type: 'issue',
      check_name: crtReport.id,
      description: oneLine(crtReport.message),
      content: { body: `Line ${crtReport.line} of the log.` },
      categories: ['Bug Risk'],
      severity: 'info',
      engine_name: 'spylog',
      fingerprint: crtReport.fingerprint,
      location: { path: logPath, lines: { begin: crtReport.line } },
    });
  }
  yield '\n]\n';
}

function entry(f: CiFinding) {
  return {
    type: 'issue',
    check_name: f.rule,
    // One line without HTML (the CodeClimate spec GitLab follows); details go in the body.
    description: oneLine(f.message),
    content: { body: f.details.join('\n') },
    categories: ['Bug Risk'],
    severity: SEVERITY[f.level],
    engine_name: 'spylog',
    fingerprint: f.fingerprint,
    location: { path: f.location.path, lines: { begin: f.location.line } },
  };
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
