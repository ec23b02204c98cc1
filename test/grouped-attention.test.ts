/**
 * Patch grouped-decoder-attention (option `groupedAttention`, on in live sessions): the
 * decoder's attention computed with each head's rows together and an F32 accumulator. The
 * kernel itself is checked against an F64 computation of the same inputs (a native
 * self-check, binding/diagnostics/attention_check.h), in every shape whisper.cpp gives it:
 * beams against the encoder's frames, one row (greedy, whose keys are split among the
 * threads), a prompt's rows, masked self-attention; and so is ggml's tiled kernel for
 * encoder-sized queries (patch fa-tiled-kv-once). The decodes then run through it on a
 * generated model anywhere, and on real tiny.en with the real tier (SKIPPED, loudly,
 * without it).
 */
import { InvalidOptionError, loadModel, type WhisperModel } from '../src';
import { native } from '../src/binding';
import { checkLiveOptions } from '../src/live/live-options';
import { jfk } from './support/audio';
import { modelPath } from './support/paths';
import { REAL_TIER } from './support/real-tier';
import { warnSkipped } from './support/skip-banner';
import { normalizeWords } from './support/wer';

const tiny = REAL_TIER?.models['tiny.en'];
if (!tiny) {
  warnSkipped(['SKIPPED: grouped attention on real weights. No real tier with tiny.en: run node scripts/prepare-real-tier.js.']);
}

describe('the CPU attention kernels against F64 (a native self-check)', () => {
  const cases = native().checkAttentionKernels();
  const label = (c: (typeof cases)[number]) => `${c.rows}x${c.keys}${c.masked ? ' masked' : ''}`;
  const report = (c: (typeof cases)[number], kernels: string) =>
    // eslint-disable-next-line no-console
    console.log(`attention ${c.rows} rows x ${c.keys} keys${c.masked ? ', masked' : ''}: largest error ${kernels} (values up to ${c.scale.toFixed(2)})`);

  test('the cases: the decoder\'s shapes, then the tiled kernel\'s', () => {
    expect(cases.map(label)).toEqual(['5x1500', '1x1500', '24x1500', '5x40 masked', '256x1500', '100x1000 masked', '64x4160']);
  });

  test('the grouped kernel gives the F64 result to F32 precision in every shape the decoder gives it', () => {
    for (const c of cases.filter((c) => c.rows < 64)) {
      report(c, `${c.groupedError.toExponential(2)} grouped, ${c.upstreamError.toExponential(2)} ggml's kernel`);
      expect(c.scale).toBeGreaterThan(0.1);
      // F32 sums of up to 1500 terms: a few units in the 6th digit. An F16 accumulator's error is
      // 1e-3 and more (ggml's kernel, which the test reports but does not bound).
      expect(c.groupedError).toBeLessThan(1e-4 * c.scale);
      expect(Number.isFinite(c.upstreamError)).toBe(true);
    }
  });

  test('the tiled kernel (64 rows or more, patch fa-tiled-kv-once) does too, its K and V kept converted or not', () => {
    // 64 rows or more take the tiled kernel, marked or not: both runs are it. A tile taken
    // from the wrong head or position of the kept copy would be off by the values' size.
    for (const c of cases.filter((c) => c.rows >= 64)) {
      report(c, `${c.upstreamError.toExponential(2)} (tiled)`);
      expect(c.scale).toBeGreaterThan(0.1);
      expect(c.upstreamError).toBeLessThan(1e-4 * c.scale);
      expect(c.groupedError).toBe(c.upstreamError);
    }
  });
});

describe('groupedAttention on a generated model', () => {
  let model: WhisperModel;
  beforeAll(async () => {
    model = await loadModel(modelPath({ preset: 'micro' }), { threads: 2 });
  });
  afterAll(() => model.dispose());

  test('a boolean; not with an assistant model (whose output must be exact); live sessions turn it on', async () => {
    const pcm = jfk().subarray(0, 16000);
    await expect(model.transcribe(pcm, { groupedAttention: 1 as unknown as boolean })).rejects.toThrow(InvalidOptionError);
    await expect(model.transcribe(pcm, { groupedAttention: true, assistantModel: model })).rejects.toThrow(/cannot be combined with 'groupedAttention'/);
    expect(checkLiveOptions(undefined, true).decoding.groupedAttention).toBe(true);
    expect(checkLiveOptions({ decoding: { groupedAttention: false } }, true).decoding.groupedAttention).toBe(false);
  });

  test.each([1, 5])('decodes through it with %i beam(s), the same tokens on every run', async (beamSize) => {
    const pcm = jfk();
    const options = { beamSize, threads: 2, temperatureIncrement: 0, groupedAttention: true, tokens: true } as const;
    const first = await model.transcribe(pcm, options);
    const second = await model.transcribe(pcm, options);
    const ids = (t: typeof first) => t.segments.flatMap((s) => (s.tokens ?? []).map((token) => token.id));
    expect(ids(first).length).toBeGreaterThan(0);
    expect(ids(second)).toEqual(ids(first));
  });
});

(tiny ? describe : describe.skip)('groupedAttention on tiny.en', () => {
  let model: WhisperModel;
  beforeAll(async () => {
    model = await loadModel(tiny!.ggml, { threads: 2 });
  });
  afterAll(() => model.dispose());

  test('jfk.wav with 5 beams: the same words as ggml\'s kernel gives, and fewer decoder seconds', async () => {
    const options = { beamSize: 5, threads: 2, temperatureIncrement: 0 } as const;
    const upstream = await model.transcribe(jfk(), options);
    const grouped = await model.transcribe(jfk(), { ...options, groupedAttention: true });
    expect(normalizeWords(grouped.text)).toEqual(normalizeWords(upstream.text));
    expect(normalizeWords(grouped.text).join(' ')).toContain('ask not what your country can do for you');
    // eslint-disable-next-line no-console
    console.log(`jfk.wav, 5 beams: ${upstream.timings.totalMs.toFixed(0)} ms with ggml's kernel, ${grouped.timings.totalMs.toFixed(0)} ms grouped`);
  });
});
