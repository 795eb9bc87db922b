// `npm run bench -- --stress`: the adversarial sizes of issue 13, end to end through the
// CLI, with time and peak RSS. Each input is generated here (deterministic, written in
// ~1 MB pieces) into --data, then read by `spylog` with stdout to a file:
//   - 10,000 runs appended to one file (a CI job's `>>`),
//   - a DebugView capture of 100,000 processes,
//   - 1,000,000 deferred-release episodes (`--episode-threshold 2`: a million findings),
//   - 1,500,000 never-freed blocks through every output format (report, check, baseline),
//   - the same spread over 300,000 leak sites (5 blocks per call) through every check format,
//   - 20,000 block groups as the text report,
//   - 100,000 GoogleTest tests that each leak a block, through check -f junit (a case per test),
//   - a diff of two logs of 100,000 groups each.
// What bounds each (listing caps, per-run summaries, streamed output) is in the README's
// Performance section; this prints what it costs. Exit codes 0-2 are verdicts; anything
// else fails the bench.
import { closeSync, existsSync, mkdirSync, openSync, statSync, writeSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measure, TIME } from './measure.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SPYLOG = join(ROOT, 'bin', 'spylog.js');

/** A writer that buffers ~1 MB and writes synchronously: memory stays flat whatever the size. */
class LogWriter {
  private readonly fd: number;
  private parts: string[] = [];
  private size = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'w');
  }

  w(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 1 << 20) this.flush();
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    writeSync(this.fd, Buffer.from(this.parts.join(''), 'utf8'));
    this.parts = [];
    this.size = 0;
  }
}

const addr = (i: number): string => '0x' + (0x00100000 + i * 16).toString(16).toUpperCase().padStart(8, '0');
const alloc = (a: string, n: number): string => `MALLOC SPY: ${a} - ${n} bytes allocated\n`;
const free = (a: string, k: number): string => `MALLOC SPY: ${a} - freed, ${k} blocks remaining\n`;
const HEAD = 'CoInitialize() returns 0x00000000\nCoRegisterMallocSpy() returns 0x00000000\n';
/** A complete run's end: CoUninitialize, a failed revoke, and one block freed at exit (the exit-time output). */
const completeTail = (live: number): string =>
  alloc('0x7FFF0000', 8) +
  'Helper() returns 0x00000000\nCalled CoUninitialize()\nCoRevokeMallocSpy() returns 0x80070005\n' +
  free('0x7FFF0000', live);

/** A complete run that leaks `n` blocks, block i of `size(i)` bytes, all in one call. */
function leakRun(w: LogWriter, n: number, size: (i: number) => number): void {
  w.w(HEAD);
  for (let i = 0; i < n; i++) w.w(alloc(addr(i), size(i)));
  w.w('Leak() returns 0x00000000\n' + completeTail(n));
}

interface Input {
  name: string;
  write: (w: LogWriter) => void;
}

const INPUTS: Record<string, Input> = {
  runs: {
    name: 'runs-10k.log',
    write: (w) => {
      for (let r = 0; r < 10_000; r++) w.w(HEAD + alloc(addr(r % 4096), 16) + 'Leak() returns 0x00000000\n' + completeTail(1));
    },
  },
  pids: {
    name: 'pids-100k.log',
    write: (w) => {
      let seq = 0;
      const line = (pid: number, msg: string): string => `${seq++}\t0.${String(seq).padStart(8, '0')}\t[${pid}] ${msg}\r\n`;
      for (let p = 0; p < 100_000; p++) {
        const pid = 1000 + p;
        w.w(line(pid, 'CoInitialize() returns 0x00000000') + line(pid, 'CoRegisterMallocSpy() returns 0x00000000'));
        w.w(line(pid, alloc(addr(1), 16).trimEnd()) + line(pid, 'Leak() returns 0x00000000'));
      }
    },
  },
  findings: {
    name: 'episodes-1m.log',
    write: (w) => {
      w.w(HEAD);
      for (let e = 0; e < 1_000_000; e++) {
        const a = addr(2 * (e % 2048));
        const b = addr(2 * (e % 2048) + 1);
        w.w(alloc(a, 16) + alloc(b, 16) + 'Tick() returns 0x00000000\n' + free(a, 1) + free(b, 0));
      }
      w.w('Called CoUninitialize()\nCoRevokeMallocSpy() returns 0x00000000\n');
    },
  },
  leaks: {
    name: 'leaks-1.5m.log',
    write: (w) => leakRun(w, 1_500_000, (i) => 16 + (i % 7) * 8),
  },
  sites: {
    name: 'leaks-1.5m-300k-sites.log',
    write: (w) => {
      const sites = 300_000;
      w.w(HEAD);
      for (let s = 0; s < sites; s++) {
        for (let k = 0; k < 5; k++) w.w(alloc(addr(s * 5 + k), 16 + (s % 7) * 8));
        w.w(`Site${s}() returns 0x00000000\n`);
      }
      w.w(completeTail(sites * 5));
    },
  },
  groups: {
    name: 'groups-20k.log',
    write: (w) => leakRun(w, 20_000, (i) => i + 1),
  },
  tests: {
    name: 'tests-100k.log',
    write: (w) => {
      const n = 100_000;
      w.w(HEAD);
      for (let i = 0; i < n; i++) {
        const name = `Suite${i % 100}.Test${i}`;
        w.w(`[ RUN      ] ${name}\n` + alloc(addr(2 * i), 32) + alloc(addr(2 * i + 1), 24));
        w.w(free(addr(2 * i), i + 1) + `[       OK ] ${name} (0 ms)\n`);
      }
      w.w(completeTail(n));
    },
  },
  diffA: {
    name: 'diff-100k-a.log',
    write: (w) => {
      const g = 100_000;
      w.w(HEAD);
      for (let i = 0; i < g; i++) w.w(alloc(addr(i), 16) + `Call${i}() returns 0x00000000\n`);
      w.w(completeTail(g));
    },
  },
  diffB: {
    name: 'diff-100k-b.log',
    write: (w) => {
      const g = 100_000;
      w.w(HEAD);
      for (let i = 0; i < g; i++) w.w(alloc(addr(i), 16 + (i % 3) * 16) + `Call${(i * 7) % g}() returns 0x00000000\n`);
      w.w('Called CoUninitialize()\nCoRevokeMallocSpy() returns 0x80070005\n');
    },
  },
};

