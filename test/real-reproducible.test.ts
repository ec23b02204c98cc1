/**
 * Reproducible output on real weights (issue 17): speech under white noise makes tiny.en's
 * windows fail the fallback's entropy and log-probability checks, so they are re-decoded
 * by sampling. With the per-job seed (option `seed`, patch sampler-seed) the transcript is
 * the same whatever ran before or beside it on the model. Without the real tier this is
 * SKIPPED, loudly.
 */
import { loadModel, type TranscribeOptions } from '../src';
import { readPcm16Wav } from './support/audio';
import { REAL_TIER, speechItems } from './support/real-tier';
import { warnSkipped } from './support/skip-banner';

const tiny = REAL_TIER?.models['tiny.en'];
if (!tiny) {
  warnSkipped(['SKIPPED: reproducible sampled output on real weights. No real tier with tiny.en: run node scripts/prepare-real-tier.js.']);
}

/** `item` of the speech set with white Gaussian noise at `snrDb`, from a fixed generator. */
function noisy(id: string, snrDb: number): Float32Array {
  const found = speechItems(REAL_TIER!).find((i) => i.id === id);
  if (!found) throw new Error(`the speech set has no item ${id}`);
  const speech = readPcm16Wav(found.file);
  const power = speech.reduce((sum, x) => sum + x * x, 0) / speech.length;
  const sd = Math.sqrt(power / 10 ** (snrDb / 10));
  let state = 12345;
  const uniform = () => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
  return speech.map((x) => x + sd * Math.sqrt(-2 * Math.log(uniform() + 1e-12)) * Math.cos(2 * Math.PI * uniform()));
}

(tiny ? describe : describe.skip)('a sampled transcript does not depend on other jobs (tiny.en)', () => {
  // Default options: the temperature fallback is on. Two threads each, pinned.
  const defaults: TranscribeOptions = { threads: 2 };

  test('a human recording at -5 dB SNR: the same text after another job, beside one, and on a fresh model; another seed differs', async () => {
    // Measured when this was written (seed 0 against seed 1, 12 items at +5, 0 and -5 dB):
    // 6 of 36 were sampled, these two among them; the rest decoded greedily.
    const audio = noisy('human-librivox-0870', -5);
    const other = noisy('en-02-gettysburg', -5);
    await using model = await loadModel(tiny!.ggml, { maxConcurrency: 2 });
    const first = await model.transcribe(audio, defaults);
    const otherSeed = await model.transcribe(audio, { ...defaults, seed: 1 });
    console.log(`tiny.en, librivox-0870 at -5 dB: seed 0 ${JSON.stringify(first.text.slice(0, 90))}…; seed 1 ${JSON.stringify(otherSeed.text.slice(0, 90))}…`);
    // The window was sampled: otherwise the checks below would show nothing.
    expect(otherSeed.text).not.toEqual(first.text);

    await model.transcribe(other, defaults);
    expect((await model.transcribe(audio, defaults)).segments).toEqual(first.segments);
    const [beside] = await Promise.all([model.transcribe(audio, defaults), model.transcribe(other, defaults)]);
    expect(beside!.segments).toEqual(first.segments);
    await using fresh = await loadModel(tiny!.ggml);
    expect((await fresh.transcribe(audio, defaults)).segments).toEqual(first.segments);
  }, 600_000);
});
