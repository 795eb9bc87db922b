import type { Report } from '../model/report.js';

/** One report as one line of JSON: several logs give JSON Lines (one object per line). */
export function renderJson(report: Report): string {
  return [...renderJsonParts(report)].join('');
}

/** Blocks serialised per piece: a piece stays a few hundred KB whatever the report's size. */
const BLOCKS_PER_PART = 1000;
const BLOCKS_KEY = '"blocks":[]';

/**
 * `renderJson` in pieces, for writing as they come: a log that ends with a million blocks
 * alive gives ~190 MB of JSON, which as one string (and its copy as bytes for the write)
 * tripled the memory the analysis itself needed. The text is exactly JSON.stringify's:
 * the report is stringified with no blocks, and the blocks go where the empty array was
 * (`"blocks":[]` can only be a key there: inside a JSON string its quotes are escaped, and
 * the keys before `blocks` hold no nested report).
 */
export function* renderJsonParts(report: Report): Generator<string> {
  const blocks = report.blocks;
  const shell = JSON.stringify({ ...report, blocks: [] });
  const at = blocks.length === 0 ? -1 : shell.indexOf(BLOCKS_KEY);
  if (at < 0) {
    yield (blocks.length === 0 ? shell : JSON.stringify(report)) + '\n';
    return;
  }
  const open = at + BLOCKS_KEY.length - 1; // just after '['
  yield shell.slice(0, open);
  for (let i = 0; i < blocks.length; i += BLOCKS_PER_PART) {
    const part = blocks
      .slice(i, i + BLOCKS_PER_PART)
      .map((b) => JSON.stringify(b))
      .join(',');
    yield i === 0 ? part : ',' + part;
  }
  yield shell.slice(open) + '\n';
}
