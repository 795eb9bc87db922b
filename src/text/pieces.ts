// Output made in pieces, to be written one after the other: a check of a log that ends with a
// million leaked blocks, or a diff of a hundred thousand groups, is hundreds of megabytes of
// text, more than one string can hold (V8's limit is ~512 MB) and several times the memory
// the analysis needed when built whole. Reporters yield small parts (a JSON member, a test
// case, a line); these are joined into pieces of ~64 KB so that writing them stays cheap.

/** Characters per piece written. */
export const PIECE = 1 << 16;

/** The parts joined into pieces of at least `size` characters (the last may be shorter); nothing empty is yielded. */
export function* joinPieces(parts: Iterable<string>, size: number = PIECE): Generator<string> {
  let buffer = '';
  for (const part of parts) {
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
