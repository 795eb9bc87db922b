// SARIF 2.1.0 for code-scanning uploads: one result per leaked (or undecided) block,
// located at the log line of its allocation, with a fingerprint that survives a rerun
// (context, size and ordinal, never the address, which changes every run).
import { createHash } from 'node:crypto';
import type { ReportBlock } from '../../model/report.js';
import type { CheckResult } from '../gate.js';
import { bytes } from '../../text/words.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

const RULES = [
  {
    id: 'spylog/true-leak',
    name: 'TrueLeak',
    shortDescription: { text: 'COM task memory the program never freed' },
    fullDescription: {
      text: 'A block allocated through the COM allocator (CoTaskMemAlloc and friends) that was never freed, in a log that is complete or decided by a baseline: the program leaked it.',
    },
    defaultConfiguration: { level: 'error' },
  },
  {
    id: 'spylog/unresolved',
    name: 'UnresolvedBlock',
    shortDescription: { text: 'Never freed, but the log may be truncated' },
    fullDescription: {
      text: 'A block never freed in a log that may have lost its ExitProcess output (redirected stdout): it may be memory the COM runtime frees at exit, or a leak. Decide it with a baseline from a console capture.',
    },
    defaultConfiguration: { level: 'warning' },
  },
  {
    id: 'spylog/stale-baseline',
    name: 'StaleBaseline',
    shortDescription: { text: 'A baseline entry found fewer blocks than it expects' },
    fullDescription: { text: 'The runtime no longer holds memory the baseline lists, or the program changed: regenerate the baseline.' },
    defaultConfiguration: { level: 'warning' },
  },
];

const LEVEL = { fail: 'error', warn: 'warning', allow: 'note' } as const;

export function renderSarif(r: CheckResult): string {
  const logUri = toUri(r.source);
  const fallbackLine = r.report.phases.dump?.line ?? 1;
  const results: unknown[] = [];
  const blockResult = (b: ReportBlock, ordinal: number, ruleIndex: 0 | 1, level: string) => ({
    ruleId: RULES[ruleIndex]!.id,
    ruleIndex,
    level,
    message: {
      text:
        `${bytes(b.size)} at ${b.address} allocated in ${b.context} ` +
        (ruleIndex === 0
          ? `never freed (decided by ${b.decidedBy})`
          : `never freed; the log is ${r.report.truncation}, so it may be freed during ExitProcess`),
    },
    locations: [{ physicalLocation: { artifactLocation: { uri: logUri }, region: { startLine: b.allocLine ?? fallbackLine } } }],
    partialFingerprints: { 'spylogBlock/v1': fingerprint(RULES[ruleIndex]!.id, b.context, b.size, ordinal) },
    properties: { address: b.address, size: b.size, context: b.context, decidedBy: b.decidedBy, data: b.data },
  });
  for (const g of r.leaks) g.blocks.forEach((b, i) => results.push(blockResult(b, i, 0, 'error')));
  if (r.unresolvedPolicy !== 'allow') {
    for (const g of r.unresolved) g.blocks.forEach((b, i) => results.push(blockResult(b, i, 1, LEVEL[r.unresolvedPolicy])));
  }
  for (const s of r.baseline?.stale ?? []) {
    results.push({
      ruleId: RULES[2]!.id,
      ruleIndex: 2,
      level: 'warning',
      message: { text: `baseline entry ${s.context}, ${bytes(s.size)} expects ${s.expected} block(s) but found ${s.found}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: toUri(r.baseline!.file) }, region: { startLine: Math.max(1, s.line) } } }],
      partialFingerprints: { 'spylogBlock/v1': fingerprint(RULES[2]!.id, s.context, s.size, 0) },
    });
  }
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'spylog', rules: RULES } },
        invocations: [{ executionSuccessful: true }],
        results,
        properties: { verdict: r.verdict, passed: r.passed, truncation: r.report.truncation },
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

function fingerprint(rule: string, context: string, size: number, ordinal: number): string {
  return createHash('sha256').update(`${rule}\0${context}\0${size}\0${ordinal}`).digest('hex').slice(0, 32);
}

/** A path as a URI reference: forward slashes, and characters a URI cannot hold escaped. */
export function toUri(path: string): string {
  if (path === '-') return 'stdin';
  const p = path.replace(/\\/g, '/');
  const drive = /^[A-Za-z]:\//.test(p);
  return (drive ? 'file:///' : '') + encodeURI(p).replace(/[?#]/g, encodeURIComponent);
}
