// Diff reporters: a registry of functions over one DiffResult, picked by name.
import type { Style } from '../report/style.js';
import type { DiffResult } from './schema.js';
import { renderDiffText } from './text.js';
import { renderDiffJson } from './json.js';
import { renderDiffCsv } from './csv.js';

export type DiffReporter = (diff: DiffResult, style: Style) => string;

export const DIFF_REPORTERS = {
  text: renderDiffText,
  json: (d: DiffResult) => renderDiffJson(d),
  csv: (d: DiffResult) => renderDiffCsv(d),
} satisfies Record<string, DiffReporter>;

export type DiffFormat = keyof typeof DIFF_REPORTERS;
export const DIFF_FORMATS = Object.keys(DIFF_REPORTERS) as DiffFormat[];

export { diffReports } from './diff.js';
export { failOnNew, FAIL_ON_NEW, type FailOnNew, type NewBlocksResult } from './gate.js';
export { DIFF_SCHEMA, type DiffResult, type DiffGroup, type DiffSide, type CategoryDelta } from './schema.js';
