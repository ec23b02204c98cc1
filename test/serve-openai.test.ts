/**
 * `createServer()` driven by OpenAI's own npm client (pinned in devDependencies): every
 * response format, streaming, translation, models, and the errors the client turns into
 * typed exceptions. On the real tiny.en when the real-model tier is prepared (the words
 * are checked); on the generated tiny.en otherwise (the shapes are checked).
 */
import * as fs from 'node:fs';

import OpenAI, { toFile } from 'openai';

import { loadModel } from '../src';
import { createServer, type TranscriptionServer } from '../src/server';
import { longSpeech } from './support/audio';
import { JFK_WAV, MODELS, modelPath } from './support/paths';
import { REAL_TIER } from './support/real-tier';
import { JFK_WORDS, SERVED, normalize } from './support/serve';

jest.setTimeout(120_000);

let server: TranscriptionServer;
let client: OpenAI;
const jfk = fs.readFileSync(JFK_WAV);
const audio = () => toFile(jfk, 'jfk.wav', { type: 'audio/wav' });

beforeAll(async () => {
  server = await createServer({ model: SERVED.file, port: 0, load: { threads: 2 } });
  client = new OpenAI({ apiKey: 'not-needed', baseURL: `${server.url}/v1`, maxRetries: 0 });
});
afterAll(() => server?.close());

