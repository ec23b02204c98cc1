/**
 * Needs real weights: set WHISPER_TEST_MODEL to a ggml model file (e.g. ggml-tiny.en.bin
 * or ggml-medium-32-2.en.bin from ../shared/models.md). Without it these tests are
 * SKIPPED, reported as skipped by jest, and a banner says so; they never count as passes.
 */
import { loadModel } from '../src';
import { jfk } from './support/audio';
import { warnSkipped } from './support/skip-banner';

const MODEL = process.env.WHISPER_TEST_MODEL;
const REFERENCE = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';

function words(text: string): string[] {
  return text.toLowerCase().replace(/[^a-z ]/g, ' ').split(/\s+/).filter(Boolean);
}

if (!MODEL) {
  warnSkipped([
    'SKIPPED: real-model tests. WHISPER_TEST_MODEL is not set, so nothing here checks',
    'that real weights give the right words. Set it to a ggml model file to run them.',
  ]);
}

(MODEL ? describe : describe.skip)(`real weights (${MODEL ?? 'WHISPER_TEST_MODEL not set'})`, () => {
  test('jfk.wav gives the reference sentence', async () => {
    await using model = await loadModel(MODEL!);
    const t = await model.transcribe(jfk(), { temperatureIncrement: 0 });
    console.log(`${model.info.type}: "${t.text}" (${t.timings.totalMs.toFixed(0)} ms)`);
    const got = words(t.text);
    const expected = words(REFERENCE);
    const matched = expected.filter((w) => got.includes(w)).length;
    expect(matched / expected.length).toBeGreaterThan(0.9);
    expect(t.segments[0]!.start).toBeLessThan(1);
  });
});
