/**
 * Several jobs on one model: weights loaded once, a decoding state per running job, a FIFO
 * queue for the rest that holds no thread-pool thread.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { AbortError, DisposedError, loadModel, type Transcript } from '../src';
import { jfk, longSpeech } from './support/audio';
import { MODELS, ROOT, modelPath } from './support/paths';
import { REAL_TIER } from './support/real-tier';

const greedy = { temperatureIncrement: 0, threads: 1 } as const;

function inputs(): Float32Array[] {
  const speech = longSpeech(40).samples;
  return [jfk(), speech.subarray(0, 16000 * 20), speech, speech.subarray(16000 * 5, 16000 * 35)].map((a) => a.slice());
}

// Real tiny.en when the real tier is present (the generated one hears little: jfk.wav, its
// first 5 s and its reverse all give it the same transcript). Either way the four inputs'
// results must differ, so that a job given another job's samples shows.
test('4 jobs at once on one model: each result equals its sequential result', async () => {
  await using model = await loadModel(REAL_TIER?.models['tiny.en']?.ggml ?? modelPath(MODELS.tiny), { maxConcurrency: 4 });
  const audio = inputs();
  const sequential: Transcript[] = [];
  for (const a of audio) sequential.push(await model.transcribe(a, greedy));
  expect(new Set(sequential.map((t) => JSON.stringify(t.segments))).size).toBe(audio.length);
  const running = audio.map((a) => model.transcribe(a, greedy));
  await new Promise((r) => setTimeout(r, 100));
  expect(model.jobs).toEqual({ running: 4, waiting: 0 });
  const concurrent = await Promise.all(running);
  for (let i = 0; i < audio.length; i++) expect(concurrent[i]!.segments).toEqual(sequential[i]!.segments);
});

test('4 concurrent jobs add three decoding states of memory, not three more models', async () => {
  // Measured in a fresh process: RSS inside jest carries the whole suite's history.
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'support', 'concurrent-rss.js'), modelPath(MODELS.tiny), '20']);
  const { weights, first, four } = JSON.parse(stdout) as { weights: number; first: number; four: number };
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`;
  console.log(`tiny.en shape, ${mb(weights)} of weights: one job +${mb(first)} RSS (its decoding state); 4 concurrent jobs +${mb(four)}`);
  expect(first).toBeGreaterThan(0);
  // The first state is reused by one of the four; the other three are new.
  expect(four).toBeLessThan(3 * first * 1.25 + 16 * 2 ** 20);
  expect(four).toBeLessThan(3 * (first + weights));
});

test('queued jobs wait in JS: fs keeps working, and they run in FIFO order', async () => {
  await using model = await loadModel(modelPath(MODELS.micro)); // maxConcurrency 1
  const audio = longSpeech(60).samples;
  const finished: number[] = [];
  const jobs = Array.from({ length: 6 }, (_, i) => model.transcribe(audio, greedy).then(() => finished.push(i)));
  await new Promise((r) => setTimeout(r, 200));
  expect(model.jobs).toEqual({ running: 1, waiting: 5 });
  // Six native jobs would hold all four libuv threads; one running job leaves three free.
  const started = performance.now();
  await fs.promises.readFile(`${ROOT}/package.json`);
  const readMs = performance.now() - started;
  console.log(`readFile with 1 job running and 5 queued: ${readMs.toFixed(1)} ms`);
  expect(readMs).toBeLessThan(500);
  await Promise.all(jobs);
  expect(finished).toEqual([0, 1, 2, 3, 4, 5]);
});

test('a waiting job can be aborted without disturbing the others', async () => {
  await using model = await loadModel(modelPath(MODELS.micro));
  const controller = new AbortController();
  const first = model.transcribe(jfk(), greedy);
  const second = model.transcribe(jfk(), { ...greedy, signal: controller.signal });
  const third = model.transcribe(jfk(), greedy);
  controller.abort();
  await expect(second).rejects.toBeInstanceOf(AbortError);
  await expect(second).rejects.toThrow(/waited for its turn/);
  expect((await first).segments).toEqual((await third).segments);
});

test('dispose() with jobs running and waiting: all settle with DisposedError, then memory is freed', async () => {
  const model = await loadModel(modelPath(MODELS.tiny), { maxConcurrency: 2 });
  const audio = longSpeech(60).samples;
  const jobs = Array.from({ length: 5 }, () => model.transcribe(audio, greedy).then(() => 'resolved', (e: unknown) => e));
  await new Promise((r) => setTimeout(r, 300));
  expect(model.jobs).toEqual({ running: 2, waiting: 3 });
  await model.dispose();
  const outcomes = await Promise.all(jobs);
  for (const outcome of outcomes) expect(outcome).toBeInstanceOf(DisposedError);
  expect(outcomes.filter((e) => /before this transcription started/.test((e as Error).message))).toHaveLength(3);
  expect(outcomes.filter((e) => /while this transcription was running/.test((e as Error).message))).toHaveLength(2);
});
