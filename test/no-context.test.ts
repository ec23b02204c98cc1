/**
 * noContext: each 30-s window decoded without the text of the windows before it (patch
 * independent-windows for whisper.cpp's loop; smart windows leave out their prompt). With
 * timestamps off whisper.cpp advances in exact 30-s hops, so a window decoded without
 * context must equal that stretch transcribed on its own.
 */
import { loadModel } from '../src';
import { longSpeech } from './support/audio';
import { MODELS, modelPath } from './support/paths';

// noSpeechThreshold 1: random weights can look like no speech, whose text whisper.cpp keeps out of the context.
const FIXED = { temperatureIncrement: 0, threads: 2, noTimestamps: true, noSpeechThreshold: 1 } as const;

test("whisper.cpp's loop: with noContext the second window is what it gives alone", async () => {
  await using model = await loadModel(modelPath(MODELS.distilTiny));
  const audio = longSpeech(60).samples;
  const native = { ...FIXED, longForm: 'native' } as const;
  const alone = await model.transcribe(audio.subarray(16000 * 30), native);
  const independent = await model.transcribe(audio, { ...native, noContext: true });
  const conditioned = await model.transcribe(audio, native);
  expect(independent.longForm.mode).toBe('native');
  const secondWindow = (segments: { start: number; text: string }[]) => segments.filter((s) => s.start >= 30).map((s) => s.text);
  expect(secondWindow(independent.segments)).toEqual(alone.segments.map((s) => s.text));
  // Here the conditioned window happens to come out the same: these random weights decode
  // every window to the token limit, and their output barely depends on the prompt. That
  // the default does condition is shown with real weights (test/real-long-form.test.ts).
  // The first window is the same either way.
  expect(independent.segments.filter((s) => s.start < 30)).toEqual(conditioned.segments.filter((s) => s.start < 30));
});

test('smart windows: every window is what it gives alone, noContext or not; initialPrompt primes only the first', async () => {
  await using model = await loadModel(modelPath(MODELS.distilTiny));
  const audio = longSpeech(50).samples;
  const options = { ...FIXED, longForm: 'smart', initialPrompt: 'Quetzalcoatl and Tchaikovsky.' } as const;
  const independent = await model.transcribe(audio, { ...options, noContext: true });
  const conditioned = await model.transcribe(audio, options);
  const windows = independent.longForm.windows!.filter((w) => w.transcribed);
  expect(windows.length).toBeGreaterThan(1);
  for (const [i, w] of windows.entries()) {
    const piece = audio.subarray(Math.round(w.start * 16000), Math.round(w.end * 16000));
    const alone = await model.transcribe(piece, { ...FIXED, ...(i === 0 ? { initialPrompt: options.initialPrompt } : {}) });
    const inWindow = independent.segments.filter((s) => s.start >= w.start && s.start < w.end);
    expect(inWindow.map((s) => s.text)).toEqual(alone.segments.map((s) => s.text));
  }
  // Smart windows are never conditioned on the text before them (README, Long audio).
  expect(conditioned.text).toEqual(independent.text);
});
