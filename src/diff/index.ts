// Diff reporters: a registry of functions over one DiffResult, picked by name; DIFF_PARTS
// gives each in pieces, to write one after the other (the text is bounded: one string).
import type { Style } from '../report/style.js';
import type { DiffResult } from './schema.js';
import { renderDiffText } from './text.js';
import { renderDiffJson, renderDiffJsonParts } from './json.js';
import { renderDiffCsv, renderDiffCsvParts } from './csv.js';

export type DiffReporter = (diff: DiffResult, style: Style) => string;
export type DiffPartsReporter = (diff: DiffResult, style: Style) => Iterable<string>;

export const DIFF_REPORTERS = {
  text: renderDiffText,
  json: (d: DiffResult) => renderDiffJson(d),
  csv: (d: DiffResult) => renderDiffCsv(d),
} satisfies Record<string, DiffReporter>;

export type DiffFormat = keyof typeof DIFF_REPORTERS;
export const DIFF_FORMATS = Object.keys(DIFF_REPORTERS) as DiffFormat[];

export const DIFF_PARTS: Record<DiffFormat, DiffPartsReporter> = {
  text: (d, style) => [renderDiffText(d, style)],
  json: (d) => renderDiffJsonParts(d),
  csv: (d) => renderDiffCsvParts(d),
};

export { diffReports } from './diff.js';
export { failOnNew, FAIL_ON_NEW, type FailOnNew, type NewBlocksResult } from './gate.js';
export { DIFF_SCHEMA, type DiffResult, type DiffGroup, type DiffSide, type CategoryDelta } from './schema.js';
