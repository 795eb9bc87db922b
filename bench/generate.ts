// A deterministic generator of large, realistic MALLOC SPY logs for the benchmark.
//
// `generate()` writes the soak run (the shape the size sweep uses): one long soak run of a
// MallocSpyTest-like program on NT4/Windows 2000 (32-bit pointers, `0x%08X`): object
// creation with runtime-cached blocks, CopyProxy / marshal loops (thousands of alloc/free
// pairs on reused addresses with no program output between them), CoTaskMemRealloc chains,
// a bounded number of deliberate leaks, then CoUninitialize, a failed revoke, the leak
// dump and exit-time frees, cut at a 4096-byte boundary like a console capture that lost
// its last CRT buffer. The other shapes of the matrix (growing heap, reused addresses,
// UTF-16, DebugView, a 200,000-block cache) are in shapes.ts.
//
// The live set of the soak is bounded (a runtime cache and a fixed number of leaks), so a
// 1 GB log needs no more memory to analyse than a 100 MB one: what the sweep checks.
// Output is streamed in ~1 MB chunks with back-pressure; nothing is built whole in memory.
// Same (shape, bytes, seed) → same file, byte for byte (mulberry32, no Date, no Math.random).
import { generateShape, SHAPES, type CacheRelease, type Shape, type ShapeResult } from './shapes.js';

export interface GenerateOptions {
  /** Approximate size of the body; the shutdown tail adds a little and the cut removes a little. */
  bytes: number;
  seed: number;
  /** Cut the output at a 4096-byte boundary inside the exit-time frees (default true). */
  truncate?: boolean;
}

export type GenerateResult = ShapeResult;

/** The soak log (byte for byte what this generator wrote before the shapes came). */
export function generate(path: string, opts: GenerateOptions): Promise<GenerateResult> {
  return generateShape('soak', path, opts);
}

export { generateShape, SHAPES, type Shape };

// CLI: node dist/bench/generate.js OUT.log MEGABYTES [SEED] [SHAPE] [--cache-release exit|couninit|program]
if (import.meta.url === `file://${process.argv[1]}`) {
  const argv = process.argv.slice(2);
  const flag = argv.indexOf('--cache-release');
  const release = flag >= 0 ? argv.splice(flag, 2)[1] : 'exit';
  const [path, mb, seed, shape = 'soak'] = argv;
  if (
    !path ||
    !mb ||
    !(Number(mb) > 0) ||
    !(SHAPES as readonly string[]).includes(shape) ||
    !['exit', 'couninit', 'program'].includes(release ?? '')
  ) {
    process.stderr.write(
      `usage: node dist/bench/generate.js OUT.log MEGABYTES [SEED] [${SHAPES.join('|')}] [--cache-release exit|couninit|program]\n`,
    );
    process.exitCode = 2;
  } else {
    const opts = { bytes: Number(mb) * 1e6, seed: Number(seed ?? 1), cacheRelease: release as CacheRelease };
    generateShape(shape as Shape, path, opts).then(
      (r) => process.stdout.write(`${path}: ${shape}, ${r.bytes} bytes, ${r.lines} lines, ${r.events} spy events\n`),
      (err: unknown) => {
        process.stderr.write(`generate: ${(err as Error).message}\n`);
        process.exitCode = 2;
      },
    );
  }
}
