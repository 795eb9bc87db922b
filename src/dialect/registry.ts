// Which dialects exist and which are tried when none is named.
import type { MarkerOptions } from '../parse/options.js';
import { crtDialect } from './crt.js';
import { mallocSpyDialect, type Dialect } from './dialect.js';

export const BUILTIN_DIALECTS = ['mallocspy', 'crt'] as const;
export type BuiltinDialect = (typeof BUILTIN_DIALECTS)[number];

/** The built-ins, in the order auto-detection tries them (the default first). */
export function builtinDialects(markers: Partial<MarkerOptions> = {}): Dialect[] {
  return [mallocSpyDialect(markers), crtDialect];
}

export function builtinDialect(name: BuiltinDialect, markers: Partial<MarkerOptions> = {}): Dialect {
  return name === 'crt' ? crtDialect : mallocSpyDialect(markers);
}
