/**
 * Word error rate of the three long-form modes on ~74 s of real speech with pauses (jfk.wav
 * six times), with real weights from WHISPER_TEST_MODEL. Without it these tests are
 * SKIPPED, reported as skipped by jest, and a banner says so; they never count as passes.
 * The WER helper itself is tested either way.
 */
import * as path from 'node:path';

import { loadModel } from '../src';
import { jfk } from './support/audio';
import { FIXTURES } from './support/paths';
import { warnSkipped } from './support/skip-banner';
import { wordErrorRate } from './support/wer';

const MODEL = process.env.WHISPER_TEST_MODEL;
const VAD_MODEL = path.join(FIXTURES, 'for-tests-silero-v6.2.0-ggml.bin');
const SENTENCE = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

test('the WER helper counts substitutions, insertions and deletions per reference word', () => {
  expect(wordErrorRate('ask not what your country', 'Ask not, what your country!')).toBe(0);
  expect(wordErrorRate('ask not what your country', 'ask what your country')).toBe(1 / 5);
  expect(wordErrorRate('ask not what your country', 'ask not what your own country can')).toBe(2 / 5);
  expect(wordErrorRate('ask not', 'tell me')).toBe(1);
});

if (!MODEL) {
  warnSkipped([
    'SKIPPED: long-form WER with real weights. WHISPER_TEST_MODEL is not set, so nothing',
    'here measures how many words each long-form mode gets right. Set it to run them.',
  ]);
}

(MODEL ? describe : describe.skip)(`long-form WER with real weights (${MODEL ?? 'WHISPER_TEST_MODEL not set'})`, () => {
  test('fixed 30-s hops vs smart windows vs chunked', async () => {
    await using model = await loadModel(MODEL!, { maxConcurrency: 2 });
    const speech = jfk();
    const gaps = [2, 0.7, 3, 0.4, 1.5];
    const audio = new Float32Array(speech.length * 6 + Math.round(gaps.reduce((a, b) => a + b, 0) * 16000));
    let at = 0;
    for (let i = 0; i < 6; i++) {
      audio.set(speech, at);
      at += speech.length + Math.round((gaps[i] ?? 0) * 16000);
    }
    const reference = Array(6).fill(SENTENCE).join(' ');
    const options = { temperatureIncrement: 0 } as const;
    const runs = {
      // whisper.cpp's own loop: fixed 30-s hops for first-generation distilled models.
      native: await model.transcribe(audio, { ...options, longForm: 'native' }),
      smart: await model.transcribe(audio, { ...options, longForm: 'smart', vadModel: VAD_MODEL }),
      chunked: await model.transcribe(audio, { ...options, longForm: 'chunked' }),
    };
    const wer = Object.fromEntries(Object.entries(runs).map(([mode, t]) => [mode, wordErrorRate(reference, t.text)]));
    console.log(`${model.info.type}: WER ${Object.entries(wer).map(([m, w]) => `${m} ${(100 * w).toFixed(1)} %`).join(', ')}`);
    for (const [mode, t] of Object.entries(runs)) console.log(`${mode}: ${t.text}`);
    // A real model hears this clean speech almost perfectly when no word is cut.
    expect(wer.smart).toBeLessThan(0.1);
    expect(wer.chunked).toBeLessThan(0.1);
    if (model.info.forcedNoTimestamps) expect(wer.smart).toBeLessThanOrEqual(wer.native!);
  });
});