describe('response formats', () => {
  let reference: string;

  test('json: { text }', async () => {
    const result = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1' });
    expect(typeof result.text).toBe('string');
    expect(result.text.length).toBeGreaterThan(0);
    reference = result.text;
    if (SERVED.real) expect(normalize(result.text)).toContain(JFK_WORDS);
  });

  test('text: the same text, plain', async () => {
    const text = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', response_format: 'text' });
    expect(typeof text).toBe('string');
    expect(text.trim()).toBe(reference);
  });

  test('srt and vtt: numbered cues and a WEBVTT header, with the same words', async () => {
    const srt = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', response_format: 'srt' });
    const vtt = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', response_format: 'vtt' });
    expect(srt).toMatch(/^1\n\d\d:\d\d:\d\d,\d{3} --> \d\d:\d\d:\d\d,\d{3}\n\S/);
    expect(vtt).toMatch(/^WEBVTT\n\n\d\d:\d\d:\d\d\.\d{3} --> \d\d:\d\d:\d\d\.\d{3}\n\S/);
    const cueText = (s: string) => normalize(s.split('\n').filter((l) => l.trim() !== '' && !/-->/.test(l) && !/^\d+$/.test(l) && l !== 'WEBVTT').join(' '));
    expect(cueText(srt)).toBe(normalize(reference));
    expect(cueText(vtt)).toBe(normalize(reference));
  });

  test('verbose_json: task, language, duration, segments with their statistics, and words', async () => {
    const result = await client.audio.transcriptions.create({
      file: await audio(),
      model: 'whisper-1',
      response_format: 'verbose_json',
      timestamp_granularities: ['word', 'segment'],
    });
    expect(result).toMatchObject({ task: 'transcribe', language: 'english', text: reference });
    expect(result.duration).toBeCloseTo(11, 0);
    const segments = result.segments ?? [];
    expect(segments.length).toBeGreaterThan(0);
    segments.forEach((s, i) => {
      expect(s.id).toBe(i);
      expect(s.end).toBeGreaterThanOrEqual(s.start);
      expect(s.end).toBeLessThanOrEqual(11.1);
      expect(s.tokens.length).toBeGreaterThan(0);
      expect(s.avg_logprob).toBeLessThanOrEqual(0);
      expect(s.compression_ratio).toBeGreaterThan(0);
      expect(s.no_speech_prob).toBeGreaterThanOrEqual(0);
      expect(s.no_speech_prob).toBeLessThanOrEqual(1);
    });
    expect(normalize(segments.map((s) => s.text).join(' '))).toBe(normalize(reference));
    const words = result.words ?? [];
    expect(words.length).toBeGreaterThan(3);
    for (const [i, w] of words.entries()) {
      expect(w.end).toBeGreaterThanOrEqual(w.start);
      if (i > 0) expect(w.start).toBeGreaterThanOrEqual(words[i - 1]!.start);
      expect(w.word).not.toMatch(/\[_|<\|/); // no timestamp or special tokens in words
    }
    if (SERVED.real) expect(normalize(words.map((w) => w.word).join(' '))).toContain(JFK_WORDS);
  });

  test('verbose_json with only word granularity leaves segments out', async () => {
    const result = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', response_format: 'verbose_json', timestamp_granularities: ['word'] });
    expect(result.segments).toBeUndefined();
    expect((result.words ?? []).length).toBeGreaterThan(3);
  });

  test('stream=true: segments as events while decoding, then the whole text', async () => {
    const stream = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', stream: true });
    const events: { type: string; text?: string; delta?: string }[] = [];
    for await (const event of stream) events.push(event as (typeof events)[number]);
    const types = events.map((e) => e.type);
    expect(types[types.length - 1]).toBe('transcript.text.done');
    expect(types.filter((t) => t === 'transcript.text.segment').length).toBeGreaterThan(0);
    expect(types.indexOf('transcript.text.segment')).toBeLessThan(types.indexOf('transcript.text.done'));
    const deltas = events.filter((e) => e.type === 'transcript.text.delta').map((e) => e.delta ?? '');
    expect(normalize(deltas.join(' '))).toBe(normalize(reference));
    expect(events[events.length - 1]!.text).toBe(reference);
  });

  test('stream=true on a minute of speech: the first segment arrives while the job still runs', async () => {
    const stream = await client.audio.transcriptions.create({ file: await toFile(fs.readFileSync(longSpeech(60).file), 'long.wav'), model: 'whisper-1', stream: true });
    let runningAtFirst: number | undefined;
    let segments = 0;
    for await (const event of stream) {
      if (event.type !== 'transcript.text.segment') continue;
      runningAtFirst ??= server.stats().running;
      segments++;
    }
    expect(runningAtFirst).toBe(1);
    expect(segments).toBeGreaterThan(2);
  });

  test('prompt and temperature are accepted', async () => {
    const result = await client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', prompt: 'President Kennedy, 1961.', temperature: 0.2, language: 'en' });
    expect(result.text.length).toBeGreaterThan(0);
    if (SERVED.real) expect(normalize(result.text)).toContain('what your country can do for you');
  });
});

describe('translations', () => {
  test('an English-only model refuses to translate with a 400 the client raises', async () => {
    const error = await client.audio.translations.create({ file: await audio(), model: 'whisper-1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/English-only and cannot translate/);
  });

  const base = REAL_TIER?.models.base?.ggml;
  const multilingual = base ?? modelPath(MODELS.microMultilingual);
  test(`a multilingual model translates (${base ? 'real base: the English words come back' : 'generated: the shape'})`, async () => {
    const model = await loadModel(multilingual, { threads: 2 });
    const own = await createServer({ model, port: 0 });
    try {
      const c = new OpenAI({ apiKey: 'x', baseURL: `${own.url}/v1`, maxRetries: 0 });
      const result = await c.audio.translations.create({ file: await audio(), model: 'whisper-1', response_format: 'verbose_json' });
      expect(result).toMatchObject({ task: 'translate' });
      if (base) {
        expect((result as { language?: string }).language).toBe('english');
        expect(normalize(result.text)).toContain('what your country can do for you');
      }
    } finally {
      await own.close();
      expect(model.disposed).toBe(false); // a model passed in stays the caller's
      await model.dispose();
    }
  });
});

test('models.list names the served model and the whisper-1 alias', async () => {
  const ids: string[] = [];
  for await (const m of client.models.list()) ids.push(m.id);
  expect(ids).toContain('whisper-1');
  expect(ids.length).toBe(2);
});

describe('errors reach the client as its typed exceptions', () => {
  const rejects = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e as InstanceType<typeof OpenAI.APIError>);

  test('an unknown response_format', async () => {
    const error = await rejects(client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', response_format: 'xml' as 'json' }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'response_format', type: 'invalid_request_error' });
  });

  test('audio that is not audio', async () => {
    const error = await rejects(client.audio.transcriptions.create({ file: await toFile(Buffer.from('this is not a sound file at all'), 'notes.wav'), model: 'whisper-1' }));
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({ status: 400, param: 'file', code: 'invalid_audio' });
  });

  test('an unknown language, a temperature out of range, words without verbose_json', async () => {
    for (const [params, param] of [
      [{ language: 'xx' }, 'language'],
      [{ temperature: 3 }, 'temperature'],
      [{ timestamp_granularities: ['word'] as 'word'[] }, 'timestamp_granularities'],
    ] as const) {
      const error = await rejects(client.audio.transcriptions.create({ file: await audio(), model: 'whisper-1', ...params }));
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect(error).toMatchObject({ param });
    }
  });

  test('a wrong or missing API key is a 401 AuthenticationError; the right one passes', async () => {
    const guarded = await createServer({ model: server.model, port: 0, apiKey: 'sesame' });
    try {
      const wrong = new OpenAI({ apiKey: 'open-up', baseURL: `${guarded.url}/v1`, maxRetries: 0 });
      expect(await rejects(wrong.audio.transcriptions.create({ file: await audio(), model: 'whisper-1' }))).toBeInstanceOf(OpenAI.AuthenticationError);
      expect(await rejects(wrong.models.list())).toBeInstanceOf(OpenAI.AuthenticationError);
      const right = new OpenAI({ apiKey: 'sesame', baseURL: `${guarded.url}/v1`, maxRetries: 0 });
      expect((await right.audio.transcriptions.create({ file: await audio(), model: 'whisper-1' })).text.length).toBeGreaterThan(0);
      // The page and the health check stay open.
      expect((await fetch(`${guarded.url}/health`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});

test('stream=true with audio that cannot be decoded: a 400 before any event, not a broken stream', async () => {
  const error = await client.audio.transcriptions
    .create({ file: await toFile(Buffer.from('RIFF....WAVEnot really'), 'bad.wav'), model: 'whisper-1', stream: true })
    .then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.BadRequestError);
  expect(error).toMatchObject({ status: 400, code: 'invalid_audio' });
});
