// A user dialect: a small JSON file of named regexes, compiled once. The file is checked
// whole before any log is read; every problem is one SpylogError naming the key.
//
//   { "name": "heaptrace",
//     "alloc":     "^HEAP alloc (?<address>0x[0-9a-f]+) (?<size>\\d+)$",
//     "free":      "^HEAP free (?<address>0x[0-9a-f]+)(?: live=(?<remaining>\\d+))?$",
//     "realloc":   "^HEAP realloc (?<from>0x[0-9a-f]+) -> (?<to>0x[0-9a-f]+) (?<size>\\d+)$",
//     "dumpStart": "^HEAP leaks:$",
//     "dumpEntry": "^  (?<address>0x[0-9a-f]+) (?<size>\\d+)(?: (?<data>[0-9a-f ]+))?$",
//     "spyLine":   "^HEAP ",
//     "markers": { "register": "^spy on", "coUninitialize": "^uninit done$",
//                  "revoke": "^spy off (?<hresult>0x[0-9a-f]+)", "runStart": "^=== run" } }
import { NO_COUNT, type LineEvent } from '../parse/events.js';
import { SpylogError } from '../errors.js';
import { isRecognized, normalizeHex, type Dialect } from './dialect.js';
import { toAddress } from '../parse/address.js';
import { parseHresult, programLine } from '../parse/program.js';

/** Each event pattern and the named groups it must (and may) capture. */
const EVENTS = {
  alloc: { required: ['address', 'size'], optional: [] },
  free: { required: ['address'], optional: ['remaining'] },
  realloc: { required: ['from', 'to', 'size'], optional: [] },
  dumpStart: { required: [], optional: [] },
  dumpEntry: { required: ['address', 'size'], optional: ['data'] },
  spyLine: { required: [], optional: [] },
} as const;
const MARKERS = {
  register: { required: [], optional: ['hresult'] },
  coUninitialize: { required: [], optional: [] },
  revoke: { required: [], optional: ['hresult'] },
  runStart: { required: [], optional: [] },
} as const;

type EventKey = keyof typeof EVENTS;
type MarkerKey = keyof typeof MARKERS;

interface Compiled {
  name: string;
  events: Partial<Record<EventKey, RegExp>>;
  markers: Partial<Record<MarkerKey, RegExp>>;
}

