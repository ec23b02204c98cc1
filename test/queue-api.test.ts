/**
 * The job queue's API against a real Redis (started here), with workers in this process:
 * input refused before it reaches Redis, typed results and failures, segments and progress
 * streamed through BullMQ's events, a job's options reaching the model, and `serve --redis`
 * (createServer's `queue` option) answering uploads, streams and bad audio as a local
 * server does. redis-server missing: fails under CI, skipped loudly elsewhere.
 */
import * as fs from 'node:fs';

import {
  InvalidJobError,
  InvalidOptionError,
  QueueUnavailableError,
  TranscriptionJobError,
  createWorker,
  enqueueTranscription,
  loadModel,
  openTranscriptionQueue,
  type Segment,
  type Transcript,
  type TranscriptionQueue,
  type TranscriptionWorker,
  type WhisperModel,
} from '../src';
import { createServer } from '../src/server';
import { decodeFailure, encodeFailure, parseJobData, toJobData } from '../src/workers/job-data';
import { redactUrl } from '../src/workers/redis-connection';
import { longSpeech } from './support/audio';
import { JFK_WAV, MODELS, modelPath } from './support/paths';
import { describeIfRedis, startRedis, type TestRedis } from './support/redis';
import { multipartBody, request } from './support/serve';

jest.setTimeout(120_000);

const MODEL = modelPath(MODELS.micro);
const OPTIONS = { temperatureIncrement: 0 } as const;
const describeWithRedis = describeIfRedis('test/queue-api.test.ts', 'the job-queue API tests');

