// One soak in a fresh process (run with --expose-gc by soak/run.js); prints JSON:
//   { samples: [{ t, i, rss }], start, end, notes } (MB; start after warm-up, end before the
//   model is freed)
// RSS is sampled after a collection, so a sample is native memory plus live JS objects.
//   node --expose-gc soak/child.js <kind> <model> <jfk.wav> <count or minutes>
'use strict';
const { decodeAudio, loadModel } = require('../dist/cjs');

const [kind, modelFile, wav, amountText] = process.argv.slice(2);
const amount = Number(amountText);
const t0 = performance.now();
const samples = [];
const mb = () => process.memoryUsage.rss() / 2 ** 20;
async function settle() {
  global.gc();
  await new Promise((r) => setTimeout(r, 20));
  global.gc();
  return mb();
}
const sample = async (i) => samples.push({ t: (performance.now() - t0) / 1000, i, rss: Math.round((await settle()) * 10) / 10 });
const options = { temperatureIncrement: 0 };

// Each soak: warm-up (allocator arenas, ggml's one-time setup, the first decoding state), then
// the measured work, sampled as it goes. The baseline is taken after the warm-up.
const SOAKS = {
  // N load/dispose cycles.
  async cycles(model, speech) {
    await model.dispose();
    for (let i = 0; i < 10; i++) await (await loadModel(modelFile)).dispose();
    const start = await settle();
    for (let i = 1; i <= amount; i++) {
      await (await loadModel(modelFile)).dispose();
      if (i % 5 === 0) await sample(i);
    }
    return { start, end: await settle(), notes: `${amount} load/dispose cycles` };
  },
  // N short transcriptions (2 s of speech), one after the other. audioContext 128 (2.56 s)
  // is what an app transcribing short clips sets: the encoder then does a tenth of a
  // 30-s window's work.
  async short(model, speech) {
    const clip = speech.subarray(0, 32000);
    const short = { ...options, audioContext: 128 };
    for (let i = 0; i < 20; i++) await model.transcribe(clip, short);
    const start = await settle();
    for (let i = 1; i <= amount; i++) {
      await model.transcribe(clip, short);
      if (i % 25 === 0) await sample(i);
    }
    return { start, end: await settle(), notes: `${amount} transcriptions of 2 s` };
  },
  // N jobs, each aborted at a seeded random moment between start and about its end.
  async abort(model, speech) {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const started = performance.now();
    await model.transcribe(speech, options);
    const jobMs = performance.now() - started;
    for (let i = 0; i < 10; i++) await model.transcribe(speech, options);
    const start = await settle();
    let aborted = 0;
    for (let i = 1; i <= amount; i++) {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), random() * jobMs * 1.1);
      const outcome = await model.transcribe(speech, { ...options, signal: controller.signal }).then(() => 'done', (e) => e.name);
      if (outcome === 'AbortError') aborted++;
      else if (outcome !== 'done') throw new Error(`job ${i}: ${outcome}`);
      if (i % 10 === 0) await sample(i);
    }
    return { start, end: await settle(), notes: `${amount} jobs, ${aborted} aborted at random moments (a job takes ${(jobMs / 1000).toFixed(2)} s)` };
  },
  // Four jobs at once on one model, again and again, for N minutes.
  async concurrent(model, speech) {
    const four = () => Promise.all([0, 1, 2, 3].map(() => model.transcribe(speech, { ...options, threads: 1 })));
    for (let i = 0; i < 3; i++) await four();
    const start = await settle();
    const until = performance.now() + amount * 60_000;
    let rounds = 0;
    while (performance.now() < until) {
      await four();
      rounds++;
      if (rounds % 5 === 0) await sample(rounds * 4);
    }
    return { start, end: await settle(), notes: `${rounds * 4} jobs in ${amount} min, 4 at a time` };
  },
};

(async () => {
  const speech = await decodeAudio(wav);
  const model = await loadModel(modelFile, { maxConcurrency: 4 });
  const result = await SOAKS[kind](model, speech);
  if (!model.disposed) await model.dispose();
  console.log(JSON.stringify({ ...result, samples }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
