/**
 * The addon is context-aware: it loads in several worker_threads at once, each with its
 * own instance data, and a worker terminated mid-transcription takes nothing down with it.
 */
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { loadModel, type Segment } from '../src';
import { jfk, longSpeech } from './support/audio';
import { MODELS, modelPath } from './support/paths';

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

test('two worker threads transcribe at the same time; results equal the main thread\'s', async () => {
  const model = modelPath(MODELS.tiny);
  const audio = jfk();
  await using main = await loadModel(model);
  const expected = (await main.transcribe(audio, options)).segments;
  expect(expected.length).toBeGreaterThan(0);

  const a = startWorker(model, audio);
  const b = startWorker(model, audio);
  const [resultA, resultB] = await Promise.all([a.done, b.done]);
  await Promise.all([a.worker.terminate(), b.worker.terminate()]);
  expect(resultA).toEqual(expected);
  expect(resultB).toEqual(expected);
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
