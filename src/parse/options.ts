// Marker texts are configurable (other harnesses word them differently); the
// defaults are MallocSpyTest's. They are compiled once into a ParseContext so the
// per-line path only compares strings.

export interface MarkerOptions {
  /** Prefix of every spy line. */
  spyPrefix: string;
  /** The spy's line that starts the dump of live blocks. */
  dumpStart: string;
  /** The program line printed right after CoUninitialize() returned. */
  coUninitialize: string;
  /** Prefix of the program line that reports CoRevokeMallocSpy's HRESULT. */
  revoke: string;
  /** Prefix of the program line that reports CoRegisterMallocSpy's HRESULT. */
  register: string;
}

export const DEFAULT_MARKERS: MarkerOptions = {
  spyPrefix: 'MALLOC SPY: ',
  dumpStart: 'MALLOC SPY: detected memory leaks!',
  coUninitialize: 'Called CoUninitialize()',
  revoke: 'CoRevokeMallocSpy() returns',
  register: 'CoRegisterMallocSpy() returns',
};

export interface ParseContext {
  readonly markers: MarkerOptions;
  /** First character code of the spy prefix: most lines are rejected on it alone. */
  readonly spyFirst: number;
  /** The spy prefix in UTF-8: the hot path compares bytes. */
  readonly prefixBytes: Buffer;
}

export function compileParseContext(markers: Partial<MarkerOptions> = {}): ParseContext {
  const m: MarkerOptions = { ...DEFAULT_MARKERS, ...markers };
  return { markers: m, spyFirst: m.spyPrefix.charCodeAt(0), prefixBytes: Buffer.from(m.spyPrefix, 'utf8') };
}
