// The diff as one CSV table (RFC 4180): a `category` row per category, then a `group`
// row per changed group; `context` and `size` are empty on category rows.
import { CATEGORIES } from '../model/block.js';
import { csvField } from '../text/csv.js';
import { joinAll } from '../text/pieces.js';
import type { DiffResult } from './schema.js';

export const DIFF_CSV_COLUMNS = [
  'row',
  'category',
  'context',
  'size',
  'a_blocks',
  'a_bytes',
  'b_blocks',
  'b_bytes',
  'delta_blocks',
  'delta_bytes',
  'change',
] as const;

export function renderDiffCsv(diff: DiffResult): string {
  return joinAll(renderDiffCsvParts(diff));
}

/** `renderDiffCsv` in pieces, a row at a time. */
export function* renderDiffCsvParts(diff: DiffResult): Generator<string> {
  const row = (r: readonly (string | number)[]) => r.map(csvField).join(',') + '\r\n';
  yield row(DIFF_CSV_COLUMNS);
  for (const c of CATEGORIES) {
    const t = diff.categories[c];
    yield row(['category', c, '', '', t.a.blocks, t.a.bytes, t.b.blocks, t.b.bytes, t.delta.blocks, t.delta.bytes, '']);
  }
  for (const g of diff.groups) {
    yield row(['group', g.category, g.context, g.size, g.a.blocks, g.a.bytes, g.b.blocks, g.b.bytes, g.delta.blocks, g.delta.bytes, g.change]);
  }
}
