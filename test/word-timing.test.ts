/**
 * The `dtw` load option (DTW word timing) on generated models: validation, where the
 * alignment heads come from, and that aligned transcripts are well formed. How accurate the
 * times are is measured on real weights (test/real-word-timing.test.ts).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InvalidOptionError, loadModel, releaseModels, segmentWords, transcribe, type Segment, type Transcript } from '../src';
import { validateLoadOptions } from '../src/options';
import { ALIGNMENT_HEAD_PRESETS, presetHeads, readModelShape } from '../src/word-timing';
import { jfk } from './support/audio';
import { FIXTURES, JFK_WAV, MODELS, ROOT, modelPath } from './support/paths';

const TINY = modelPath(MODELS.tiny); // the tiny.en shape: whisper.cpp's tiny.en preset applies
const MICRO = modelPath(MODELS.micro); // 1 text layer of 1 head: type 'custom', no preset
const FAST = { threads: 2, temperatureIncrement: 0, tokens: true } as const;

describe('validation (no model needed)', () => {
  test.each([
    [true],
    [false],
    ['auto'],
    [{}],
    [{ heads: [[1, 0], [3, 4]] }],
    [{ heads: 'base' }],
    [{ heads: { topLayers: 2 } }],
    [{ snapToPauses: false }],
    [{ heads: 'large-v3', snapToPauses: true }],
  ])('dtw: %j is accepted', (dtw) => {
    expect(validateLoadOptions({ dtw })).toEqual({ dtw });
    expect(validateLoadOptions({ dtw, flashAttention: false })).toEqual({ dtw, flashAttention: false });
  });

  test.each([
    [1, /must be true, false, 'auto' or \{ heads \}, got number 1/],
    ['yes', /must be true, false, 'auto' or \{ heads \}, got the string "yes"/],
    [null, /got null/],
    [[[1, 0]], /got an array/],
    [{ heads: [] }, /must hold 1 to 1024 \[layer, head\] pairs, got 0/],
    [{ heads: [[1]] }, /item 0 is \[1\]/],
    [{ heads: [[1, 0], [-1, 0]] }, /item 1 is \[-1,0\]/],
    [{ heads: [[1.5, 0]] }, /non-negative integers/],
    [{ heads: 'huge' }, /names no preset of whisper.cpp: "huge" \(known: tiny.en, tiny, base.en, base/],
    [{ heads: { topLayers: 0 } }, /\{ topLayers: n \} with n from 1 to 64/],
    [{ heads: { top: 2 } }, /\{ topLayers: n \}/],
    [{ heads: 3 }, /must be an array of \[layer, head\] pairs, got number 3/],
    [{ snapToPauses: 'no' }, /'dtw.snapToPauses' must be a boolean/],
    [{ head: 'base' }, /unknown loadModel option 'dtw.head'/],
  ])('dtw: %j is refused', (dtw, message) => {
    expect(() => validateLoadOptions({ dtw })).toThrow(InvalidOptionError);
    expect(() => validateLoadOptions({ dtw })).toThrow(message);
  });

  test('dtw with flashAttention: true is refused (DTW needs the attention weights flash attention never forms)', () => {
    expect(() => validateLoadOptions({ dtw: true, flashAttention: true })).toThrow(/'dtw' and 'flashAttention: true' cannot be combined/);
    expect(() => validateLoadOptions({ dtw: 'auto', flashAttention: true })).toThrow(InvalidOptionError);
    expect(validateLoadOptions({ dtw: false, flashAttention: true })).toEqual({ dtw: false, flashAttention: true });
  });

  test("the presets are whisper.cpp's own (g_aheads_* in the patched source)", () => {
    const source = fs.readFileSync(path.join(ROOT, 'deps', 'whisper.cpp', 'src', 'whisper.cpp'), 'utf8');
    const cName = (preset: string) => `g_aheads_${preset.replace(/\./g, '_').replace(/-/g, '_')}`;
    for (const preset of ALIGNMENT_HEAD_PRESETS) {
      const match = new RegExp(`static const whisper_ahead ${cName(preset)}\\[\\]\\s*=\\s*\\{(.*?)\\};`).exec(source);
      expect(match).not.toBeNull();
      const heads = [...match![1]!.matchAll(/\{\s*(\d+),\s*(\d+)\s*\}/g)].map((m) => [Number(m[1]), Number(m[2])]);
      expect([preset, presetHeads(preset)]).toEqual([preset, heads]);
    }
    expect(ALIGNMENT_HEAD_PRESETS).toHaveLength(12);
  });

  test('segmentWords skips timestamp tokens ([_TT_150]): they no longer stretch the last word', () => {
    const token = (id: number, text: string, start: number, end: number) => ({ id, text, probability: 1, logProbability: 0, start, end });
    // English-only ids: <|0.00|> (whisper.cpp's [_BEG_]) is 50363, [_TT_150] is 50363 + 150.
    const segment: Segment = {
      start: 0,
      end: 3,
      text: ' so you',
      noSpeechProbability: 0,
      tokens: [token(50363, '[_BEG_]', 0, 0), token(523, ' so', 0.5, 1), token(345, ' you', 1.2, 1.6), token(50513, '[_TT_150]', 1.6, 3)],
    };
    expect(segmentWords(segment).map((w) => [w.text, w.start, w.end])).toEqual([
      ['so', 0.5, 1],
      ['you', 1.2, 1.6],
    ]);
  });
});

/** Text tokens' times are ordered, inside the audio, and words follow them. */
function expectWellFormed(t: Transcript, seconds: number): void {
  let previousStart = 0;
  for (const segment of t.segments) {
    const text = segment.tokens!.filter((token) => !/^\[_[^\]]*\]$/.test(token.text));
    for (const token of text) {
      expect(token.start).toBeGreaterThanOrEqual(0);
      expect(token.end).toBeGreaterThanOrEqual(token.start);
      expect(token.end).toBeLessThanOrEqual(seconds + 0.01);
      expect(token.start).toBeGreaterThanOrEqual(previousStart - 1e-9);
      previousStart = token.start;
    }
    const words = segmentWords(segment);
    for (const word of words) expect(word.end).toBeGreaterThanOrEqual(word.start);
  }
}

