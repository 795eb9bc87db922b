// Several reports of one file (its processes, or its runs) into the file's report: counts
// and the summary are summed, the truncation is the worst of them, the peak the highest,
// evidence is labelled with its part, and every block and finding says which part it
// lived in. Nothing is decided here: each part was decided on its own, so the parts
// always add up to the whole. Pure.
import { CATEGORIES, type Category, type Tally, type Truncation } from '../model/block.js';
import type { PartTag, Report, ReportBlock, Timeline as TimelineJson } from '../model/report.js';
import { Timeline } from '../track/timeline.js';
import { byAllocation } from './decide.js';

export interface Part {
  /** `run 2`, `pid 4242`: prefixes the part's evidence. */
  label: string;
  firstLine: number;
  lastLine: number;
  report: Report;
  /** Stamped on the part's blocks and findings. */
  tag: { pid: number | null } | { run: number };
}

const SEVERITY: Record<Truncation, number> = { complete: 0, 'possibly-truncated': 1, truncated: 2 };

/**
 * The file's report from its parts. `end` is the part holding the file's end: the file's
 * `phases` are its phases (a phase of one run says nothing about another's), with `part`
 * naming it.
 */
export function mergeReports(parts: Part[], file: { lines: number }, end: Part): Report {
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
  blocks.sort(byAllocation);
  merged.anomalies.sort((a, b) => a.line - b.line);
  for (const kind of Object.keys(anomalyCounts).sort()) merged.anomalyCounts[kind] = anomalyCounts[kind]!;
  const part: PartTag = { ...end.tag, ...end.report.phases.part };
  merged.phases = { ...end.report.phases, part };
  merged.timeline = mergeTimelines(parts, peak.line);
  delete merged.processes;
  delete merged.runs;
  return merged;
}

/**
 * The file's live memory: at each bucket of a part, the sum of that part's value and the
 * last value of every other part still running (a part's memory is gone after its last
 * line: a finished run's process has exited). Re-bucketed, so it stays bounded; for
 * interleaved processes it is an approximation at bucket resolution.
 */
function mergeTimelines(parts: Part[], peakLine: number): TimelineJson {
  const series = parts.flatMap((part, i) => part.report.timeline.points.map((point) => ({ i, point })));
  series.sort((a, b) => a.point.fromLine - b.point.fromLine || a.point.toLine - b.point.toLine);
  // Running totals over the parts, and the parts in the order they end: each step is
  // O(1) amortised, whatever the number of parts (a CI file may hold thousands of runs).
  const bytes = new Array<number>(parts.length).fill(0);
  const blocks = new Array<number>(parts.length).fill(0);
  let totalBytes = 0;
  let totalBlocks = 0;
  const byEnd = parts.map((_, j) => j).sort((x, y) => parts[x]!.lastLine - parts[y]!.lastLine);
  let ended = 0;
  const timeline = new Timeline();
  let lastLine = 0;
  for (const { i, point } of series) {
    while (ended < byEnd.length && parts[byEnd[ended]!]!.lastLine < point.fromLine) {
      const j = byEnd[ended++]!;
      totalBytes -= bytes[j]!;
      totalBlocks -= blocks[j]!;
      bytes[j] = blocks[j] = 0;
    }
    const otherBytes = totalBytes - bytes[i]!;
    const otherBlocks = totalBlocks - blocks[i]!;
    const from = Math.max(point.fromLine, lastLine);
    timeline.sample(from, otherBlocks + point.maxBlocks, otherBytes + point.maxBytes);
    totalBytes += point.bytes - bytes[i]!;
    totalBlocks += point.blocks - blocks[i]!;
    bytes[i] = point.bytes;
    blocks[i] = point.blocks;
    lastLine = Math.max(from, point.toLine);
    timeline.sample(lastLine, totalBlocks, totalBytes);
  }
  // Each part's phase marks; one peak: the file's (the highest part's).
  const marks = parts.flatMap((p) => p.report.timeline.marks.filter((m) => m.kind !== 'peak'));
  if (peakLine > 0) marks.push({ kind: 'peak', line: peakLine });
  marks.sort((a, b) => a.line - b.line);
  return { ...timeline.finish(), marks };
}
