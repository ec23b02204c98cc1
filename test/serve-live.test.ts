/**
 * Live transcription over a WebSocket (`GET /v1/audio/live`, issue 21) with the `ws`
 * client: jfk.wav sent as PCM16 frames at the pace it was spoken gets final text before the
 * audio has all been sent, and `done` with the whole text after `{"type":"end"}` (JFK's
 * words checked on the real tier's tiny.en; the structure only on a generated model). Bad
 * frames, limits, the API key (as a header or a subprotocol), other sites' pages, a client
 * that vanishes and the shutdown each end a session the documented way, and leave nothing
 * running.
 */
import * as fs from 'node:fs';

import WebSocket from 'ws';

import { loadModel, type WhisperModel } from '../src';
import { createServer, type ServerOptions, type TranscriptionServer } from '../src/server';
import { jfk } from './support/audio';
import { JFK_WAV } from './support/paths';
import { JFK_WORDS, SERVED, metric, multipartBody, normalize, request } from './support/serve';

jest.setTimeout(120_000);

/** A JSON text frame from the server. */
interface Message {
  type: string;
  text?: string;
  error?: { message: string; type: string; code: string | null };
  [key: string]: unknown;
}

interface Client {
  socket: WebSocket;
  messages: Message[];
  /** Each message as it arrived, with the PCM bytes sent before it. */
  arrivals: { message: Message; sentBytes: number }[];
  sentBytes: number;
  closed: Promise<{ code: number; reason: string }>;
  /** Resolves with the first message of `type` (already arrived or to come). */
  next(type: string): Promise<Message>;
  send(pcm: Buffer): void;
}

let model: WhisperModel;
const servers: TranscriptionServer[] = [];

beforeAll(async () => {
  model = await loadModel(SERVED.file, { threads: 2 });
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await model?.dispose();
});

async function serve(options: ServerOptions = {}): Promise<TranscriptionServer> {
  const server = await createServer({ model, port: 0, ...options });
  servers.push(server);
  return server;
}

function liveUrl(server: TranscriptionServer, query = ''): string {
  return `${server.url.replace(/^http/, 'ws')}/v1/audio/live${query}`;
}

/** jfk.wav's samples as PCM16 little-endian bytes. */
function jfkPcm16(): Buffer {
  const samples = jfk();
  const bytes = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768))), 2 * i);
  return bytes;
}

function connect(url: string, options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    const messages: Message[] = [];
    const waiting: { type: string; resolve: (m: Message) => void }[] = [];
    const client: Client = {
      socket,
      messages,
      arrivals: [],
      sentBytes: 0,
      closed: new Promise((resolveClosed) => socket.on('close', (code, reason) => resolveClosed({ code, reason: reason.toString() }))),
      next: (type) => {
        const found = messages.find((m) => m.type === type);
        return found ? Promise.resolve(found) : new Promise((r) => waiting.push({ type, resolve: r }));
      },
      send: (pcm) => {
        client.sentBytes += pcm.length;
        socket.send(pcm);
      },
    };
    socket.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      const message = JSON.parse(data.toString()) as Message;
      messages.push(message);
      client.arrivals.push({ message, sentBytes: client.sentBytes });
      for (const w of waiting.filter((w) => w.type === message.type)) w.resolve(message);
    });
    socket.on('open', () => resolve(client));
    socket.on('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    socket.on('error', reject);
  });
}

interface Refusal {
  status: number;
  body: { error?: { code: string | null; message: string; type: string } };
}

/**
 * The HTTP answer to an upgrade that is refused, once the server has ended the connection
 * (a refused upgrade's socket left open would hold server.close() forever), unless
 * `keptAlive`: a server without the WebSocket plugin answers an upgrade as a plain request.
 */