/** Parses and checks a dialect file's text; `file` names it in error messages. */
export function parseUserDialect(text: string, file: string): Dialect {
  const bad = (why: string) => new SpylogError('BAD_DIALECT', `bad dialect file ${file}: ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw bad(`not valid JSON (${(err as Error).message})`);
  }
  // JSON.parse keeps the last of two equal keys: a pattern written twice would silently lose one.
  const twice = duplicateKey(text);
  if (twice) throw new SpylogError('BAD_DIALECT', `${file}:${twice.line}: bad dialect file: "${twice.key}" is given twice`);
  if (!isObject(json)) throw bad('expected a JSON object of named regexes');
  const compiled: Compiled = { name: 'user', events: {}, markers: {} };
  for (const [key, value] of Object.entries(json)) {
    if (key === 'name') {
      if (typeof value !== 'string' || value.trim() === '') throw bad('"name" must be a non-empty string');
      compiled.name = value;
    } else if (key === 'markers') {
      if (!isObject(value)) throw bad('"markers" must be an object');
      for (const [m, pattern] of Object.entries(value)) {
        if (!Object.hasOwn(MARKERS, m)) throw bad(`unknown marker "${m}" (expected ${Object.keys(MARKERS).join(', ')})`);
        compiled.markers[m as MarkerKey] = compile(`markers.${m}`, pattern, MARKERS[m as MarkerKey], bad);
      }
    } else if (Object.hasOwn(EVENTS, key)) {
      compiled.events[key as EventKey] = compile(key, value, EVENTS[key as EventKey], bad);
    } else {
      throw bad(`unknown key "${key}" (expected name, ${Object.keys(EVENTS).join(', ')}, markers)`);
    }
  }
  if (!compiled.events.alloc && !compiled.events.dumpEntry) throw bad('needs at least an "alloc" or a "dumpEntry" pattern');
  if (compiled.events.dumpEntry && !compiled.events.dumpStart) throw bad('"dumpEntry" needs a "dumpStart" pattern');
  return toDialect(compiled);
}

function compile(
  key: string,
  pattern: unknown,
  groups: { readonly required: readonly string[]; readonly optional: readonly string[] },
  bad: (why: string) => SpylogError,
): RegExp {
  if (typeof pattern !== 'string' || pattern === '') throw bad(`"${key}" must be a non-empty string (a regular expression)`);
  let re: RegExp;
  try {
    re = new RegExp(pattern);
  } catch (err) {
    throw bad(`"${key}" is not a valid regular expression (${(err as Error).message})`);
  }
  const named = new Set([...pattern.matchAll(/\(\?<([A-Za-z_]\w*)>/g)].map((m) => m[1]!));
  const missing = groups.required.filter((g) => !named.has(g));
  if (missing.length > 0) {
    throw bad(`"${key}" needs the named group${missing.length === 1 ? '' : 's'} ${missing.map((g) => `(?<${g}>...)`).join(', ')}`);
  }
  const allowed = new Set<string>([...groups.required, ...groups.optional]);
  const unknown = [...named].filter((g) => !allowed.has(g));
  if (unknown.length > 0) throw bad(`"${key}" has an unknown named group (?<${unknown[0]}>...)`);
  return re;
}

function toDialect(c: Compiled): Dialect {
  const e = c.events;
  const m = c.markers;
  const classify = (line: string): LineEvent => {
    let g: Record<string, string | undefined> | undefined;
    if (e.alloc && (g = e.alloc.exec(line)?.groups)) {
      const address = toAddress(g.address ?? '');
      const size = decimal(g.size);
      if (address && size >= 0) return { type: 'alloc', address, size };
      return malformed(line, 'alloc');
    }
    if (e.free && (g = e.free.exec(line)?.groups)) {
      const address = toAddress(g.address ?? '');
      const remaining = g.remaining === undefined ? NO_COUNT : decimal(g.remaining);
      if (address && (g.remaining === undefined || remaining >= 0)) return { type: 'free', address, remaining };
      return malformed(line, 'free');
    }
    if (e.realloc && (g = e.realloc.exec(line)?.groups)) {
      const from = toAddress(g.from ?? '');
      const to = toAddress(g.to ?? '');
      const size = decimal(g.size);
      if (from && to && size >= 0) return { type: 'realloc', from, to, size };
      return malformed(line, 'realloc');
    }
    if (e.dumpStart?.test(line)) return { type: 'dump-start' };
    if (e.dumpEntry && (g = e.dumpEntry.exec(line)?.groups)) {
      const address = toAddress(g.address ?? '');
      const size = decimal(g.size);
      if (address && size >= 0) return { type: 'dump-entry', address, size, data: g.data ? normalizeHex(g.data) : '' };
      return malformed(line, 'dumpEntry');
    }
    if (e.spyLine?.test(line)) return { type: 'malformed', text: line, reason: 'matches "spyLine" but no event pattern' };
    const revoke = m.revoke?.exec(line);
    if (revoke) return programLine(line, 'revoke', hresult(revoke.groups?.hresult));
    const register = m.register?.exec(line);
    if (register) return programLine(line, 'register', hresult(register.groups?.hresult));
    if (m.coUninitialize?.test(line)) return programLine(line, 'couninitialize', null);
    return programLine(line);
  };
  const runStart = m.runStart;
  return {
    name: c.name,
    dumpOnly: !e.alloc,
    classify,
    recognizes: (line) => isRecognized(classify(line)) || (runStart?.test(line) ?? false),
    isRunStart: (ev) =>
      ev.type === 'program' ? ev.marker === 'register' || (runStart?.test(ev.text) ?? false) : !e.alloc && ev.type === 'dump-start',
    coUninitializeMarkers: [m.coUninitialize?.source ?? 'CoUninitialize'],
  };
}

function malformed(line: string, key: string): LineEvent {
  return { type: 'malformed', text: line, reason: `matches "${key}" but its address or size does not read` };
}

function decimal(text: string | undefined): number {
  return text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : -1;
}

/** The `hresult` group's text, read as the built-in dialect reads it: hex, or a name (`E_ACCESSDENIED` read as 0xE made a refused revoke a success; attack notes #159). */
function hresult(text: string | undefined): number | null {
  return text === undefined ? null : parseHresult(text);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The first key written twice in one object of a valid JSON text, with its line; null when there is none. */
function duplicateKey(text: string): { key: string; line: number } | null {
  const objects: (Set<string> | null)[] = []; // null: an array
  let expectKey = false;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 123 /* { */) {
      objects.push(new Set());
      expectKey = true;
    } else if (c === 91 /* [ */) objects.push(null);
    else if (c === 125 /* } */ || c === 93 /* ] */) objects.pop();
    else if (c === 44 /* , */) expectKey = objects[objects.length - 1] instanceof Set;
    else if (c === 34 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 /* \ */ ? 2 : 1;
      if (expectKey) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        const keys = objects[objects.length - 1]!;
        if (keys.has(key)) return { key, line };
        keys.add(key);
        expectKey = false;
      }
      i = j;
    }
  }
  return null;
}
