/**
 * Speculative decoding with a real pair: WHISPER_TEST_MODEL (e.g. medium.en) as the main
 * model and WHISPER_TEST_ASSISTANT (e.g. distil-medium.en) drafting. It checks the output is
 * the main model's own, token for token, and reports the real speed-up and acceptance
 * rate. CI sets both to the converted tiny.en (PyPI has no distilled model sharing its
 * encoder), so there it checks exactness on real weights, not a speed-up. Without both variables this test is SKIPPED, reported as skipped by jest, and a
 * banner says so; it never counts as a pass.
 */
import { loadModel, type Transcript } from '../src';
import { jfk } from './support/audio';
import { warnSkipped } from './support/skip-banner';

const MAIN = process.env.WHISPER_TEST_MODEL;
const ASSISTANT = process.env.WHISPER_TEST_ASSISTANT;

if (!MAIN || !ASSISTANT) {
  warnSkipped([
    'SKIPPED: speculative decoding with real weights. WHISPER_TEST_MODEL and WHISPER_TEST_ASSISTANT',
    'are not both set, so no real speed-up or acceptance rate was measured. Set them to a model',
    'and its assistant (e.g. ggml-medium.en.bin and ggml-medium-32-2.en.bin) to run it.',
  ]);
}

const ids = (t: Transcript) => t.segments.flatMap((s) => (s.tokens ?? []).map((token) => token.id));

(MAIN && ASSISTANT ? describe : describe.skip)(`speculative decoding with real weights (${MAIN ?? 'unset'} + ${ASSISTANT ?? 'unset'})`, () => {
  test('the main model\'s exact tokens, faster', async () => {
    await using main = await loadModel(MAIN!);
    await using assistant = await loadModel(ASSISTANT!);
    const audio = jfk();
    const options = { temperatureIncrement: 0, tokens: true } as const;
    const alone = await main.transcribe(audio, options);
    const spec = await main.transcribe(audio, { ...options, assistantModel: assistant });
    expect(ids(spec)).toEqual(ids(alone));
    const s = spec.speculative!;
    console.log(
      `real pair: alone ${(alone.timings.totalMs / 1000).toFixed(2)} s, speculative ${(spec.timings.totalMs / 1000).toFixed(2)} s ` +
        `(${(alone.timings.totalMs / spec.timings.totalMs).toFixed(2)}x); acceptance ${(100 * s.acceptanceRate).toFixed(1)}%, ` +
        `${s.decoderPassesSaved} of ${s.decoderPasses + s.decoderPassesSaved} decoder passes saved, encoder shared: ${s.encoderShared}`,
    );
    expect(s.acceptedTokens).toBeGreaterThan(0);
  }, 600_000);
});
