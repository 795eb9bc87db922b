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
  const { findings } = ciView(r, options);
  if (findings.length === 0) {
    yield '[]\n';
    return;
  }
  yield '[';
  for (let i = 0; i < findings.length; i++) {
    // An entry's own lines indented one level more; no JSON string holds a line break.
    yield `${i > 0 ? ',' : ''}\n  ${JSON.stringify(entry(findings[i]!), null, 2).replace(/\n/g, '\n  ')}`;
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
