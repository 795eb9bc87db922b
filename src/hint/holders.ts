// Memory that COM and OLE components are documented or observed to hold past
// CoUninitialize, recognised in a never-freed block: a hint for the reader, and, for the
// holders that may decide (and only with --trust-known-holders), a decider. The knowledge
// is data, shipped with the package (known-holders.json: each entry's match, message and
// sources); this module reads it and defines the data shapes an entry may name. Pure.
import knowledge from './known-holders.json' with { type: 'json' };
import type { HolderHint, ReportBlock } from '../model/report.js';
import { parseHexBytes, parsePattern, type Pattern } from '../baseline/pattern.js';
import { dataHint } from './datahint.js';

/** A shape of dump data that takes code to recognise (`match.shape` in the knowledge file). */
export type DataShape = 'bstr';

export interface HolderSource {
  title: string;
  url: string;
  says: string;
}

/** One entry of the knowledge file. */
export interface KnownHolder {
  id: string;
  holder: string;
  platforms: string[];
  match: {
    /** The allocating context; a block first seen in the dump (its allocation lost) passes. */
    context?: string;
    size?: number;
    /** The first dump bytes, `??` for any byte: the block must have them. */
    pattern?: string;
    /** The first pointer-sized word points into a module image (an object's vtable). */
    vtable?: boolean;
    shape?: DataShape;
  };
  recognised: string;
  message: string;
  /** For an entry that may decide: the message on a block the log or a baseline decided a true leak (the flag cannot change it). */
  messageWhenDecided?: string;
  /** What --trust-known-holders makes such a block; null: the hint never decides (a leak looks the same). */
  decides: 'exitprocess' | null;
  sources: HolderSource[];
}

export interface KnownHolders {
  schema: string;
  version: number;
  holders: KnownHolder[];
}

/** The knowledge file as shipped. */
export const KNOWN_HOLDERS: KnownHolders = knowledge as KnownHolders;

/** Patterns parsed once, by entry. */
const PATTERNS: ReadonlyMap<string, Pattern> = new Map(
  KNOWN_HOLDERS.holders.flatMap((h) => {
    if (h.match.pattern === undefined) return [];
    const p = parsePattern(h.match.pattern);
    if (typeof p === 'string') throw new Error(`known-holders.json: ${h.id}: ${p}`);
    return [[h.id, p] as const];
  }),
);

/** The first known holder a never-freed block fits, or null (a block freed in the log needs no hint). */
export function knownHolder(b: ReportBlock): KnownHolder | null {
  if (b.freeLine !== null || b.data === null) return null;
  let bytes: number[] | null = null;
  for (const h of KNOWN_HOLDERS.holders) {
    const m = h.match;
    // A block first seen in the dump lost its allocation line, and with it its context: its data must say it all.
    if (m.context !== undefined && b.context !== m.context && b.allocLine !== null) continue;
    if (m.size !== undefined && b.size !== m.size) continue;
    bytes ??= parseHexBytes(b.data);
    const pattern = PATTERNS.get(h.id);
    if (pattern && !fits(bytes, pattern)) continue;
    if (m.vtable && dataHint(b.data, b.address, b.size)?.kind !== 'vtable') continue;
    if (m.shape === 'bstr' && !isBstr(bytes, b.size, pointerBytes(b.address))) continue;
    return h;
  }
  return null;
}

/**
 * What a block's report says of its holder. A block the log or a baseline decided a true leak
 * (they come before --trust-known-holders) gets the entry's `messageWhenDecided`: advice to
 * pass the flag would not change it.
 */
export function holderHint(h: KnownHolder, b?: Pick<ReportBlock, 'category' | 'decidedBy'>): HolderHint {
  const decided = b !== undefined && b.category === 'true-leak' && (b.decidedBy === 'log' || b.decidedBy === 'baseline');
  const message = decided && h.messageWhenDecided !== undefined ? h.messageWhenDecided : h.message;
  return { id: h.id, holder: h.holder, message, source: h.sources[0]!.url };
}

/** Adds `hint` to the never-freed blocks a known holder may be keeping (in place). */
export function addHolderHints(blocks: ReportBlock[]): void {
  for (const b of blocks) {
    const h = knownHolder(b);
    if (h) b.hint = holderHint(h, b);
  }
}

/** Every fixed byte of the pattern is shown, and equal. */
function fits(bytes: number[], pattern: Pattern): boolean {
  if (bytes.length < pattern.length) return false;
  return pattern.every((want, i) => want === null || bytes[i] === want);
}

function pointerBytes(address: string): 4 | 8 {
  return address.length - (/^0x/i.test(address) ? 2 : 0) > 8 ? 8 : 4;
}

/**
 * A BSTR as OLEAUT32 allocates it: the string's byte length as a 32-bit word (after a word of
 * padding in a 64-bit process, so that the characters are 8-byte aligned), then the UTF-16
 * characters and a NUL character, all inside the block. What the dump shows of it must fit:
 * an even length of at least one character, characters that are text (no control character),
 * and the NUL where the dump reaches it. A cached block may be larger than its string needs
 * (the cache hands out a block of the next size up), so the size is only an upper bound.
 */
export function isBstr(bytes: number[], size: number, pointer: 4 | 8): boolean {
  const at = pointer === 8 ? 4 : 0;
  const text = at + 4;
  if (bytes.length < text + 2) return false;
  const length = (bytes[at]! | (bytes[at + 1]! << 8) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 24)) >>> 0;
  if (length === 0 || length % 2 !== 0 || text + length + 2 > size) return false;
  const shown = Math.min(bytes.length, text + length);
  for (let i = text; i + 1 < shown; i += 2) {
    const unit = bytes[i]! | (bytes[i + 1]! << 8);
    if (unit < 0x20 || (unit >= 0x7f && unit < 0xa0) || unit >= 0xfffe) return false;
  }
  const nul = text + length;
  return (nul >= bytes.length || bytes[nul] === 0) && (nul + 1 >= bytes.length || bytes[nul + 1] === 0);
}
