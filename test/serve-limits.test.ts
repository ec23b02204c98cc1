/**
 * The server under misuse, over plain HTTP: the upload limit counted while streaming, the
 * bounded queue (429 with Retry-After), the API key, errors in OpenAI's shape, clients that
 * vanish mid-upload, mid-job and mid-stream, stalled uploads, shutdown with a deadline,
 * CORS only when asked, loopback by default.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as os from 'node:os';

import { loadModel, type WhisperModel } from '../src';
import { createServer, type TranscriptionServer } from '../src/server';
import { longSpeech } from './support/audio';
import { JFK_WAV } from './support/paths';
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

  test('a body that is not a form, a broken form, two files: 400, not 415 or 500', async () => {
    const server = await serve();
    const url = `${server.url}/v1/audio/transcriptions`;
    const wav = await request(url, { method: 'POST', headers: { 'content-type': 'audio/wav' }, body: jfk });
    expect([wav.status, JSON.parse(wav.body).error.param]).toEqual([400, 'file']);
    const broken = await request(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data; boundary=xyz' }, body: Buffer.from('--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.wav"\r\n\r\nRIFF') });
    expect(broken.status).toBe(400);
    expect(JSON.parse(broken.body).error.message).toMatch(/multipart body could not be read/);
    const noBoundary = await request(url, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: Buffer.from('hello') });
    expect(noBoundary.status).toBe(400);
    const boundary = 'twofiles';
    const part = (name: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="a.wav"\r\n\r\n${jfk.subarray(0, 1000).toString('latin1')}\r\n`;
    const two = await request(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, body: Buffer.from(`${part('file')}${part('file')}--${boundary}--\r\n`, 'latin1') });
    expect(two.status).toBe(400);
    expect(JSON.parse(two.body).error.message).toMatch(/more than one file part/);
    const text = await metrics(server);
    expect(metric(text, 'whisper_napi_errors_total{kind="internal"}')).toBe(0);
    await until(() => server.stats().inFlight === 0, 'every refused form gives its place back');
  });

  test('a prompt longer than the library takes, and a language the model lacks, name their field', async () => {
    const server = await serve();
    const long = await post(server, { prompt: 'x'.repeat(1025) }, jfk);
    expect([long.status, JSON.parse(long.body).error.param]).toEqual([400, 'prompt']);
    if (!model.info.multilingual) {
      const german = await post(server, { language: 'de' }, jfk);
      expect([german.status, JSON.parse(german.body).error.param]).toEqual([400, 'language']);
    }
  });

  test('an upload that stalls is dropped after uploadIdleTimeoutMs and gives its place back', async () => {
    const server = await serve({ uploadIdleTimeoutMs: 500 });
    const { body, contentType } = multipartBody({ model: 'whisper-1' }, jfk);
    const req = http.request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(body.length) }, agent: false });
    const ended = new Promise<string>((resolve) => {
      req.on('error', (e) => resolve(e.message));
      req.on('response', (res) => resolve(`status ${res.statusCode}`));
    });
    req.write(body.subarray(0, 1000)); // and nothing more
    await until(() => server.stats().inFlight === 1, 'the upload is admitted');
    const started = Date.now();
    expect(await ended).toMatch(/socket hang up|ECONNRESET/);
    expect(Date.now() - started).toBeLessThan(5_000);
    await until(() => server.stats().inFlight === 0, 'its place is given back', 5_000);
    expect(metric(await metrics(server), 'whisper_napi_errors_total{kind="upload_stalled"}')).toBe(1);
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
    // Two requests ahead, none finished yet: the assumed 5 s each, on one slot.
    expect(third.headers['retry-after']).toBe('10');
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

  test('gone mid-stream: the job is aborted, the stream ends, the place is given back', async () => {
    const server = await serve();
    const { body, contentType } = multipartBody({ model: 'whisper-1', stream: 'true' }, fs.readFileSync(longSpeech(120).file));
    const firstEvent = new Promise<http.ClientRequest>((resolve, reject) => {
      const req = http.request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType }, agent: false }, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
        res.once('data', () => resolve(req));
      });
      req.on('error', () => undefined);
      req.end(body);
      setTimeout(() => reject(new Error('no event in 60 s')), 60_000);
    });
    const req = await firstEvent;
    expect(server.stats().running).toBe(1); // the segment came while the job still ran
    const killedAt = Date.now();
    req.destroy();
    await until(() => server.stats().running === 0 && server.stats().inFlight === 0, 'the job is gone', 10_000);
    expect(Date.now() - killedAt).toBeLessThan(5_000);
    const text = await metrics(server);
    expect(metric(text, 'whisper_napi_errors_total{kind="client_disconnected"}')).toBe(1);
    expect(metric(text, 'whisper_napi_requests_total{route="/v1/audio/transcriptions",status="499"}')).toBe(1);
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
    // Listening stopped at once, while the job still runs.
    await expect(request(`${server.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
    expect(server.stats().running).toBe(1);
    const answer = await running;
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body).error).toMatchObject({ code: 'shutting_down' });
    await closing;
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(request(`${server.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
    expect(model.disposed).toBe(false); // the model was passed in: still the caller's
  });

  test('close(): an upload that stalls does not hold it past the deadline', async () => {
    const server = await serve();
    const { body, contentType } = multipartBody({ model: 'whisper-1' }, jfk);
    const req = http.request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType, 'content-length': String(body.length) }, agent: false });
    req.on('error', () => undefined);
    req.write(body.subarray(0, 1000));
    await until(() => server.stats().inFlight === 1, 'the upload is admitted');
    const started = Date.now();
    await server.close({ timeoutMs: 300 });
    // At the deadline the upload is ended (about 300 ms); cutting every connection 2 s later
    // is only the fallback.
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(server.stats().inFlight).toBe(0);
  });

  test('close(): a bad timeoutMs is refused without spoiling a later close()', async () => {
    const server = await serve();
    await expect(server.close({ timeoutMs: -1 })).rejects.toThrow(/timeoutMs/);
    await server.close({ timeoutMs: 100 });
    await expect(request(`${server.url}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('a model disposed under the server: /health says so with 503, and jobs get 503', async () => {
    const own = await loadModel(SERVED.file, { threads: 2 });
    const server = await serve({ model: own });
    await own.dispose();
    const health = await request(`${server.url}/health`);
    expect([health.status, JSON.parse(health.body).status]).toEqual([503, 'model_disposed']);
    const refused = await post(server, {}, jfk);
    expect([refused.status, JSON.parse(refused.body).error.code]).toEqual([503, 'model_disposed']);
    await expect(createServer({ model: own, port: 0 })).rejects.toThrow(/already disposed/);
  });

  test('close(): a job that finishes within the deadline is answered 200', async () => {
    const server = await serve();
    const running = post(server, {}, jfk);
    await until(() => server.stats().inFlight === 1, 'the job is admitted');
    await server.close({ timeoutMs: 60_000 });
    expect((await running).status).toBe(200);
  });
});

describe('CORS and loopback', () => {
  test('no CORS headers unless asked; with an origin list, that origin only', async () => {
    const plain = await serve();
    const noCors = await request(`${plain.url}/v1/models`, { headers: { origin: 'https://example.com' } });
    expect(noCors.headers['access-control-allow-origin']).toBeUndefined();
    const open = await serve({ cors: ['https://app.example.com'] });
    const allowed = await request(`${open.url}/v1/models`, { headers: { origin: 'https://app.example.com' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const other = await request(`${open.url}/v1/models`, { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    // A browser's preflight before its POST (with an Authorization header it must ask first).
    const preflight = (server: TranscriptionServer, origin: string) =>
      request(`${server.url}/v1/audio/transcriptions`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' } });
    const asked = await preflight(open, 'https://app.example.com');
    expect([asked.status, asked.headers['access-control-allow-origin'], asked.headers['access-control-allow-methods']]).toEqual([204, 'https://app.example.com', 'GET, POST']);
    expect((await preflight(open, 'https://evil.example.com')).headers['access-control-allow-origin']).toBeUndefined();
    expect((await preflight(plain, 'https://app.example.com')).headers['access-control-allow-origin']).toBeUndefined();
  });

  // The machine's own non-loopback address, if it has one, must not reach the server.
  const external = Object.values(os.networkInterfaces())
    .flat()
    .find((i) => i !== undefined && i.family === 'IPv4' && !i.internal)?.address;
  (external ? test : test.skip)(`loopback by default: ${external ?? 'this machine has no other address'} is refused`, async () => {
    const server = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect((await request(`${server.url}/health`)).status).toBe(200);
    await expect(request(`http://${external}:${server.port}/health`)).rejects.toThrow(/ECONNREFUSED/);
  });

});
