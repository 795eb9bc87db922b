// Reporters: a registry of functions over one result type. The CLI picks one by name.
import type { Report } from '../model/report.js';
import type { Style } from './style.js';
import { renderJson, renderJsonParts } from './json.js';
import { csvHeader, renderCsvParts, renderCsvRows } from './csv.js';
import { renderText } from './text.js';

export interface Reporter {
  /** Written once before the first report (e.g. a CSV header). */
  header?: () => string;
  render: (report: Report, style: Style) => string;
  /** `render` in pieces to write one after the other (a huge report need not be one string). */
  parts?: (report: Report, style: Style) => Iterable<string>;
  /** Written between two reports. */
  separator?: string;
}

export const REPORTERS = {
  text: { render: renderText, separator: '\n' },
  json: { render: (r: Report) => renderJson(r), parts: (r: Report) => renderJsonParts(r) },
  csv: { header: csvHeader, render: (r: Report) => renderCsvRows(r), parts: (r: Report) => renderCsvParts(r) },
} satisfies Record<string, Reporter>;

export type ReportFormat = keyof typeof REPORTERS;
export const REPORT_FORMATS = Object.keys(REPORTERS) as ReportFormat[];
