/**
 * What every request passes before its route: the API key on every route but the page and
 * /health, however the path is spelled; a loopback server answering only to loopback host
 * names (DNS rebinding); and no form posts from other sites' pages unless CORS allows them.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';

import { loadModel, type WhisperModel } from '../src';
import { createServer, type TranscriptionServer } from '../src/server';
import { JFK_WAV } from './support/paths';
import { SERVED, multipartBody, request } from './support/serve';

jest.setTimeout(60_000);

let model: WhisperModel;
let guarded: TranscriptionServer;
let open: TranscriptionServer;

beforeAll(async () => {
  model = await loadModel(SERVED.file, { threads: 2 });
  guarded = await createServer({ model, port: 0, apiKey: 'sesame' });
  open = await createServer({ model, port: 0, cors: ['https://app.example.com'] });
});
afterAll(async () => {
  await guarded?.close();
  await open?.close();
  await model?.dispose();
});

/** A request line written by hand, as a client may send it (absolute form, odd encodings). */
function rawStatus(server: TranscriptionServer, lines: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(server.port, '127.0.0.1', () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    let data = '';
    socket.on('data', (c: Buffer) => (data += c.toString()));
    socket.on('end', () => resolve(Number(/^HTTP\/1\.1 (\d+)/.exec(data)?.[1] ?? 0)));
    socket.on('error', reject);
  });
}

describe('the API key', () => {
  test('is needed on /v1/* and /metrics, however the path is spelled', async () => {
    const { body, contentType } = multipartBody({ model: 'whisper-1' }, fs.readFileSync(JFK_WAV));
    for (const path of ['/v1/models', '/%761/models', '/v1/%6dodels', '/metrics', '/%6detrics', '/nowhere']) {
      expect([path, (await request(`${guarded.url}${path}`)).status]).toEqual([path, 401]);
    }
    for (const path of ['/v1/audio/transcriptions', '/%761/audio/transcriptions', '/v1/audio/translations']) {
      const answer = await request(`${guarded.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
      expect([path, answer.status]).toEqual([path, 401]);
      expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'invalid_api_key' } });
    }
    const absolute = await rawStatus(guarded, [`GET http://127.0.0.1:${guarded.port}/v1/models HTTP/1.1`, `Host: 127.0.0.1:${guarded.port}`, 'Connection: close']);
    expect(absolute).toBe(401);
  });

  test('a wrong one and none are refused alike; the right one passes; the page and /health are open', async () => {
    expect((await request(`${guarded.url}/v1/models`, { headers: { authorization: 'Bearer open-up' } })).status).toBe(401);
    expect((await request(`${guarded.url}/v1/models`, { headers: { authorization: 'sesame' } })).status).toBe(401);
    expect((await request(`${guarded.url}/v1/models`, { headers: { authorization: 'Bearer sesame' } })).status).toBe(200);
    expect((await request(`${guarded.url}/metrics`, { headers: { authorization: 'Bearer sesame' } })).status).toBe(200);
    expect((await request(`${guarded.url}/health`)).status).toBe(200);
    expect((await request(`${guarded.url}/`)).status).toBe(200);
    expect((await request(`${guarded.url}/app.js`)).status).toBe(200);
  });
});

describe('a loopback server stays private to this machine', () => {
  test('it answers only to loopback host names (a rebound DNS name gets 403)', async () => {
    const port = open.port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      expect([host, (await request(`${open.url}/v1/models`, { headers: { host } })).status]).toEqual([host, 200]);
    }
    const rebound = await request(`${open.url}/v1/models`, { headers: { host: `attacker.example:${port}` } });
    expect(rebound.status).toBe(403);
    expect(JSON.parse(rebound.body)).toMatchObject({ error: { code: 'forbidden_host' } });
  });

  test("another site's page cannot post audio to it; the same origin and CORS-allowed origins can", async () => {
    const { body, contentType } = multipartBody({ model: 'whisper-1', response_format: 'text' }, fs.readFileSync(JFK_WAV));
    const post = (headers: Record<string, string>) => request(`${open.url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType, ...headers }, body });
    const foreign = await post({ origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect(JSON.parse(foreign.body)).toMatchObject({ error: { code: 'forbidden_origin' } });
    expect((await post({ 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post({ origin: open.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await post({ origin: 'https://app.example.com', 'sec-fetch-site': 'cross-site' })).status).toBe(200);
    expect((await post({})).status).toBe(200); // clients that are not browsers send no Origin
  });

  test('every answer carries nosniff', async () => {
    expect((await request(`${open.url}/v1/models`)).headers['x-content-type-options']).toBe('nosniff');
    expect((await request(`${open.url}/nowhere`)).headers['x-content-type-options']).toBe('nosniff');
  });
});
