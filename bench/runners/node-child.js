// One measurement of a Node binding in a fresh process (started by ./node-binding.js):
// load the model, run `jobs` transcriptions of the input at once, and report the times,
// the event-loop delay during the transcriptions and the peak RSS, as JSON.
//   node node-child.js <adapter file> <model> <audio> <threads per job> <jobs>
'use strict';
const fs = require('node:fs');
const { monitorEventLoopDelay } = require('node:perf_hooks');

function peakRss() {
  try {
    return Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))[1]) * 1024;
  } catch {
    return process.memoryUsage.rss(); // not Linux: the current value, a lower bound
  }
}

async function main() {
  const [adapterFile, model, audio, threadsText, jobsText] = process.argv.slice(2);
  const adapter = require(adapterFile);
  const threads = Number(threadsText);
  const jobs = Number(jobsText);
  // Importing the package (JS modules, the native library) is timed on its own: whisper-cli's
  // load time does not include starting the process and linking either.
  const importStarted = performance.now();
  adapter.importPackage();
  const importMs = performance.now() - importStarted;
  const input = await adapter.prepareInput(audio); // outside the timings (e.g. reading a WAV)
  const loadStarted = performance.now();
  const handle = await adapter.load(model, { threads, jobs });
  const loadMs = performance.now() - loadStarted;
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const results = await Promise.all(Array.from({ length: jobs }, () => adapter.transcribe(handle, input, { threads })));
  const transcribeMs = performance.now() - started;
  delay.disable();
  await adapter.dispose(handle);
  console.log(
    JSON.stringify({
      importMs,
      loadMs,
      transcribeMs,
      peakRss: peakRss(),
      eventLoop: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
      text: results[0].text,
      segments: results[0].segments,
      longForm: results[0].longForm,
      nativeFiles: adapter.nativeFiles?.(),
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
