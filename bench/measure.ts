// Timing a command and its peak memory, for the benchmarks.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const TIME = '/usr/bin/time';

export interface Measure {
  seconds: number;
  /** Peak resident set, in bytes; null when it could not be measured. */
  rss: number | null;
  /** User + system CPU seconds (all threads); null without /usr/bin/time. */
  cpu: number | null;
  stderr: string;
}

/**
 * Runs a command with stdout to a file, timing it; the peak RSS comes from GNU time
 * (`-f %M`, in KiB) when /usr/bin/time exists, else it is not measured. Any exit code
 * outside `ok` is a failure: a spylog that refused its input (exit 2) measured nothing.
 */
export function measure(cmd: string[], stdoutPath: string, cwd?: string, ok: readonly number[] = [0]): Measure {
  const useTime = existsSync(TIME);
  const argv = useTime ? [TIME, '-f', '@@rss %M %U %S', ...cmd] : cmd;
  const start = process.hrtime.bigint();
  const r = spawnSync('sh', ['-c', `"$@" > '${stdoutPath}'`, 'sh', ...argv], { encoding: 'utf8', maxBuffer: 64 << 20, cwd });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.error) throw r.error;
  const m = /@@rss (\d+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  const stderr = r.stderr.replace(/@@rss [\d. ]+\n?/, '').trim();
  if (!ok.includes(r.status ?? -1)) throw new Error(`${cmd.join(' ')} failed (exit ${r.status ?? r.signal}): ${stderr}`);
  return { seconds, rss: m ? Number(m[1]) * 1024 : null, cpu: m ? Number(m[2]) + Number(m[3]) : null, stderr };
}
