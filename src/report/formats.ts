// The report formats by name, and each reporter loaded only when asked for: `spylog x.log -f
// json` never loads the text reporter and cli-table3 (~15 ms of start-up), nor the text
// report the CSV code. index.ts has them all, loaded, for library users.
import type { Report } from '../model/report.js';
import type { Style } from './style.js';
import type { Part } from '../text/pieces.js';

export interface Reporter {
  /** Written once before the first report (e.g. a CSV header). */
  header?: () => string;
  render: (report: Report, style: Style) => string;
  /** `render` in pieces to write one after the other (a huge report need not be one string). */
  parts?: (report: Report, style: Style) => Iterable<string>;
  /** `parts`, some already UTF-8 (`jsonBytes`): what the command line writes when a format has it. */
  bytes?: (report: Report, style: Style) => Iterable<Part>;
  /** Written between two reports. */
  separator?: string;
}

export const REPORT_FORMATS = ['text', 'json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export async function loadReporter(format: ReportFormat): Promise<Reporter> {
  switch (format) {
    case 'text': {
      const { renderText } = await import('./text.js');
      return { render: renderText, separator: '\n' };
    }
    case 'json': {
      const { renderJson, renderJsonParts, renderJsonBytes } = await import('./json.js');
      return { render: (r) => renderJson(r), parts: (r) => renderJsonParts(r), bytes: (r) => renderJsonBytes(r) };
    }
    case 'csv': {
      const { csvHeader, renderCsvParts, renderCsvRows } = await import('./csv.js');
      return { header: csvHeader, render: (r) => renderCsvRows(r), parts: (r) => renderCsvParts(r) };
    }
  }
}
