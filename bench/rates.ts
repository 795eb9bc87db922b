// `npm run bench -- --rates`: how often a COMPLETE capture reads `possibly-truncated` by
// accident. The 4096-byte rules (`crt-whole-buffers`, `crt-whole-buffers-at-exit`) call a run
// possibly truncated when the program's bytes, from some place its output may start to some
// place it may end, are an exact multiple of 4096: the C runtime's last buffer may have been
// lost at ExitProcess. Every extra start or end candidate (after the console's last line,
// with and without a BOM, with and without the blank lines at the end, ...) is one more
// chance that a complete capture's bytes are whole buffers by accident, and then its true
// leaks read `unresolved`.
//
// For each shape (a whole, complete MallocSpyTest run wrapped as a redirected file, a cmd
// paste, a transcript, a CI step log; deterministic, no randomness) one line is padded
// through all 4,096 lengths, so every span that holds it is a multiple of 4096 at exactly
// one padding; the count of paddings that read `possibly-truncated` is the cost of the
// candidates. A complete capture must never read `truncated`: such a variant is flagged
// and the bench exits 1, as it does when an unpadded capture is not `complete`.
//
//   npm run bench -- --rates [--shapes redirected,cmd-paste] [--eol lf,crlf] [--bom | --bom-only]
//                            [--text raw,utf8,utf16] [--wide | --wide-only]
//                            [--banners 0,3] [--pad body,banner] [--why]
//
// By default: every shape, LF and CR LF without a BOM, 0 and 3 banner lines, a body line
// padded (44 rows of 4,096 analyses, ~70 s on a 2-core VM). `--bom` adds each encoding
// with a UTF-8 BOM (`--bom-only`: only those), `--banners 0,1,2,3,5` more banners, `--pad
// body,banner` the banner's first line padded too, `--why` the evidence of each padding
// that reads possibly truncated. `--wide` adds a run whose program prints a line with three
// characters outside ASCII (`--wide-only`: only that one), and `--text` how the capture holds
// the text: `raw` (the program's bytes in its code page, one byte a character: cmd's `>`, the
// default), `utf8` (re-encoded as UTF-8: PowerShell 7.0–7.3's `>`, `Out-File -Encoding utf8`)
// or `utf16` (Windows PowerShell 5.1's `>`: UTF-16LE with its BOM, CR LF whatever `--eol`).
import { analyzeBuffer } from '../src/analyze.js';
import type { Category, Truncation } from '../src/model/block.js';
import { CRT_BUFFER } from '../src/verdict/completeness.js';

export { CRT_BUFFER };

/** How the run is wrapped: the console's or the runner's lines around the program's. */
export const RATE_SHAPES = [
  'redirected',
  'redirected-blank-end',
  'cmd-paste',
  'cmd-pause',
  'cmd-commands',
  'cmd-bat-echo',
  'redirected-bat-echo',
  'transcript-ps51',
  'transcript-ps7',
  'transcript-ps7-inv',
  'gha-step',
] as const;
export type RateShape = (typeof RATE_SHAPES)[number];

export type Eol = 'lf' | 'crlf';
/** Which line is padded: a program line in the run's body, or the program's first banner line. */
export type PadWhere = 'body' | 'banner';

/** One row of the measurement: a shape, its banner, an encoding and the line padded. */
export interface RateCase {
  shape: RateShape;
  /** How many lines of the program's banner come before `CoInitialize` (0–5). */
  banner: number;
  eol: Eol;
  bom: boolean;
  pad: PadWhere;
  /** How the capture holds the text (default `raw`). */
  text?: TextForm;
  /** The program prints a line with characters outside ASCII. */
  wide?: boolean;
}

export const TEXT_FORMS = ['raw', 'utf8', 'utf16'] as const;
export type TextForm = (typeof TEXT_FORMS)[number];

/** The program line that `wide` puts instead of `Object released` (three characters outside ASCII, one byte each in code page 850 or 1252). */
export const WIDE_LINE = 'Objekt freigegeben: Gr\u00f6\u00dfe \u00fc';

/** The program's banner, printed before `CoInitialize` (its blank line included). */
export const BANNER = ['MallocSpyTest 1.0', '(c) 2026 Example Corp', 'Testing clbhold', '', 'Options: none'] as const;

const hex = (n: number, digits: number) => n.toString(16).toUpperCase().padStart(digits, '0');
const addr = (n: number) => `0x${hex(n, 16)}`;

