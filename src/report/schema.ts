// The JSON shape of a report (`spylog/report@1`, SPEC §4). This type is the contract
// every reporter reads and that scripts depend on: change meanings only with a new
// schema version. Fields beyond SPEC §4 are marked "extra".
import type { Category, DecidedBy, Finding, Tally, Truncation } from '../model.js';
import type { Anomaly } from '../track/anomalies.js';

export const REPORT_SCHEMA = 'spylog/report@1';

export interface ReportBlock {
  address: string;
  size: number;
  category: Category;
  context: string;
  /** null when the block was first seen in the dump (its allocation is not in the log). */
  allocLine: number | null;
  freeLine: number | null;
  inDump: boolean;
  data: string | null;
  decidedBy: DecidedBy;
  /** extra: how many times the block was reallocated. */
  reallocs: number;
}

export type { Finding } from '../model.js';

export type TimelineMarkKind = 'spy-registered' | 'couninitialize' | 'revoke' | 'dump' | 'exit' | 'peak';

/** Live memory over the log, downsampled into at most 256 buckets of `span` lines. */
export interface Timeline {
  span: number;
  points: { fromLine: number; toLine: number; maxBytes: number; maxBlocks: number; bytes: number; blocks: number }[];
  marks: { kind: TimelineMarkKind; line: number }[];
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  source: string;
  truncation: Truncation;
  evidence: string[];
  lines: number;
  allocs: number;
  frees: number;
  summary: Record<Category, Tally>;
  blocks: ReportBlock[];
  anomalies: Anomaly[];
  findings: Finding[];
  peak: { blocks: number; bytes: number; line: number };
  /** extra: live memory over the log (issue 5). */
  timeline: Timeline;
  /** extra: reallocations seen. */
  reallocs: number;
  /** extra: input size in bytes and the encoding it was read as. */
  bytes: number;
  encoding: string;
  /** extra: exact totals per anomaly kind (`anomalies` lists at most a bounded number per kind). */
  anomalyCounts: Record<string, number>;
  /** extra: where the run's phases begin (line numbers; null when absent). */
  phases: {
    spyRegistered: number | null;
    coUninitialize: number | null;
    revoke: { line: number; hresult: string | null } | null;
    dump: { line: number; entries: number } | null;
    lastProgramLine: number | null;
    exitEvents: number;
  };
}
