/**
 * Long-form modes on real speech with pauses (jfk.wav six times, with silences of 0.4 to
 * 3 s between): smart windows placed by the Silero VAD (the real v6.2.0 weights from the
 * fixtures), their fallback, chunked transcription, and what the transcript reports.
 * The distil-tiny.en shape (tiny's encoder, a 2-layer decoder) is treated by whisper.cpp
 * exactly like distil-medium.en, at a tiny fraction of the cost.
 */
import * as path from 'node:path';

import { InvalidOptionError, loadModel, type Segment, type Transcript, type WhisperModel } from '../src';
import { jfk } from './support/audio';
import { FIXTURES, MODELS, modelPath } from './support/paths';

const VAD_MODEL = path.join(FIXTURES, 'for-tests-silero-v6.2.0-ggml.bin');
const RATE = 16000;
const GAPS = [2, 0.7, 3, 0.4, 1.5];
const FAST = { temperatureIncrement: 0, threads: 2 } as const;

/** jfk.wav six times with the GAPS (digital silence) between: ~74 s. */
function speechWithPauses(): { samples: Float32Array; silent: [number, number][] } {
  const speech = jfk();
  const total = speech.length * 6 + GAPS.reduce((a, b) => a + b, 0) * RATE;
  const samples = new Float32Array(Math.round(total));
  const silent: [number, number][] = [];
  let at = 0;
  for (let i = 0; i < 6; i++) {
    samples.set(speech, at);
    at += speech.length;
    if (i < GAPS.length) {
      silent.push([at / RATE, at / RATE + GAPS[i]!]);
      at += Math.round(GAPS[i]! * RATE);
    }
  }
  return { samples, silent };
}

/** RMS of the samples in [from, to] seconds. */
function rms(samples: Float32Array, from: number, to: number): number {
  const a = Math.max(0, Math.round(from * RATE));
  const b = Math.min(samples.length, Math.round(to * RATE));
  let sum = 0;
  for (let i = a; i < b; i++) sum += samples[i]! * samples[i]!;
  return Math.sqrt(sum / Math.max(1, b - a));
}

function expectOrderedInside(segments: Segment[], duration: number): void {
  expect(segments.length).toBeGreaterThan(0);
  segments.forEach((s, i) => {
    expect(s.start).toBeGreaterThanOrEqual(0);
    expect(s.end).toBeGreaterThanOrEqual(s.start);
    expect(s.end).toBeLessThanOrEqual(duration + 0.01);
    if (i > 0) expect(s.start).toBeGreaterThanOrEqual(segments[i - 1]!.end - 0.01);
  });
}

function expectTiled(spans: { start: number; end: number }[], duration: number, max: number): void {
  expect(spans[0]!.start).toBe(0);
  expect(spans[spans.length - 1]!.end).toBeCloseTo(duration, 1);
  spans.forEach((w, i) => {
    expect(w.end - w.start).toBeGreaterThan(0);
    expect(w.end - w.start).toBeLessThanOrEqual(max + 1e-6);
    if (i > 0) expect(w.start).toBe(spans[i - 1]!.end); // no gap, no overlap
  });
}

let distil: WhisperModel;
const input = speechWithPauses();
const duration = input.samples.length / RATE;
let smart: Transcript;

beforeAll(async () => {
  distil = await loadModel(modelPath(MODELS.distilTiny), { maxConcurrency: 2 });
  smart = await distil.transcribe(input.samples, { ...FAST, vadModel: VAD_MODEL });
});
afterAll(() => distil.dispose());

