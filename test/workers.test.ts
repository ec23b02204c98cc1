/**
 * The addon is context-aware: it loads in several worker_threads at once, each with its
 * own instance data, and a worker terminated mid-transcription takes nothing down with it.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { loadModel, type Segment } from '../src';
import { jfk, longSpeech } from './support/audio';
import { MODELS, modelPath } from './support/paths';
import { REAL_TIER } from './support/real-tier';

const WORKER = path.join(__dirname, 'support', 'worker-transcribe.js');
const options = { threads: 1, temperatureIncrement: 0 };

function startWorker(model: string, samples: Float32Array): { worker: Worker; loaded: Promise<void>; done: Promise<Segment[]> } {
  const worker = new Worker(WORKER, { workerData: { model, samples, threads: 1, options } });
  let onLoaded: () => void;
  const loaded = new Promise<void>((resolve) => (onLoaded = resolve));
  const done = new Promise<Segment[]>((resolve, reject) => {
    worker.on('message', (m: { type: string; segments?: Segment[]; message?: string }) => {
      if (m.type === 'loaded') onLoaded();
      if (m.type === 'done') resolve(m.segments!);
      if (m.type === 'error') reject(new Error(m.message));
    });
    worker.on('error', reject);
  });
  return { worker, loaded, done };
}

// Each worker gets its own audio, so a worker that transcribed the other's (or anything
// else) differs from the main thread's result for its input. Real tiny.en when the real tier
// is there; the generated one hears little (jfk.wav, its first 5 s, at half the volume or
// reversed all give it the same one-segment transcript), but does tell these two apart,
// which the test checks first.
test('two worker threads transcribe at the same time; each result equals the main thread\'s for its audio', async () => {
  const model = REAL_TIER?.models['tiny.en']?.ggml ?? modelPath(MODELS.tiny);
  const audio = [jfk(), longSpeech(20).samples];
  await using main = await loadModel(model);
  const expected: Segment[][] = [];
  for (const a of audio) expected.push((await main.transcribe(a, options)).segments);
  expect(expected[0]!.length).toBeGreaterThan(0);
  expect(expected[1]).not.toEqual(expected[0]);

  const workers = audio.map((a) => startWorker(model, a));
  const results = await Promise.all(workers.map((w) => w.done));
  await Promise.all(workers.map((w) => w.worker.terminate()));
  expect(results[0]).toEqual(expected[0]);
  expect(results[1]).toEqual(expected[1]);
});

test('terminating a worker during a transcription leaves the process and other models working', async () => {
  const model = modelPath(MODELS.tiny);
  const running = startWorker(model, longSpeech(60).samples);
  running.done.catch(() => undefined);
  await running.loaded;
  await new Promise((r) => setTimeout(r, 500));
  const started = Date.now();
  const exitCode = await running.worker.terminate();
  console.log(`worker terminated ${Date.now() - started} ms after terminate() during a transcription`);
  expect(exitCode).toBe(1);

  await using main = await loadModel(modelPath(MODELS.micro));
  expect((await main.transcribe(jfk())).segments.length).toBeGreaterThan(0);
});
