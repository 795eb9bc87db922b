// The floor: the least any line-based analyser in JavaScript has to do. Reads the file in
// 256 KB pieces (one read in flight at a time, synchronously: no stream machinery) and
// counts LF bytes with Buffer.indexOf. spylog's MB/s over this one's, measured side by
// side, is the "spylog/floor" ratio of `npm run bench`.
// Usage: node bench/floor.mjs LOG   (prints: bytes lines)
import { Buffer } from 'node:buffer';
import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK = 256 * 1024;
const path = process.argv[2];
if (!path) {
  process.stderr.write('usage: node bench/floor.mjs LOG\n');
  process.exit(2);
}
const fd = openSync(path, 'r');
const buf = Buffer.allocUnsafe(CHUNK);
let bytes = 0;
let lines = 0;
for (;;) {
  const n = readSync(fd, buf, 0, CHUNK, null);
  if (n === 0) break;
  bytes += n;
  const piece = n === CHUNK ? buf : buf.subarray(0, n);
  let i = piece.indexOf(10);
  while (i !== -1) {
    lines++;
    i = piece.indexOf(10, i + 1);
  }
}
closeSync(fd);
process.stdout.write(`${bytes} ${lines}\n`);
