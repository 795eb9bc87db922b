// Several reports of one file (its processes, or its runs) into the file's report: counts
// and the summary are summed, the truncation is the worst of them, the peak the highest,
// evidence is labelled with its part, and every block says which part it lived in. Pure.
import { CATEGORIES, type Category, type Tally, type Truncation } from '../model.js';
import type { Report, ReportBlock } from '../report/schema.js';

export interface Part {
  /** `run 2`, `pid 4242`: prefixes the part's evidence. */
  label: string;
  firstLine: number;
  lastLine: number;
  report: Report;
  /** Stamped on the part's blocks. */
  tag: { pid: number | null } | { run: number };
}

const SEVERITY: Record<Truncation, number> = { complete: 0, 'possibly-truncated': 1, truncated: 2 };

export function mergeReports(parts: Part[], file: { lines: number }): Report {
  const first = parts[0]!.report;
  const summary = Object.fromEntries(CATEGORIES.map((c) => [c, { blocks: 0, bytes: 0 }])) as Record<Category, Tally>;
  const blocks: ReportBlock[] = [];
  const anomalyCounts: Record<string, number> = {};
  let truncation: Truncation = 'complete';
  let peak = { blocks: 0, bytes: 0, line: 0 };
  const merged: Report = {
    ...first,
    truncation,
    evidence: [],
    lines: file.lines,
    allocs: 0,
    frees: 0,
    summary,
    blocks,
    anomalies: [],
    findings: [],
    reallocs: 0,
    anomalyCounts: {},
  };
  for (const { label, firstLine, lastLine, report: r, tag } of parts) {
    if (SEVERITY[r.truncation] > SEVERITY[truncation]) truncation = r.truncation;
    const where = firstLine === lastLine ? `line ${firstLine}` : `lines ${firstLine}\u2013${lastLine}`;
    for (const e of r.evidence) merged.evidence.push(`${label} (${where}): ${e}`);
    merged.allocs += r.allocs;
    merged.frees += r.frees;
    merged.reallocs += r.reallocs;
    for (const c of CATEGORIES) {
      summary[c].blocks += r.summary[c].blocks;
      summary[c].bytes += r.summary[c].bytes;
    }
    for (const b of r.blocks) blocks.push({ ...b, ...tag });
    merged.anomalies.push(...r.anomalies);
    for (const [kind, n] of Object.entries(r.anomalyCounts)) anomalyCounts[kind] = (anomalyCounts[kind] ?? 0) + n;
    merged.findings.push(...r.findings.map((f) => ({ ...f, ...tag })));
    if (r.peak.bytes > peak.bytes || (r.peak.bytes === peak.bytes && r.peak.blocks > peak.blocks)) peak = r.peak;
  }
  merged.truncation = truncation;
  merged.peak = peak;
  blocks.sort((a, b) => (a.allocLine ?? Infinity) - (b.allocLine ?? Infinity) || a.address.localeCompare(b.address));
  merged.anomalies.sort((a, b) => a.line - b.line);
  for (const kind of Object.keys(anomalyCounts).sort()) merged.anomalyCounts[kind] = anomalyCounts[kind]!;
  merged.phases = mergePhases(parts.map((p) => p.report.phases));
  delete merged.processes;
  delete merged.runs;
  return merged;
}

/** The file's phases: the first registration, the last of every later mark, all exit events. */
function mergePhases(all: Report['phases'][]): Report['phases'] {
  const min = (xs: (number | null)[]) => xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.min(m, x)), null);
  const latest = <T extends { line: number }>(xs: (T | null)[]) => xs.reduce<T | null>((m, x) => (x && (!m || x.line > m.line) ? x : m), null);
  const max = (xs: (number | null)[]) => xs.reduce<number | null>((m, x) => (x === null ? m : m === null ? x : Math.max(m, x)), null);
  return {
    spyRegistered: min(all.map((p) => p.spyRegistered)),
    coUninitialize: max(all.map((p) => p.coUninitialize)),
    revoke: latest(all.map((p) => p.revoke)),
    dump: latest(all.map((p) => p.dump)),
    lastProgramLine: max(all.map((p) => p.lastProgramLine)),
    exitEvents: all.reduce((s, p) => s + p.exitEvents, 0),
  };
}
