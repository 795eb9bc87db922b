// Reporters: a registry of functions over one result type, all loaded (the library's; the CLI
// loads the one it needs through formats.ts).
import type { Report } from '../model/report.js';
import type { Reporter, ReportFormat } from './formats.js';
import { renderJson, renderJsonParts } from './json.js';
import { csvHeader, renderCsvParts, renderCsvRows } from './csv.js';
import { renderText } from './text.js';

export { REPORT_FORMATS, loadReporter, type Reporter, type ReportFormat } from './formats.js';

export const REPORTERS = {
  text: { render: renderText, separator: '\n' },
  json: { render: (r: Report) => renderJson(r), parts: (r: Report) => renderJsonParts(r) },
  csv: { header: csvHeader, render: (r: Report) => renderCsvRows(r), parts: (r: Report) => renderCsvParts(r) },
} satisfies Record<ReportFormat, Reporter>;