describe('smart windows (the default for distilled models)', () => {
  test('the transcript says which mode ran and why', () => {
    expect(distil.info.distilled).toBe(true);
    expect(distil.info.forcedNoTimestamps).toBe(true);
    expect(smart.longForm.mode).toBe('smart');
    expect(smart.longForm.reason).toMatch(/distilled.*silences found by the Silero VAD/);
  });

  test('windows cover the audio without gap or overlap, each at most 30 s, every boundary in a silence', () => {
    const windows = smart.longForm.windows!;
    console.log(`windows: ${windows.map((w) => `${w.start}-${w.end} (${w.cut})`).join(', ')}`);
    expect(windows.length).toBeGreaterThanOrEqual(3);
    expectTiled(windows, duration, 30);
    const speechLevel = rms(input.samples, 0, 11);
    for (const w of windows.slice(0, -1)) {
      expect(w.cut).toBe('silence');
      // Checked on the signal itself: the 60 ms around the cut are near-silent.
      expect(rms(input.samples, w.end - 0.03, w.end + 0.03)).toBeLessThan(speechLevel / 10);
    }
  });

  test('segments carry original-audio times, ordered, inside the audio and trimmed to the speech', () => {
    expectOrderedInside(smart.segments, duration);
    const windows = smart.longForm.windows!;
    for (const s of smart.segments) {
      const w = windows.find((x) => s.start >= x.start && s.end <= x.end + 1e-9);
      expect(w).toBeDefined();
    }
    // jfk.wav starts with ~0.3 s of quiet: the first segment starts at the speech, not at 0.
    expect(smart.segments[0]!.start).toBeGreaterThan(0.1);
    expect(smart.text.length).toBeGreaterThan(0);
  });

  test('with no silence long enough, windows are cut at the quietest moment of their second half', async () => {
    const t = await distil.transcribe(input.samples, { ...FAST, vadModel: VAD_MODEL, vadMinSilenceMs: 10_000 });
    const windows = t.longForm.windows!;
    expectTiled(windows, duration, 30);
    for (const w of windows.slice(0, -1)) {
      expect(w.cut).toBe('quietest');
      // No 100 ms of the second half (on the 10-ms grid) is quieter than the cut's.
      const level = rms(input.samples, w.end - 0.05, w.end + 0.05);
      for (let t0 = w.start + 15; t0 <= w.end; t0 += 0.01) {
        expect(rms(input.samples, t0 - 0.05, t0 + 0.05)).toBeGreaterThanOrEqual(level - 1e-6);
      }
    }
    expectOrderedInside(t.segments, duration);
  });

  test('without a VAD model the cuts fall back to the quietest moments, and the reason says so', async () => {
    const t = await distil.transcribe(input.samples, FAST);
    expect(t.longForm.mode).toBe('smart');
    expect(t.longForm.reason).toMatch(/no vadModel/);
    expectTiled(t.longForm.windows!, duration, 30);
    expect(t.longForm.windows!.slice(0, -1).every((w) => w.cut === 'quietest')).toBe(true);
    // The signal's digital silences are the quietest places there are.
    for (const w of t.longForm.windows!.slice(0, -1)) expect(input.silent.some(([a, b]) => w.end >= a && w.end <= b)).toBe(true);
  });

  test('up to 30 s, smart windows decode exactly what whisper.cpp\'s own loop does', async () => {
    const speech = jfk();
    const native = await distil.transcribe(speech, { ...FAST, longForm: 'native' });
    const windowed = await distil.transcribe(speech, { ...FAST, vadModel: VAD_MODEL });
    expect(windowed.longForm.windows).toHaveLength(1);
    expect(windowed.text).toBe(native.text);
  });

  test('word timing: token times lie inside their segment, in order', async () => {
    const t = await distil.transcribe(input.samples, { ...FAST, vadModel: VAD_MODEL, tokenTimestamps: true });
    for (const s of t.segments) {
      const tokens = s.tokens!;
      expect(tokens.length).toBeGreaterThan(0);
      tokens.forEach((k, i) => {
        expect(k.start).toBeGreaterThanOrEqual(s.start - 0.01);
        expect(k.end).toBeLessThanOrEqual(s.end + 0.01);
        expect(k.end).toBeGreaterThanOrEqual(k.start);
        if (i > 0) expect(k.start).toBeGreaterThanOrEqual(tokens[i - 1]!.start);
      });
    }
    // Without tokens: true / tokenTimestamps: true, no token detail leaks out.
    expect(smart.segments.every((s) => s.tokens === undefined)).toBe(true);
  });

  test('onSegment streams exactly the final segments, and progress ends at 100', async () => {
    const streamed: Segment[] = [];
    const progress: number[] = [];
    const t = await distil.transcribe(input.samples, { ...FAST, vadModel: VAD_MODEL, onSegment: (s) => streamed.push(s), onProgress: (p) => progress.push(p) });
    expect(streamed).toEqual(t.segments);
    expect(progress[progress.length - 1]).toBe(100);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
  });

  test('an abort between or during windows rejects with AbortError and stops the jobs', async () => {
    const controller = new AbortController();
    const job = distil.transcribe(input.samples, { ...FAST, vadModel: VAD_MODEL, signal: controller.signal, onSegment: () => controller.abort() });
    await expect(job).rejects.toMatchObject({ name: 'AbortError' });
    expect(distil.jobs.running).toBe(0);
  });
});

