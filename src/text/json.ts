// JSON written in pieces: a report that ends with a million blocks alive, a file of a
// hundred thousand runs or a check result listing every leak is hundreds of megabytes of
// JSON, more than one string can hold (V8's limit is ~512 MB) and three times the memory
// the analysis needed when built whole. The pieces join to exactly JSON.stringify(value):
// objects and arrays holding long arrays are walked, everything else (a block, a finding)
// is stringified whole, and pieces are batched to ~64 KB so writing them stays cheap.
import { PIECE, joinAll, joinPieces } from './pieces.js';

/** Arrays longer than this are walked element by element. */
const LONG = 64;
/** Short items stringified per call. */
const BATCH = 256;

/** JSON.stringify(value) in pieces of about `size` characters. */
export function jsonPieces(value: unknown, size: number = PIECE): Generator<string> {
  return joinPieces(walk(value), size);
}

/** JSON.stringify(value), joined from the pieces (for tests and small values). */
export function jsonText(value: unknown): string {
  return joinAll(jsonPieces(value));
}

function* walk(value: unknown): Generator<string> {
  if (!holdsLong(value)) {
    yield stringify(value);
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    let i = 0;
    while (i < value.length) {
      if (i > 0) yield ',';
      // Items without a long array inside are stringified BATCH at a time (one call for
      // 256 blocks instead of 256: a third of the time of a 100,000-block report went to
      // the per-call cost). JSON.stringify of a slice is its items' texts joined by
      // commas, each undefined or function written as null, as in the whole array.
      let j = i;
      while (j < value.length && j - i < BATCH && !holdsLong(value[j])) j++;
      if (j > i) {
        const text = JSON.stringify(value.slice(i, j));
        yield text.slice(1, -1);
        i = j;
      } else {
        yield* walk(value[i]);
        i++;
      }
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    // In an object, such members are left out.
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    yield (first ? '' : ',') + JSON.stringify(key) + ':';
    first = false;
    yield* walk(item);
  }
  yield '}';
}

function stringify(value: unknown): string {
  const text = JSON.stringify(value) as string | undefined;
  return text ?? 'null';
}

/** Whether a plain object or array holds, at any depth, an array longer than LONG. */
function holdsLong(value: unknown): value is object {
  if (value === null || typeof value !== 'object' || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  if (Array.isArray(value)) {
    if (value.length > LONG) return true;
    return value.some(holdsLong);
  }
  // for..in, not Object.values: no array per object (this runs on every block of a report).
  const record = value as Record<string, unknown>;
  for (const key in record) {
    if (!Object.hasOwn(record, key)) continue;
    const item = record[key];
    if (typeof item === 'object' && item !== null && holdsLong(item)) return true;
  }
  return false;
}