interface Case {
  label: string;
  input: keyof typeof INPUTS;
  args: (log: string, data: string) => string[];
}

const LEAK_FORMATS: Case[] = [
  ...['json', 'csv', 'text'].map((f): Case => ({ label: `report -f ${f}`, input: 'leaks', args: (log) => ['report', '-f', f, log] })),
  { label: 'report --html', input: 'leaks', args: (log, data) => ['report', log, '--html', join(data, 'leaks.html')] },
  ...['json', 'junit', 'sarif', 'codequality', 'github', 'markdown', 'text'].map((f): Case => ({
    label: `check -f ${f}`,
    input: 'leaks',
    args: (log) => ['check', '-f', f, log],
  })),
  { label: 'baseline', input: 'leaks', args: (log) => ['baseline', log] },
];

const SITE_FORMATS: Case[] = [
  { label: 'report -f json', input: 'sites', args: (log) => ['report', '-f', 'json', log] },
  ...['json', 'junit', 'sarif', 'codequality', 'github', 'markdown', 'text'].map((f): Case => ({
    label: `check -f ${f}`,
    input: 'sites',
    args: (log) => ['check', '-f', f, log],
  })),
];

const CASES: Case[] = [
  { label: 'report -f json (10,000 runs)', input: 'runs', args: (log) => ['report', '-f', 'json', log] },
  { label: 'report -f json (100,000 pids)', input: 'pids', args: (log) => ['report', '-f', 'json', log] },
  {
    label: 'report -f json --episode-threshold 2 (1M findings)',
    input: 'findings',
    args: (log) => ['report', '-f', 'json', '--episode-threshold', '2', log],
  },
  ...LEAK_FORMATS.map((c) => ({ ...c, label: `${c.label} (1.5M leaks)` })),
  ...SITE_FORMATS.map((c) => ({ ...c, label: `${c.label} (1.5M leaks, 300,000 sites)` })),
  { label: 'report (20,000 groups as text)', input: 'groups', args: (log) => ['report', log] },
  { label: 'check -f junit (100,000 tests, each leaks a block)', input: 'tests', args: (log) => ['check', '-f', 'junit', log] },
  { label: 'diff -f json (100,000 groups each)', input: 'diffA', args: (log, data) => ['diff', '-f', 'json', log, join(data, INPUTS.diffB!.name)] },
  { label: 'diff (100,000 groups each, text)', input: 'diffA', args: (log, data) => ['diff', log, join(data, INPUTS.diffB!.name)] },
];

const fmt = (n: number, digits = 1): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export async function stress(data: string): Promise<void> {
  mkdirSync(data, { recursive: true });
  process.stdout.write(
    `spylog stress (issue 13): inputs in ${data}; peak RSS ${existsSync(TIME) ? 'from /usr/bin/time' : 'not measured (no /usr/bin/time)'}\n\n`,
  );
  const made = new Set<string>();
  const make = (key: keyof typeof INPUTS): string => {
    const input = INPUTS[key]!;
    const path = join(data, input.name);
    if (!made.has(key) && !existsSync(path)) {
      process.stdout.write(`generating ${input.name} ...\n`);
      const w = new LogWriter(path);
      input.write(w);
      w.close();
    }
    made.add(key);
    return path;
  };
  make('diffB');
  let failed = 0;
  const rows: string[][] = [['case', 'log MB', 'seconds', 'CPU s', 'peak RSS MB', 'output MB']];
  for (const c of CASES) {
    const log = make(c.input);
    const out = join(data, 'stress-out');
    process.stdout.write(`running ${c.label} ...\n`);
    try {
      // A gate that fails (exit 1) still did the whole job; exit 2 is a refused input.
      const m = measure(['node', SPYLOG, ...c.args(log, data)], out, undefined, c.args(log, data)[0] === 'check' ? [0, 1] : [0]);
      rows.push([
        c.label,
        fmt(statSync(log).size / 1e6),
        fmt(m.seconds, 2),
        m.cpu === null ? '-' : fmt(m.cpu, 2),
        m.rss === null ? '-' : fmt(m.rss / 1e6),
        fmt(statSync(out).size / 1e6),
      ]);
    } catch (err) {
      // A case that fails is reported in the table (and makes the bench fail), the others still run.
      failed++;
      rows.push([c.label, fmt(statSync(log).size / 1e6), 'FAILED', '-', '-', '-']);
      process.stdout.write(`  ${(err as Error).message.split('\n')[0]}\n`);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  process.stdout.write(
    '\n' + rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ')).join('\n') + '\n',
  );
  process.stdout.write(`\nMB = 10^6 bytes; output = what spylog wrote to stdout. Inputs stay in ${data}: delete them when done.\n`);
  if (failed > 0) throw new Error(`${failed} stress case${failed === 1 ? '' : 's'} failed`);
}
