/** What a Transcript holds: text, segments, tokens, language, timings. */
import { loadModel } from '../src';
import { isNoSpeechAnnotation } from '../src/transcript';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

test('segments, token detail with timestamps, language and timings', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny), { threads: 2 });
  const t = await model.transcribe(jfk(), { tokens: true, tokenTimestamps: true, temperatureIncrement: 0 });
  expect(t.language).toBe('en');
  expect(t.segments.length).toBeGreaterThan(0);
  expect(t.text).toBe(t.segments.map((s) => s.text).join('').trim());
  for (const segment of t.segments) {
    expect(segment.end).toBeGreaterThanOrEqual(segment.start);
    expect(segment.tokens!.length).toBeGreaterThan(0);
    // The segment text is made of its tokens' texts (special tokens print as [_..._]).
    const text = segment.tokens!.map((token) => token.text).filter((x) => !x.startsWith('[_')).join('');
    expect(text).toBe(segment.text);
    for (const token of segment.tokens!) {
      expect(Number.isInteger(token.id)).toBe(true);
      expect(token.probability).toBeGreaterThanOrEqual(0);
      expect(token.probability).toBeLessThanOrEqual(1);
      expect(token.logProbability).toBeLessThanOrEqual(0);
      expect(token.end).toBeGreaterThanOrEqual(token.start);
    }
  }
  expect(t.timings.totalMs).toBeGreaterThan(0);
  expect(t.timings.audioSeconds).toBeCloseTo(176000 / 16000, 5);
  expect(t.timings.realTimeFactor).toBeCloseTo(t.timings.totalMs / 1000 / t.timings.audioSeconds, 6);
  expect(t.timings.encoderRuns).toBe(1);
});

test('without tokens: true, segments carry no token arrays', async () => {
  await using model = await loadModel(modelPath(MODELS.micro));
  const t = await model.transcribe(jfk());
  expect(t.segments.every((s) => s.tokens === undefined)).toBe(true);
});

test('a model with a synthesized vocabulary and mel filters loads and transcribes', async () => {
  await using model = await loadModel(modelPath(MODELS.microSynth));
  expect(model.info.vocabEntries).toBe(50256);
  const t = await model.transcribe(jfk());
  expect(t.segments.length).toBeGreaterThan(0);
  expect(t.text).toMatch(/^(w\d+|\[_[A-Z_0-9]+\]| )+/);
});

test('multilingual: language detection, and a language the model knows', async () => {
  await using model = await loadModel(modelPath(MODELS.microMultilingual));
  expect(model.info.multilingual).toBe(true);
  expect(model.info.type).toBe('custom');
  const detected = await model.transcribe(jfk(), { language: 'auto' });
  expect(typeof detected.language).toBe('string');
  expect(detected.language).not.toBe('auto');
  const german = await model.transcribe(jfk(), { language: 'de' });
  expect(german.language).toBe('de');
});

test('detectLanguage() on a multilingual model agrees with language: auto', async () => {
  await using model = await loadModel(modelPath(MODELS.microMultilingual));
  const detected = await model.detectLanguage(jfk());
  expect(Object.keys(detected.probabilities)).toHaveLength(99);
  const total = Object.values(detected.probabilities).reduce((a, b) => a + b, 0);
  // whisper.cpp spreads the softmax over 100 language ids even for 99-language models (id
  // 99 is then the translate token), so the 99 real ones sum to slightly under 1.
  expect(total).toBeGreaterThan(0.95);
  expect(total).toBeLessThanOrEqual(1.0001);
  expect(detected.probability).toBe(Math.max(...Object.values(detected.probabilities)));
  expect(detected.probabilities[detected.language]).toBe(detected.probability);
  const auto = await model.transcribe(jfk(), { language: 'auto' });
  expect(auto.language).toBe(detected.language);
});

test('detectLanguage() on an English-only model is an option error', async () => {
  await using model = await loadModel(modelPath(MODELS.micro));
  await expect(model.detectLanguage(jfk())).rejects.toThrow(/English-only/);
});

test('a no-speech window\'s bracketed annotation is no speech; words, or a window with speech, are', () => {
  const at = (text: string, noSpeechProbability: number) => ({ text, noSpeechProbability });
  for (const text of [' [BLANK_AUDIO]', ' (clippers buzzing)', '[MUSIC] [APPLAUSE]', ' ( wind ) ']) {
    expect(isNoSpeechAnnotation(at(text, 0.9))).toBe(true);
    expect(isNoSpeechAnnotation(at(text, 0.5))).toBe(false); // below the default threshold, 0.6
    expect(isNoSpeechAnnotation(at(text, 0.9), 0.95)).toBe(false);
    expect(isNoSpeechAnnotation(at(text, 0.99), 1)).toBe(false); // noSpeechThreshold 1 keeps them
  }
  for (const text of [' Thank you.', ' Hello [laughs]', ' (a) b', ' [a]]', '', ' ']) expect(isNoSpeechAnnotation(at(text, 0.99))).toBe(false);
});
