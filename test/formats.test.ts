/** Rendering transcripts: plain text, SRT, WebVTT, JSON with words. */
import { formatTimestamp, formatTranscript, loadModel, segmentWords, toJson, toSrt, toText, toVtt, type Transcript } from '../src';
import { REAL_TIER } from './support/real-tier';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

// Token ids as in English-only vocabularies: text below 50256, <|endoftext|> 50256,
// [_BEG_] 50363, [_TT_n] 50363 + n.
const token = (text: string, start: number, end: number, probability = 0.5, id = 1) => ({ id, text, probability, logProbability: Math.log(probability), start, end });

const transcript: Transcript = {
  text: 'And so my fellow Americans, ask not.',
  language: 'en',
  longForm: { mode: 'native', reason: 'a fixture' },
  timings: { totalMs: 1, audioSeconds: 4000, realTimeFactor: 0, encoderRuns: 1, decodedTokens: 12 },
  audio: { format: 'pcm', sampleRate: 16000, channels: 1 },
  segments: [
    {
      start: 0.32,
      end: 2.5,
      text: ' And so my fellow',
      noSpeechProbability: 0,
      tokens: [token('[_BEG_]', 0.32, 0.32, 0.5, 50363), token(' And', 0.32, 0.6, 0.9), token(' so', 0.6, 0.9, 0.8), token(' my', 0.9, 1.1), token(' fel', 1.1, 1.6, 0.4), token('low', 1.6, 2.5, 0.6), token('[_TT_300]', 2.5, 2.5, 0.5, 50663)],
    },
    { start: 3725.0416, end: 3727.9996, text: ' Americans, ask not.', noSpeechProbability: 0 },
  ],
};

test('timestamps: zero padding, rounding to the millisecond, hours past one and past 99', () => {
  expect(formatTimestamp(0, ',')).toBe('00:00:00,000');
  expect(formatTimestamp(3725.0416, ',')).toBe('01:02:05,042');
  expect(formatTimestamp(59.9996, '.')).toBe('00:01:00.000');
  expect(formatTimestamp(100 * 3600 + 1.5, '.')).toBe('100:00:01.500');
});

test('SRT', () => {
  expect(toSrt(transcript)).toBe('1\n00:00:00,320 --> 00:00:02,500\nAnd so my fellow\n\n2\n01:02:05,042 --> 01:02:08,000\nAmericans, ask not.\n');
});

test('WebVTT', () => {
  expect(toVtt(transcript)).toBe('WEBVTT\n\n00:00:00.320 --> 00:00:02.500\nAnd so my fellow\n\n01:02:05.042 --> 01:02:08.000\nAmericans, ask not.\n');
});

test('plain text', () => {
  expect(toText(transcript)).toBe('And so my fellow\nAmericans, ask not.\n');
  expect(formatTranscript(transcript, 'txt')).toBe(toText(transcript));
});

test('words join sub-word tokens and skip special tokens', () => {
  const words = segmentWords(transcript.segments[0]!);
  expect(words.map((w) => w.text)).toEqual(['And', 'so', 'my', 'fellow']);
  expect(words[3]).toEqual({ text: 'fellow', start: 1.1, end: 2.5, probability: 0.5 });
});

test('special tokens are told by id, not by how whisper.cpp names them', () => {
  const segment = (ids: [string, number][]) => ({ start: 0, end: 1, text: '', noSpeechProbability: 0, tokens: ids.map(([text, id]) => token(text, 0, 1, 0.5, id)) });
  // A timestamp token whatever its text, and <|endoftext|> of an English-only vocabulary.
  const english = segment([[' hin', 100], ['ges', 101], ['TT300', 50663], ['<eot>', 50256]]);
  expect(segmentWords(english).map((w) => w.text)).toEqual(['hinges']);
  expect(segmentWords(english, { multilingual: false }).map((w) => w.text)).toEqual(['hinges']);
  // In a multilingual vocabulary 50256 is a text token and <|endoftext|> is 50257.
  const multilingual = segment([[' a', 100], ['b', 50256], ['[_EOT_]', 50257], ['[_TT_300]', 50664]]);
  expect(segmentWords(multilingual, { multilingual: true }).map((w) => w.text)).toEqual(['ab']);
  // A text token that looks like a special one is still a word.
  expect(segmentWords(segment([[' [_x_]', 100]])).map((w) => w.text)).toEqual(['[_x_]']);
});

