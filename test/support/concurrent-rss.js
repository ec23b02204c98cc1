// Child process for the concurrency memory test: RSS growth of one job (which builds the
// model's first decoding state), then of four concurrent jobs. Prints JSON.
'use strict';
const { loadModel } = require('../../dist/cjs/index.js');

const [modelFile, seconds] = process.argv.slice(2);
const rss = () => process.memoryUsage().rss;

async function peakGrowth(work) {
  const before = rss();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, rss())), 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, rss()) - before;
}

(async () => {
  const model = await loadModel(modelFile, { maxConcurrency: 4 });
  const audio = new Float32Array(16000 * Number(seconds)).map((_, i) => Math.sin(i / 7) * 0.1);
  const options = { temperatureIncrement: 0, threads: 1 };
  const first = await peakGrowth(() => model.transcribe(audio, options));
  const four = await peakGrowth(() => Promise.all([0, 1, 2, 3].map(() => model.transcribe(audio, options))));
  console.log(JSON.stringify({ weights: model.info.tensorBytes, first, four }));
  await model.dispose();
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
