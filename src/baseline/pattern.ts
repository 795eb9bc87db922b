// Data patterns: the first bytes of a block as the dump shows them, with `??` for bytes
// that need not repeat in another run (pointers, or bytes that differ between blocks of
// one signature). Pure functions over the dump's hex text.

/** One byte, or null for `??` (any byte). */
export type Pattern = (number | null)[];

/** Parses the dump's `98 B1 5A 77 ...` into bytes. */
export function parseHexBytes(data: string): number[] {
  const out: number[] = [];
  for (const tok of data.trim().split(/\s+/)) {
    if (!/^[0-9A-Fa-f]{2}$/.test(tok)) break; // the dump's ASCII column, if any, ends the bytes
    out.push(parseInt(tok, 16));
  }
  return out;
}

/** Parses a baseline pattern; returns an error text for a bad token. */
export function parsePattern(text: string): Pattern | string {
  const trimmed = text.trim();
  if (trimmed === '') return [];
  const out: Pattern = [];
  for (const tok of trimmed.split(/\s+/)) {
    if (tok === '??') out.push(null);
    else if (/^[0-9A-Fa-f]{2}$/.test(tok)) out.push(parseInt(tok, 16));
    else return `bad pattern byte "${tok}" (expected two hex digits or ??)`;
  }
  return out;
}

export function formatPattern(p: Pattern): string {
  return p.map((b) => (b === null ? '??' : b.toString(16).toUpperCase().padStart(2, '0'))).join(' ');
}

/**
 * Whether a block's dump data fits a pattern. A block without data (no dump in the log)
 * cannot contradict any pattern, and neither can bytes the dump did not show.
 */
export function matchesPattern(data: string | null, p: Pattern): boolean {
  if (data === null || p.length === 0) return true;
  const bytes = parseHexBytes(data);
  const n = Math.min(bytes.length, p.length);
  for (let i = 0; i < n; i++) {
    const want = p[i];
    if (want !== null && want !== undefined && bytes[i] !== want) return false;
  }
  return true;
}

/** The pointer size of the process a report's blocks come from: 8 when an address has more than 8 hex digits. */
export function wordSizeOf(blocks: readonly { address: string }[]): 4 | 8 {
  return blocks.some((b) => b.address.length - 2 > 8) ? 8 : 4;
}

/**
 * The pattern shared by the dump data of blocks of one signature: bytes that differ
 * become `??`, and so do pointer-sized words that look like addresses (heap and DLL
 * addresses change between runs and machines). `wordSize` is 4 for a 32-bit log, 8 for
 * a 64-bit one. Returns [] when no block has data.
 */
export function derivePattern(datas: (string | null)[], wordSize: 4 | 8): Pattern {
  const rows = datas.filter((d): d is string => d !== null).map(parseHexBytes);
  if (rows.length === 0) return [];
  // A group may hold a hundred thousand blocks: no spread into Math.min.
  const len = rows.reduce((m, r) => Math.min(m, r.length), Infinity);
  const first = rows[0]!;
  const out: Pattern = [];
  for (let i = 0; i < len; i++) {
    const b = first[i]!;
    out.push(rows.every((r) => r[i] === b) ? b : null);
  }
  for (const r of rows) {
    for (let at = 0; at + wordSize <= len; at += wordSize) {
      if (looksLikePointer(r.slice(at, at + wordSize))) out.fill(null, at, at + wordSize);
    }
  }
  return out;
}

const printable = (b: number) => b >= 0x20 && b < 0x7f;

/**
 * A little-endian word that lies in user-mode address space (64 KB up to 2 GB on 32-bit
 * Windows, up to 128 TB on 64-bit) and does not read as ASCII or UTF-16 text. Small
 * integers, flags and text stay literal, so the pattern still tells blocks apart.
 */
export function looksLikePointer(word: number[]): boolean {
  let v = 0n;
  for (let i = word.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(word[i]!);
  const top = word.length === 4 ? 0x8000_0000n : 0x8000_0000_0000n;
  if (v < 0x10000n || v >= top) return false;
  if (word.every(printable)) return false;
  const utf16 = word.every((b, i) => (i % 2 === 1 ? b === 0 : printable(b) || b === 0));
  return !utf16;
}