describe('job data: checked before anything reaches Redis (no Redis needed)', () => {
  test('input forms: path, URL, bytes; bad ones are InvalidJobError', () => {
    expect(toJobData('/data/a.wav', {}).audio).toEqual({ path: '/data/a.wav' });
    expect(toJobData({ path: '/data/a.wav' }, {}).audio).toEqual({ path: '/data/a.wav' });
    expect(toJobData('https://example.com/a.mp3', {}).audio).toEqual({ url: 'https://example.com/a.mp3' });
    expect(toJobData(new URL('http://h/a.wav'), {}).audio).toEqual({ url: 'http://h/a.wav' });
    expect(toJobData(Buffer.from('RIFF'), {}).audio).toEqual({ bytes: Buffer.from('RIFF').toString('base64') });
    expect(() => toJobData('relative/a.wav', {})).toThrow(InvalidJobError);
    expect(() => toJobData({ url: 'ftp://h/a.wav' }, {})).toThrow(/http or https/);
    expect(() => toJobData({ path: '/a', url: 'http://h/' } as never, {})).toThrow(InvalidJobError);
    expect(() => toJobData(new Uint8Array(0), {})).toThrow(/empty/);
    expect(() => toJobData(new Uint8Array(1001), {}, 1000)).toThrow(/at most 1000 inline/);
    expect(() => toJobData(42 as never, {})).toThrow(InvalidJobError);
  });

  test('options: plain data only, checked by the library', () => {
    expect(toJobData('/a.wav', { language: 'en', beamSize: 2 }).options).toEqual({ language: 'en', beamSize: 2 });
    expect(() => toJobData('/a.wav', { onSegment: () => {} })).toThrow(/pass it to job.result\(\)/);
    expect(() => toJobData('/a.wav', { signal: new AbortController().signal })).toThrow(InvalidJobError);
    expect(() => toJobData('/a.wav', { threads: 2 })).toThrow(/each worker's own/);
    expect(() => toJobData('/a.wav', { beamSize: 99 })).toThrow(InvalidOptionError);
    expect(() => toJobData('/a.wav', { nonsense: 1 })).toThrow(InvalidOptionError);
  });

  test("the worker's side refuses malformed jobs, and failures keep their code", () => {
    expect(() => parseJobData('other', toJobData('/a.wav', {}))).toThrow(/not a transcription/);
    expect(() => parseJobData('transcribe', { v: 2, audio: { path: '/a' }, options: {} })).toThrow(/schema version/);
    expect(() => parseJobData('transcribe', { v: 1, audio: { bytes: 'AAAA'.repeat(100) }, options: {} }, 100)).toThrow(/at most 100/);
    expect(parseJobData('transcribe', toJobData(Buffer.from('abc'), {})).audio).toEqual({ kind: 'bytes', bytes: Buffer.from('abc') });
    expect(decodeFailure(encodeFailure(new InvalidJobError('bad')))).toEqual({ code: 'ERR_WHISPER_INVALID_JOB', message: 'bad' });
    expect(decodeFailure(encodeFailure(new Error('plain')))).toEqual({ code: undefined, message: 'plain' });
    expect(redactUrl('redis://user:secret@h:6379/0')).toBe('redis://user:***@h:6379/0');
  });

  test('a bad Redis URL, and a Redis that does not answer, are typed errors', async () => {
    await expect(openTranscriptionQueue({ redis: 'http://h' })).rejects.toThrow(InvalidOptionError);
    await expect(createWorker({ redis: 'nope' })).rejects.toThrow(InvalidOptionError);
    // Port 1 on loopback: refused at once, and retried until the timeout.
    await expect(openTranscriptionQueue({ redis: 'redis://127.0.0.1:1', connectTimeoutMs: 500 })).rejects.toThrow(QueueUnavailableError);
  });
});

describeWithRedis('with Redis and an in-process worker', () => {
  let redis: TestRedis;
  let model: WhisperModel;
  let worker: TranscriptionWorker;
  let queue: TranscriptionQueue;
  let expected: Transcript;

  beforeAll(async () => {
    redis = await startRedis();
    model = await loadModel(MODEL, { threads: 1 });
    expected = await model.transcribe(JFK_WAV, OPTIONS);
    worker = await createWorker({ redis: redis.url, queue: 'api', model });
    queue = await openTranscriptionQueue({ redis: redis.url, name: 'api' });
  });

  afterAll(async () => {
    await queue?.close();
    await worker?.close();
    await model?.dispose();
    await redis?.stop();
  });

  test('the transcript comes back typed, with its segments and progress streamed first', async () => {
    const job = await enqueueTranscription(queue, JFK_WAV, { transcribe: OPTIONS });
    const segments: [Segment, number][] = [];
    const progress: number[] = [];
    const transcript = await job.result({ onSegment: (s, i) => segments.push([s, i]), onProgress: (p) => progress.push(p) });
    expect(transcript.text).toBe(expected.text);
    expect(transcript.timings.audioSeconds).toBeCloseTo(11, 0);
    // Listening began after the add: the worker may have reported some before.
    expect(segments.length).toBeLessThanOrEqual(transcript.segments.length);
    for (const [s, i] of segments) expect(s.text).toBe(transcript.segments[i]!.text);
    expect(await job.state()).toBe('completed');
    // Asked again later: the stored result.
    expect((await queue.job(job.id).result()).text).toBe(expected.text);
    expect(worker.stats().completed).toBeGreaterThan(0);
  });

  test('a job id makes enqueue idempotent', async () => {
    const a = await queue.enqueue(JFK_WAV, { transcribe: OPTIONS, jobId: 'same-id' });
    const b = await queue.enqueue(JFK_WAV, { transcribe: OPTIONS, jobId: 'same-id' });
    expect(a.id).toBe(b.id);
    await a.result();
    expect((await queue.counts()).completed).toBeGreaterThan(0);
    await expect(queue.enqueue(JFK_WAV, { jobId: '123' })).rejects.toThrow(InvalidOptionError);
  });

  test("a job's options reach the model", async () => {
    const job = await queue.enqueue(fs.readFileSync(JFK_WAV), { transcribe: { ...OPTIONS, tokens: true, duration: 5 } });
    const transcript = await job.result();
    const local = await model.transcribe(JFK_WAV, { ...OPTIONS, tokens: true, duration: 5 });
    expect(transcript.text).toBe(local.text);
    expect(transcript.segments.map((s) => s.end)).toEqual(local.segments.map((s) => s.end));
    expect(transcript.segments[0]?.tokens?.length).toBeGreaterThan(0);
  });

  test("bad audio fails at once, typed, with the worker's code and message", async () => {
    const job = await queue.enqueue(Buffer.from('this is not audio at all'), { transcribe: OPTIONS, attempts: 3 });
    const error = await job.result().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TranscriptionJobError);
    expect((error as TranscriptionJobError).code).toBe('ERR_WHISPER_JOB_FAILED');
    expect((error as TranscriptionJobError).workerCode).toBe('ERR_WHISPER_UNSUPPORTED_AUDIO');
    expect((error as TranscriptionJobError).jobId).toBe(job.id);
    expect(await job.state()).toBe('failed');
    // Not retried: another attempt would fail the same way.
    const missingFile = await queue.enqueue('/nonexistent/audio.wav', { transcribe: OPTIONS });
    const e2 = (await missingFile.result().catch((e: unknown) => e)) as TranscriptionJobError;
    expect(e2).toBeInstanceOf(TranscriptionJobError);
    expect(e2.workerCode).toMatch(/^ERR_WHISPER_/);
  });

  test('a job that is not there, and waiting with a signal', async () => {
    await expect(queue.job('no-such-job').result()).rejects.toThrow(/not in queue 'api'/);
    const controller = new AbortController();
    controller.abort();
    await expect(queue.job('no-such-job').result({ signal: controller.signal })).rejects.toMatchObject({ code: 'ABORT_ERR' });
  });

  test('close() past its timeout puts the running job back in the queue, where another worker completes it', async () => {
    const first = await createWorker({ redis: redis.url, queue: 'handover', model, log: () => {} });
    const handover = await openTranscriptionQueue({ redis: redis.url, name: 'handover' });
    try {
      const job = await handover.enqueue(longSpeech(300).file, { transcribe: OPTIONS });
      while (first.stats().running === 0) await new Promise((r) => setTimeout(r, 10));
      await first.close({ timeoutMs: 0 });
      expect(await job.state()).toBe('waiting');
      expect(first.stats()).toMatchObject({ running: 0, completed: 0, failed: 0 });
      const second = await createWorker({ redis: redis.url, queue: 'handover', model });
      try {
        expect((await job.result()).timings.audioSeconds).toBeCloseTo(300, 0);
        expect(second.stats().completed).toBe(1);
      } finally {
        await second.close();
      }
    } finally {
      await handover.close();
      await first.close();
    }
  });

  test('serve with a queue: uploads are transcribed by the workers, streams carry their segments, bad audio is a 400', async () => {
    const server = await createServer({ model: MODEL, port: 0, queue: { redis: redis.url, name: 'api' }, maxConcurrency: 4, load: { threads: 1 } });
    try {
      const health = JSON.parse((await request(`${server.url}/health`)).body) as { queue: string; capacity: { maxConcurrency: number } };
      expect(health.queue).toBe('api');
      expect(health.capacity.maxConcurrency).toBe(4);
      const before = worker.stats().completed;
      const form = multipartBody({ model: 'whisper-1', response_format: 'json', temperature: '0' }, fs.readFileSync(JFK_WAV));
      const answer = await request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
      expect(answer.status).toBe(200);
      // The server's own default options (fallback on) may differ from OPTIONS: compare with the same request run locally.
      const local = await model.transcribe(JFK_WAV, { language: model.info.multilingual ? 'auto' : 'en' });
      expect((JSON.parse(answer.body) as { text: string }).text).toBe(local.text.trim());
      expect(worker.stats().completed).toBe(before + 1);

      const stream = multipartBody({ model: 'whisper-1', stream: 'true' }, fs.readFileSync(JFK_WAV));
      const streamed = await request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': stream.contentType }, body: stream.body });
      expect(streamed.status).toBe(200);
      const events = streamed.body.split('\n\n').filter((e) => e.startsWith('data: ')).map((e) => JSON.parse(e.slice(6)) as { type: string; text?: string });
      expect(events.filter((e) => e.type === 'transcript.text.segment')).toHaveLength(local.segments.length);
      expect(events.at(-1)).toEqual({ type: 'transcript.text.done', text: local.text.trim() });

      const bad = multipartBody({ model: 'whisper-1' }, Buffer.from('not audio'));
      const refused = await request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': bad.contentType }, body: bad.body });
      expect(refused.status).toBe(400);
      expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'invalid_audio' } });
    } finally {
      await server.close();
    }
  });

  test('serve with a queue refuses uploads larger than a job carries', async () => {
    await expect(createServer({ model: MODEL, port: 0, queue: { redis: redis.url }, maxUploadBytes: 65 * 1024 * 1024 })).rejects.toThrow(InvalidOptionError);
  });
});
