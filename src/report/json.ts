import type { Report } from '../model/report.js';
import { jsonBytes, jsonPieces } from '../text/json.js';

/** One report as one line of JSON: several logs give JSON Lines (one object per line). */
export function renderJson(report: Report): string {
  return [...renderJsonParts(report)].join('');
}

/**
 * `renderJson` in pieces, for writing as they come: a log that ends with a million blocks
 * alive gives ~190 MB of JSON, and a file of many runs nests their reports; built as one
 * string it could exceed what a string can hold, and tripled the memory the analysis needed.
 */
export function* renderJsonParts(report: Report): Generator<string> {
  yield* jsonPieces(report);
  yield '\n';
}

/** `renderJsonParts` as UTF-8, for a stream to write (`jsonBytes`). */
export function* renderJsonBytes(report: Report): Generator<Uint8Array | string> {
  yield* jsonBytes(report);
  yield '\n';
}
