// Event-loop stalls on the JS thread, told apart from stalls of the whole machine.
//
// A test asserting "the event loop never stops for 100 ms" fails for a reason that is not
// ours when the host pauses the process (a VM losing its CPU, a container's CPU quota
// throttling every thread at once): CI saw one 170-ms delay in a run whose p99 was 12 ms.
// So a reference thread (a worker with its own event loop, which our code never touches)
// ticks alongside the JS thread. A JS-thread stall is ours only for the part of it that the
// reference thread did not stall through as well; that part is what tests assert on.
//
//   const meter = await startStallMeter();
//   ... work ...
//   const { maxMs, oursMaxMs, p99Ms } = await meter.stop();
'use strict';
const { monitorEventLoopDelay } = require('node:perf_hooks');
const { Worker } = require('node:worker_threads');

const TICK_MS = 5;
// Gaps longer than this are recorded as stalls (on both threads).
const STALL_MS = 15;

// The same ticker on both threads: wall-clock times (ms since the epoch, comparable across
// threads) of the gaps between ticks that exceed STALL_MS. finish() closes the last gap,
// which no tick closed: a block right before stop(), or one that began with the
// measurement and ended just before it, would otherwise count as 0 ms.
const TICKER = `
  const gaps = [];
  let last = performance.timeOrigin + performance.now();
  const record = () => {
    const now = performance.timeOrigin + performance.now();
    if (now - last > ${TICK_MS + STALL_MS}) gaps.push([last, now]);
    last = now;
  };
  const timer = setInterval(record, ${TICK_MS});
  const finish = () => {
    clearInterval(timer);
    record();
    return gaps;
  };
`;

const REFERENCE = `
  const { parentPort } = require('node:worker_threads');
  ${TICKER}
  parentPort.on('message', () => parentPort.postMessage(finish()));
  parentPort.postMessage('ready');
`;

// The length of [from, to] not covered by any of `gaps`.
function uncovered([from, to], gaps) {
  const cuts = gaps
    .map(([a, b]) => [Math.max(a, from), Math.min(b, to)])
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let left = 0;
  let at = from;
  for (const [a, b] of cuts) {
    if (a > at) left += a - at;
    at = Math.max(at, b);
  }
  return left + Math.max(0, to - at);
}

async function startStallMeter() {
  const reference = new Worker(REFERENCE, { eval: true });
  await new Promise((resolve, reject) => {
    reference.once('message', resolve);
    reference.once('error', reject);
  });
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const ours = new Function(`${TICKER}; return { stop: finish };`)();
  return {
    async stop() {
      histogram.disable();
      const jsGaps = ours.stop();
      reference.postMessage('stop');
      const referenceGaps = await new Promise((resolve) => reference.once('message', resolve));
      await reference.terminate();
      // A gap's delay is its length less the tick it was waiting for.
      const delays = jsGaps.map((gap) => ({ total: gap[1] - gap[0] - TICK_MS, ours: uncovered(gap, referenceGaps) - TICK_MS }));
      return {
        // The histogram sees a delay only when a later tick lands; the last gap is ours alone.
        maxMs: Math.max(histogram.max / 1e6, ...delays.map((d) => d.total)),
        p99Ms: histogram.percentile(99) / 1e6,
        // The longest JS-thread stall not shared by the reference thread (0 when none
        // exceeded STALL_MS).
        oursMaxMs: Math.max(0, ...delays.map((d) => d.ours)),
        machineStalls: referenceGaps.length,
        stalls: delays,
      };
    },
  };
}

module.exports = { startStallMeter, uncovered };
