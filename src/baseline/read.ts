// Reading a baseline back: csv-parse for the rows, a line scan for the `# complete:`
// directives (csv-parse drops comment lines). Every problem names the file and line.
import { parse } from 'csv-parse/sync';
import { SpylogError } from '../errors.js';
import type { Baseline, BaselineEntry } from './model.js';
import { parsePattern } from './pattern.js';
import { BASELINE_COLUMNS } from './build.js';
import { readCsvField } from '../text/csv.js';

const DIRECTIVE = /^#\s*complete\s*:(.*)$/i;
const KNOWN = new Set<string>(BASELINE_COLUMNS);

interface Row {
  record: Record<string, string>;
  info: { lines: number };
}

export function parseBaseline(text: string, file: string): Baseline {
  const bad = (line: number, reason: string) => new SpylogError('BAD_BASELINE', `${file}:${line}: ${reason}`);
  const complete = new Set<string>();
  const completeLines = new Map<string, number>();
  text.split(/\r\n|\n|\r/).forEach((raw, i) => {
    const m = DIRECTIVE.exec(raw.replace(/^\uFEFF/, '').trim());
    if (!m) return;
    const context = m[1]!.trim();
    if (!context) throw bad(i + 1, 'a "# complete:" line needs a context name (or *)');
    complete.add(context);
    if (!completeLines.has(context)) completeLines.set(context, i + 1);
  });

  // A file with no header at all (empty, or only comments) would decide nothing and look current.
  const headerLine = firstDataLine(text);
  if (headerLine === 0) {
    throw bad(
      1,
      `the baseline is empty: it needs a header (${BASELINE_COLUMNS.join(',')}); make one with \`spylog baseline\` from a console capture`,
    );
  }

  let rows: Row[];
  try {
    rows = parse(text, {
      columns: (header: string[]) => {
        for (const h of header) if (!KNOWN.has(h)) throw new HeaderError(`unknown column "${h}" (expected ${BASELINE_COLUMNS.join(', ')})`);
        const twice = header.find((h, i) => header.indexOf(h) !== i);
        if (twice !== undefined) throw new HeaderError(`the column "${twice}" is named twice`);
        for (const need of ['context', 'size']) if (!header.includes(need)) throw new HeaderError(`the header has no "${need}" column`);
        return header;
      },
      comment: '#',
      comment_no_infix: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
      info: true,
    }) as Row[];
  } catch (err) {
    if (err instanceof HeaderError) throw bad(headerLine, err.message);
    const e = err as { code?: string; lines?: number; message?: string };
    if (typeof e.code === 'string' && e.code.startsWith('CSV_')) {
      throw bad(e.lines ?? 0, `${(e.message ?? e.code).replace(/ (on|at) line \d+\.?$/, '')}`);
    }
    throw err;
  }

  const entries: BaselineEntry[] = rows.map(({ record, info }) => {
    const line = info.lines;
    // Quoted as written (a context may start with # or end with a blank); a formula guard taken off.
    const context = readCsvField(record.context ?? '');
    if (!context) throw bad(line, 'empty context');
    // 0 is a real size: CoTaskMemAlloc(0) returns a block the runtime may hold too.
    const size = wholeNumber(record.size);
    if (size === null) throw bad(line, `size "${record.size ?? ''}" is not a whole number of bytes`);
    const count = record.count === undefined || record.count === '' ? 1 : positiveInt(record.count);
    if (count === null) throw bad(line, `count "${record.count}" is not a positive whole number`);
    const pattern = parsePattern(record.pattern ?? '');
    if (typeof pattern === 'string') throw bad(line, pattern);
    if (pattern.length > size) throw bad(line, `the pattern has ${pattern.length} bytes but the block only ${size}`);
    return { context, size, count, pattern, note: readCsvField(record.note ?? ''), line };
  });
  return { file, entries, complete, completeLines };
}

class HeaderError extends Error {}

function wholeNumber(s: string | undefined): number | null {
  if (s === undefined || !/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

function positiveInt(s: string | undefined): number | null {
  const n = wholeNumber(s);
  return n !== null && n > 0 ? n : null;
}

/** The header's line: the first line that is neither empty nor a comment (0: there is none). */
function firstDataLine(text: string): number {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\n|\r/);
  const i = lines.findIndex((l) => l.trim() !== '' && !l.startsWith('#'));
  return i + 1;
}
