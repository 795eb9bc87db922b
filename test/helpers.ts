// Shared test helpers: repository paths (tests run from dist/test) and a CLI runner.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const BIN = join(ROOT, 'bin', 'spylog.js');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Every shipped log but the capture folder's (whose dialects differ), as paths relative to the repository root (stable in goldens). */
export function allFixtureLogs(): string[] {
  const logs: string[] = [];
  for (const dir of [
    FIXTURES,
    join(FIXTURES, 'real'),
    join(FIXTURES, 'real', 'wine2'),
    join(FIXTURES, 'situations'),
    join(FIXTURES, 'situations', 'wrapped'),
  ]) {
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.log')) logs.push(relative(ROOT, join(dir, f)).split('\\').join('/'));
  }
  return logs;
}

export interface CliResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function spylog(args: string[], opts: { input?: string | Buffer; env?: Record<string, string> } = {}): CliResult {
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    input: opts.input,
    encoding: 'utf8',
    // A test run inside GitHub Actions must not append spylog's job summary to the real one.
    env: { ...process.env, NO_COLOR: '1', GITHUB_STEP_SUMMARY: '', ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A deterministic PRNG (the fixture model's mulberry32): property tests must be reproducible. */
export { mulberry32 as prng } from '../fixtures/synth.js';

/**
 * Compares output with test/golden/<area>/<file>; with UPDATE_GOLDEN=1 (`npm run golden`)
 * writes it instead. Read every rewritten file before committing it.
 */
export function assertGolden(area: 'report' | 'diff' | 'check', file: string, actual: string): void {
  const dir = join(ROOT, 'test', 'golden', area);
  const path = join(dir, file);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  assert.ok(existsSync(path), `missing golden test/golden/${area}/${file}: run npm run golden`);
  assert.equal(actual, readFileSync(path, 'utf8'), `output differs from test/golden/${area}/${file} (npm run golden rewrites it)`);
}

/** A shipped log and how it is read: with the dialect file next to it (`NAME.dialect.json`), if any. */
export interface FixtureLog {
  /** Relative to the repository root, with forward slashes. */
  path: string;
  dialectFile: string | null;
}

/** Every shipped log in every folder under fixtures/, in a stable order. */
export function everyFixtureLog(): FixtureLog[] {
  const out: FixtureLog[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.log')) {
        const dialect = full.replace(/\.log$/, '.dialect.json');
        out.push({ path: relative(ROOT, full).split('\\').join('/'), dialectFile: existsSync(dialect) ? dialect : null });
      }
    }
  };
  walk(FIXTURES);
  return out;
}

/**
 * The CLI in this process (main() with in-memory streams): what `spylog` prints and its
 * exit code, without starting a process. Run from the repository root (or `opts.cwd`).
 */
export async function runMain(
  args: string[],
  opts: { env?: Record<string, string>; stdin?: string | Buffer; stdoutIsTTY?: boolean; columns?: number; platform?: string; cwd?: string } = {},
): Promise<CliResult> {
  const sink = () => {
    const chunks: Buffer[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    });
    return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
  };
  const out = sink();
  const err = sink();
  const stdin = new PassThrough();
  stdin.end(opts.stdin ?? '');
  const io: Io = {
    stdin,
    stdout: out.stream,
    stderr: err.stream,
    env: { NO_COLOR: '1', ...opts.env },
    stdoutIsTTY: opts.stdoutIsTTY ?? false,
    stderrIsTTY: false,
    stdoutColumns: () => opts.columns,
    ...(opts.platform ? { platform: opts.platform } : {}),
  };
  const cwd = process.cwd();
  process.chdir(opts.cwd ?? ROOT);
  try {
    const status = await main(args, io);
    return { status, stdout: out.text(), stderr: err.text() };
  } finally {
    process.chdir(cwd);
  }
}
