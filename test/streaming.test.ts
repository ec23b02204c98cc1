/** Segments and progress while a job runs: onSegment, onProgress, transcribeStream(). */
import { AbortError, loadModel, type Segment, type WhisperModel } from '../src';
import { jfk, longSpeech } from './support/audio';
import { MODELS, modelPath } from './support/paths';

// Greedy without temperature fallback: deterministic (with fallback, whisper.cpp samples
// at higher temperatures and two runs can differ) and fast on random weights.
const greedy = { temperatureIncrement: 0 } as const;

let micro: WhisperModel;
beforeAll(async () => {
  micro = await loadModel(modelPath(MODELS.micro), { threads: 2 });
});
afterAll(() => micro.dispose());

test('onSegment delivers every segment once, in order, before the promise resolves; onProgress rises to 100', async () => {
  const seen: [number, Segment][] = [];
  const progress: number[] = [];
  const t = await micro.transcribe(longSpeech(120).samples, {
    ...greedy,
    onSegment: (segment, index) => seen.push([index, segment]),
    onProgress: (percent) => progress.push(percent),
  });
  expect(t.segments.length).toBeGreaterThan(4);
  expect(seen.map(([i]) => i)).toEqual(t.segments.map((_, i) => i));
  expect(seen.map(([, s]) => s)).toEqual(t.segments);
  expect(progress.length).toBeGreaterThan(2);
  expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  expect(new Set(progress).size).toBe(progress.length);
  expect(progress[progress.length - 1]).toBe(100);
});

test("on a 5-minute input the first segment arrives long before the job ends (whisper.cpp's loop)", async () => {
  const started = performance.now();
  let first: number | undefined;
  let last = 0;
  const t = await micro.transcribe(longSpeech(300).samples, {
    ...greedy,
    // The loop this test describes; smart windows (the default past 60 s) are checked below.
    longForm: 'native',
    onSegment: () => {
      first ??= performance.now() - started;
      last = performance.now() - started;
    },
  });
  const total = performance.now() - started;
  console.log(`5-min input: first segment after ${first?.toFixed(0)} ms, last after ${last.toFixed(0)} ms, transcript after ${total.toFixed(0)} ms (${t.timings.encoderRuns} windows)`);
  expect(t.timings.encoderRuns).toBeGreaterThanOrEqual(10);
  expect(first).toBeDefined();
  // whisper.cpp first computes the mel spectrogram of all 5 minutes (most of the wait with
  // this tiny random model); then segments come window by window, long before the end.
  expect(first!).toBeLessThan(total * 0.6);
  expect(last - first!).toBeGreaterThan(1000);
});

test('smart windows (the default past 60 s) stream each window as it is decoded', async () => {
  const arrivals: number[] = [];
  const started = performance.now();
  const t = await micro.transcribe(longSpeech(300).samples, { ...greedy, onSegment: () => arrivals.push(performance.now() - started) });
  const total = performance.now() - started;
  expect(t.longForm.mode).toBe('smart');
  const windows = t.longForm.windows!.length;
  console.log(`5-min input, smart windows: ${arrivals.length} segments from ${windows} windows, first after ${arrivals[0]?.toFixed(0)} ms, transcript after ${total.toFixed(0)} ms`);
  expect(arrivals.length).toBe(t.segments.length);
  // Segments of different windows arrive at different times: the first well before the end.
  expect(new Set(arrivals.map((a) => Math.round(a / 20))).size).toBeGreaterThan(1);
  expect(arrivals[0]!).toBeLessThan(total - total / windows);
});

test('transcribeStream() yields the same segments as transcribe()', async () => {
  const audio = longSpeech(120).samples;
  const expected = (await micro.transcribe(audio, greedy)).segments;
  const streamed: Segment[] = [];
  for await (const segment of micro.transcribeStream(audio, greedy)) streamed.push(segment);
  expect(streamed).toEqual(expected);
});

test('breaking out of the loop aborts the job; the model stays usable', async () => {
  await using tiny = await loadModel(modelPath(MODELS.tiny), { threads: 2 });
  const started = performance.now();
  let count = 0;
  for await (const segment of tiny.transcribeStream(longSpeech(300).samples, greedy)) {
    expect(typeof segment.text).toBe('string');
    if (++count === 1) break;
  }
  const elapsed = performance.now() - started;
  console.log(`stream broken after the first segment: loop left after ${elapsed.toFixed(0)} ms`);
  expect(count).toBe(1);
  // 5 minutes of tiny.en decoding to the token limit takes well over a minute here.
  expect(elapsed).toBeLessThan(30_000);
  expect((await tiny.transcribe(jfk())).segments.length).toBeGreaterThan(0);
});

test('an error thrown by onSegment rejects the job with that error', async () => {
  const boom = new Error('boom');
  await expect(micro.transcribe(longSpeech(120).samples, {
    ...greedy,
    onSegment: () => {
      throw boom;
    },
  })).rejects.toBe(boom);
  expect((await micro.transcribe(jfk())).segments.length).toBeGreaterThan(0);
});

test('a stream aborted through its signal throws AbortError from the loop', async () => {
  const controller = new AbortController();
  const iterate = async () => {
    for await (const _ of micro.transcribeStream(longSpeech(300).samples, { ...greedy, signal: controller.signal })) controller.abort();
  };
  await expect(iterate()).rejects.toBeInstanceOf(AbortError);
});

test('callbacks must be functions', async () => {
  await expect(micro.transcribe(jfk(), { onSegment: 'no' as never })).rejects.toThrow(/'onSegment' must be a function/);
});

test('a signal aborted right after the call still aborts (before the job exists)', async () => {
  const controller = new AbortController();
  const job = micro.transcribe(longSpeech(120).samples, { ...greedy, signal: controller.signal });
  controller.abort();
  await expect(job).rejects.toBeInstanceOf(AbortError);
});

test('no callback runs after the promise has rejected', async () => {
  const controller = new AbortController();
  let settled = false;
  let lateCalls = 0;
  const job = micro.transcribe(longSpeech(300).samples, {
    ...greedy,
    signal: controller.signal,
    onSegment: () => {
      if (settled) lateCalls++;
      controller.abort();
    },
    onProgress: () => {
      if (settled) lateCalls++;
    },
  });
  await expect(job).rejects.toBeInstanceOf(AbortError);
  settled = true;
  await new Promise((r) => setTimeout(r, 300));
  expect(lateCalls).toBe(0);
});
