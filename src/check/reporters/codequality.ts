// GitLab Code Quality (`artifacts:reports:codequality`): one JSON array, an entry per leak
// site and per stale baseline row. GitLab keys findings on `fingerprint` alone: it keeps one
// of two entries that share it, and its merge-request widget calls a finding whose
// fingerprint changed "new" and the old one "resolved". So the fingerprint is the finding's
// identity (log id, rule, context, size), the same digest as SARIF's. GitLab stops reading
// the file at the first entry its schema rejects, so every entry has every field.
import type { CheckResult } from '../gate.js';
import { ciView, type CiFinding, type CiOptions } from '../findings.js';
import { PLAIN, type Style } from '../../report/style.js';

/** GitLab's severities: blocker, critical, major, minor, info. */
const SEVERITY: Record<CiFinding['level'], string> = { error: 'major', warning: 'minor', note: 'info' };

export function renderCodeQuality(r: CheckResult, _style: Style = PLAIN, options: CiOptions = {}): string {
  const entries = ciView(r, options).findings.map((f) => ({
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
  }));
  return JSON.stringify(entries, null, 2) + '\n';
}

function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ');
}