test('SRT and WebVTT leave out cues with no text, and number the rest consecutively', () => {
  const gap: Transcript = {
    ...transcript,
    segments: [{ start: 0.08, end: 28.76, text: '', noSpeechProbability: 0 }, transcript.segments[1]!, { start: 3728, end: 3729, text: '  ', noSpeechProbability: 0 }, { ...transcript.segments[1]!, start: 3730, end: 3731 }],
  };
  expect(toSrt(gap)).toBe('1\n01:02:05,042 --> 01:02:08,000\nAmericans, ask not.\n\n2\n01:02:10,000 --> 01:02:11,000\nAmericans, ask not.\n');
  expect(toVtt(gap)).toBe('WEBVTT\n\n01:02:05.042 --> 01:02:08.000\nAmericans, ask not.\n\n01:02:10.000 --> 01:02:11.000\nAmericans, ask not.\n');
  // Word cues: a segment whose tokens hold no word gives no cue.
  const wordless: Transcript = { ...transcript, segments: [{ start: 0, end: 1, text: '', noSpeechProbability: 0, tokens: [token('[_BEG_]', 0, 0, 0.5, 50363)] }, transcript.segments[1]!] };
  expect(toSrt(wordless, { words: true })).toBe('1\n01:02:05,042 --> 01:02:08,000\nAmericans, ask not.\n');
});

test('JSON: segments, and words where tokens exist', () => {
  const parsed = JSON.parse(toJson(transcript)) as { text: string; language: string; segments: { text: string; words?: unknown[] }[] };
  expect(parsed.text).toBe(transcript.text);
  expect(parsed.language).toBe('en');
  expect(parsed.segments[0]!.words).toHaveLength(4);
  expect(parsed.segments[1]!.words).toBeUndefined();
  expect(formatTranscript(transcript, 'json')).toBe(toJson(transcript));
});

test('a real transcript with tokenTimestamps renders in every format', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny), { threads: 2 });
  const t = await model.transcribe(jfk(), { tokenTimestamps: true, temperatureIncrement: 0 });
  const srt = toSrt(t);
  expect(srt.split('\n\n').length).toBe(t.segments.length);
  expect(srt).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n/);
  expect(toVtt(t).startsWith('WEBVTT\n\n')).toBe(true);
  const json = JSON.parse(toJson(t)) as { segments: { words: { text: string }[] }[] };
  expect(json.segments.every((s) => s.words.length > 0)).toBe(true);
  expectNoSpecialInWords(t, model.info);
});

/** Every word is made of text tokens only, and the special tokens were there to skip. */
function expectNoSpecialInWords(t: Transcript, info: { multilingual: boolean }) {
  const special = info.multilingual ? 50257 : 50256;
  const tokens = t.segments.flatMap((s) => s.tokens ?? []);
  expect(tokens.some((k) => k.id >= special)).toBe(true);
  const words = t.segments.flatMap((s) => segmentWords(s, info)).map((w) => w.text);
  expect(words.length).toBeGreaterThan(0);
  const texts = tokens.filter((k) => k.id < special).map((k) => k.text).join('');
  expect(words.join('')).toBe(texts.replace(/\s+/g, ''));
  for (const w of words) expect(w).not.toMatch(/\[_|<\|/);
}

const realModels = REAL_TIER ? (['tiny.en', 'base'] as const).filter((m) => REAL_TIER!.models[m]) : [];
(realModels.length > 0 ? test : test.skip)(`real models (${realModels.join(', ') || 'real tier absent'}): words never carry whisper.cpp's special tokens`, async () => {
  for (const name of realModels) {
    await using model = await loadModel(REAL_TIER!.models[name]!.ggml, { threads: 2 });
    const t = await model.transcribe(jfk(), { tokenTimestamps: true, temperatureIncrement: 0 });
    expectNoSpecialInWords(t, model.info);
    // Real models end segments with a timestamp token.
    expect(t.segments.some((s) => /^\[_TT_\d+\]$/.test(s.tokens!.at(-1)!.text))).toBe(true);
  }
}, 120_000);
