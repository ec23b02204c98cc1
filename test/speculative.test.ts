/**
 * Speculative decoding (option `assistantModel`) on generated pairs whose encoders are the
 * same weights (the generator draws the encoder first from the seed, as distil-medium.en's
 * encoder is medium.en's):
 * - tiny.en drafting for itself: (nearly) every draft accepted;
 * - tiny.en drafting for itself with timestamps: its raw argmax often breaks whisper.cpp's
 *   timestamp rules, so drafts are partly accepted, partly rejected;
 * - distil-tiny.en (same encoder, a 2-layer decoder sharing tiny's embedding and first two
 *   blocks) drafting for tiny.en: with random weights it rarely agrees;
 * - a distil-tiny.en with an unrelated decoder: next to nothing accepted, drafting pauses;
 * - a distil-tiny.en with other encoder weights: it encodes every window itself, with a warning.
 * In every case the tokens must be exactly those of tiny.en decoding alone (the patch
 * batch-invariant-decoding makes the batched check compute what one-token passes compute).
 */
import { DisposedError, InvalidOptionError, loadModel, type Transcript, type TranscribeOptions, type WhisperModel } from '../src';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

const RATE = 16000;
const BASE = { temperatureIncrement: 0, threads: 2, tokens: true } as const;

function seededNoise(seconds: number, seed: number): Float32Array {
  let state = seed >>> 0;
  const out = new Float32Array(seconds * RATE);
  for (let i = 0; i < out.length; i++) {
    state = (state * 1664525 + 1013904223) >>> 0;
    out[i] = (state / 2 ** 32 - 0.5) * 0.2;
  }
  return out;
}

