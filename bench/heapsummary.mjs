// What the heap holds once the report is built: feeds a log to the library's analyzer
// (dist/src/analyze.js, as the CLI does) in 256 KB chunks, keeps the report, forces a full
// GC, writes a heap snapshot and prints its objects grouped by type and name (strings by
// length), the largest first: count, total MB, bytes each. Typed-array columns show as
// "native system / JSArrayBufferData" (the log itself is one of them: it is read whole).
// Usage: node --expose-gc bench/heapsummary.mjs LOG [TOP=20]   (after npm run build; the
// snapshot is written to the system's temporary folder and removed)
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { createAnalyzer } from '../dist/src/analyze.js';

const [path, topArg] = process.argv.slice(2);
if (!path || typeof globalThis.gc !== 'function') {
  process.stderr.write('usage: node --expose-gc bench/heapsummary.mjs LOG [TOP]\n');
  process.exit(2);
}
const buf = readFileSync(path);
const analyzer = createAnalyzer({ source: path });
for (let o = 0; o < buf.length; o += 256 * 1024) analyzer.write(buf.subarray(o, o + 256 * 1024));
const report = analyzer.end();
globalThis.gc();
const file = v8.writeHeapSnapshot(join(tmpdir(), `spylog-heap-${process.pid}.heapsnapshot`));
const snap = JSON.parse(readFileSync(file, 'utf8'));
rmSync(file);

const meta = snap.snapshot.meta;
const width = meta.node_fields.length;
const types = meta.node_types[0];
const [TYPE, NAME, SIZE] = ['type', 'name', 'self_size'].map((f) => meta.node_fields.indexOf(f));
const groups = new Map();
for (let i = 0; i < snap.nodes.length; i += width) {
  const type = types[snap.nodes[i + TYPE]];
  const name = snap.strings[snap.nodes[i + NAME]];
  const key = type.includes('string')
    ? `${type} (length ${Math.min(name.length, 100)}${name.length >= 100 ? '+' : ''})`
    : `${type} ${name.slice(0, 60)}`;
  const g = groups.get(key) ?? { count: 0, bytes: 0 };
  g.count++;
  g.bytes += snap.nodes[i + SIZE];
  groups.set(key, g);
}
process.stdout.write(`${path}: report with ${report.blocks.length} listed blocks; heap after a full GC, by type:\n`);
for (const [key, g] of [...groups].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, Number(topArg ?? 20))) {
  process.stdout.write(
    `${String(g.count).padStart(9)} ${(g.bytes / 1e6).toFixed(2).padStart(8)} MB ${String(Math.round(g.bytes / g.count)).padStart(8)} B  ${key}\n`,
  );
}
