/**
 * How soon an abort lands. whisper.cpp 1.9.1 alone checks only between encoder/decoder
 * passes (an abort during a distil-medium.en encode waited ~15 s here); with our patch
 * abort-during-compute (scripts/patches/01-abort-during-compute.patch) ggml checks between graph nodes.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { AbortError, loadModel, type Transcript } from '../src';
import { longSpeech } from './support/audio';
import { CACHE, MODELS, modelPath } from './support/paths';

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

/**
 * One 30-s window through whisper.cpp's own loop (longForm 'native', so its progress events
 * reach onProgress), decoding stopped after a token or two (maxTokensPerSegment: 1): the job
 * is the encoder pass and little else. Times are ms after transcribe() was called:
 * `encodeStart` when progress 0 arrived (whisper.cpp sends it at the top of the window loop,
 * after the spectrogram and right before the encoder pass), `abortedAt` when abort() ran
 * (`abortAfterMs` after `encodeStart`), `settled` when the job settled.
 */
async function encodeTimeline(model: Awaited<ReturnType<typeof loadModel>>, audio: Float32Array, abortAfterMs?: number) {
  const controller = new AbortController();
  const t0 = performance.now();
  let encodeStart: number | undefined;
  let abortedAt: number | undefined;
  const onProgress = (percent: number) => {
    if (percent !== 0 || encodeStart !== undefined) return;
    encodeStart = performance.now() - t0;
    if (abortAfterMs !== undefined) {
      setTimeout(() => {
        abortedAt = performance.now() - t0;
        controller.abort();
      }, abortAfterMs);
    }
  };
  const outcome = await model
    .transcribe(audio, { longForm: 'native', maxTokensPerSegment: 1, temperatureIncrement: 0, signal: controller.signal, onProgress })
    .then((t) => t, (e: unknown) => e);
  return { outcome, encodeStart, abortedAt, settled: performance.now() - t0 };
}

test('during the encode of a 30-s window (distil-medium.en shape): well under a second', async () => {
  await using model = await loadModel(modelPath(MODELS.distilMedium), { threads: 2 });
  const audio = longSpeech(30).samples;
  // First the whole pass, to know where the encode lies: from progress 0 to the end (the
  // encode, ~15 s here, and a couple of decoder passes).
  const whole = await encodeTimeline(model, audio);
  expect((whole.outcome as Transcript).timings.encoderRuns).toBe(1);
  const encodeMs = whole.settled - whole.encodeStart!;
  // Then the same job, aborted a third of the way into its encode.
  const { outcome, encodeStart, abortedAt, settled } = await encodeTimeline(model, audio, encodeMs / 3);
  const latency = settled - abortedAt!;
  console.log(
    `abort during encode (distil-medium.en shape): the encoder pass takes ${encodeMs.toFixed(0)} ms; ` +
      `aborted ${(abortedAt! - encodeStart!).toFixed(0)} ms into it, settled ${latency.toFixed(0)} ms later`,
  );
  expect(outcome).toBeInstanceOf(AbortError);
  // The abort landed inside the encoder pass: after it began, well before it would end.
  expect(abortedAt! - encodeStart!).toBeGreaterThan(0);
  expect(abortedAt! - encodeStart!).toBeLessThan(0.75 * encodeMs);
  // And did not wait for it to end (whisper.cpp alone checks only between passes).
  expect(latency).toBeLessThan(1000);
  expect(latency).toBeLessThan((encodeMs - (abortedAt! - encodeStart!)) / 2);
});

test('at any moment of a multi-window job (tiny.en shape: encodes and decodes): under a second', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny), { threads: 2 });
  // 5 minutes: the whole job takes ~10 s here, so even the abort 4 s in lands mid-job on a
  // quiet machine (2 minutes took 4.0-4.7 s, and the last abort could find it finished).
  const audio = longSpeech(300).samples;
  const latencies: number[] = [];
  for (const delay of [300, 900, 1500, 2500, 4000]) {
    const { ms, outcome } = await latencyOfAbortAfter(model, audio, delay);
    expect(outcome).toBeInstanceOf(AbortError);
    latencies.push(ms);
  }
  console.log(`abort at 0.3/0.9/1.5/2.5/4 s into a 5-min job: settled after ${latencies.map((m) => m.toFixed(0)).join(' / ')} ms`);
  expect(Math.max(...latencies)).toBeLessThan(1000);
  // The model is still consistent.
  expect((await model.transcribe(audio.subarray(0, 16000 * 11), { temperatureIncrement: 0 })).segments.length).toBeGreaterThan(0);
});

test('100 jobs aborted at random moments leave the model consistent and memory flat', async () => {
  // In a fresh process with one malloc arena, so RSS reflects only what the jobs keep.
  const samples = path.join(CACHE, 'audio', 'soak-60s.f32');
  fs.writeFileSync(samples, Buffer.from(longSpeech(60).samples.buffer));
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(__dirname, 'support', 'abort-soak.js'), modelPath(MODELS.micro), samples, '100'], {
    env: { ...process.env, MALLOC_ARENA_MAX: '1' },
  });
  const { aborted, rss, consistent } = JSON.parse(stdout) as { aborted: number; rss: number[]; consistent: boolean };
  console.log(`100 jobs aborted at random moments: ${aborted} aborted mid-job; lowest RSS in each 10 jobs: ${rss.join(', ')} MB`);
  expect(aborted).toBeGreaterThan(50);
  expect(consistent).toBe(true);
  // After the first jobs, flat. The allocator may step up once and stay there (seen in CI:
  // 84-86 MB for 50 jobs, then 103-104 MB for the other 50, a single 18-MB step), which is not
  // growth; the bound allows one such step. A leak of half a MB per job (an aborted job's
  // decoding state is far more) would exceed it over the 80 jobs measured.
  const settled = rss.slice(2);
  expect(Math.max(...settled) - Math.min(...settled)).toBeLessThan(36);
});