describe('generated tiny.en (random weights)', () => {
  test("dtw: true takes whisper.cpp's tiny.en preset; tokens are timed by DTW and say so", async () => {
    await using model = await loadModel(TINY, { dtw: true });
    expect(model.info.dtw).toEqual({ heads: presetHeads('tiny.en'), preset: 'tiny.en', source: 'preset', snapToPauses: true });
    const streamed: Segment[] = [];
    const t = await model.transcribe(jfk(), { ...FAST, onSegment: (s) => streamed.push(s) });
    expect(t.wordTiming).toBe('dtw');
    expect(t.segments.length).toBeGreaterThan(0);
    expectWellFormed(t, 11);
    // Streamed segments carry the same DTW times as the result (patch dtw-timestamps).
    expect(streamed).toEqual(t.segments);
    // Without token detail there is nothing to time.
    const plain = await model.transcribe(jfk(), { threads: 2, temperatureIncrement: 0 });
    expect(plain.wordTiming).toBeUndefined();
    expect(plain.segments[0]!.tokens).toBeUndefined();
  });

  test('wordTiming is heuristic with tokenTimestamps and no dtw, absent with tokens alone', async () => {
    await using model = await loadModel(TINY);
    expect(model.info.dtw).toBeNull();
    expect((await model.transcribe(jfk(), { ...FAST, tokenTimestamps: true })).wordTiming).toBe('heuristic');
    expect((await model.transcribe(jfk(), FAST)).wordTiming).toBeUndefined();
  });

  test('custom heads, another preset of the same shape, the top layers, and bare alignment', async () => {
    for (const dtw of [{ heads: [[3, 5], [0, 0]] as [number, number][] }, { heads: 'tiny' as const }, { heads: { topLayers: 2 } }, { snapToPauses: false }]) {
      await using model = await loadModel(TINY, { dtw });
      expect(model.info.dtw).toMatchObject({ source: 'heads' in dtw ? 'option' : 'preset', snapToPauses: !('snapToPauses' in dtw) });
      const t = await model.transcribe(jfk(), FAST);
      expect(t.wordTiming).toBe('dtw');
      expectWellFormed(t, 11);
    }
  });

  test('heads the model does not have are refused before loading', async () => {
    await expect(loadModel(TINY, { dtw: { heads: [[4, 0]] } })).rejects.toThrow(/names heads that .* does not have \(it has 4 decoder layers of 6 heads\)/);
    await expect(loadModel(TINY, { dtw: { heads: [[0, 6]] } })).rejects.toThrow(InvalidOptionError);
    await expect(loadModel(TINY, { dtw: { heads: 'base' } })).rejects.toThrow(/the base heads belong to 6 decoder layers of 8 heads; .* has 4 decoder layers of 6 heads/);
    await expect(loadModel(TINY, { dtw: { heads: { topLayers: 5 } } })).rejects.toThrow(/topLayers must be between 1 and 4/);
  });

  test('audioContext below 1500 and very short audio align without aborting (patch dtw-timestamps)', async () => {
    await using model = await loadModel(TINY, { dtw: true });
    const short = await model.transcribe(jfk(), { ...FAST, audioContext: 256 });
    expectWellFormed(short, 11);
    const blip = await model.transcribe(jfk().subarray(0, 1600), FAST); // 0.1 s
    expect(blip.wordTiming).toBe('dtw');
  });

  test('with vad, DTW token times are in original-audio time (after 5 s of silence)', async () => {
    await using model = await loadModel(TINY, { dtw: true });
    const input = new Float32Array(16000 * 5 + jfk().length);
    input.set(jfk(), 16000 * 5);
    const t = await model.transcribe(input, { ...FAST, vad: true, vadModel: path.join(FIXTURES, 'for-tests-silero-v6.2.0-ggml.bin') });
    expect(t.wordTiming).toBe('dtw');
    expectWellFormed(t, 16);
    const starts = t.segments.flatMap((s) => segmentWords(s).map((w) => w.start));
    expect(starts.length).toBeGreaterThan(0);
    expect(Math.min(...starts)).toBeGreaterThan(4.5);
  });

  test('speculative decoding on a DTW model: the assistant drafts, DTW times the result', async () => {
    await using model = await loadModel(TINY, { dtw: true });
    await using assistant = await loadModel(modelPath(MODELS.distilTiny));
    const t = await model.transcribe(jfk(), { ...FAST, assistantModel: assistant });
    expect(t.speculative).toBeDefined();
    expect(t.wordTiming).toBe('dtw');
    expectWellFormed(t, 11);
  });

  test("the top-level transcribe() keeps a DTW model apart from the same file without DTW", async () => {
    try {
      const plain = await transcribe(jfk(), { ...FAST, model: TINY });
      const aligned = await transcribe(jfk(), { ...FAST, model: TINY, load: { dtw: true } });
      expect(plain.wordTiming).toBeUndefined();
      expect(aligned.wordTiming).toBe('dtw');
    } finally {
      await releaseModels();
    }
  });

  test('the header shape read before loading', async () => {
    expect(await readModelShape(TINY)).toEqual({ nVocab: 51864, nAudioState: 384, nAudioLayer: 4, nTextHead: 6, nTextLayer: 4 });
    expect(await readModelShape(path.join(os.tmpdir(), 'no-such-model.bin'))).toBeUndefined();
  });
});

