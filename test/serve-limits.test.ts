/**
 * The server under misuse, over plain HTTP: the upload limit counted while streaming, the
 * bounded queue (429 with Retry-After), the API key, errors in OpenAI's shape, clients that
 * vanish mid-upload and mid-job, shutdown with a deadline, CORS only when asked, and the
 * server's packages never loaded by a program that only uses the library.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import { loadModel, type WhisperModel } from '../src';
import { createServer, type TranscriptionServer } from '../src/server';
import { longSpeech } from './support/audio';
import { JFK_WAV, ROOT } from './support/paths';
import { SERVED, metric, multipartBody, request } from './support/serve';

jest.setTimeout(180_000);

const jfk = fs.readFileSync(JFK_WAV);
let model: WhisperModel;
const servers: TranscriptionServer[] = [];

async function serve(options: Parameters<typeof createServer>[0] = {}): Promise<TranscriptionServer> {
  const server = await createServer({ model, port: 0, ...options });
  servers.push(server);
  return server;
}

function post(server: TranscriptionServer, fields: Record<string, string>, file: Buffer | undefined, headers: Record<string, string> = {}) {
  const { body, contentType } = multipartBody({ model: 'whisper-1', ...fields }, file);
  return request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
}

async function metrics(server: TranscriptionServer): Promise<string> {
  return (await request(`${server.url}/metrics`)).body;
}

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  model = await loadModel(SERVED.file, { threads: 2, maxConcurrency: 1 });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close({ timeoutMs: 0 })));
});
afterAll(() => model?.dispose());

describe('uploads', () => {
  test('past the limit: 413 as soon as the count passes it, while the client is still sending', async () => {
    const server = await serve({ maxUploadBytes: 100_000 });
    const { body, contentType } = multipartBody({ model: 'whisper-1' }, jfk); // 352 kB
    // Sent chunked (no Content-Length to refuse up front), and only the first 200 kB: the
    // answer must come while the rest is withheld.
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType, 'transfer-encoding': 'chunked' }, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      });
      req.on('error', (e) => (e.message.includes('EPIPE') || e.message.includes('ECONNRESET') ? undefined : reject(e)));
      req.write(body.subarray(0, 200_000));
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'file_too_large', param: 'file', type: 'invalid_request_error' } });
    expect(metric(await metrics(server), 'whisper_napi_errors_total{kind="too_large"}')).toBe(1);
    await until(() => server.stats().inFlight === 0, 'the refused upload lets go of its place');
  });

  test('a Content-Length past the limit is refused before the body is read', async () => {
    const server = await serve({ maxUploadBytes: 100_000 });
    const answer = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(50 * 1024 * 1024) }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', (e) => (e.message.includes('EPIPE') || e.message.includes('ECONNRESET') ? undefined : reject(e)));
      req.write('--x\r\n'); // 5 bytes of the announced 50 MiB
    });
    expect(answer).toBe(413);
  });

  test('bad requests get 400 with OpenAI error JSON', async () => {
    const server = await serve();
    const noFile = await post(server, {}, undefined);
    expect(noFile.status).toBe(400);
    expect(JSON.parse(noFile.body)).toEqual({ error: { message: "the form has no 'file' field with the audio", type: 'invalid_request_error', param: 'file', code: null } });
    const json = await request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.from('{"file":"x"}') });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body).error.message).toMatch(/multipart\/form-data/);
    const empty = await post(server, {}, Buffer.alloc(0));
    expect(JSON.parse(empty.body).error).toMatchObject({ code: 'invalid_audio' });
    const fine = await post(server, { response_format: 'json' }, jfk);
    expect(fine.status).toBe(200);
    const unknown = await request(`${server.url}/v1/nothing`);
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.body).error.message).toBe('no route GET /v1/nothing');
  });
});

describe('the queue', () => {
  test('full: 429 with Retry-After in OpenAI rate-limit shape, and the admitted job still succeeds', async () => {
    const server = await serve({ maxConcurrency: 1, maxQueue: 1 });
    const long = fs.readFileSync(longSpeech(60).file);
    const first = post(server, {}, long);
    const second = post(server, {}, long);
    await until(() => server.stats().inFlight === 2, 'two requests are admitted');
    const third = await post(server, {}, jfk);
    expect(third.status).toBe(429);
    expect(Number(third.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(JSON.parse(third.body)).toMatchObject({ error: { type: 'rate_limit_error', code: 'queue_full' } });
    expect((await first).status).toBe(200);
    expect((await second).status).toBe(200);
    const text = await metrics(server);
    expect(metric(text, 'whisper_napi_errors_total{kind="queue_full"}')).toBe(1);
    expect(metric(text, 'whisper_napi_transcriptions_total')).toBe(2);
    expect(metric(text, 'whisper_napi_audio_seconds_total')).toBeCloseTo(120, 0);
    expect(metric(text, 'whisper_napi_real_time_factor{scope="all"}')).toBeGreaterThan(0);
    expect(server.stats()).toMatchObject({ inFlight: 0, running: 0, waiting: 0 });
  });
});

describe('clients that go away', () => {
  test('killed mid-job: its job is aborted and nothing is left running', async () => {
    const server = await serve();
    const { body, contentType } = multipartBody({ model: 'whisper-1' }, fs.readFileSync(longSpeech(120).file));
    const req = http.request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType }, agent: false });
    req.on('error', () => undefined);
    req.end(body);
    await until(() => server.stats().running === 1, 'the job runs');
    const killedAt = Date.now();
    req.destroy();
    await until(() => server.stats().running === 0 && server.stats().inFlight === 0, 'the job is gone', 10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000); // aborted, not run to its end
    const text = await metrics(server);
    expect(metric(text, 'whisper_napi_errors_total{kind="client_disconnected"}')).toBe(1);
    expect(metric(text, 'whisper_napi_transcriptions_total')).toBe(0);
    expect(metric(text, 'whisper_napi_jobs_running')).toBe(0);
    // The server goes on serving.
    expect((await post(server, {}, jfk)).status).toBe(200);
  });

  test('killed mid-upload: no job is started and its place is given back', async () => {
    const server = await serve();
    const { body, contentType } = multipartBody({ model: 'whisper-1' }, fs.readFileSync(longSpeech(60).file));
    const req = http.request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(body.length) }, agent: false });
    req.on('error', () => undefined);
    req.write(body.subarray(0, body.length / 2));
    await until(() => server.stats().inFlight === 1, 'the upload is admitted');
    req.destroy();
    await until(() => server.stats().inFlight === 0, 'its place is given back', 10_000);
    const text = await metrics(server);
    expect(metric(text, 'whisper_napi_errors_total{kind="client_disconnected"}')).toBe(1);
    expect(metric(text, 'whisper_napi_transcriptions_total')).toBe(0);
    expect(metric(text, 'whisper_napi_queue_depth')).toBe(0);
    expect(metric(text, 'whisper_napi_jobs_running')).toBe(0);
  });
});

describe('shutdown', () => {
  test('close(): new requests are refused, a running job past the deadline is aborted with 503', async () => {
    const server = await serve();
    const running = post(server, {}, fs.readFileSync(longSpeech(120).file));
    await until(() => server.stats().running === 1, 'the job runs');
    const closing = server.close({ timeoutMs: 300 });
    const started = Date.now();
    const answer = await running;
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'shutting_down' });
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(request(`${server.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
    expect(model.disposed).toBe(false); // the model was passed in: still the caller's
  });

  test('close(): a job that finishes within the deadline is answered 200', async () => {
    const server = await serve();
    const running = post(server, {}, jfk);
    await until(() => server.stats().inFlight === 1, 'the job is admitted');
    await server.close({ timeoutMs: 60_000 });
    expect((await running).status).toBe(200);
  });
});

describe('CORS and packages', () => {
  test('no CORS headers unless asked; with an origin list, that origin only', async () => {
    const plain = await serve();
    const noCors = await request(`${plain.url}/v1/models`, { headers: { origin: 'https://example.com' } });
    expect(noCors.headers['access-control-allow-origin']).toBeUndefined();
    const open = await serve({ cors: ['https://app.example.com'] });
    const allowed = await request(`${open.url}/v1/models`, { headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await request(`${open.url}/v1/models`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  test('loopback by default', async () => {
    const server = await serve();
    expect(server.host).toBe('127.0.0.1');
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  test('a program that only uses the library never loads the server packages', () => {
    const script = `
      const lib = require(${JSON.stringify(path.join(ROOT, 'dist', 'cjs', 'index.js'))});
      lib.loadModel(${JSON.stringify(SERVED.file)}).then(async (m) => {
        await m.transcribe(${JSON.stringify(JFK_WAV)});
        await m.dispose();
        const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](fastify|@fastify)[\\\\/]/.test(f));
        process.stdout.write(JSON.stringify({ loaded, exported: typeof lib.createServer }));
      });`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { loaded: string[]; exported: string };
    expect(out).toEqual({ loaded: [], exported: 'function' });
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const name of ['fastify', '@fastify/multipart', '@fastify/cors']) expect(pkg.dependencies?.[name]).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
