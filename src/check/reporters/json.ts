// The `spylog/check@1` object as one line of JSON. It lists every never-freed block twice, as
// the README's schema says: in its gate group (`leaks`, `unresolved`) and in the decided
// `report`. A log that ends with 1.5 million leaks makes ~500 MB of it, so it is written in
// pieces by the report's JSON writer (text/json.ts), which walks the groups and the embedded
// report alike; built as one string it exceeded what a string can hold.
import type { CheckResult } from '../gate.js';
import { jsonPieces } from '../../text/json.js';
import { joinAll } from '../../text/pieces.js';

export function renderCheckJson(r: CheckResult): string {
  return joinAll(renderCheckJsonParts(r));
}

/** `renderCheckJson` in pieces: they join to exactly JSON.stringify(r) and a line break. */
export function* renderCheckJsonParts(r: CheckResult): Generator<string> {
  yield* jsonPieces(r);
  yield '\n';
}
