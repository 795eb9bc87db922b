// One row per non-freed block (RFC 4180 quoting). The `source` column keeps rows of
// several logs apart; the header is written once.
import type { Report } from '../model/report.js';
import { csvField } from '../text/csv.js';

// `ordinal` came last, after the columns scripts may read by position.
export const CSV_COLUMNS = [
  'source',
  'address',
  'size',
  'category',
  'context',
  'allocLine',
  'freeLine',
  'inDump',
  'decidedBy',
  'data',
  'ordinal',
] as const;

export function csvHeader(): string {
  return CSV_COLUMNS.join(',') + '\r\n';
}

export function renderCsvRows(report: Report): string {
  return [...renderCsvParts(report)].join('');
}

/** The rows in pieces of a thousand: millions of blocks are more text than one string holds. */
export function* renderCsvParts(report: Report): Generator<string> {
  let out = '';
  let rows = 0;
  for (const b of report.blocks) {
    out +=
      [
        report.source,
        b.address,
        b.size,
        b.category,
        b.context,
        b.allocLine ?? '',
        b.freeLine ?? '',
        b.inDump,
        b.decidedBy,
        b.data ?? '',
        b.ordinal ?? '',
      ]
        .map(csvField)
        .join(',') + '\r\n';
    if (++rows % 1000 === 0) {
      yield out;
      out = '';
    }
  }
  if (out !== '') yield out;
}
