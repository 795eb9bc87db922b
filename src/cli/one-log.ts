// Commands that read one log (check, baseline, each side of diff) take a wildcard too, as
// long as it names exactly one file: `spylog check "out\run-*.log"` in cmd.exe.
import { SpylogError } from '../errors.js';
import { expandLogArgs } from './expand.js';
import type { Io } from './io.js';

export async function oneLog(arg: string, io: Io, what = 'one log'): Promise<string> {
  const [first, ...more] = await expandLogArgs([arg], { platform: io.platform ?? process.platform, cwd: process.cwd() });
  if (more.length > 0)
    throw new SpylogError(
      'USAGE',
      `${arg} matches ${more.length + 1} files (${first}, ${more[0]}${more.length > 1 ? ', ...' : ''}); ${what} must be a single file`,
    );
  return first!;
}
