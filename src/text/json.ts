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
/**
 * The same, written as bytes. JSON.stringify's text is made of parts that writing it joins
 * first: for 64 blocks (~18,000 characters) that took ~15 % of the stringifying, for 256
 * blocks ~60 % (no longer in the processor's cache).
 */
const BYTES_BATCH = 64;

/** JSON.stringify(value) in pieces of about `size` characters. */
export function jsonPieces(value: unknown, size: number = PIECE): Generator<string> {
  return joinPieces(walk(value), size);
}

/**
 * `jsonPieces` as UTF-8, for writing: pieces of at least `size` bytes (the last may be
 * shorter), each a buffer of its own. The text of a long array's batch is written into the
 * piece as it comes from JSON.stringify, its brackets dropped from the bytes: cutting them
 * off the text (`slice`) copied a string JSON.stringify makes of many parts, and a stream
 * given text copied and encoded it again (100,000 blocks, 28 MB: ~240 ms → ~140 ms).
 */
export function* jsonBytes(value: unknown, size: number = PIECE): Generator<Uint8Array> {
  const out = new Utf8Pieces(size);
  yield* walkBytes(value, out);
  const last = out.take();
  if (last.length > 0) yield last;
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

/** `walk`, written into `out` as UTF-8; yields the pieces it fills. */
function* walkBytes(value: unknown, out: Utf8Pieces): Generator<Uint8Array> {
  if (!holdsLong(value)) {
    const text = stringify(value);
    if (out.full(text.length)) yield out.take();
    out.write(text);
    return;
  }
  if (Array.isArray(value)) {
    let i = 0;
    while (i < value.length) {
      let j = i;
      while (j < value.length && j - i < BYTES_BATCH && !holdsLong(value[j])) j++;
      if (j > i) {
        // The batch's brackets are one byte each: its '[' opens the array or becomes the
        // comma before the batch, its ']' is written over by what follows.
        const text = JSON.stringify(value.slice(i, j));
        if (out.full(text.length)) yield out.take();
        out.write(text, i > 0 ? 0x2c : 0x5b);
        out.back();
        i = j;
      } else {
        if (out.full(1)) yield out.take();
        out.write(i > 0 ? ',' : '[');
        yield* walkBytes(value[i], out);
        i++;
      }
    }
    if (out.full(2)) yield out.take();
    out.write(value.length > 0 ? ']' : '[]');
    return;
  }
  let first = true;
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    const head = (first ? '{' : ',') + JSON.stringify(key) + ':';
    if (out.full(head.length)) yield out.take();
    out.write(head);
    first = false;
    yield* walkBytes(item, out);
  }
  if (out.full(2)) yield out.take();
  out.write(first ? '{}' : '}');
}

/**
 * UTF-8 written into buffers of twice the piece size; a piece is taken once it reaches the
 * size or the next text might not fit (a UTF-16 code unit is at most 3 bytes).
 */
class Utf8Pieces {
  private buffer: Buffer;
  private at = 0;

  constructor(private readonly size: number) {
    this.buffer = Buffer.allocUnsafe(2 * size);
  }

  /** Whether the piece so far is to be taken before `chars` more characters are written. */
  full(chars: number): boolean {
    return this.at > 0 && (this.at >= this.size || this.at + 3 * chars > this.buffer.length);
  }

  /** The piece so far; the next is written into a fresh buffer. */
  take(): Uint8Array {
    const piece = this.buffer.subarray(0, this.at);
    this.buffer = Buffer.allocUnsafe(2 * this.size);
    this.at = 0;
    return piece;
  }

  /** Writes `text`, its first byte replaced by `first` when given. */
  write(text: string, first?: number): void {
    if (this.at + 3 * text.length > this.buffer.length) this.buffer = grow(this.buffer, this.at, 3 * text.length);
    const start = this.at;
    this.at += this.buffer.write(text, start, 'utf8');
    if (first !== undefined) this.buffer[start] = first;
  }

  /** Drops the last byte written. */
  back(): void {
    this.at--;
  }
}

function grow(buffer: Buffer, used: number, more: number): Buffer {
  const bigger = Buffer.allocUnsafe(used + more);
  buffer.copy(bigger, 0, 0, used);
  return bigger;
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