/** A dump entry as MallocSpyTest prints it: up to 16 data bytes in hex, padded to 48 columns, then as text. */
function dumpEntry(address: number, size: number, data: number[]): string {
  const shown = data.slice(0, Math.min(16, size));
  const bytes = shown.map((b) => hex(b, 2)).join(' ');
  const text = shown.map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${addr(address)} - ${size} bytes: ${bytes.padEnd(48)}${text}`;
}

/**
 * A complete MallocSpyTest run (after the real captures of fixtures/real and the wrapped
 * fixtures): registration, runtime allocations (a type library's cache, held until exit),
 * an object's allocations freed inside CoUninitialize, a loop of program calls with
 * temporaries freed at once, two deliberate leaks, `Called CoUninitialize()`, a revoke that
 * fails with E_ACCESSDENIED, the leak dump, and the exit-time frees of the runtime's blocks.
 * Judged complete: 2 true leaks, 12 blocks held until ExitProcess.
 *
 * `padding`: null for the run as it is; else the number of characters added, to a program
 * line in the body (`Object name: xxx...`, a line of its own) or to the banner's first line.
 */
export function spyRun(banner: number, padding: number | null, where: PadWhere): string[] {
  return runLines(banner, padding === null ? null : PAD_CHAR.repeat(padding), where, false);
}

const PAD_CHAR = 'x';

/** The run with `padText` (null: none) added where `where` says. */
function runLines(banner: number, padText: string | null, where: PadWhere, wide: boolean): string[] {
  if (!(banner >= 0 && banner <= BANNER.length)) throw new Error(`banner lines: 0 to ${BANNER.length}`);
  const lines: string[] = BANNER.slice(0, banner);
  if (where === 'banner' && padText !== null) {
    if (banner === 0) throw new Error('padding the banner needs a banner line');
    lines[0] += ' ' + padText;
  }
  const live = new Map<number, { size: number; data: number[] }>();
  let next = 0x34d1c0;
  const alloc = (size: number, data: number[] = []): number => {
    const a = next;
    next += (Math.ceil(size / 16) + 2) * 16;
    live.set(a, { size, data });
    lines.push(`MALLOC SPY: ${addr(a)} - ${size} bytes allocated`);
    return a;
  };
  const free = (a: number): void => {
    live.delete(a);
    lines.push(`MALLOC SPY: ${addr(a)} - freed, ${live.size} blocks remaining`);
  };
  const held = (k: number, size: number) => [0x48, 0x45, 0x4c, 0x44, ...Array<number>(Math.max(0, size - 4)).fill(0x11 * ((k % 12) + 1))];

  lines.push('CoInitialize() returns 0x00000000', 'CoRegisterMallocSpy() returns 0x00000000');
  const runtime: number[] = [];
  for (let k = 0; k < 12; k++) {
    const size = 12 + ((k * 29) % 104);
    runtime.push(alloc(size, held(k, size)));
  }
  lines.push('LoadRegTypeLib() returns 0x00000000', 'CLSIDFromProgID() returns 0x00000000');
  const object: number[] = [];
  for (let k = 0; k < 6; k++) object.push(alloc(24 + 8 * k));
  lines.push('CoCreateInstance() returns 0x00000000');
  for (let i = 0; i < 24; i++) {
    const tmp = alloc(16 + ((i * 7) % 48));
    lines.push(`IDispatch::Invoke(${i}) returns 0x00000000`);
    free(tmp);
    if (i === 11 && where === 'body' && padText !== null) lines.push('Object name: ' + padText);
  }
  const leaks: number[] = [];
  for (let k = 1; k <= 2; k++) {
    const a = alloc(64, [0x4c, 0x45, 0x41, 0x4b, 0x23, 0x30 + k, 0x00, ...Array<number>(9).fill(0xcd)]);
    leaks.push(a);
    lines.push(`CoTaskMemAlloc(64) returns ${addr(a)} (deliberately never freed)`);
  }
  lines.push(wide ? WIDE_LINE : 'Object released');
  for (const a of object) free(a);
  lines.push('Called CoUninitialize()', 'CoRevokeMallocSpy() returns 0x80070005', 'MALLOC SPY: detected memory leaks!');
  for (const [a, b] of live) lines.push(dumpEntry(a, b.size, b.data));
  for (const a of runtime) free(a);
  return lines;
}

/** What a shape adds around the run; `open`: the last line has no line end (a prompt, a pause). */
interface Wrapped {
  lines: string[];
  open: boolean;
}

const PROMPT = 'C:\\work\\spy>';
// Start-Transcript's blocks, as fixtures/situations/wrapped/transcript-*.log have them.
const STARS = '**********************';
const PS51_HEADER = [
  STARS,
  'Windows PowerShell transcript start',
  'Start time: 20261130101600',
  'Username: BUILD7\\dev',
  'RunAs User: BUILD7\\dev',
  'Configuration Name: ',
  'Machine: BUILD7 (Microsoft Windows NT 10.0.19045.0)',
  'Host Application: C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
  'Process ID: 4242',
  'PSVersion: 5.1.19041.5247',
  'PSEdition: Desktop',
  'PSCompatibleVersions: 1.0, 2.0, 3.0, 4.0, 5.0, 5.1.19041.5247',
  'BuildVersion: 10.0.19041.5247',
  'CLRVersion: 4.0.30319.42000',
  'WSManStackVersion: 3.0',
  'PSRemotingProtocolVersion: 2.3',
  'SerializationVersion: 1.1.0.1',
  STARS,
  'Transcript started, output file is C:\\work\\spy\\spy.log',
];
const PS51_FOOTER = [STARS, 'Windows PowerShell transcript end', 'End time: 20261130101602', STARS];
const PS7_HEADER = [
  STARS,
  'PowerShell transcript start',
  'Start time: 20261130101700',
  STARS,
  'Transcript started, output file is C:\\work\\spy\\spy.log',
];
const PS7_FOOTER = [STARS, 'PowerShell transcript end', 'End time: 20261130101703', STARS];
const PS_COMMAND = 'PS C:\\work\\spy> .\\clbhold.exe | Out-Host';
const PS_STOP = 'PS C:\\work\\spy> Stop-Transcript';
const invocation = (time: string) => [STARS, `Command start time: ${time}`, STARS];

/** The runner's time before a line, 7 digits of fraction, one more tick per line (as in fixtures/situations/wrapped/gha-*.log). */
function ciStamp(lines: string[]): string[] {
  return lines.map((l, i) => `2026-11-30T10:15:00.${String(1234567 + 137 * i).padStart(7, '0')}Z ${l}`);
}

export function wrap(shape: RateShape, run: string[]): Wrapped {
  switch (shape) {
    case 'redirected':
      return { lines: run, open: false };
    case 'redirected-blank-end':
      return { lines: [...run, ''], open: false };
    case 'cmd-paste':
      return { lines: [PROMPT + 'clbhold.exe', ...run, '', PROMPT], open: true };
    case 'cmd-pause':
      return { lines: [...run, 'Press any key to continue . . . '], open: true };
    case 'cmd-commands':
      return {
        lines: [PROMPT + 'set OANOCACHE=1', '', PROMPT + 'echo go', 'go', '', PROMPT + 'clbhold.exe | more', ...run, '', PROMPT],
        open: true,
      };
    case 'cmd-bat-echo':
      return { lines: [PROMPT + 'leak.bat', 'Running', ...run, '', PROMPT], open: true };
    case 'redirected-bat-echo':
      return { lines: ['Running', ...run], open: false };
    case 'transcript-ps51':
      return { lines: [...PS51_HEADER, PS_COMMAND, ...run, PS_STOP, ...PS51_FOOTER], open: false };
    case 'transcript-ps7':
      return { lines: [...PS7_HEADER, PS_COMMAND, ...run, PS_STOP, ...PS7_FOOTER], open: false };
    case 'transcript-ps7-inv':
      return {
        lines: [...PS7_HEADER, ...invocation('20261130101701'), PS_COMMAND, ...run, ...invocation('20261130101703'), PS_STOP, ...PS7_FOOTER],
        open: false,
      };
    case 'gha-step':
      return {
        lines: ciStamp([
          '##[group]Run .\\clbhold.exe',
          '.\\clbhold.exe',
          'shell: C:\\Program Files\\PowerShell\\7\\pwsh.EXE -command ". \'{0}\'"',
          '##[endgroup]',
          ...run,
          '##[error]Process completed with exit code 1.',
        ]),
        open: false,
      };
  }
}

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

function bytesOf(c: RateCase, padText: string | null): Buffer {
  const { lines, open } = wrap(c.shape, runLines(c.banner, padText, c.pad, c.wide === true));
  const text = c.text ?? 'raw';
  // PowerShell writes every line again with CR LF.
  const eol = c.eol === 'crlf' || text === 'utf16' ? '\r\n' : '\n';
  const joined = lines.join(eol) + (open ? '' : eol);
  if (text === 'utf16') return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(joined, 'utf16le')]);
  const body = Buffer.from(joined, text === 'utf8' ? 'utf8' : 'latin1');
  return c.bom ? Buffer.concat([UTF8_BOM, body]) : body;
}

/** The capture's bytes: the shape around the run, `padding` characters added to the padded line (null: the run as it is). */
export function captureOf(c: RateCase, padding: number | null): Buffer {
  return bytesOf(c, padding === null ? null : PAD_CHAR.repeat(padding));
}

/** `captureOf(c, padding)` for many paddings: the bytes around the padding are made once. */
export function padder(c: RateCase): (padding: number) => Buffer {
  const marked = bytesOf(c, '\u0001');
  // A character is two bytes of UTF-16 (the marker's second one zero).
  const width = c.text === 'utf16' ? 2 : 1;
  const pad = Buffer.from(PAD_CHAR, width === 2 ? 'utf16le' : 'latin1');
  const at = marked.indexOf(width === 2 ? Buffer.from([1, 0]) : Buffer.from([1]));
  const head = marked.subarray(0, at);
  const tail = marked.subarray(at + width);
  const fill = Buffer.alloc(CRT_BUFFER * width, pad);
  return (padding) => Buffer.concat([head, padding <= CRT_BUFFER ? fill.subarray(0, padding * width) : Buffer.alloc(padding * width, pad), tail]);
}

export interface RateResult {
  case: RateCase;
  /** The unpadded capture's verdict, its size and its never-freed blocks (`true-leak`, `unresolved`). */
  unpadded: { truncation: Truncation; bytes: number; summary: Partial<Record<Category, number>>; evidence: string[] };
  /** How many paddings were tried. */
  tried: number;
  /** The paddings that read `possibly-truncated`, with the first line of their evidence. */
  possibly: { padding: number; evidence: string }[];
  /** The paddings that read `truncated` (a complete capture never should). */
  truncated: { padding: number; evidence: string }[];
}

/** Every padding in `paddings` analysed with the project's library, default options. */
export function measureRate(c: RateCase, paddings: Iterable<number>): RateResult {
  const base = analyzeBuffer(captureOf(c, null));
  const summary: Partial<Record<Category, number>> = {};
  for (const [category, tally] of Object.entries(base.summary) as [Category, { blocks: number }][])
    if (tally.blocks > 0 && (category === 'true-leak' || category === 'unresolved')) summary[category] = tally.blocks;
  const result: RateResult = {
    case: c,
    unpadded: { truncation: base.truncation, bytes: base.bytes, summary, evidence: base.evidence },
    tried: 0,
    possibly: [],
    truncated: [],
  };
  const padded = padder(c);
  for (const padding of paddings) {
    const r = analyzeBuffer(padded(padding));
    result.tried++;
    if (r.truncation === 'possibly-truncated') result.possibly.push({ padding, evidence: r.evidence[0] ?? '' });
    else if (r.truncation === 'truncated') result.truncated.push({ padding, evidence: r.evidence[0] ?? '' });
  }
  return result;
}

/** 0 … count-1. */
export function range(from: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => from + i);
}

export interface RateOptions {
  shapes: RateShape[];
  eols: Eol[];
  boms: boolean[];
  banners: number[];
  pads: PadWhere[];
  texts: TextForm[];
  wides: boolean[];
  /** Print each padding that reads possibly truncated, with its evidence. */
  why: boolean;
}

export const DEFAULT_RATE_OPTIONS: RateOptions = {
  shapes: [...RATE_SHAPES],
  eols: ['lf', 'crlf'],
  boms: [false],
  banners: [0, 3],
  pads: ['body'],
  texts: ['raw'],
  wides: [false],
  why: false,
};

const COLUMNS: [string, number][] = [
  ['shape', Math.max(...RATE_SHAPES.map((s) => s.length))],
  ['banner', 6],
  ['pad', 6],
  ['encoding', 14],
  ['bytes', 5],
  ['unpadded', 34],
  ['possibly-truncated', 18],
  ['truncated', 9],
];

function row(cells: string[]): string {
  return (
    cells
      .map((cell, i) => {
        const width = COLUMNS[i]![1];
        return i === 1 || i === 4 || i >= 6 ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd() + '\n'
  );
}

const encodingName = (c: RateCase) => {
  const text = c.text ?? 'raw';
  const form = text === 'utf16' ? 'utf16' : `${text === 'utf8' ? 'utf8-' : ''}${c.bom ? 'bom-' : ''}${c.eol}`;
  return form + (c.wide === true ? '-wide' : '');
};

function unpaddedCell(r: RateResult): string {
  const parts = Object.entries(r.unpadded.summary).map(([category, n]) => `${n} ${category}`);
  return `${r.unpadded.truncation}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** The whole matrix, a row per case as it finishes; returns the process's exit code (1: a complete capture read truncated, or an unpadded one not complete). */
export function rates(options: RateOptions, out: (s: string) => void = (s) => process.stdout.write(s)): number {
  const cases: RateCase[] = [];
  for (const shape of options.shapes)
    for (const pad of options.pads)
      for (const banner of options.banners) {
        if (pad === 'banner' && banner === 0) continue; // no banner line to pad
        for (const wide of options.wides)
          for (const text of options.texts) {
            // UTF-16 has its own BOM and line ends: one case.
            if (text === 'utf16') cases.push({ shape, banner, eol: 'crlf', bom: false, pad, text, wide });
            else for (const bom of options.boms) for (const eol of options.eols) cases.push({ shape, banner, eol, bom, pad, text, wide });
          }
      }
  out(
    `Accidental possibly-truncated rate: each complete capture with one line padded by 0 … ${CRT_BUFFER - 1} characters, ` +
      `read by analyzeBuffer (default options); ${cases.length} cases × ${CRT_BUFFER} paddings.\n\n`,
  );
  out(row(COLUMNS.map(([name]) => name)));
  const started = Date.now();
  const results: RateResult[] = [];
  for (const c of cases) {
    const r = measureRate(c, range(0, CRT_BUFFER));
    results.push(r);
    const flagged = r.truncated.length > 0 ? `${r.truncated.length} !!!` : '0';
    out(
      row([
        c.shape,
        String(c.banner),
        c.pad,
        encodingName(c),
        String(r.unpadded.bytes),
        unpaddedCell(r) + (r.unpadded.truncation === 'complete' ? '' : ' !!!'),
        `${r.possibly.length}/${CRT_BUFFER}`,
        flagged,
      ]),
    );
    if (options.why) for (const p of r.possibly) out(`    padding ${p.padding}: ${p.evidence}\n`);
  }
  const seconds = (Date.now() - started) / 1000;
  const worst = results.reduce<RateResult | null>((a, b) => (a === null || b.possibly.length > a.possibly.length ? b : a), null);
  if (worst) {
    const w = worst.case;
    out(
      `\nworst: ${worst.possibly.length}/${CRT_BUFFER} (${((100 * worst.possibly.length) / CRT_BUFFER).toFixed(2)} %), ` +
        `${w.shape}, ${w.banner} banner line${w.banner === 1 ? '' : 's'}, ${w.pad} padded, ${encodingName(w)}\n`,
    );
    // Per shape and encoding, the most over the banners and padded lines measured.
    const encodings = [...new Set(cases.map(encodingName))];
    const width = Math.max(...options.shapes.map((s) => s.length));
    out(
      `\nat most, over ${options.banners.join(', ')} banner lines and the ${options.pads.join(' and ')} padded (possibly-truncated of ${CRT_BUFFER}):\n`,
    );
    out(`  ${'shape'.padEnd(width)}  ${encodings.map((e) => e.padStart(8)).join('  ')}\n`);
    for (const shape of options.shapes) {
      const cells = encodings.map((e) => {
        const mine = results.filter((r) => r.case.shape === shape && encodingName(r.case) === e);
        return (mine.length === 0 ? '—' : String(Math.max(...mine.map((r) => r.possibly.length)))).padStart(8);
      });
      out(`  ${shape.padEnd(width)}  ${cells.join('  ')}\n`);
    }
  }
  out(`${results.length * CRT_BUFFER} analyses in ${seconds.toFixed(1)} s\n`);
  const cut = results.filter((r) => r.truncated.length > 0);
  const notComplete = results.filter((r) => r.unpadded.truncation !== 'complete');
  for (const r of cut) {
    const c = r.case;
    out(
      `\n!!! ${c.shape}, ${c.banner} banner lines, ${c.pad} padded, ${encodingName(c)}: ${r.truncated.length} complete capture` +
        `${r.truncated.length === 1 ? '' : 's'} read TRUNCATED (paddings ${r.truncated
          .slice(0, 5)
          .map((t) => t.padding)
          .join(', ')}${r.truncated.length > 5 ? ', …' : ''}): ${r.truncated[0]!.evidence}\n`,
    );
  }
  for (const r of notComplete) {
    const c = r.case;
    out(
      `\n!!! ${c.shape}, ${c.banner} banner lines, ${encodingName(c)}: the unpadded capture reads ${r.unpadded.truncation}: ${r.unpadded.evidence[0] ?? ''}\n`,
    );
  }
  return cut.length > 0 || notComplete.length > 0 ? 1 : 0;
}
