// `--dialect NAME|FILE`: a built-in by name, otherwise a user dialect file (read here, at the
// edge; parsing and checking it is the core's job). Every failure is exit 2 with the reason.
import { DIALECT_FILE_LIMIT, readSmallFile } from './small-file.js';
import type { MarkerOptions } from '../parse/options.js';
import type { Dialect } from '../dialect/dialect.js';
import { BUILTIN_DIALECTS, builtinDialect, type BuiltinDialect } from '../dialect/registry.js';
import { parseUserDialect } from '../dialect/user.js';
import { ByteDecoder } from '../read/decode.js';
import { fileError } from '../read/source.js';
import { SpylogError } from '../errors.js';

export function loadDialect(spec: string, markers: Partial<MarkerOptions>): Dialect {
  if ((BUILTIN_DIALECTS as readonly string[]).includes(spec)) return builtinDialect(spec as BuiltinDialect, markers);
  if (spec.trim() === '') throw new SpylogError('USAGE', `--dialect needs a name (${BUILTIN_DIALECTS.join(', ')}) or a JSON file`);
  let bytes: Buffer;
  try {
    bytes = readSmallFile(spec, DIALECT_FILE_LIMIT, 'a dialect');
  } catch (err) {
    const e = err instanceof SpylogError ? err : fileError(spec, err);
    throw new SpylogError(
      e.code,
      `${e.message.replace(/^cannot read /, 'cannot read dialect file ')} (built-in dialects: ${BUILTIN_DIALECTS.join(', ')})`,
    );
  }
  return parseUserDialect(decodeText(bytes), spec);
}

/**
 * A small text file a user edited on Windows: UTF-8 with or without a BOM (Notepad writes
 * one), or UTF-16 with a BOM (PowerShell 5.1's `>` and Out-File). The BOM is dropped: JSON.parse
 * would call it an unexpected token that nobody can see.
 */
export function decodeText(bytes: Buffer): string {
  const decoder = new ByteDecoder();
  return (decoder.write(bytes) + decoder.end()).replace(/^\uFEFF/, '');
}
