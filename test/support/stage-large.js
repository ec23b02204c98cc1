// Child process for test/audio-large.test.ts: stages one audio input exactly as
// transcribe() does (read, decode, down-mix, resample into native memory) and prints the
// event-loop delay seen meanwhile and the process's peak RSS, as JSON.
const fs = require('node:fs');

const { startStallMeter } = require('./loop-stalls');

const { stageAudio } = require('../../dist/cjs/audio');

/**
 * The peak RSS of this process image. Not resourceUsage().maxRSS: on Linux that survives
 * exec, so a child forked from a large jest process would report jest's size. VmHWM
 * (/proc/self/status) is per address space; elsewhere, sample RSS every 10 ms.
 */
function peakRssMeter() {
  let sampled = process.memoryUsage.rss();
  const timer = setInterval(() => (sampled = Math.max(sampled, process.memoryUsage.rss())), 10);
  return () => {
    clearInterval(timer);
    try {
      const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
      if (hwm) return Number(hwm[1]) * 1024;
    } catch {
      // not Linux
    }
    return Math.max(sampled, process.memoryUsage.rss());
  };
}
const { native } = require('../../dist/cjs/binding');

async function main() {
  const [file, mode] = process.argv.slice(2);
  // --buffer: the file's bytes in memory, as transcribe(fs.readFileSync(file)) would have them.
  const input = mode === '--buffer' ? fs.readFileSync(file) : file;
  native(); // the addon's own memory belongs to the baseline
  const baselineRss = process.memoryUsage().rss;
  const peakRss = peakRssMeter();
  const meter = await startStallMeter();
  const started = performance.now();
  const staged = await stageAudio(input);
  const ms = performance.now() - started;
  const delay = await meter.stop();
  console.log(
    JSON.stringify({
      seconds: staged.samples / 16000,
      ms,
      source: staged.source,
      signalBytes: staged.samples * 4,
      baselineRss,
      peakRss: peakRss(),
      maxDelayMs: delay.maxMs,
      oursMaxDelayMs: delay.oursMaxMs,
      p99DelayMs: delay.p99Ms,
    }),
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
