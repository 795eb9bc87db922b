// Shared test helpers: repository paths (tests run from dist/test) and a CLI runner.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FIXTURES = join(ROOT, 'fixtures');
export const BIN = join(ROOT, 'bin', 'spylog.js');

export function fixture(name: string): string {
  return join(FIXTURES, name);
}

/** Every shipped log, as paths relative to the repository root (stable in goldens). */
export function allFixtureLogs(): string[] {
  const logs: string[] = [];
  for (const dir of [FIXTURES, join(FIXTURES, 'real')]) {
    for (const f of readdirSync(dir).sort()) if (f.endsWith('.log')) logs.push(relative(ROOT, join(dir, f)));
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
    env: { ...process.env, NO_COLOR: '1', ...opts.env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A small deterministic PRNG (mulberry32): property tests must be reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
