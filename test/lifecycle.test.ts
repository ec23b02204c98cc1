/** dispose(), Symbol.asyncDispose, AbortSignal: deterministic, and never a use-after-free. */
import { AbortError, DisposedError, loadModel } from '../src';
import { jfk, longSpeech } from './support/audio';
import { MODELS, modelPath } from './support/paths';

const tiny = modelPath(MODELS.tiny);
const micro = modelPath(MODELS.micro);

test('a call on a disposed model throws DisposedError', async () => {
  const model = await loadModel(micro);
  await model.dispose();
  expect(model.disposed).toBe(true);
  await expect(model.transcribe(jfk())).rejects.toBeInstanceOf(DisposedError);
  await expect(model.transcribe(jfk())).rejects.toMatchObject({ code: 'ERR_WHISPER_DISPOSED' });
  await expect(model.dispose()).resolves.toBeUndefined(); // idempotent
});

test('`await using` disposes at the end of the block', async () => {
  let escaped;
  {
    await using model = await loadModel(micro);
    escaped = model;
    expect(model.disposed).toBe(false);
  }
  expect(escaped.disposed).toBe(true);
});

// That the model's memory is then freed is measured in memory.test.ts ('disposed while a transcription runs').
test('dispose() while a transcription runs: the job rejects with DisposedError within seconds, and a new model works', async () => {
  const model = await loadModel(tiny, { threads: 2 });
  const { samples } = longSpeech(60);
  const job = model.transcribe(samples);
  await new Promise((r) => setTimeout(r, 300)); // well inside the first encode
  const started = Date.now();
  const disposed = model.dispose();
  const outcome = await job.then(
    () => 'resolved',
    (e: unknown) => e,
  );
  await disposed;
  expect(outcome).toBeInstanceOf(DisposedError);
  expect(Date.now() - started).toBeLessThan(10_000);
  // The process is fine and a new model works.
  await using again = await loadModel(micro);
  expect((await again.transcribe(jfk())).segments.length).toBeGreaterThan(0);
});

test('dispose() racing the end of a job: either outcome is clean', async () => {
  for (let delay = 0; delay < 60; delay += 15) {
    const model = await loadModel(micro, { threads: 1 });
    const job = model.transcribe(jfk()).then(
      (t) => t,
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, delay));
    await model.dispose();
    const outcome = await job;
    expect(outcome instanceof DisposedError || Array.isArray((outcome as { segments?: unknown }).segments)).toBe(true);
  }
});

test('an AbortSignal aborts a running job with AbortError; the model stays usable', async () => {
  await using model = await loadModel(tiny, { threads: 2 });
  const controller = new AbortController();
  const job = model.transcribe(longSpeech(60).samples, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error('user pressed stop')), 300);
  const error = await job.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AbortError);
  expect((error as AbortError).name).toBe('AbortError');
  expect((error as AbortError).code).toBe('ABORT_ERR');
  expect(((error as AbortError).cause as Error).message).toBe('user pressed stop');
  expect((await model.transcribe(jfk(), { threads: 2 })).segments.length).toBeGreaterThan(0);
});

test('an already-aborted signal rejects before any native work', async () => {
  await using model = await loadModel(micro);
  await expect(model.transcribe(jfk(), { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortError);
});

test('jobs never inherit text context from an earlier job on the same model', async () => {
  // whisper.cpp keeps the previous text in its state; with noContext: false a reused
  // state would condition the second job on the first one's transcript.
  await using model = await loadModel(tiny, { threads: 2 });
  const { samples } = longSpeech(40);
  const options = { noContext: false, temperatureIncrement: 0 };
  const first = await model.transcribe(samples, options);
  await model.transcribe(jfk(), options);
  const again = await model.transcribe(samples, options);
  expect(again.segments).toEqual(first.segments);
});

test('process.exit() during a long transcription exits promptly', async () => {
  const script = `
    const { loadModel } = require(${JSON.stringify(require.resolve('../dist/cjs/index.js'))});
    (async () => {
      const model = await loadModel(${JSON.stringify(tiny)}, { threads: 2 });
      model.transcribe(new Float32Array(16000 * 120).map((_, i) => Math.sin(i / 10) * 0.1)).catch(() => {});
      setTimeout(() => process.exit(0), 300);
    })();`;
  const started = Date.now();
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['-e', script]);
  // The job alone would take well over 30 s; libuv joins its thread pool at exit.
  expect(Date.now() - started).toBeLessThan(10_000);
});