function refusal(url: string, options: { headers?: Record<string, string>; protocols?: string[]; keptAlive?: boolean } = {}): Promise<Refusal> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, options.protocols ?? [], { headers: options.headers });
    socket.on('unexpected-response', (_req, res) => {
      const connection = res.socket;
      const connectionClosed = new Promise((r) => (connection.destroyed || options.keptAlive ? r(undefined) : connection.once('close', r)));
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        const answer = { status: res.statusCode ?? 0, body: body ? (JSON.parse(body) as Refusal['body']) : {} };
        void connectionClosed.then(() => resolve(answer));
      });
    });
    socket.on('open', () => reject(new Error('the upgrade was accepted')));
    socket.on('error', reject);
  });
}

/** Sends `pcm` in frames of `frameMs`, at the pace it was spoken (wall clock). */
async function sendPaced(client: Client, pcm: Buffer, frameMs = 200): Promise<void> {
  const frameBytes = (16000 * 2 * frameMs) / 1000;
  const start = Date.now();
  for (let offset = 0, i = 0; offset < pcm.length; offset += frameBytes, i++) {
    const due = start + i * frameMs;
    if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
    if (client.socket.readyState !== WebSocket.OPEN) return;
    client.send(pcm.subarray(offset, offset + frameBytes));
  }
}

/** Waits until `check` holds (polling), or fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Nothing left: no session, no decode running or waiting. */
async function idle(server: TranscriptionServer): Promise<void> {
  await until(() => {
    const s = server.stats();
    return s.liveSessions === 0 && s.running === 0 && s.waiting === 0;
  });
}

/** A session of `server`, once the server said ready. */
async function session(server: TranscriptionServer, query = '', options: { headers?: Record<string, string>; protocols?: string[] } = {}): Promise<Client> {
  const client = await connect(liveUrl(server, query), options);
  await client.next('ready');
  return client;
}

/** The session ends the documented way: an error frame with `code`, then a close with `closeCode`. */
async function expectFailure(client: Client, code: string, closeCode: number): Promise<void> {
  expect((await client.next('error')).error).toMatchObject({ code });
  expect((await client.closed).code).toBe(closeCode);
}

