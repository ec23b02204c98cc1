// Child process for test/audio-large.test.ts: stages one audio input exactly as
// transcribe() does (read, decode, down-mix, resample into native memory) and prints the
// event-loop delay seen meanwhile and the process's peak RSS, as JSON.
const { monitorEventLoopDelay } = require('node:perf_hooks');

const { stageAudio } = require('../../dist/cjs/audio');
const { native } = require('../../dist/cjs/binding');

async function main() {
  const [file, mode] = process.argv.slice(2);
  // --buffer: the file's bytes in memory, as transcribe(fs.readFileSync(file)) would have them.
  const input = mode === '--buffer' ? require('node:fs').readFileSync(file) : file;
  native(); // the addon's own memory belongs to the baseline
  const baselineRss = process.memoryUsage().rss;
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  const staged = await stageAudio(input);
  const ms = performance.now() - started;
  delay.disable();
  console.log(
    JSON.stringify({
      seconds: staged.samples / 16000,
      ms,
      source: staged.source,
      signalBytes: staged.samples * 4,
      baselineRss,
      peakRss: process.resourceUsage().maxRSS * 1024,
      maxDelayMs: delay.max / 1e6,
      p99DelayMs: delay.percentile(99) / 1e6,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
