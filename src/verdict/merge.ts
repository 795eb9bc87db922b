// Several reports of one file (its processes, or its runs) into the file's report: counts
// and the summary are summed, the truncation is the worst of them, the peak the highest,
// evidence is labelled with its part, and every block and finding says which part it
// lived in. Nothing is decided here: each part was decided on its own, so the parts
// always add up to the whole.
//
// Parts are added one at a time, as they are judged: a CI file can append a hundred
// thousand runs, and memory must follow the blocks the file reports, not its length. So
// what the merged report lists besides its blocks is capped (anomalies and findings per
// kind, the parts' evidence, the parts kept whole); the counts stay exact, and the report
// says what it did not list. Pure.
import { CATEGORIES, type Category, type Tally, type Truncation } from '../model/block.js';
import {
  UNSEEN_CATEGORIES,
  type Anomaly,
  type Finding,
  type PartTag,
  type Report,
  type ReportBlock,
  type ReportPart,
  type TestReport,
  type Timeline as TimelineJson,
} from '../model/report.js';
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

/** What a merged report lists of its parts; beyond that it counts. */
export const MERGE_LIMITS = {
  /** Parts kept with their whole report (the part holding the file's end always is); the others as a summary. */
  wholeParts: 100,
  /** Parts whose evidence is listed, labelled (the part holding the end always is). */
  evidenceParts: 100,
  /** Anomalies listed per kind, over all the parts. */
  anomaliesPerKind: 100,
  /** Findings listed per kind, over all the parts. */
  findingsPerKind: 1000,
  /** Tests listed, over all the parts (a file may append a test binary's runs by the thousand). */
  tests: 10_000,
};

const SEVERITY: Record<Truncation, number> = { complete: 0, 'possibly-truncated': 1, truncated: 2 };

/**
 * Merges parts as they come. `sequential`: the parts follow each other in the file (the
 * runs of one process), so their live memory adds up to the file's timeline as they are
 * added; otherwise (processes, whose lines interleave) each part's timeline is kept until
 * the end, where they are summed line by line.
 */
export class PartMerger {
  private first: Report | null = null;
  private readonly summary = Object.fromEntries(CATEGORIES.map((c) => [c, { blocks: 0, bytes: 0 }])) as Record<Category, Tally>;
  private readonly blocks: ReportBlock[] = [];
  /**
   * The first part's blocks, copied with its tag only once a second part comes (or at
   * `finish`): a process of one run is never merged, and copying its blocks would double
   * what a run ending with 100,000 blocks listed holds at its peak.
   */
  private firstBlocks: { blocks: ReportBlock[]; tag: Part['tag'] } | null = null;
  private readonly anomalies: Anomaly[] = [];
  private readonly anomaliesListed = new Map<string, number>();
  private readonly anomalyCounts = new Map<string, number>();
  private readonly findings: Finding[] = [];
  private readonly findingsListed = new Map<string, number>();
  private readonly findingCounts = new Map<string, number>();
  private findingsCut = false;
  private readonly tests: TestReport[] = [];
  private testsNotListed = 0;
  /** The parts' blocks only the spy's output knows, summed per category (Report.unseen). */
  private unseen: NonNullable<Report['unseen']> = {};
  private readonly evidence: string[] = [];
  /** Parts whose evidence is not listed, by verdict. */
  private readonly evidenceNotListed: Record<Truncation, number> = { complete: 0, 'possibly-truncated': 0, truncated: 0 };
  private truncation: Truncation = 'complete';
  private peak = { blocks: 0, bytes: 0, line: 0 };
  private allocs = 0;
  private frees = 0;
  private reallocs = 0;
  private lines = 0;
  readonly parts: (ReportPart & { tag: Part['tag'] })[] = [];
  private count = 0;
  private readonly marks: TimelineJson['marks'] = [];
  /** Sequential parts: the file's timeline so far, and its last line. */
  private readonly timeline = new Timeline();
  private timelineEnd = 0;
  /** Interleaved parts: each part's points and where it ends, summed at the end. */
  private readonly series: { points: TimelineJson['points']; lastLine: number }[] = [];