describe('the protocol', () => {
  let server: TranscriptionServer;
  beforeAll(async () => {
    server = await serve();
  });

  // commit=agreement: words become final once two decodes agree, without waiting for the end
  // of the utterance (jfk.wav's pauses are too short to end one).
  test(`jfk.wav at the pace it was spoken: ready, final text before the audio is all sent, done after end, close 1000 (${SERVED.real ? 'real' : 'generated'} tiny.en)`, async () => {
    const client = await connect(liveUrl(server, '?commit=agreement'));
    const ready = await client.next('ready');
    expect(ready).toMatchObject({ type: 'ready', sampleRate: 16000, limits: { maxFrameBytes: 1024 * 1024, maxSeconds: 3600, idleTimeoutSeconds: 30 } });
    expect(client.messages[0]!.type).toBe('ready');
    expect(server.stats().liveSessions).toBe(1);
    const pcm = jfkPcm16();
    await sendPaced(client, pcm);
    client.socket.send(JSON.stringify({ type: 'end' }));
    const done = await client.next('done');
    const closed = await client.closed;
    expect(closed).toEqual({ code: 1000, reason: 'done' });

    const types = client.messages.map((m) => m.type);
    console.log(`live: ${types.join(' ')}; done: "${done.text}"`);
    expect(types[types.length - 1]).toBe('done');
    expect(types).not.toContain('error');
    expect(done.audioSeconds).toBeCloseTo(pcm.length / 2 / 16000, 3);
    const finals = client.arrivals.filter((a) => a.message.type === 'final');
    for (const { message } of finals) {
      expect(message).toEqual({ type: 'final', text: expect.any(String), words: expect.any(Array), endOfUtterance: expect.any(Boolean), at: expect.any(Number) });
    }
    if (SERVED.real) {
      // Live means before the end: the first final text came while audio was still being sent.
      expect(finals.length).toBeGreaterThan(0);
      expect(finals[0]!.sentBytes).toBeLessThan(pcm.length);
      expect(normalize(done.text!)).toContain(JFK_WORDS);
      expect(normalize(done.text!)).toBe(normalize(finals.map((f) => f.message.text).join(' ')));
    }
    await idle(server);
    const text = (await request(`${server.url}/metrics`)).body;
    expect(metric(text, 'whisper_napi_live_sessions')).toBe(0);
    expect(metric(text, 'whisper_napi_live_sessions_total')).toBeGreaterThanOrEqual(1);
    expect(metric(text, 'whisper_napi_live_audio_seconds_total')).toBeGreaterThanOrEqual(11);
  });

  test('an odd byte count is an error frame (invalid_audio) and close 1003', async () => {
    const client = await session(server);
    client.send(Buffer.alloc(3201));
    const error = await client.next('error');
    expect(error.error).toMatchObject({ code: 'invalid_audio', type: 'invalid_request_error' });
    expect(await client.closed).toEqual({ code: 1003, reason: 'invalid_audio' });
    await idle(server);
  });

  test('a text frame that is not JSON, or an unknown message, is an error frame (invalid_message) and close 1003', async () => {
    for (const text of ['hello', '{"type":"pause"}']) {
      const client = await session(server);
      client.socket.send(text);
      await expectFailure(client, 'invalid_message', 1003);
    }
    await idle(server);
  });

  test('a bad query is a plain 400 before the upgrade; a GET without the upgrade is 426', async () => {
    const bad = await refusal(liveUrl(server, '?sample_rate=fast'));
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ param: 'sample_rate' });
    expect((await refusal(liveUrl(server, '?sample_rate=12'))).status).toBe(400);
    expect((await refusal(liveUrl(server, '?language=de'))).body.error).toMatchObject({ param: 'language' });
    expect((await refusal(liveUrl(server, '?chunk_seconds=99'))).body.error).toMatchObject({ param: 'chunk_seconds' });
    expect((await refusal(liveUrl(server, '?commit=sometimes'))).body.error).toMatchObject({ param: 'commit' });
    const plain = await request(`${server.url}/v1/audio/live`);
    expect(plain.status).toBe(426);
    expect(plain.headers.upgrade).toBe('websocket');
    expect(server.stats().liveSessions).toBe(0);
  });

  test('a 48-kHz session (sample_rate) is resampled by the server', async () => {
    const client = await connect(liveUrl(server, '?sample_rate=48000'));
    expect((await client.next('ready')).sampleRate).toBe(48000);
    client.send(Buffer.alloc(48000 * 2)); // a second of silence
    client.socket.send(JSON.stringify({ type: 'end' }));
    expect((await client.next('done')).audioSeconds).toBeCloseTo(1, 3);
    expect((await client.closed).code).toBe(1000);
  });
});

describe('limits', () => {
  test('a frame over the size limit closes the session with 1009', async () => {
    const server = await serve({ maxLiveFrameBytes: 64 * 1024 });
    const client = await session(server);
    client.send(Buffer.alloc(64 * 1024)); // at the limit: taken
    client.send(Buffer.alloc(64 * 1024 + 2));
    expect((await client.closed).code).toBe(1009);
    await idle(server);
    expect(metric((await request(`${server.url}/metrics`)).body, 'whisper_napi_errors_total{kind="too_large"}')).toBe(1);
  });

  test('audio past maxLiveSeconds is an error frame (audio_too_long) and close 1009', async () => {
    const server = await serve({ maxLiveSeconds: 1 });
    const client = await session(server);
    client.send(Buffer.alloc(16000)); // 0.5 s
    client.send(Buffer.alloc(16000 + 2));
    await expectFailure(client, 'audio_too_long', 1009);
    await idle(server);
  });

  test('a client that sends nothing for liveIdleTimeoutMs gets an error frame (idle_timeout) and close 1008', async () => {
    const server = await serve({ liveIdleTimeoutMs: 300 });
    const client = await session(server);
    client.send(Buffer.alloc(3200));
    await expectFailure(client, 'idle_timeout', 1008);
    await idle(server);
  });

  test('one session more than maxLiveSessions is answered 429; a place given back is taken again', async () => {
    const server = await serve({ maxLiveSessions: 1 });
    const first = await session(server);
    const refused = await refusal(liveUrl(server));
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ type: 'rate_limit_error', code: 'too_many_live_sessions' });
    const health = JSON.parse((await request(`${server.url}/health`)).body) as { liveSessions: number; capacity: { maxLiveSessions: number } };
    expect(health).toMatchObject({ liveSessions: 1, capacity: { maxLiveSessions: 1 } });
    expect(metric((await request(`${server.url}/metrics`)).body, 'whisper_napi_live_sessions')).toBe(1);
    first.socket.close();
    await first.closed;
    await idle(server);
    const again = await session(server);
    again.socket.close();
    await again.closed;
  });

  test('maxLiveSessions 0 turns the endpoint off (404)', async () => {
    const server = await serve({ maxLiveSessions: 0 });
    expect((await refusal(liveUrl(server), { keptAlive: true })).status).toBe(404);
  });
});

