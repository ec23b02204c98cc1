// Child process for the abort soak: N jobs on one model, each aborted at a seeded random
// moment; then one more job must equal the reference. Prints JSON with RSS samples.
'use strict';
const { loadModel } = require('../../dist/cjs/index.js');

const [modelFile, wavSamplesFile, jobsArg] = process.argv.slice(2);
const fs = require('node:fs');

(async () => {
  const raw = fs.readFileSync(wavSamplesFile);
  const audio = new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
  const model = await loadModel(modelFile, { threads: 2 });
  const options = { temperatureIncrement: 0 };
  const started = performance.now();
  const reference = JSON.stringify((await model.transcribe(audio, options)).segments);
  // Aborts land at random moments within the job's own duration (most of them mid-job).
  const jobMs = performance.now() - started;
  let seed = 42;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  // The lowest RSS over each 10 jobs: a leak raises this floor; memory a finished job is
  // still returning to the system only makes peaks.
  const rss = [];
  let floor = Infinity;
  let aborted = 0;
  const jobs = Number(jobsArg);
  for (let i = 0; i < jobs; i++) {
    const controller = new AbortController();
    const job = model.transcribe(audio, { ...options, signal: controller.signal }).then(() => 'finished', (e) => e.name);
    setTimeout(() => controller.abort(), random() * jobMs);
    const outcome = await job;
    if (outcome === 'AbortError') aborted++;
    else if (outcome !== 'finished') throw new Error(`job ${i}: ${outcome}`);
    floor = Math.min(floor, process.memoryUsage().rss);
    if (i % 10 === 9) {
      rss.push(Math.round(floor / 2 ** 20));
      floor = Infinity;
    }
  }
  const consistent = JSON.stringify((await model.transcribe(audio, options)).segments) === reference;
  await model.dispose();
  console.log(JSON.stringify({ aborted, rss, consistent }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
