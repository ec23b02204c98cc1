// One whisper-napi measurement in a fresh process (the runner in ./whisper-napi.js starts
// it): load the model, run `jobs` transcriptions of the input at once on it, and report the
// times, the event-loop delay during the transcriptions, and the peak RSS, as JSON.
//   node whisper-napi-child.js <model> <audio> <threads per job> <jobs>
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { monitorEventLoopDelay } = require('node:perf_hooks');

const whisper = require(path.resolve(__dirname, '..', '..', 'dist', 'cjs'));

function peakRss() {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  } catch {
    return process.memoryUsage.rss(); // not Linux: the current value, a lower bound
  }
}

async function main() {
  const [model, audio, threads, jobs] = process.argv.slice(2);
  const loadStarted = performance.now();
  const loaded = await whisper.loadModel(model, { threads: Number(threads), maxConcurrency: Number(jobs) });
  const loadMs = performance.now() - loadStarted;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const transcripts = await Promise.all(
    Array.from({ length: Number(jobs) }, () => loaded.transcribe(audio, { beamSize: 1, temperatureIncrement: 0, threads: Number(threads) })),
  );
  const transcribeMs = performance.now() - started;
  delay.disable();
  const result = {
    loadMs,
    transcribeMs,
    peakRss: peakRss(),
    eventLoop: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
    windows: transcripts[0].timings.encoderRuns,
    text: transcripts[0].text,
  };
  await loaded.dispose();
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
