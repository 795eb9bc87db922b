// `npm run bench`: the shape matrix (issue 14). For every log shape (bench/shapes.ts), one
// log of `--mb` megabytes is generated once (deterministic) and read, side by side in the
// same run, by
//   - the floor (bench/floor.mjs: 256 KB reads + Buffer.indexOf of LF, nothing else),
//   - `spylog report --format json` (bin/spylog.js),
//   - mawk with a script that only tracks live addresses, where awk can read the log
//     (bench/live.awk; bench/debugview.awk for DebugView; not UTF-16),
// with the peak RSS from /usr/bin/time. It prints MB/s, the ratios spylog/floor and
// spylog/awk, the peak RSS, the bytes per live block of the 200k shape, and the issue's
// goals beside what it measured; the md5 of every JSON report goes to bench/data/md5.txt so
// that reports can be compared before and after a change.
//
//   npm run bench [-- --mb 150] [--seed 1] [--runs 1] [--shapes growing,soak] [--data DIR]
//   npm run bench -- --sweep [--sizes 100,1000] [--seed 1] [--runs 1] [--data DIR]
//   npm run bench -- --stress [--data DIR]     (bench/stress.ts: the adversarial sizes of issue 13)
//   npm run bench -- --rates [--shapes redirected,cmd-paste] [--eol lf,crlf] [--bom | --bom-only]
//                            [--text raw,utf8,utf16] [--wide | --wide-only] [--banners 0,3] [--pad body,banner] [--why]
//                                              (bench/rates.ts: how often a complete capture reads possibly-truncated)
//
// `--sweep` is the older size sweep: soak logs of several sizes, spylog vs awk, peak RSS
// ratio between sizes. The machine is noisy: compare the ratios measured in one run, never
// MB/s across runs.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.js';
import { generateShape, SHAPE_INFO, SHAPES, type Shape } from './shapes.js';
import { measure, TIME, type Measure } from './measure.js';
import { stress } from './stress.js';
import {
  DEFAULT_RATE_OPTIONS,
  RATE_SHAPES,
  TEXT_FORMS,
  rates,
  type Eol,
  type PadWhere,
  type RateOptions,
  type RateShape,
  type TextForm,
} from './rates.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BENCH = join(ROOT, 'bench');
const SPYLOG = join(ROOT, 'bin', 'spylog.js');
const FLOOR = join(BENCH, 'floor.mjs');

/** The goals (issue 14). */
const GOAL_FLOOR = 0.3;
const GOAL_AWK = 2;
const GOAL_RSS_MB = 200;
const GOAL_BYTES_PER_BLOCK = 500;

interface Args {
  sweep: boolean;
  stress: boolean;
  rates: RateOptions | null;
  sizes: number[];
  mb: number;
  seed: number;
  runs: number;
  shapes: Shape[];
  data: string;
}

/** The options only `--rates` reads. */
const RATE_ONLY = ['--eol', '--bom', '--bom-only', '--text', '--wide', '--wide-only', '--banners', '--pad', '--why'];

