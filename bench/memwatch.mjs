// Samples the memory of a Node process from inside, without touching its code:
//   node --import ./bench/memwatch.mjs bin/spylog.js report --format json LOG > /dev/null
// Every 20 ms (when the event loop gets a turn) and at exit it reads process.memoryUsage();
// at exit it prints to stderr the peak RSS and, at that moment, the V8 heap used/total, the
// external and array-buffer memory, and when (in % of the run) the peak came, plus the
// largest heap used seen. A long synchronous stretch (the report built at the end) is
// seen only by the exit sample; /usr/bin/time's peak RSS covers everything.
import { setInterval } from 'node:timers';

const start = process.hrtime.bigint();
let peak = null;
let maxHeap = 0;
let samples = 0;
const take = () => {
  const m = process.memoryUsage();
  samples++;
  const t = Number(process.hrtime.bigint() - start) / 1e6;
  if (m.heapUsed > maxHeap) maxHeap = m.heapUsed;
  if (peak === null || m.rss > peak.rss) peak = { ...m, t };
};
const timer = setInterval(take, 20);
timer.unref();
process.on('exit', () => {
  take();
  const end = Number(process.hrtime.bigint() - start) / 1e6;
  const mb = (b) => (b / 1e6).toFixed(1);
  process.stderr.write(
    `memwatch: peak RSS ${mb(peak.rss)} MB at ${((100 * peak.t) / end).toFixed(0)} % of ${(end / 1000).toFixed(2)} s` +
      ` (heap used ${mb(peak.heapUsed)} / total ${mb(peak.heapTotal)} MB, external ${mb(peak.external)} MB, array buffers ${mb(peak.arrayBuffers)} MB);` +
      ` max heap used ${mb(maxHeap)} MB; ${samples} samples\n`,
  );
});