  constructor(
    private readonly sequential: boolean,
    private readonly limits = MERGE_LIMITS,
  ) {}

  /** One more part; `isEnd`: it holds the file's end (its evidence and whole report are always kept). */
  add(part: Part, isEnd = false): void {
    const r = part.report;
    this.first ??= r;
    const n = this.count++;
    if (SEVERITY[r.truncation] > SEVERITY[this.truncation]) this.truncation = r.truncation;
    if (n < this.limits.evidenceParts - 1 || isEnd) {
      const where = part.firstLine === part.lastLine ? `line ${part.firstLine}` : `lines ${part.firstLine}\u2013${part.lastLine}`;
      for (const e of r.evidence) this.evidence.push(`${part.label} (${where}): ${e}`);
    } else {
      this.evidenceNotListed[r.truncation]++;
    }
    this.allocs += r.allocs;
    this.frees += r.frees;
    this.reallocs += r.reallocs;
    this.lines += r.lines;
    for (const c of CATEGORIES) {
      this.summary[c].blocks += r.summary[c].blocks;
      this.summary[c].bytes += r.summary[c].bytes;
    }
    for (const c of UNSEEN_CATEGORIES) {
      const u = r.unseen?.[c];
      if (!u) continue;
      const sum = this.unseen[c];
      if (sum) sum.blocks += u.blocks;
      else this.unseen[c] = { ...u };
    }
    this.tagFirstBlocks();
    if (n === 0) this.firstBlocks = { blocks: r.blocks, tag: part.tag };
    else for (const b of r.blocks) this.blocks.push({ ...b, ...part.tag });
    const listed = this.anomaliesListed;
    for (const a of r.anomalies) {
      const k = listed.get(a.kind) ?? 0;
      if (k < this.limits.anomaliesPerKind) {
        this.anomalies.push(a);
        listed.set(a.kind, k + 1);
      }
    }
    for (const [kind, k] of Object.entries(r.anomalyCounts)) this.anomalyCounts.set(kind, (this.anomalyCounts.get(kind) ?? 0) + k);
    this.addFindings(r, part.tag);
    for (const t of r.tests ?? []) {
      if (this.tests.length < this.limits.tests) this.tests.push({ ...t, ...part.tag });
      else this.testsNotListed++;
    }
    if (r.peak.bytes > this.peak.bytes || (r.peak.bytes === this.peak.bytes && r.peak.blocks > this.peak.blocks)) this.peak = r.peak;
    if (n < this.limits.wholeParts - 1 || isEnd) {
      for (const m of r.timeline.marks) if (m.kind !== 'peak') this.marks.push(m);
    }
    if (this.sequential) this.follow(r.timeline.points);
    else this.series.push({ points: r.timeline.points, lastLine: part.lastLine });
    const entry = { firstLine: part.firstLine, lastLine: part.lastLine, tag: part.tag };
    this.parts.push(
      n < this.limits.wholeParts - 1 || isEnd
        ? { ...entry, report: r }
        : {
            ...entry,
            verdict: { truncation: r.truncation, summary: r.summary, allocs: r.allocs, frees: r.frees, ...(r.unseen ? { unseen: r.unseen } : {}) },
          },
    );
  }

  /** The part added last (with its whole report when it was added as the end). */
  lastPart(): Part {
    const last = this.parts[this.parts.length - 1]!;
    return { label: '', firstLine: last.firstLine, lastLine: last.lastLine, report: last.report ?? this.first!, tag: last.tag };
  }