function parseArgs(argv: string[]): Args {
  const args: Args = {
    sweep: false,
    stress: false,
    rates: null,
    sizes: [100, 1000],
    mb: 150,
    seed: 1,
    runs: 1,
    shapes: [...SHAPES],
    data: join(BENCH, 'data'),
  };
  // `--shapes` names the matrix's shapes, or with `--rates` the rates' (checked once all are read).
  let shapes: string[] | null = null;
  let rateOption: string | null = null;
  const rate: RateOptions = { ...DEFAULT_RATE_OPTIONS };
  const list = <T extends string>(v: string, known: readonly T[], what: string): T[] => {
    const names = v.split(',');
    const bad = names.find((n) => !(known as readonly string[]).includes(n));
    if (bad !== undefined) throw new Error(`unknown ${what} ${bad} (${what}s: ${known.join(', ')})`);
    return names as T[];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (RATE_ONLY.includes(a)) rateOption = a;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--sweep') args.sweep = true;
    else if (a === '--stress') args.stress = true;
    else if (a === '--sizes') args.sizes = value().split(',').map(Number);
    else if (a === '--mb') args.mb = Number(value());
    else if (a === '--seed') args.seed = Number(value());
    else if (a === '--runs') args.runs = Number(value());
    else if (a === '--data') args.data = resolve(value());
    else if (a === '--shapes') shapes = value().split(',');
    else if (a === '--rates') args.rates = rate;
    else if (a === '--eol') rate.eols = list<Eol>(value(), ['lf', 'crlf'], 'line end');
    else if (a === '--bom') rate.boms = [false, true];
    else if (a === '--bom-only') rate.boms = [true];
    else if (a === '--text') rate.texts = list<TextForm>(value(), TEXT_FORMS, 'text form');
    else if (a === '--wide') rate.wides = [false, true];
    else if (a === '--wide-only') rate.wides = [true];
    else if (a === '--banners') rate.banners = value().split(',').map(Number);
    else if (a === '--pad') rate.pads = list<PadWhere>(value(), ['body', 'banner'], 'padded line');
    else if (a === '--why') rate.why = true;
    else
      throw new Error(
        `unknown argument ${a} (matrix: --mb 150 --seed 1 --runs 1 --shapes ${SHAPES.join(',')} --data DIR; sweep: --sweep --sizes 100,1000; --stress; ` +
          `rates: --rates --shapes ${RATE_SHAPES.join(',')} --eol lf,crlf --bom --text raw,utf8,utf16 --wide --banners 0,3 --pad body,banner --why)`,
      );
  }
  if (rateOption !== null && !args.rates) throw new Error(`${rateOption} is an option of --rates`);
  if (args.rates) {
    if (shapes !== null) rate.shapes = list<RateShape>(shapes.join(','), RATE_SHAPES, 'shape');
    if (rate.banners.length === 0 || rate.banners.some((b) => !(Number.isInteger(b) && b >= 0 && b <= 5)))
      throw new Error('--banners wants banner line counts from 0 to 5, e.g. 0,3');
    return args;
  }
  if (shapes !== null) args.shapes = list<Shape>(shapes.join(','), SHAPES, 'shape');
  if (args.sizes.length === 0 || args.sizes.some((s) => !(s > 0))) throw new Error('--sizes wants positive megabytes, e.g. 100,1000');
  if (!(args.mb > 0)) throw new Error('--mb wants positive megabytes, e.g. 150');
  if (!(args.runs >= 1)) throw new Error('--runs wants a positive count');
  return args;
}

