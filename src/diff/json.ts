import type { DiffResult } from './schema.js';
import { jsonPieces } from '../text/json.js';
import { joinAll } from '../text/pieces.js';

/** The whole comparison as one line of JSON (`spylog/diff@1`). */
export function renderDiffJson(diff: DiffResult): string {
  return joinAll(renderDiffJsonParts(diff));
}

/** `renderDiffJson` in pieces (a diff of 100,000 changed groups is tens of megabytes): the report's JSON writer. */
export function* renderDiffJsonParts(diff: DiffResult): Generator<string> {
  yield* jsonPieces(diff);
  yield '\n';
}
