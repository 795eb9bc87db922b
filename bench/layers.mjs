// Where a plain log's time goes, layer by layer, in one process (after `npm run build`):
//   lines    Buffer.indexOf of LF per line (what the floor does, without its reads);
//   scan     + the byte scanner (dist/src/parse/scan.js) reading every alloc and free line;
//   table    + a bare open-addressing table of live addresses (put on alloc, tombstone on
//            free, rebuilt when full): the least any tracker keyed by address does;
//   spylog   the library's whole analysis (createAnalyzer: tracker, phases, windows,
//            episodes, timeline, verdict and report; no JSON, no start-up).
// The file is read into memory first and cut into 256 KB chunks, so no layer pays for I/O.
// Each layer runs ROUNDS times interleaved; the best time of each is printed with MB/s.
// Usage: node bench/layers.mjs LOG [ROUNDS=5]
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { SpyScanner } from '../dist/src/parse/scan.js';
import { compileParseContext } from '../dist/src/parse/options.js';
import { createAnalyzer } from '../dist/src/analyze.js';

const [path, roundsArg] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: node bench/layers.mjs LOG [ROUNDS=5]\n');
  process.exit(2);
}
const rounds = Number(roundsArg ?? 5);
const buf = readFileSync(path);
const CHUNK = 256 * 1024;
const chunks = [];
for (let o = 0; o < buf.length; o += CHUNK) chunks.push(buf.subarray(o, o + CHUNK));
const scanner = new SpyScanner(compileParseContext());

function lines() {
  let n = 0;
  for (const b of chunks) {
    let s = 0;
    for (;;) {
      const nl = b.indexOf(10, s);
      if (nl < 0) break;
      n++;
      s = nl + 1;
    }
  }
  return n;
}

function scan() {
  let n = 0;
  for (const b of chunks) {
    let s = 0;
    const len = b.length;
    while (s < len) {
      if (scanner.lineAt(b, s, len) !== 0) {
        n++;
        s = scanner.lineEnd + 1;
        continue;
      }
      const nl = b.indexOf(10, s);
      if (nl < 0) break;
      s = nl + 1;
    }
  }
  return n;
}

function table() {
  let size = 1 << 16;
  let keys = new Float64Array(size);
  let state = new Int8Array(size); // 0 empty, 1 alive, 2 tombstone
  let used = 0;
  let live = 0;
  const hash = (k, shift) => Math.imul((k >>> 0) ^ Math.imul((k / 4294967296) | 0, 0x27d4eb2d), 0x9e3779b1) >>> shift;
  let shift = 16;
  const rebuild = () => {
    const oldKeys = keys;
    const oldState = state;
    size = 1 << 16;
    while (size * 0.6 < live * 2.5) size *= 2;
    shift = 32 - Math.log2(size);
    keys = new Float64Array(size);
    state = new Int8Array(size);
    used = 0;
    for (let s = 0; s < oldState.length; s++) {
      if (oldState[s] !== 1) continue;
      let h = hash(oldKeys[s], shift);
      while (state[h] !== 0) h = (h + 1) & (size - 1);
      keys[h] = oldKeys[s];
      state[h] = 1;
      used++;
    }
  };
  for (const b of chunks) {
    let s = 0;
    const len = b.length;
    while (s < len) {
      const kind = scanner.lineAt(b, s, len);
      if (kind === 0) {
        const nl = b.indexOf(10, s);
        if (nl < 0) break;
        s = nl + 1;
        continue;
      }
      const key = scanner.key;
      const mask = size - 1;
      let h = hash(key, shift);
      for (;;) {
        if (state[h] === 0) {
          if (kind === 1) {
            keys[h] = key;
            state[h] = 1;
            live++;
            if (++used > size * 0.6) rebuild();
          }
          break;
        }
        if (keys[h] === key) {
          if (kind === 1 && state[h] === 2) {
            state[h] = 1;
            live++;
          } else if (kind === 2 && state[h] === 1) {
            state[h] = 2;
            live--;
          }
          break;
        }
        h = (h + 1) & mask;
      }
      s = scanner.lineEnd + 1;
    }
  }
  return live;
}

function spylog() {
  const a = createAnalyzer({ source: 'x' });
  for (const b of chunks) a.write(b);
  return a.end().allocs;
}

const layers = { lines, scan, table, spylog };
const best = Object.fromEntries(Object.keys(layers).map((k) => [k, Infinity]));
for (let r = 0; r < rounds; r++) {
  for (const [name, f] of Object.entries(layers)) {
    const t = performance.now();
    f();
    best[name] = Math.min(best[name], performance.now() - t);
  }
}
process.stdout.write(`${path}: ${(buf.length / 1e6).toFixed(1)} MB, best of ${rounds}\n`);
for (const [name, ms] of Object.entries(best)) {
  process.stdout.write(`${name.padEnd(8)} ${ms.toFixed(0).padStart(6)} ms  ${((buf.length / 1e6 / ms) * 1000).toFixed(0).padStart(5)} MB/s\n`);
}
