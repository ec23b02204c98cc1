/** Rendering transcripts: plain text, SRT, WebVTT, JSON with words. */
import { formatTimestamp, formatTranscript, loadModel, segmentWords, toJson, toSrt, toText, toVtt, type Transcript } from '../src';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

const token = (text: string, start: number, end: number, probability = 0.5) => ({ id: 1, text, probability, logProbability: Math.log(probability), start, end });

const transcript: Transcript = {
  text: 'And so my fellow Americans, ask not.',
  language: 'en',
  longForm: { mode: 'native', reason: 'a fixture' },
  timings: { totalMs: 1, audioSeconds: 4000, realTimeFactor: 0, encoderRuns: 1 },
  audio: { format: 'pcm', sampleRate: 16000, channels: 1 },
  segments: [
    {
      start: 0.32,
      end: 2.5,
      text: ' And so my fellow',
      noSpeechProbability: 0,
      tokens: [token('[_BEG_]', 0.32, 0.32), token(' And', 0.32, 0.6, 0.9), token(' so', 0.6, 0.9, 0.8), token(' my', 0.9, 1.1), token(' fel', 1.1, 1.6, 0.4), token('low', 1.6, 2.5, 0.6)],
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
});
