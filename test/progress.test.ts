// The progress bar: pure formatting and throttling, and silence off a terminal / with --quiet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createProgress, formatProgress, MIN_BYTES, REDRAW_MS, shouldDraw } from '../src/cli/progress.js';
import { main } from '../src/cli/main.js';
import type { Io } from '../src/cli/io.js';

test('formatProgress: bar, percentage, MB done/total and MB/s', () => {
  assert.equal(formatProgress('run.log', 250e6, 1000e6, 2000), 'spylog: run.log [######------------------]  25%  250.0/1,000.0 MB  125.0 MB/s');
  assert.equal(formatProgress('run.log', 1000e6, 1000e6, 8000), 'spylog: run.log [########################] 100%  1,000.0/1,000.0 MB  125.0 MB/s');
  // Unknown size (a pipe): no bar, only what was read and the rate.
  assert.equal(formatProgress('-', 5e6, null, 0), 'spylog: -  5.0 MB  0.0 MB/s');
});

test('shouldDraw: the first call draws, then at most once per REDRAW_MS', () => {
  assert.equal(shouldDraw(null, 0), true);
  assert.equal(shouldDraw(1000, 1000 + REDRAW_MS - 1), false);
  assert.equal(shouldDraw(1000, 1000 + REDRAW_MS), true);
});

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, text: () => chunks.join('') };
}

test('createProgress: throttles redraws and clears its line at the end', () => {
  const err = capture();
  let clock = 0;
  const p = createProgress(err.stream, { name: 'big.log', size: 100e6, enabled: true, now: () => clock });
  for (let i = 0; i < 100; i++) {
    clock += 10; // 100 chunks over 1 s: about 10 draws, not 100
    p.onChunk(1e6);
  }
  p.done();
  const out = err.text();
  const draws = out.split('\r').filter((s) => s.startsWith('spylog: big.log'));
  assert.ok(draws.length >= 9 && draws.length <= 11, `${draws.length} draws`);
  assert.ok(draws[0]!.includes(' 1.0/100.0 MB'), 'the first chunk draws at once');
  assert.ok(out.endsWith('\r\x1b[K'), 'the bar line is cleared');
});

test('createProgress: silent when disabled or for small inputs', () => {
  const err = capture();
  for (const opts of [
    { name: 'a', size: 100e6, enabled: false },
    { name: 'b', size: MIN_BYTES - 1, enabled: true },
    { name: '-', size: null, enabled: true },
  ]) {
    const p = createProgress(err.stream, opts);
    p.onChunk(1e6);
    p.done();
  }
  assert.equal(err.text(), '');
});

test('report: bar only when stderr is a TTY and --quiet is not given', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spylog-progress-'));
  try {
    // A log just over the size threshold: a spy line (so it is a MALLOC SPY log), then long
    // program lines (cheap to analyse).
    const log = join(dir, 'big.log');
    const line = 'x'.repeat(999) + '\n';
    writeFileSync(log, 'MALLOC SPY: 0x10 - 8 bytes allocated\n' + line.repeat(Math.ceil((MIN_BYTES + 1) / line.length)));
    const run = async (stderrIsTTY: boolean, extra: string[]): Promise<string> => {
      const out = capture();
      const err = capture();
      const io: Io = { stdin: new PassThrough(), stdout: out.stream, stderr: err.stream, env: {}, stdoutIsTTY: false, stderrIsTTY };
      const code = await main(['report', '--format', 'json', ...extra, log], io);
      assert.notEqual(code, 2, err.text());
      return err.text();
    };
    assert.equal(await run(false, []), '', 'stderr is not a TTY: silent');
    assert.equal(await run(true, ['--quiet']), '', '--quiet: silent');
    assert.match(await run(true, []), /spylog: .*big\.log \[[#-]+\] +\d+%/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
