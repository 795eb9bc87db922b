// JSON written in pieces: a report that ends with a million blocks alive, a file of a
// hundred thousand runs or a check result listing every leak is hundreds of megabytes of
// JSON, more than one string can hold (V8's limit is ~512 MB) and three times the memory
// the analysis needed when built whole. The pieces join to exactly JSON.stringify(value):
// objects and arrays holding long arrays are walked, everything else (a block, a finding)
// is stringified whole, and pieces are batched to ~64 KB so writing them stays cheap.

/** Arrays longer than this are walked element by element. */
const LONG = 64;
const PIECE = 1 << 16;

export function* jsonPieces(value: unknown): Generator<string> {
  let buffer = '';
  for (const part of walk(value)) {
    buffer += part;
    if (buffer.length >= PIECE) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

/** JSON.stringify(value), joined from the pieces (for tests and small values). */
export function jsonText(value: unknown): string {
  let out = '';
  for (const piece of jsonPieces(value)) out += piece;
  return out;
}

function* walk(value: unknown): Generator<string> {
  if (!holdsLong(value)) {
    yield stringify(value);
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      // In an array, what JSON.stringify cannot write (undefined, a function) is null.
      const item: unknown = value[i];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') yield 'null';
      else yield* walk(item);
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
  for (const item of Object.values(value)) if (typeof item === 'object' && item !== null && holdsLong(item)) return true;
  return false;
}