describe('chunked (longForm: "chunked")', () => {
  test('chunks tile the audio, results are in original time, parallel chunks give the same text, streamed in order', async () => {
    const one = await distil.transcribe(input.samples, { ...FAST, threads: 1, longForm: 'chunked', parallelChunks: 1 });
    const streamed: Segment[] = [];
    const two = await distil.transcribe(input.samples, { ...FAST, threads: 2, longForm: 'chunked', parallelChunks: 2, onSegment: (s) => streamed.push(s) });
    expect(one.longForm.mode).toBe('chunked');
    expect(one.longForm.reason).toMatch(/asked for/);
    const chunks = one.longForm.chunks!;
    expect(chunks.map((c) => c.end - c.start).slice(0, -1).every((d) => d === 15)).toBe(true); // 15 s for distilled models
    expectTiled(chunks.map((c) => ({ start: c.ownStart, end: c.ownEnd })), duration, 15);
    expectOrderedInside(one.segments, duration);
    // One thread per chunk either way, so the arithmetic is the same.
    expect(two.text).toBe(one.text);
    expect(two.segments).toEqual(one.segments);
    // Chunks finish out of order; segments still stream in order, each once, as the final ones.
    expect(streamed).toEqual(two.segments);
  });

  test('an abort stops every parallel chunk', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    await expect(distil.transcribe(input.samples, { ...FAST, longForm: 'chunked', parallelChunks: 2, signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expect(distil.jobs.running).toBe(0);
  });
});

describe('models that predict timestamps', () => {
  test("default to smart windows past 60 s, to whisper.cpp's loop up to 60 s; 'native' can be asked for", async () => {
    await using tiny = await loadModel(modelPath(MODELS.tiny));
    const windowed = await tiny.transcribe(input.samples, FAST);
    expect(windowed.longForm.mode).toBe('smart');
    expect(windowed.longForm.reason).toMatch(/lose less than whisper\.cpp's loop.*quietest moments/);
    expectTiled(windowed.longForm.windows!, duration, 30);
    expectOrderedInside(windowed.segments, duration);
    const withVad = await tiny.transcribe(input.samples, { ...FAST, vadModel: VAD_MODEL });
    expect(withVad.longForm.reason).toMatch(/silences found by the Silero VAD/);
    const native = await tiny.transcribe(input.samples, { ...FAST, longForm: 'native' });
    expect(native.longForm.mode).toBe('native');
    const short = await tiny.transcribe(jfk(), FAST);
    expect(short.longForm).toEqual({ mode: 'native', reason: 'the audio (11.0 s) fits one 30-s window' });
    // offset and duration count: 20 s of a longer input is one window.
    expect((await tiny.transcribe(input.samples, { ...FAST, offset: 5, duration: 20 })).longForm.mode).toBe('native');
    // Two windows (30-60 s) still go through whisper.cpp's loop.
    const twoWindows = await tiny.transcribe(input.samples.subarray(0, 45 * RATE), FAST);
    expect(twoWindows.longForm).toEqual({ mode: 'native', reason: "the audio (45.0 s) spans two 30-s windows at most, where whisper.cpp's loop did better than smart windows on real speech" });
    expect((await tiny.transcribe(input.samples, { ...FAST, duration: 61 })).longForm.mode).toBe('smart');
  });
});

describe('options', () => {
  test.each([
    [{ longForm: 'fixed' }, /longForm' must be one of 'auto', 'native', 'smart', 'chunked'/],
    [{ longForm: 'smart', vad: true, vadModel: VAD_MODEL }, /cannot be combined with longForm 'smart'/],
    [{ chunkLength: 10, chunkStride: 5 }, /must leave room/],
    [{ chunkLength: 31 }, /chunkLength/],
    [{ parallelChunks: 0 }, /parallelChunks/],
  ])('%j is refused', async (options, message) => {
    await expect(distil.transcribe(jfk(), options as never)).rejects.toThrow(InvalidOptionError);
    await expect(distil.transcribe(jfk(), options as never)).rejects.toThrow(message);
  });
});

test('a callback that throws stops a long-form transcription, and its error is what the caller gets', async () => {
  const boom = new Error('listener failed');
  let calls = 0;
  const started = performance.now();
  const job = distil.transcribe(input.samples, {
    ...FAST,
    vadModel: VAD_MODEL,
    onProgress: () => {
      calls++;
      throw boom;
    },
  });
  await expect(job).rejects.toBe(boom);
  expect(calls).toBe(1);
  // It stopped after the first of three windows instead of decoding the other two.
  expect(performance.now() - started).toBeLessThan(smart.timings.totalMs * 0.8);
  expect(distil.jobs.running).toBe(0);
});
