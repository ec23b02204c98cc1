/**
 * How soon an abort lands. whisper.cpp 1.9.1 alone checks only between encoder/decoder
 * passes (an abort during a distil-medium.en encode waited ~15 s here); with our patch
 * abort-during-compute (scripts/whisper-cpp-patches.js) ggml checks between graph nodes.
 */
import { AbortError, loadModel } from '../src';
import { longSpeech } from './support/audio';
import { MODELS, modelPath } from './support/paths';

async function latencyOfAbortAfter(model: Awaited<ReturnType<typeof loadModel>>, audio: Float32Array, delayMs: number): Promise<{ ms: number; outcome: unknown }> {
  const controller = new AbortController();
  const job = model.transcribe(audio, { signal: controller.signal, temperatureIncrement: 0 }).then(
    () => 'finished',
    (e: unknown) => e,
  );
  await new Promise((r) => setTimeout(r, delayMs));
  const started = performance.now();
  controller.abort();
  const outcome = await job;
  return { ms: performance.now() - started, outcome };
}

test('during the encode of a 30-s window (distil-medium.en shape): well under a second', async () => {
  await using model = await loadModel(modelPath(MODELS.distilMedium), { threads: 2 });
  // The encode of one window takes ~15 s here: 3 s in is inside it.
  const { ms, outcome } = await latencyOfAbortAfter(model, longSpeech(30).samples, 3000);
  console.log(`abort during encode (distil-medium.en shape): settled ${ms.toFixed(0)} ms after abort()`);
  expect(outcome).toBeInstanceOf(AbortError);
  expect(ms).toBeLessThan(1000);
});

test('at any moment of a multi-window job (tiny.en shape: encodes and decodes): under a second', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny), { threads: 2 });
  const audio = longSpeech(120).samples;
  const latencies: number[] = [];
  for (const delay of [300, 900, 1500, 2500, 4000]) {
    const { ms, outcome } = await latencyOfAbortAfter(model, audio, delay);
    expect(outcome).toBeInstanceOf(AbortError);
    latencies.push(ms);
  }
  console.log(`abort at 0.3/0.9/1.5/2.5/4 s into a 2-min job: settled after ${latencies.map((m) => m.toFixed(0)).join(' / ')} ms`);
  expect(Math.max(...latencies)).toBeLessThan(1000);
  // The model is still consistent.
  expect((await model.transcribe(audio.subarray(0, 16000 * 11), { temperatureIncrement: 0 })).segments.length).toBeGreaterThan(0);
});
