// Output made in pieces, to be written one after the other: a check of a log that ends with a
// million leaked blocks, or a diff of a hundred thousand groups, is hundreds of megabytes of
// text, more than one string can hold (V8's limit is ~512 MB) and several times the memory
// the analysis needed when built whole. Reporters yield small parts (a JSON member, a test
// case, a line); these are joined into pieces of ~64 KB so that writing them stays cheap.

/** Characters per piece written. */
export const PIECE = 1 << 16;

/** A part of output: text, or text already encoded as UTF-8 (a JSON report's pieces, `jsonBytes`). */
export type Part = string | Uint8Array;

/**
 * The parts joined into pieces of at least `size` characters (the last may be shorter); nothing
 * empty is yielded. Bytes are not joined: the text before them is yielded, then they.
 */
export function joinPieces(parts: Iterable<string>, size?: number): Generator<string>;
export function joinPieces(parts: Iterable<Part>, size?: number): Generator<Part>;
export function* joinPieces(parts: Iterable<Part>, size: number = PIECE): Generator<Part> {
  let buffer = '';
  for (const part of parts) {
    if (typeof part !== 'string') {
      if (buffer !== '') yield buffer;
      buffer = '';
      if (part.length > 0) yield part;
      continue;
    }
    buffer += part;
    if (buffer.length >= size) {
      yield buffer;
      buffer = '';
    }
  }
  if (buffer !== '') yield buffer;
}

/** The parts as one string (for the library's string reporters, tests and small outputs). */
export function joinAll(parts: Iterable<string>): string {
  let out = '';
  for (const part of parts) out += part;
  return out;
}
