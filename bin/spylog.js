#!/usr/bin/env node
// Thin launcher: all logic lives in the compiled library (dist/src).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';

// The analysis keeps little alive (live blocks, the blocks it reports) but makes much
// short-lived garbage, and V8 lets the old generation grow by up to 4x between full
// collections when it sees that: the peak RSS then follows the log's length (with the
// byte-level hot path, ~125 MB at 100 MB of log and 155-170 MB at 1 GB). Growing the
// old generation by 20 % at a time keeps the peak near 110-125 MB whatever the length,
// for ~10 % of speed; --optimize-for-size, used before, kept it near 95 MB but cost
// ~40 % (bench/README.md, round 3). Only the garbage collector's heuristics are tuned,
// never a hard limit: a log with millions of blocks really alive still gets the memory
// it needs. SPYLOG_V8_DEFAULT_HEAP=1 keeps V8's defaults.
if (!process.env.SPYLOG_V8_DEFAULT_HEAP) v8.setFlagsFromString('--heap-growing-percent=20');

const cli = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(cli)) {
  // A clone that was never built: say what to do instead of printing a module-not-found stack.
  process.stderr.write(`spylog: not built yet: run "npm run build" in ${fileURLToPath(new URL('..', import.meta.url))}\n`);
  process.exit(2);
}
const { run } = await import(cli.href);
run(process.argv.slice(2));