  /** The merged report. `lines`: the file's (or the process's) lines; `end`: the part holding its end. */
  finish(lines: number | null, end: Part): Report {
    const first = this.first!;
    const anomalyCounts: Record<string, number> = {};
    for (const kind of [...this.anomalyCounts.keys()].sort()) anomalyCounts[kind] = this.anomalyCounts.get(kind)!;
    this.tagFirstBlocks();
    this.blocks.sort(byAllocation);
    this.anomalies.sort((a, b) => a.line - b.line);
    const evidence = this.evidence;
    const unlisted = (Object.entries(this.evidenceNotListed) as [Truncation, number][]).filter(([, k]) => k > 0);
    if (unlisted.length > 0) {
      const total = unlisted.reduce((s, [, k]) => s + k, 0);
      evidence.push(
        `${total} more part${total === 1 ? '' : 's'} not listed here (${unlisted.map(([t, k]) => `${k} ${t}`).join(', ')}): each part's verdict is in the report's parts`,
      );
    }
    const part: PartTag = { ...end.tag, ...end.report.phases.part };
    const merged: Report = {
      ...first,
      truncation: this.truncation,
      evidence,
      lines: lines ?? this.lines,
      allocs: this.allocs,
      frees: this.frees,
      summary: this.summary,
      blocks: this.blocks,
      anomalies: this.anomalies,
      findings: this.findings,
      peak: this.peak,
      timeline: this.finishTimeline(),
      reallocs: this.reallocs,
      anomalyCounts,
      phases: { ...end.report.phases, part },
    };
    if (this.findingsCut) merged.findingCounts = Object.fromEntries([...this.findingCounts].sort(([a], [b]) => (a < b ? -1 : 1)));
    else delete merged.findingCounts;
    if (this.tests.length > 0) merged.tests = this.tests;
    else delete merged.tests;
    if (this.testsNotListed > 0) merged.testsNotListed = this.testsNotListed;
    if (Object.keys(this.unseen).length > 0) merged.unseen = this.unseen;
    else delete merged.unseen;
    delete merged.processes;
    delete merged.runs;
    return merged;
  }

  private tagFirstBlocks(): void {
    const first = this.firstBlocks;
    if (first === null) return;
    this.firstBlocks = null;
    for (const b of first.blocks) this.blocks.push({ ...b, ...first.tag });
  }

  private addFindings(r: Report, tag: Part['tag']): void {
    const counts = r.findingCounts ?? countFindings(r.findings);
    if (r.findingCounts) this.findingsCut = true;
    for (const [kind, k] of Object.entries(counts)) this.findingCounts.set(kind, (this.findingCounts.get(kind) ?? 0) + k);
    const listed = this.findingsListed;
    for (const f of r.findings) {
      const k = listed.get(f.kind) ?? 0;
      if (k < this.limits.findingsPerKind) {
        this.findings.push({ ...f, ...tag });
        listed.set(f.kind, k + 1);
      } else this.findingsCut = true;
    }
  }

  /** A sequential part's points: only its memory is alive within its lines (an earlier run's process has exited). */
  private follow(points: TimelineJson['points']): void {
    for (const point of points) {
      const from = Math.max(point.fromLine, this.timelineEnd);
      this.timeline.sample(from, point.maxBlocks, point.maxBytes);
      this.timelineEnd = Math.max(from, point.toLine);
      this.timeline.sample(this.timelineEnd, point.blocks, point.bytes);
    }
  }

  private finishTimeline(): TimelineJson {
    const marks = [...this.marks];
    if (this.peak.line > 0) marks.push({ kind: 'peak', line: this.peak.line });
    marks.sort((a, b) => a.line - b.line);
    const line = this.sequential ? this.timeline.finish() : mergeTimelines(this.series);
    return { ...line, marks };
  }
}

function countFindings(findings: readonly Finding[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return counts;
}

/**
 * The file's live memory from interleaved parts: at each bucket of a part, the sum of that
 * part's value and the last value of every other part still running (a part's memory is
 * gone after its last line: a finished run's process has exited). Re-bucketed, so it stays
 * bounded; an approximation at bucket resolution.
 */
function mergeTimelines(parts: readonly { points: TimelineJson['points']; lastLine: number }[]): { span: number; points: TimelineJson['points'] } {
  const series: { i: number; point: TimelineJson['points'][number] }[] = [];
  parts.forEach((part, i) => {
    for (const point of part.points) series.push({ i, point });
  });
  series.sort((a, b) => a.point.fromLine - b.point.fromLine || a.point.toLine - b.point.toLine);
  // Running totals over the parts, and the parts in the order they end: each step is
  // O(1) amortised, whatever the number of parts.
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
  return timeline.finish();
}