function concat(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

const silence = (seconds: number) => new Float32Array(seconds * RATE);

const INPUTS: Record<string, () => Float32Array> = {
  jfk: () => jfk(),
  noise: () => seededNoise(6, 42),
  'silence then jfk': () => concat(silence(10), jfk()),
  // Two windows in whisper.cpp's own loop.
  'jfk three times (39 s)': () => concat(jfk(), silence(2), jfk(), silence(2), jfk()),
};

function tokenIds(t: Transcript): number[] {
  return t.segments.flatMap((s) => (s.tokens ?? []).map((token) => token.id));
}

function expectSameTranscript(spec: Transcript, alone: Transcript): void {
  expect(tokenIds(spec)).toEqual(tokenIds(alone));
  expect(spec.text).toBe(alone.text);
  expect(spec.segments.map((s) => [s.start, s.end])).toEqual(alone.segments.map((s) => [s.start, s.end]));
}

describe('speculative decoding', () => {
  let tiny: WhisperModel;
  let distilTiny: WhisperModel;
  let otherDecoder: WhisperModel;
  let otherEncoder: WhisperModel;
  const alone = new Map<string, Transcript>();

  /** tiny.en decoding alone, once per input and options. */
  async function tinyAlone(input: string, extra: TranscribeOptions = {}): Promise<Transcript> {
    const key = `${input} ${JSON.stringify(extra)}`;
    if (!alone.has(key)) alone.set(key, await tiny.transcribe(INPUTS[input]!(), { ...BASE, ...extra }));
    return alone.get(key)!;
  }

  beforeAll(async () => {
    [tiny, distilTiny, otherDecoder, otherEncoder] = await Promise.all([
      loadModel(modelPath(MODELS.tiny)),
      loadModel(modelPath(MODELS.distilTiny)),
      loadModel(modelPath(MODELS.distilTinyOtherDecoder)),
      loadModel(modelPath(MODELS.distilTinyOtherEncoder)),
    ]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([tiny, distilTiny, otherDecoder, otherEncoder].map((m) => m?.dispose()));
  });

  test.each(Object.keys(INPUTS))('tiny.en drafting for itself gives its own tokens, nearly every draft accepted: %s', async (input) => {
    const extra = { noTimestamps: true };
    const spec = await tiny.transcribe(INPUTS[input]!(), { ...BASE, ...extra, assistantModel: tiny });
    expectSameTranscript(spec, await tinyAlone(input, extra));
    const s = spec.speculative!;
    expect(s.assistant).toBe(tiny.info.type);
    expect(s.encoderShared).toBe(true);
    expect(s.exact).toBe(true);
    expect(s.draftedTokens).toBeGreaterThan(100);
    // The draft is the raw argmax; whisper.cpp's own rules (no blank first token) differ at
    // the start of a window only.
    expect(s.acceptanceRate).toBeGreaterThan(0.9);
    expect(s.decoderPassesSaved).toBe(s.acceptedTokens);
    expect(s.decoderPasses + s.decoderPassesSaved).toBeGreaterThanOrEqual(tokenIds(spec).length);
    // One encoder pass per window (whisper.cpp's count on each state): the main model's;
    // the assistant prepared once per window from it and never ran its own encoder.
    expect(spec.timings.encoderRuns).toBe((await tinyAlone(input, extra)).timings.encoderRuns);
    expect(s.assistantWindows).toBe(spec.timings.encoderRuns);
    expect(s.assistantEncoderRuns).toBe(0);
  }, 120_000);

  // With timestamps, random-weight tiny.en soon predicts the end (few tokens per window);
  // without, it decodes to the token limit (220 per window).
  const CASES = Object.keys(INPUTS).flatMap((input) => [
    [input, 'timestamps', {}],
    [input, 'no timestamps', { noTimestamps: true }],
  ]) as [string, string, TranscribeOptions][];

  test.each(CASES)('distil-tiny.en drafting for tiny.en: exactly tiny.en\'s tokens and times: %s, %s', async (input, _, extra) => {
    const spec = await tiny.transcribe(INPUTS[input]!(), { ...BASE, ...extra, assistantModel: distilTiny });
    expectSameTranscript(spec, await tinyAlone(input, extra));
    const s = spec.speculative!;
    expect(s.encoderShared).toBe(true);
    expect(s.exact).toBe(true);
    // Prepared lazily: a window decoded while drafting pauses (nothing accepted lately) is not.
    expect(s.assistantWindows).toBeGreaterThan(0);
    expect(s.assistantWindows).toBeLessThanOrEqual(spec.timings.encoderRuns);
    expect(s.assistantEncoderRuns).toBe(0);
    expect(s.draftedTokens).toBeGreaterThan(s.acceptedTokens);
  }, 120_000);

  test.each(['jfk', 'jfk three times (39 s)'])('drafts partly accepted, partly rejected (the KV cache is cut back, decoding resumes): %s', async (input) => {
    // With timestamps, tiny.en's raw argmax (the draft) often breaks whisper.cpp's timestamp
    // rules, so proposals are cut short at every kind of place.
    const spec = await tiny.transcribe(INPUTS[input]!(), { ...BASE, assistantModel: tiny });
    expectSameTranscript(spec, await tinyAlone(input));
    const s = spec.speculative!;
    expect(s.acceptedTokens).toBeGreaterThan(0);
    expect(s.acceptedTokens).toBeLessThan(s.draftedTokens);
  }, 120_000);

  test('text context from the previous window (prompt + drafts past 256 cache cells)', async () => {
    const input = 'jfk three times (39 s)';
    const extra = { noContext: false };
    const spec = await tiny.transcribe(INPUTS[input]!(), { ...BASE, ...extra, assistantModel: tiny });
    expectSameTranscript(spec, await tinyAlone(input, extra));
    expect(spec.timings.encoderRuns).toBeGreaterThan(1);
  }, 120_000);

  test('an unrelated assistant costs few drafts and changes nothing', async () => {
    const extra = { noTimestamps: true }; // 220 tokens: room for the pauses to show
    const spec = await tiny.transcribe(INPUTS.jfk!(), { ...BASE, ...extra, assistantModel: otherDecoder });
    expectSameTranscript(spec, await tinyAlone('jfk', extra));
    const s = spec.speculative!;
    expect(s.acceptanceRate).toBeLessThan(0.2);
    // After a few misses in a row drafting pauses: far fewer draft tokens than decoder passes.
    expect(s.draftedTokens / s.decoderPasses).toBeLessThan(0.5);
  }, 60_000);

  test('different encoder weights: a warning, the assistant encodes itself, the same tokens', async () => {
    const emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    try {
      const spec = await tiny.transcribe(INPUTS.jfk!(), { ...BASE, assistantModel: otherEncoder });
      const again = await tiny.transcribe(INPUTS.jfk!(), { ...BASE, assistantModel: otherEncoder });
      expectSameTranscript(spec, await tinyAlone('jfk'));
      expectSameTranscript(again, spec);
      expect(spec.speculative!.encoderShared).toBe(false);
      // whisper.cpp's own count: the assistant encoded each window it drafted for itself.
      expect(spec.speculative!.assistantEncoderRuns).toBe(spec.speculative!.assistantWindows);
      expect(spec.speculative!.assistantWindows).toBeGreaterThan(0);
      const ours = emitWarning.mock.calls.filter((call) => (call[1] as { code?: string } | undefined)?.code === 'WHISPER_NAPI_ASSISTANT_ENCODER');
      expect(ours).toHaveLength(1); // once per pair
      expect(String(ours[0]![0])).toMatch(/encoder weights .* differ/);
    } finally {
      emitWarning.mockRestore();
    }
  }, 60_000);

  test('a distilled main model (forced no-timestamps) with smart long-form windows', async () => {
    const input = INPUTS['jfk three times (39 s)']!;
    const options = { ...BASE, longForm: 'smart' as const };
    const plain = await distilTiny.transcribe(input(), options);
    const spec = await distilTiny.transcribe(input(), { ...options, assistantModel: distilTiny });
    expectSameTranscript(spec, plain);
    expect(spec.longForm.mode).toBe('smart');
    // Stats of every window added up; the assistant prepared once per window.
    expect(spec.speculative!.assistantWindows).toBe(spec.timings.encoderRuns);
    expect(spec.speculative!.acceptanceRate).toBeGreaterThan(0.9);
  }, 120_000);

  describe('refusals', () => {
    test('beam search and sampling', async () => {
      await expect(tiny.transcribe(jfk(), { beamSize: 2, assistantModel: distilTiny })).rejects.toThrow(InvalidOptionError);
      await expect(tiny.transcribe(jfk(), { beamSize: 2, assistantModel: distilTiny })).rejects.toThrow(/greedy decoding/);
      await expect(tiny.transcribe(jfk(), { temperature: 0.4, assistantModel: distilTiny })).rejects.toThrow(/temperature 0/);
    });

    test('not a model', async () => {
      for (const value of [{}, 'distil-tiny.en', null, 3]) {
        await expect(tiny.transcribe(jfk(), { assistantModel: value as never })).rejects.toThrow(InvalidOptionError);
      }
      await expect(tiny.transcribe(jfk(), { assistantModel: {} as never })).rejects.toThrow(/loaded with loadModel/);
    });

    test('mismatched pairs, with the reason', async () => {
      const micro = await loadModel(modelPath(MODELS.micro));
      const microSynth = await loadModel(modelPath(MODELS.microSynth));
      const microMultilingual = await loadModel(modelPath(MODELS.microMultilingual));
      try {
        // Encoder shapes differ.
        await expect(tiny.transcribe(jfk(), { assistantModel: micro })).rejects.toThrow(InvalidOptionError);
        await expect(tiny.transcribe(jfk(), { assistantModel: micro })).rejects.toThrow(/cannot draft for .*: the audio encoder (widths|head counts|layer counts) differ/);
        // Vocabulary sizes differ.
        await expect(micro.transcribe(jfk(), { assistantModel: microMultilingual })).rejects.toThrow(/the vocabulary sizes differ \(51864 for the main model, 51865 for the assistant\)/);
        // Same size, other tokens.
        await expect(micro.transcribe(jfk(), { assistantModel: microSynth })).rejects.toThrow(/the vocabularies differ \(token \d+\)/);
      } finally {
        await Promise.all([micro.dispose(), microSynth.dispose(), microMultilingual.dispose()]);
      }
    }, 60_000);

    test('a disposed assistant', async () => {
      const assistant = await loadModel(modelPath(MODELS.distilTiny));
      await assistant.dispose();
      await expect(tiny.transcribe(jfk(), { assistantModel: assistant })).rejects.toThrow(DisposedError);
      await expect(tiny.transcribe(jfk(), { assistantModel: assistant })).rejects.toThrow(/assistant model has been disposed/);
    });

    test('an assistant disposed while the job waits for its slot', async () => {
      const assistant = await loadModel(modelPath(MODELS.distilTiny));
      const busy = tiny.transcribe(jfk(), BASE); // holds tiny's only slot
      const waiting = tiny.transcribe(jfk(), { ...BASE, assistantModel: assistant });
      await new Promise((resolve) => setTimeout(resolve, 300)); // the pair check is done by now
      await assistant.dispose();
      await expect(waiting).rejects.toThrow(DisposedError);
      await expect(waiting).rejects.toThrow(/assistant model has been disposed/);
      await busy;
    }, 60_000);

    test('an assistant disposed while it drafts leaves the job intact', async () => {
      const assistant = await loadModel(modelPath(MODELS.distilTiny));
      const job = tiny.transcribe(jfk(), { ...BASE, assistantModel: assistant });
      await new Promise((resolve) => setTimeout(resolve, 200));
      await assistant.dispose(); // its weights stay alive until the job lets go of them
      expectSameTranscript(await job, await tinyAlone('jfk'));
    }, 60_000);
  });
});