describe('guards', () => {
  test('with an API key the upgrade needs it: as a header, or as the subprotocol bearer.<key> beside whisper-napi', async () => {
    const server = await serve({ apiKey: 'sesame' });
    const none = await refusal(liveUrl(server));
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ code: 'invalid_api_key' });
    expect((await refusal(liveUrl(server), { protocols: ['whisper-napi', 'bearer.open-up'] })).status).toBe(401);
    expect((await refusal(liveUrl(server), { headers: { authorization: 'Bearer open-up' } })).status).toBe(401);
    // Only an upgrade reads the key from the subprotocol header.
    expect((await request(`${server.url}/v1/models`, { headers: { 'sec-websocket-protocol': 'bearer.sesame' } })).status).toBe(401);

    const byHeader = await session(server, '', { headers: { authorization: 'Bearer sesame' } });
    byHeader.socket.close();
    const byProtocol = await session(server, '', { protocols: ['whisper-napi', 'bearer.sesame'] });
    // The server answers with its own protocol, never echoing the key.
    expect(byProtocol.socket.protocol).toBe('whisper-napi');
    byProtocol.socket.close();
    await Promise.all([byHeader.closed, byProtocol.closed]);
  });

  test("another site's page cannot open a session; the same origin and a CORS-allowed one can; a rebound host name cannot", async () => {
    const server = await serve({ cors: ['https://app.example.com'] });
    const foreign = await refusal(liveUrl(server), { headers: { origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ code: 'forbidden_origin' });
    const rebound = await refusal(liveUrl(server), { headers: { host: `attacker.example:${server.port}` } });
    expect(rebound.body.error).toMatchObject({ code: 'forbidden_host' });
    for (const origin of [server.url, 'https://app.example.com']) {
      const client = await session(server, '', { headers: { origin } });
      client.socket.close();
      await client.closed;
    }
  });
});

describe('ends that are not done', () => {
  test('a client that vanishes mid-session frees it: its decode stops and the model takes an HTTP request at once', async () => {
    const server = await serve();
    const client = await session(server);
    // Eight seconds at once: decodes queue up behind each other.
    client.send(jfkPcm16().subarray(0, 16000 * 2 * 8));
    await until(() => server.stats().running > 0);
    client.socket.terminate();
    await idle(server);
    const { body, contentType } = multipartBody({ model: 'whisper-1', response_format: 'text' }, fs.readFileSync(JFK_WAV));
    const started = Date.now();
    const answer = await request(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType }, body });
    expect(answer.status).toBe(200);
    console.log(`after the client vanished: the upload answered in ${Date.now() - started} ms`);
    expect(metric((await request(`${server.url}/metrics`)).body, 'whisper_napi_errors_total{kind="client_disconnected"}')).toBe(1);
  });

  test('server.close() mid-session: an error frame (shutting_down), then close 1001; close() resolves', async () => {
    const server = await createServer({ model, port: 0 });
    const client = await session(server);
    client.send(jfkPcm16().subarray(0, 16000 * 2 * 4));
    const closing = server.close({ timeoutMs: 5_000 });
    expect((await client.next('error')).error).toMatchObject({ code: 'shutting_down' });
    expect((await client.closed).code).toBe(1001);
    await closing;
    expect(server.stats()).toMatchObject({ liveSessions: 0, running: 0, waiting: 0 });
  });
});
