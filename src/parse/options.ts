// Marker texts are configurable (other harnesses word them differently); the
// defaults are MallocSpyTest's. The program's markers are lists: a harness may print
// either of several lines for one phase (`Called OleUninitialize()` ends COM too, since
// OleUninitialize calls CoUninitialize). They are compiled once into a ParseContext so
// the per-line path only compares strings.

export interface MarkerOptions {
  /** Prefix of every spy line. */
  spyPrefix: string;
  /** The spy's line that starts the dump of live blocks. */
  dumpStart: string;
  /** Program lines printed right after CoUninitialize() returned (any of them). */
  coUninitialize: readonly string[];
  /** Prefixes of the program line that reports CoRevokeMallocSpy's HRESULT. */
  revoke: readonly string[];
  /** Prefixes of the program line that reports CoRegisterMallocSpy's HRESULT. */
  register: readonly string[];
}

export const DEFAULT_MARKERS: MarkerOptions = {
  spyPrefix: 'MALLOC SPY: ',
  dumpStart: 'MALLOC SPY: detected memory leaks!',
  coUninitialize: ['Called CoUninitialize()', 'Called OleUninitialize()'],
  revoke: ['CoRevokeMallocSpy() returns'],
  register: ['CoRegisterMallocSpy() returns'],
};

/** Markers as a reader names them: `"Called CoUninitialize()" or "Called OleUninitialize()"`. */
export function quoteMarkers(markers: readonly string[]): string {
  return markers.map((m) => `"${m}"`).join(' or ');
}

export interface ParseContext {
  readonly markers: MarkerOptions;
  /** First character code of the spy prefix: most lines are rejected on it alone. */
  readonly spyFirst: number;
  /** The spy prefix in UTF-8, compiled for the hot path's byte compare. */
  readonly prefix: Literal;
  /**
   * Whether lines may be read from their bytes with this prefix: not when it is empty or
   * spans a line break (the byte scanner runs past no line end, but a prefix with one in
   * it would; no decoded line can ever match such a prefix), nor when it holds a lone
   * surrogate (its UTF-8 would be U+FFFD's, which a decoded line's text never equals).
   */
  readonly prefixFitsLine: boolean;
}

/** Text compared against bytes: its UTF-8 bytes, and them as little-endian 32-bit words (the last length % 4 bytes are not in `words`). */
export interface Literal {
  readonly length: number;
  readonly bytes: Uint8Array;
  readonly words: Uint32Array;
}

export function compileLiteral(text: string): Literal {
  const bytes = Buffer.from(text, 'utf8');
  const words = new Uint32Array(bytes.length >> 2);
  for (let w = 0; w < words.length; w++) words[w] = bytes.readUInt32LE(4 * w);
  return { length: bytes.length, bytes, words };
}

export function compileParseContext(markers: Partial<MarkerOptions> = {}): ParseContext {
  const m: MarkerOptions = { ...DEFAULT_MARKERS, ...markers };
  return {
    markers: m,
    spyFirst: m.spyPrefix.charCodeAt(0),
    prefix: compileLiteral(m.spyPrefix),
    prefixFitsLine: m.spyPrefix !== '' && !/[\r\n]/.test(m.spyPrefix) && m.spyPrefix.isWellFormed(),
  };
}