describe('models without a preset (the micro shape)', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-dtw-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** The micro model under a new name, with `sidecar` as its <model>.json when given. */
  function micro(name: string, sidecar?: string): string {
    const file = path.join(dir, name);
    fs.symlinkSync(MICRO, file);
    if (sidecar !== undefined) fs.writeFileSync(`${file}.json`, sidecar);
    return file;
  }

  test("dtw: true without heads is an InvalidOptionError that says what to do; 'auto' loads without DTW", async () => {
    const file = micro('plain.bin');
    await expect(loadModel(file, { dtw: true })).rejects.toThrow(InvalidOptionError);
    await expect(loadModel(file, { dtw: true })).rejects.toThrow(/no alignment heads are known for .*plain\.bin \(type custom\).*there is no .*plain\.bin\.json \(convertModel writes one\).*dtw: 'auto'/);
    await using model = await loadModel(file, { dtw: 'auto' });
    expect(model.info.dtw).toBeNull();
    const t = await model.transcribe(jfk(), FAST);
    expect(t.wordTiming).toBeUndefined();
  });

  test("the heads of the <model>.json sidecar that convertModel writes", async () => {
    const file = micro('converted.bin', JSON.stringify({ convertedFrom: '/x', format: 'ctranslate2', type: 'f16', alignmentHeads: [[0, 0]] }));
    await using model = await loadModel(file, { dtw: true });
    expect(model.info.dtw).toEqual({ heads: [[0, 0]], source: 'sidecar', snapToPauses: true });
    const t = await model.transcribe(jfk(), FAST);
    expect(t.wordTiming).toBe('dtw');
    expectWellFormed(t, 11);
  });

  test('a sidecar without heads, with heads the model lacks, or not JSON', async () => {
    await expect(loadModel(micro('null.bin', JSON.stringify({ alignmentHeads: null })), { dtw: true })).rejects.toThrow(/null\.bin\.json has no alignmentHeads/);
    await expect(loadModel(micro('wrong.bin', JSON.stringify({ alignmentHeads: [[1, 0]] })), { dtw: true })).rejects.toThrow(
      /wrong\.bin\.json names alignment heads that the model does not have \(it has 1 decoder layers of 1 heads\)/,
    );
    await expect(loadModel(micro('broken.bin', '{"alignmentHeads": [[0, 0]'), { dtw: 'auto' })).rejects.toThrow(/broken\.bin\.json .* is not valid JSON/);
    await expect(loadModel(micro('bad.bin', JSON.stringify({ alignmentHeads: [[0]] })), { dtw: true })).rejects.toThrow(/'alignmentHeads' in .*bad\.bin\.json must hold/);
  });

  test('explicit heads need no sidecar', async () => {
    await using model = await loadModel(micro('explicit.bin'), { dtw: { heads: [[0, 0]] } });
    expect(model.info.dtw).toEqual({ heads: [[0, 0]], source: 'option', snapToPauses: true });
  });

  test('a path that is not a model fails as it would without dtw', async () => {
    await expect(loadModel(path.join(dir, 'missing.bin'), { dtw: true })).rejects.toThrow(expect.objectContaining({ code: 'ERR_WHISPER_MODEL_NOT_FOUND' }));
  });
});

describe('the command line', () => {
  const cli = (args: string[]) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'bin', 'whisper-napi.js'), ...args], { timeout: 120_000 }, (error, stdout, stderr) => {
        resolve({ status: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      });
    });

  test('--dtw: words timed by DTW in JSON (it implies --word-timestamps); a model without heads is a usage error', async () => {
    const json = await cli(['transcribe', JFK_WAV, '--model', TINY, '--threads', '2', '--no-fallback', '--format', 'json', '--dtw']);
    expect(json.status).toBe(0);
    const parsed = JSON.parse(json.stdout) as { segments: { words?: { start: number; end: number }[] }[] };
    expect(parsed.segments[0]!.words!.length).toBeGreaterThan(0);
    const refused = await cli(['transcribe', JFK_WAV, '--model', MICRO, '--dtw']);
    expect(refused.status).toBe(2); // an InvalidOptionError: bad usage
    expect(refused.stderr).toMatch(/no alignment heads are known for/);
  });
});