function which(cmd: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

function best(runs: Measure[]): Measure {
  // The fastest run is the least disturbed by the noisy neighbours; RSS is the max seen.
  const fastest = runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
  const rss = runs.some((r) => r.rss === null) ? null : Math.max(...runs.map((r) => r.rss!));
  const cpu = runs.some((r) => r.cpu === null) ? null : Math.min(...runs.map((r) => r.cpu!));
  return { seconds: fastest.seconds, rss, cpu, stderr: runs.map((r) => r.stderr).find((s) => s !== '') ?? '' };
}

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const mb = (bytes: number): string => fmt(bytes / 1e6);

function table(rows: string[][], left: number): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return (
    rows
      .map((r) =>
        r
          .map((cell, c) => (c < left ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function md5(path: string): string {
  return createHash('md5').update(readFileSync(path)).digest('hex');
}

function machine(): string {
  const model = cpus()[0]?.model ?? '?';
  const load = loadavg()
    .map((l) => fmt(l, 2))
    .join(' ');
  return `${cpus().length} × ${model}, ${fmt(totalmem() / 2 ** 30)} GiB, node ${process.version}, load average ${load}`;
}

function commit(): string {
  const r = spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' });
  const dirty = spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'bin'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() + (dirty.stdout.trim() ? ' (src/bin modified)' : '') : 'unknown';
}

// ---------------------------------------------------------------------------------------
// The matrix (default)
// ---------------------------------------------------------------------------------------

interface ShapeRow {
  shape: Shape;
  bytes: number;
  floor: Measure;
  spy: Measure;
  awk: Measure | null;
  md5: string;
  json: string;
  peakBlocks: number;
  listed: number;
  lines: number;
  jsonBytes: number;
}

async function matrix(args: Args): Promise<void> {
  const awk = which('mawk') ?? which('awk');
  const awkName = awk ? awk.split('/').pop()! : null;
  mkdirSync(args.data, { recursive: true });
  process.stdout.write(`machine: ${machine()}\n`);
  process.stdout.write(`spylog: ${commit()}; ${args.mb} MB per shape, seed ${args.seed}, best of ${args.runs}; logs in ${args.data}\n`);
  process.stdout.write(
    `floor: node bench/floor.mjs (best of ${3 * args.runs}); awk: ${awk ?? 'none found'}; peak RSS ${existsSync(TIME) ? 'from /usr/bin/time' : 'not measured (no /usr/bin/time)'}\n\n`,
  );

  const results: ShapeRow[] = [];
  for (const shape of args.shapes) {
    const name = `${shape}-${args.mb}mb-s${args.seed}`;
    const log = join(args.data, `${name}.log`);
    if (!existsSync(log)) {
      process.stderr.write(`generating ${log} ...\n`);
      await generateShape(shape, log, { bytes: args.mb * 1e6, seed: args.seed });
    }
    const bytes = statSync(log).size;
    spawnSync('sh', ['-c', `cat '${log}' > /dev/null`]); // warm the page cache for every reader
    const json = join(args.data, `${name}.json`);
    const scratch = join(args.data, `${name}.out.txt`);
    const script = SHAPE_INFO[shape].awk;
    const floor: Measure[] = [];
    const spy: Measure[] = [];
    const ref: Measure[] = [];
    process.stderr.write(`measuring ${shape} (${mb(bytes)} MB) ...\n`);
    for (let i = 0; i < args.runs; i++) {
      // The floor takes a fraction of a second, so one neighbour's burst can halve it:
      // best of three for every spylog run (cheap).
      for (let k = 0; k < 3; k++) floor.push(measure([process.execPath, FLOOR, log], scratch));
      // Run from the log's folder with its bare name: the report's `source` is the file's
      // name, so the md5 does not depend on where the logs are kept.
      spy.push(measure([process.execPath, SPYLOG, 'report', '--format', 'json', basename(log)], json, args.data));
      if (awk && script) ref.push(measure([awk, '-f', join(BENCH, script), log], scratch));
    }
    rmSync(scratch, { force: true });
    const report = JSON.parse(readFileSync(json, 'utf8')) as { lines: number; peak: { blocks: number }; blocks: unknown[] };
    results.push({
      shape,
      bytes,
      floor: best(floor),
      spy: best(spy),
      awk: ref.length > 0 ? best(ref) : null,
      md5: md5(json),
      json,
      peakBlocks: report.peak.blocks,
      listed: report.blocks.length,
      lines: report.lines,
      jsonBytes: statSync(json).size,
    });
  }

  const speed = (r: ShapeRow, m: Measure): number => r.bytes / 1e6 / m.seconds;
  // The same ratios on CPU seconds (user + system, best run): less moved by a busy machine
  // than wall time, though they count spylog's GC threads too.
  const cpuRatio = (other: Measure, spy: Measure, digits: number): string =>
    other.cpu === null || spy.cpu === null || spy.cpu === 0 ? 'n/a' : fmt(other.cpu / spy.cpu, digits);
  const rows: string[][] = [
    [
      'shape',
      'MB',
      'floor MB/s',
      'spylog MB/s',
      'awk MB/s',
      'spylog/floor',
      'spylog/awk',
      'CPU s/f',
      'CPU s/a',
      'spylog RSS MB',
      'awk RSS MB',
      'spylog klines/s',
      'peak live',
      'listed',
      'JSON MB',
    ],
  ];
  for (const r of results) {
    rows.push([
      r.shape,
      mb(r.bytes),
      fmt(speed(r, r.floor)),
      fmt(speed(r, r.spy)),
      r.awk ? fmt(speed(r, r.awk)) : '—',
      fmt(r.floor.seconds / r.spy.seconds, 3),
      r.awk ? fmt(r.awk.seconds / r.spy.seconds, 2) : '—',
      cpuRatio(r.floor, r.spy, 3),
      r.awk ? cpuRatio(r.awk, r.spy, 2) : '—',
      r.spy.rss === null ? 'n/a' : mb(r.spy.rss),
      !r.awk || r.awk.rss === null ? '—' : mb(r.awk.rss),
      fmt(r.lines / 1e3 / r.spy.seconds, 0),
      fmt(r.peakBlocks, 0),
      fmt(r.listed, 0),
      mb(r.jsonBytes),
    ]);
  }
  process.stdout.write(table(rows, 1));

  // Bytes per live block: the 200k shape is the soak run plus 200,000 blocks alive
  // throughout, so the soak's peak RSS (same run) is its baseline.
  const soak = results.find((r) => r.shape === 'soak');
  const big = results.find((r) => r.shape === 'cache200k');
  let perBlock: number | null = null;
  if (soak && big && soak.spy.rss !== null && big.spy.rss !== null) {
    perBlock = (big.spy.rss - soak.spy.rss) / (big.peakBlocks - soak.peakBlocks);
    process.stdout.write(
      `\ncache200k: (peak RSS ${mb(big.spy.rss)} MB − soak's ${mb(soak.spy.rss)} MB) / (${fmt(big.peakBlocks, 0)} − ${fmt(soak.peakBlocks, 0)} peak live blocks)` +
        ` = ${fmt(perBlock, 0)} bytes per live block\n`,
    );
  }

  // The goals, beside what was measured.
  const goals: string[][] = [['shape', `spylog/floor ≥ ${GOAL_FLOOR}`, `spylog/awk ≥ ${GOAL_AWK}`, 'memory']];
  const mark = (ok: boolean): string => (ok ? 'ok ' : 'NO ');
  for (const r of results) {
    const f = r.floor.seconds / r.spy.seconds;
    const a = r.awk ? r.awk.seconds / r.spy.seconds : null;
    let memory: string;
    if (r.spy.rss === null) memory = 'n/a';
    else if (r.shape === 'cache200k') {
      memory =
        perBlock === null
          ? `${mb(r.spy.rss)} MB (no soak baseline in this run)`
          : `${mark(perBlock <= GOAL_BYTES_PER_BLOCK)}${fmt(perBlock, 0)} B per live block (goal ≤ ~${GOAL_BYTES_PER_BLOCK})`;
    } else memory = `${mark(r.spy.rss < GOAL_RSS_MB * 1e6)}${mb(r.spy.rss)} MB (goal < ${GOAL_RSS_MB})`;
    goals.push([
      r.shape,
      `${mark(f >= GOAL_FLOOR)}${fmt(f, 3)}`,
      a === null ? '— (awk cannot read it)' : `${mark(a >= GOAL_AWK)}${fmt(a, 2)}`,
      memory,
    ]);
  }
  process.stdout.write('\ngoals (issue 14):\n' + table(goals, 4));

  const md5Lines = results.map((r) => `${r.md5}  ${basename(r.json)}`);
  process.stdout.write(`\nmd5 of each spylog JSON report (run from the log's folder, source = file name):\n${md5Lines.join('\n')}\n`);
  const md5File = join(BENCH, 'data', 'md5.txt');
  mkdirSync(dirname(md5File), { recursive: true });
  writeFileSync(md5File, `# spylog ${commit()}, ${args.mb} MB per shape, seed ${args.seed}\n${md5Lines.join('\n')}\n`);
  process.stdout.write(`(written to ${md5File})\n`);

  const warnings = results.filter((r) => r.spy.stderr !== '').map((r) => `${r.shape}: spylog stderr: ${r.spy.stderr.split('\n')[0]}`);
  if (warnings.length > 0) process.stdout.write('\n' + warnings.join('\n') + '\n');
  process.stdout.write(
    `\nMB = 10^6 bytes; ratios are MB/s over MB/s, measured in this run; peak RSS is the max over runs; CPU s/f and CPU s/a = spylog/floor and spylog/awk on CPU seconds (user + system, all threads) instead of wall time; klines/s = the report's lines per second (UTF-16 has twice the bytes per line); peak live = the report's peak.blocks; listed = its blocks[]. ${awkName ?? 'awk'} reads the plain logs with live.awk, DebugView with debugview.awk, UTF-16 not at all.\n` +
      `machine at the end: load average ${loadavg()
        .map((l) => fmt(l, 2))
        .join(' ')}. Logs and reports stay in ${args.data}: delete them when done.\n`,
  );
}

// ---------------------------------------------------------------------------------------
// The size sweep (`--sweep`): soak logs of several sizes, spylog vs awk
// ---------------------------------------------------------------------------------------

async function sweep(args: Args): Promise<void> {
  const awk = which('mawk') ?? which('awk');
  if (!awk) throw new Error('no awk found (mawk or awk) for the reference');
  const data = args.data;
  mkdirSync(data, { recursive: true });
  process.stdout.write(`machine: ${machine()}\n`);
  process.stdout.write(
    `reference: ${awk} -f bench/live.awk; peak RSS ${existsSync(TIME) ? 'from /usr/bin/time' : 'not measured (no /usr/bin/time)'}; best of ${args.runs}\n\n`,
  );

  const rows: string[][] = [['log', 'tool', 'seconds', 'MB/s', 'events/s', 'peak RSS MB', 'spylog/awk']];

  const notes: string[] = [];
  const spylogRuns: { label: string; bytes: number; m: Measure }[] = [];
  for (const size of args.sizes) {
    const log = join(data, `soak-${size}mb-s${args.seed}.log`);
    if (!existsSync(log)) {
      process.stderr.write(`generating ${log} ...\n`);
      await generate(log, { bytes: size * 1e6, seed: args.seed });
    }
    const bytes = statSync(log).size;
    spawnSync('sh', ['-c', `cat '${log}' > /dev/null`]); // warm the page cache for both tools
    const report = join(data, `soak-${size}mb-s${args.seed}.json`);
    const awkOut = join(data, `soak-${size}mb-s${args.seed}.awk.txt`);
    const spy: Measure[] = [];
    const ref: Measure[] = [];
    for (let i = 0; i < args.runs; i++) {
      spy.push(measure([process.execPath, SPYLOG, 'report', '--format', 'json', log], report));
      ref.push(measure([awk, '-f', join(BENCH, 'live.awk'), log], awkOut));
    }
    const events = Number(readFileSync(awkOut, 'utf8').split(' ')[0]);
    const s = best(spy);
    const a = best(ref);
    const label = `${mb(bytes)} MB`;
    const row = (tool: string, m: Measure, ratio: string): string[] => [
      label,
      tool,
      fmt(m.seconds, 2),
      fmt(bytes / 1e6 / m.seconds),
      fmt(events / m.seconds, 0),
      m.rss === null ? 'n/a' : mb(m.rss),
      ratio,
    ];
    spylogRuns.push({ label, bytes, m: s });
    rows.push(row('spylog report --format json', s, `${fmt(a.seconds / s.seconds, 2)}× awk speed`));
    rows.push(row(`${awk.split('/').pop()} live.awk`, a, ''));
    rmSync(awkOut, { force: true });
    // The timeline is bounded by design (256 buckets that merge): show it stays flat.
    const json = JSON.parse(readFileSync(report, 'utf8')) as { timeline: { span: number; points: unknown[] }; blocks: unknown[] };
    notes.push(
      `${label}: timeline ${json.timeline.points.length} points of ${fmt(json.timeline.span, 0)} lines each; ${fmt(json.blocks.length, 0)} blocks listed`,
    );
  }
  process.stdout.write(table(rows, 2));
  // The goals of the earlier issue, stated against what was measured.
  const largest = spylogRuns.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  const smallest = spylogRuns.reduce((a, b) => (b.bytes < a.bytes ? b : a));
  notes.push(`goal 150 MB/s: spylog on ${largest.label}: ${fmt(largest.bytes / 1e6 / largest.m.seconds)} MB/s (best run)`);
  if (largest !== smallest && largest.m.rss !== null && smallest.m.rss !== null) {
    notes.push(
      `goal peak RSS < 200 MB and within 10 % across sizes: ${mb(largest.m.rss)} MB on ${largest.label}, ` +
        `${mb(smallest.m.rss)} MB on ${smallest.label} (ratio ${fmt(largest.m.rss / smallest.m.rss, 2)}, max over runs)`,
    );
  }
  process.stdout.write('\n' + notes.join('\n') + '\n');
  process.stdout.write(`\nMB = 10^6 bytes; events = spy alloc/free/realloc lines (counted by awk). Logs stay in ${data}: delete them when done.\n`);
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.rates) process.exitCode = rates(args.rates);
  else if (args.stress) await stress(args.data);
  else await (args.sweep ? sweep(args) : matrix(args));
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).message}\n`);
  process.exitCode = 2;
});
