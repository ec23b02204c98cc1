// Child process for the leak tests (run with --expose-gc): loads and frees a model many
// times and prints RSS figures as JSON. Plain JS on the built package.
'use strict';
const { loadModel } = require('../../dist/cjs/index.js');

const [model, cyclesArg, mode] = process.argv.slice(2);
const cycles = Number(cyclesArg);
const mb = () => process.memoryUsage().rss / 2 ** 20;

(async () => {
  const samples = [];
  // Warm-up: ggml's one-time CPU setup, and the allocator arenas of the thread-pool threads
  // that load and free models (glibc keeps one per thread; they settle after ~20 cycles).
  for (let i = 0; i < 20; i++) await (await loadModel(model)).dispose();
  global.gc();
  const start = mb();
  // mode 'dispose-running': each model is disposed while a transcription runs on it, and
  // kept: what comes back is what dispose() freed, not what the finalizer did.
  const kept = [];
  const running = new Float32Array(16000 * 60).map((_, i) => Math.sin(i / 10) * 0.1);
  let disposedMidJob = 0;
  for (let i = 0; i < cycles; i++) {
    const m = await loadModel(model);
    if (mode === 'dispose') await m.dispose();
    if (mode === 'dispose-running') {
      const job = m.transcribe(running, { threads: 2 }).then(() => 'finished', (e) => e.name);
      await new Promise((r) => setTimeout(r, 300)); // inside the first encode
      await m.dispose();
      if ((await job) === 'DisposedError') disposedMidJob++;
      kept.push(m);
    }
    // mode 'finalize': drop it and let the finalizer free it
    if (i % 10 === 9) {
      global.gc();
      await new Promise((r) => setImmediate(r));
      samples.push(Math.round(mb()));
    }
  }
  global.gc();
  await new Promise((r) => setTimeout(r, 50));
  global.gc();
  console.log(JSON.stringify({ start: Math.round(start), end: Math.round(mb()), samples, disposedMidJob, kept: kept.length }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
