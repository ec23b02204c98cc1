/**
 * Patch loop-stop (option `loopRepeats`, on in live sessions): a beam search whose beams
 * all repeat a phrase stops there instead of running to whisper.cpp's 220-token limit, and
 * says the same text. Whisper loops readily when its prompt is a loop, which makes the
 * stuck search reproducible. The option checks run anywhere; the decodes need the real tier
 * (without it they are SKIPPED, loudly).
 */
import { InvalidOptionError, loadModel, type TranscribeOptions, type WhisperModel } from '../src';
import { jfk } from './support/audio';
import { modelPath } from './support/paths';
import { REAL_TIER } from './support/real-tier';
import { warnSkipped } from './support/skip-banner';

const tiny = REAL_TIER?.models['tiny.en'];
if (!tiny) {
  warnSkipped(['SKIPPED: loop-stop decodes on real weights. No real tier with tiny.en: run node scripts/prepare-real-tier.js.']);
}

describe('loopRepeats: the checks', () => {
  let model: WhisperModel;
  beforeAll(async () => {
    model = await loadModel(modelPath({ preset: 'micro' }), { threads: 1 });
  });
  afterAll(() => model.dispose());

  test('0 or 2-100; 1 would stop every decoder; not with an assistant model (whose output must be exact)', async () => {
    const pcm = jfk().subarray(0, 16000);
    await expect(model.transcribe(pcm, { loopRepeats: 1 })).rejects.toThrow(InvalidOptionError);
    await expect(model.transcribe(pcm, { loopRepeats: 1 })).rejects.toThrow(/at least 2/);
    await expect(model.transcribe(pcm, { loopRepeats: 101 })).rejects.toThrow(InvalidOptionError);
    await expect(model.transcribe(pcm, { loopRepeats: 2.5 })).rejects.toThrow(InvalidOptionError);
    await expect(model.transcribe(pcm, { loopRepeats: 4, assistantModel: model })).rejects.toThrow(/cannot be combined with 'loopRepeats'/);
    const stopped = await model.transcribe(pcm, { loopRepeats: 2, beamSize: 5 });
    expect(typeof stopped.text).toBe('string');
    expect(stopped.timings.decodedTokens).toBeGreaterThan(0);
  });
});

(tiny ? describe : describe.skip)('loopRepeats on tiny.en, 5 beams', () => {
  let model: WhisperModel;
  beforeAll(async () => {
    model = await loadModel(tiny!.ggml, { threads: 2 });
  });
  afterAll(() => model.dispose());

  // No fallback: its re-decodes would add their own tokens to the counts compared.
  const beams: TranscribeOptions = { beamSize: 5, temperatureIncrement: 0, threads: 2 };

  let state = 12345;
  const noise = new Float32Array(24000).map(() => {
    state = (Math.imul(state, 1103515245) + 12345) & 0x7fffffff;
    return 0.05 * (state / 0x7fffffff - 0.5);
  });
  const cases: [string, Float32Array, string][] = [
    ['jfk\'s first 1.5 s', jfk().subarray(0, 24000), 'and so my fellow Americans, and so my fellow Americans, and so my fellow Americans, and so my fellow Americans,'],
    ['1.5 s of noise', noise, 'thank you, thank you, thank you, thank you, thank you, thank you,'],
  ];

  test.each(cases)('%s after a prompt that loops: the same text, the search stopped hundreds of tokens sooner', async (_name, audio, prompt) => {
    const upstream = await model.transcribe(audio, { ...beams, initialPrompt: prompt });
    const stopped = await model.transcribe(audio, { ...beams, initialPrompt: prompt, loopRepeats: 4 });
    expect(stopped.text).toBe(upstream.text);
    // Measured when written: 297 and 502 decoded tokens upstream, 109 and 164 stopped. A
    // beam that loops to the limit alone computes 220.
    expect(upstream.timings.decodedTokens).toBeGreaterThanOrEqual(220);
    expect(stopped.timings.decodedTokens).toBeLessThan(upstream.timings.decodedTokens / 2);
  });

  test('a search that is not stuck runs exactly as upstream: the same text, the same tokens decoded', async () => {
    const audio = jfk();
    const upstream = await model.transcribe(audio, beams);
    const stopped = await model.transcribe(audio, { ...beams, loopRepeats: 4 });
    expect(stopped.text).toBe(upstream.text);
    expect(upstream.text).toMatch(/ask not what your country can do for you/i);
    expect(stopped.timings.decodedTokens).toBe(upstream.timings.decodedTokens);
  });
});
