/**
 * Real weights: models from PyPI (CTranslate2), converted by convertModel(), on real
 * speech. Needs the real tier (scripts/prepare-real-tier.js; .ci/run prepares it) or
 * WHISPER_TEST_MODEL for the jfk check alone. Without them these tests are SKIPPED,
 * reported as skipped by jest, and a banner says so; they never count as passes.
 */
import * as fs from 'node:fs';

import { loadModel, type Transcript } from '../src';
import { jfk } from './support/audio';
import { JFK_WAV } from './support/paths';
import { REAL_TIER } from './support/real-tier';
import { warnSkipped } from './support/skip-banner';
import { normalizeWords, wordErrorRate } from './support/wer';
import { runWhisperCli, type CliSegment } from './support/whisper-cli';

const REFERENCE = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
const THREADS = 2;
const tiny = REAL_TIER?.models['tiny.en'];
const MODEL = process.env.WHISPER_TEST_MODEL ?? tiny?.ggml;

function asCentiseconds(t: Transcript): CliSegment[] {
  return t.segments.map((s) => ({ t0: Math.round(s.start * 100), t1: Math.round(s.end * 100), text: s.text }));
}

if (!MODEL) {
  warnSkipped([
    'SKIPPED: real-model tests. Neither the real tier (node scripts/prepare-real-tier.js, which',
    '.ci/run runs) nor WHISPER_TEST_MODEL is there, so nothing here checks that real weights',
    'give the right words.',
  ]);
} else if (!REAL_TIER) {
  warnSkipped(['SKIPPED: whisper-cli parity and the Transformers-layout check on real weights: no real tier (node scripts/prepare-real-tier.js).']);
}

(MODEL ? describe : describe.skip)(`real weights (${MODEL ?? 'no real model'})`, () => {
  test('jfk.wav gives the reference sentence exactly, after normalization', async () => {
    await using model = await loadModel(MODEL!);
    const t = await model.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0 });
    console.log(`${model.info.type}: "${t.text}" (${t.timings.totalMs.toFixed(0)} ms)`);
    expect(normalizeWords(t.text)).toEqual(normalizeWords(REFERENCE));
    expect(wordErrorRate(REFERENCE, t.text)).toBe(0);
    expect(t.segments[0]!.start).toBeLessThan(1);
  });
});

(tiny && REAL_TIER ? describe : describe.skip)('converted tiny.en from PyPI', () => {
  test('segments identical to whisper-cli built from the pristine v1.9.1 source (greedy, no fallback)', async () => {
    await using model = await loadModel(tiny!.ggml);
    const [ours, reference] = await Promise.all([
      model.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0 }),
      runWhisperCli(tiny!.ggml, JFK_WAV, THREADS, [], { pristine: true }),
    ]);
    console.log(`pristine whisper-cli: ${JSON.stringify(reference)}`);
    expect(reference.length).toBeGreaterThan(0);
    expect(asCentiseconds(ours)).toEqual(reference);
  });

  test('the file converted from the Transformers layout is the same file and transcribes identically', async () => {
    const fromTransformers = tiny!.ggmlFromTransformers!;
    expect(fs.readFileSync(fromTransformers).equals(fs.readFileSync(tiny!.ggml))).toBe(true);
    await using a = await loadModel(tiny!.ggml);
    await using b = await loadModel(fromTransformers);
    const options = { threads: THREADS, temperatureIncrement: 0 } as const;
    const [ta, tb] = await Promise.all([a.transcribe(jfk(), options), b.transcribe(jfk(), options)]);
    expect(asCentiseconds(tb)).toEqual(asCentiseconds(ta));
  });
});

const others = Object.entries(REAL_TIER?.models ?? {}).filter(([id]) => id !== 'tiny.en');
(others.length > 0 ? describe : describe.skip)('other converted models from PyPI', () => {
  test.each(others.length > 0 ? others : [['none', undefined]])('%s: jfk.wav exactly, after normalization', async (id, entry) => {
    await using model = await loadModel(entry!.ggml);
    const t = await model.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0, language: 'en' });
    console.log(`${id} (${model.info.type}): "${t.text}" (${t.timings.totalMs.toFixed(0)} ms)`);
    expect(wordErrorRate(REFERENCE, t.text)).toBe(0);
  });

  test.each(others.length > 0 ? others : [['none', undefined]])('%s with bf16Weights: jfk.wav exactly, after normalization', async (id, entry) => {
    await using model = await loadModel(entry!.ggml, { bf16Weights: true });
    expect(model.info.bf16Weights).toBe(true);
    const t = await model.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0, language: 'en' });
    console.log(`${id} as bf16: "${t.text}" (${t.timings.totalMs.toFixed(0)} ms)`);
    expect(wordErrorRate(REFERENCE, t.text)).toBe(0);
  });
});
