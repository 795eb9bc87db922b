// Where the live heap goes, phase by phase: feeds a log to the library's analyzer
// (dist/src/analyze.js, the same code the CLI runs) in 256 KB chunks and, every STEP MB of
// input, after the report is built and after its JSON is rendered (in parts, as the CLI
// writes it), forces a full GC and prints the heap still in use. Garbage does not count
// here: this is what the analysis keeps alive, the floor under the peak RSS.
// Usage: node --expose-gc bench/heapsteps.mjs LOG [STEP_MB=25] [FROM_MB=STEP_MB]   (after npm run build)
import { Buffer } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';
import { createAnalyzer } from '../dist/src/analyze.js';
import { renderJsonParts } from '../dist/src/report/json.js';

const [path, stepArg, fromArg] = process.argv.slice(2);
if (!path || typeof globalThis.gc !== 'function') {
  process.stderr.write('usage: node --expose-gc bench/heapsteps.mjs LOG [STEP_MB] [FROM_MB]\n');
  process.exit(2);
}
const step = Number(stepArg ?? 25) * 1e6;
const mb = (b) => (b / 1e6).toFixed(1).padStart(7);
const note = (label) => {
  globalThis.gc();
  const m = process.memoryUsage();
  process.stdout.write(`${label.padEnd(28)} heap used ${mb(m.heapUsed)} MB  rss ${mb(m.rss)} MB\n`);
};
note('start');
const analyzer = createAnalyzer({ source: path });
const fd = openSync(path, 'r');
const CHUNK = 256 * 1024;
let bytes = 0;
let next = fromArg === undefined ? step : Number(fromArg) * 1e6;
for (;;) {
  const buf = Buffer.allocUnsafe(CHUNK);
  const n = readSync(fd, buf, 0, CHUNK, null);
  if (n === 0) break;
  analyzer.write(buf.subarray(0, n));
  bytes += n;
  if (bytes >= next) {
    note(`after ${(bytes / 1e6).toFixed(0)} MB`);
    next += step;
  }
}
closeSync(fd);
note(`read all ${(bytes / 1e6).toFixed(0)} MB`);
const report = analyzer.end();
note(`report built (${report.blocks.length} listed)`);
let json = 0;
for (const part of renderJsonParts(report)) json += part.length;
note(`JSON rendered (${(json / 1e6).toFixed(1)} MB)`);
