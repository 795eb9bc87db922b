// Summarises a .cpuprofile (node --cpu-prof): self time per function and per file, top first.
// Usage: node bench/cpuprofile.mjs FILE.cpuprofile [TOP=25]   (TOTAL_TOP=N: rows of the total-time list, 15)
// Self time of a sample is the time to the next sample (what DevTools shows). Functions are
// keyed by name, file and line; V8 inlines small functions into their callers, so an
// inlined helper's time shows under its caller.
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node bench/cpuprofile.mjs FILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const prof = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
let total = 0;
for (let i = 0; i < prof.samples.length; i++) {
  const dt = (prof.timeDeltas[i + 1] ?? 0) / 1000; // ms
  total += dt;
  const id = prof.samples[i];
  self.set(id, (self.get(id) ?? 0) + dt);
}

const short = (url) => {
  if (!url) return '';
  const m = /\/(dist\/(?:src|bench)\/.*)$/.exec(url) ?? /(node:.*)$/.exec(url) ?? /\/(node_modules\/.*)$/.exec(url);
  return m ? m[1] : url.replace(/^file:\/\//, '');
};
const fns = new Map();
const files = new Map();
for (const [id, ms] of self) {
  const n = byId.get(id);
  const cf = n.callFrame;
  const name = cf.functionName || (cf.url ? '(anonymous)' : '');
  const where = short(cf.url);
  const key = where ? `${name} ${where}:${cf.lineNumber + 1}` : name || '(unknown)';
  fns.set(key, (fns.get(key) ?? 0) + ms);
  const fileKey = where ? where.replace(/:\d+$/, '') : name;
  files.set(fileKey, (files.get(fileKey) ?? 0) + ms);
}
// Total time (self + callees) of our own functions: a function counted once per sample
// even when it is on the stack twice.
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const keyOf = (n) => {
  const cf = n.callFrame;
  const where = short(cf.url);
  return where ? `${cf.functionName || '(anonymous)'} ${where}:${cf.lineNumber + 1}` : null;
};
const inclusive = new Map();
for (const [id, ms] of self) {
  const seen = new Set();
  for (let cur = id; cur !== undefined; cur = parent.get(cur)) {
    const n = byId.get(cur);
    const key = keyOf(n);
    if (key && key.includes('dist/src/') && !seen.has(key)) {
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + ms);
    }
  }
}
// `... | head` closes the pipe early: stop quietly instead of an unhandled 'error' event.
process.stdout.on('error', (err) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});
const pct = (ms) => ((100 * ms) / total).toFixed(1).padStart(5) + ' %';
const print = (title, map, n) => {
  process.stdout.write(`${title}\n`);
  for (const [k, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, n)) {
    process.stdout.write(`${ms.toFixed(0).padStart(7)} ms ${pct(ms)}  ${k}\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1000).toFixed(2)} s profiled, ${prof.samples.length} samples\n`);
print(`top ${top} functions by self time:`, fns, top);
print('by file:', files, 12);
print('spylog functions by total time (self + callees):', inclusive, Number(process.env.TOTAL_TOP ?? 15));
