/**
 * The model downloader against a real HTTP server on 127.0.0.1: resume, verification,
 * errors, stalls, two processes at once, offline mode, a mirror, a proxy.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import {
  AbortError,
  ChecksumMismatchError,
  ModelDownloadError,
  ModelNotFoundError,
  OfflineError,
  downloadModel,
  resolveModel,
} from '../src';
import { ModelServer, TestProxy } from './support/model-server';
import { MODELS, modelPath } from './support/paths';

const run = promisify(execFile);
const content = fs.readFileSync(modelPath(MODELS.micro)); // a real (generated) model, 8 MB
const sha256 = createHash('sha256').update(content).digest('hex');
const savedEnv = { ...process.env };

let server: ModelServer;
let base: string;
let cacheDir: string;

beforeEach(async () => {
  // Nothing from the environment may route the tests elsewhere.
  for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'HF_ENDPOINT', 'WHISPER_NAPI_OFFLINE']) delete process.env[key];
  process.env.NO_PROXY = '*';
  server = new ModelServer(content);
  base = await server.start();
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-download-'));
});

afterEach(async () => {
  process.env = { ...savedEnv };
  await server.stop();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

function cacheContents(): string[] {
  return fs.readdirSync(cacheDir).sort();
}

test('a clean download: verified, renamed into place, nothing else left; a second call does not fetch', async () => {
  const progress: number[] = [];
  const file = await downloadModel(`${base}/model.bin`, { cacheDir, sha256, onProgress: (p) => progress.push(p.downloaded) });
  expect(file).toBe(path.join(cacheDir, 'model.bin'));
  expect(fs.readFileSync(file).equals(content)).toBe(true);
  expect(cacheContents()).toEqual(['model.bin']);
  expect(progress.at(-1)).toBe(content.length);
  expect(await downloadModel(`${base}/model.bin#sha256=${sha256}`, { cacheDir })).toBe(file);
  expect(server.requests).toHaveLength(1);
  expect(await resolveModel(`${base}/model.bin`, { cacheDir })).toBe(file);
});

test('a connection dropped half-way is resumed with Range: no byte fetched twice', async () => {
  const file = await downloadModel(`${base}/drop/model.bin`, { cacheDir, sha256 });
  expect(fs.readFileSync(file).equals(content)).toBe(true);
  expect(server.requests).toHaveLength(2);
  const [first, second] = server.requests;
  expect(first!.range).toBeUndefined();
  // The resume starts where the client's bytes end: at most what the server wrote before
  // the drop (bytes still in the socket's buffers when it was cut never arrived; seen on a
  // loaded machine: 3,975,018 of 4,010,068), and the file's checksum proves the offset right.
  const resumedAt = Number(/^bytes=(\d+)-$/.exec(second!.range ?? '')?.[1]);
  expect(resumedAt).toBeGreaterThan(0);
  expect(resumedAt).toBeLessThanOrEqual(first!.sent);
  // The second request fetched the rest and only the rest.
  expect(server.bytesSent - first!.sent).toBe(content.length - resumedAt);
});

test('an interrupted download is resumed by the next call', async () => {
  await expect(downloadModel(`${base}/drop/model.bin`, { cacheDir, sha256, retries: 0 })).rejects.toThrow(ModelDownloadError);
  expect(cacheContents()).toEqual(['model.bin.part']); // kept for resuming; the lock is gone
  const file = await downloadModel(`${base}/drop/model.bin`, { cacheDir, sha256 });
  expect(fs.readFileSync(file).equals(content)).toBe(true);
  expect(server.requests[1]!.range).toBe(`bytes=${server.requests[0]!.sent}-`);
  expect(server.bytesSent).toBe(content.length);
});

test('a checksum mismatch: a clear error, and nothing left in the cache', async () => {
  const wrong = 'ab'.repeat(32);
  const error = await downloadModel(`${base}/model.bin`, { cacheDir, sha256: wrong }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ChecksumMismatchError);
  expect((error as Error).message).toMatch(new RegExp(`has SHA256 ${sha256}, expected ${wrong}; the file was deleted`));
  expect(cacheContents()).toEqual([]);
});

test('HTTP 404 fails at once; HTTP 500 is retried, then fails; both leave nothing behind', async () => {
  const notFound = await downloadModel(`${base}/404#sha256=${sha256}`, { cacheDir }).catch((e: unknown) => e);
  expect(notFound).toBeInstanceOf(ModelDownloadError);
  expect(notFound).toMatchObject({ status: 404, message: expect.stringMatching(/HTTP 404/) });
  expect(server.requests).toHaveLength(1);
  const serverError = await downloadModel(`${base}/500#sha256=${sha256}`, { cacheDir, retries: 1 }).catch((e: unknown) => e);
  expect(serverError).toMatchObject({ status: 500, message: expect.stringMatching(/HTTP 500.*gave up after 2 attempts/) });
  expect(server.requests).toHaveLength(3);
  expect(cacheContents().filter((f) => !f.endsWith('.part'))).toEqual([]);
});

test('a server that stalls: `signal` aborts it, and the idle timeout ends it', async () => {
  const started = Date.now();
  const aborted = await downloadModel(`${base}/stall/model.bin`, { cacheDir, sha256, signal: AbortSignal.timeout(300) }).catch((e: unknown) => e);
  expect(aborted).toBeInstanceOf(AbortError);
  expect(Date.now() - started).toBeLessThan(5000);
  const timedOut = await downloadModel(`${base}/stall/model.bin`, { cacheDir, sha256, idleTimeoutMs: 300, retries: 0 }).catch((e: unknown) => e);
  expect(timedOut).toBeInstanceOf(ModelDownloadError);
  expect((timedOut as Error).message).toMatch(/failed after \d+ bytes/);
  expect(cacheContents()).not.toContain('model.bin');
}, 20_000);

test('two processes downloading the same model at once: one fetch, one good file', async () => {
  const child = () => run(process.execPath, [path.join(__dirname, 'support', 'download-child.js'), `${base}/slow/model.bin`, cacheDir, sha256], { timeout: 60_000, env: { ...process.env } });
  const [a, b] = await Promise.all([child(), child()]);
  const results = [JSON.parse(a.stdout), JSON.parse(b.stdout)];
  expect(results).toEqual([{ file: path.join(cacheDir, 'model.bin') }, { file: path.join(cacheDir, 'model.bin') }]);
  expect(fs.readFileSync(path.join(cacheDir, 'model.bin')).equals(content)).toBe(true);
  expect(server.requests).toHaveLength(1); // the second process waited for the first
  expect(cacheContents()).toEqual(['model.bin']);
}, 90_000);

test('WHISPER_NAPI_OFFLINE=1 forbids the network and says so; cached models still resolve', async () => {
  process.env.WHISPER_NAPI_OFFLINE = '1';
  const error = await downloadModel('tiny.en', { cacheDir }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OfflineError);
  expect((error as Error).message).toMatch(/WHISPER_NAPI_OFFLINE=1 forbids network access, and tiny\.en is not in the cache/);
  fs.writeFileSync(path.join(cacheDir, 'ggml-tiny.en.bin'), content);
  expect(await downloadModel('tiny.en', { cacheDir })).toBe(path.join(cacheDir, 'ggml-tiny.en.bin'));
  expect(server.requests).toHaveLength(0);
});

test('HF_ENDPOINT: known models come from the mirror (and are still verified against the pinned SHA-256)', async () => {
  process.env.HF_ENDPOINT = base;
  const error = await downloadModel('tiny.en', { cacheDir }).catch((e: unknown) => e);
  expect(server.requests.map((r) => r.path)).toEqual(['/ggerganov/whisper.cpp/resolve/main/ggml-tiny.en.bin']);
  // The mirror served our generated file, not the real tiny.en: refused.
  expect(error).toBeInstanceOf(ChecksumMismatchError);
  expect((error as Error).message).toMatch(/expected 921e4cf8686fdd993dcd081a5da5b6c365bfde1162e72b08d75ac75289920b1f/);
});

test('HTTP_PROXY is honoured', async () => {
  const proxy = new TestProxy();
  process.env.HTTP_PROXY = await proxy.start();
  delete process.env.NO_PROXY;
  try {
    const file = await downloadModel(`${base}/model.bin`, { cacheDir, sha256 });
    expect(fs.readFileSync(file).equals(content)).toBe(true);
    expect(proxy.seen.length).toBeGreaterThan(0);
    expect(proxy.seen[0]).toMatch(new RegExp(`${base.replace('http://', '')}`));
  } finally {
    await proxy.stop();
  }
});

test('resolveModel: a missing known model names the download command; paths and bad names', async () => {
  const error = await resolveModel('base.en', { cacheDir }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelNotFoundError);
  expect((error as Error).message).toMatch(/npx whisper-napi download base\.en/);
  expect((error as Error).message).toMatch(/148 MB/);
  expect(await resolveModel(modelPath(MODELS.micro))).toBe(modelPath(MODELS.micro));
  await expect(resolveModel('no-such-model', { cacheDir })).rejects.toThrow(/neither a file nor a known model id/);
  await expect(downloadModel('no-such-model', { cacheDir })).rejects.toThrow(/unknown model 'no-such-model': known models are distil-medium\.en/);
  await expect(downloadModel(`${base}/model.bin`, { cacheDir })).rejects.toThrow(/needs its SHA-256/);
});

test('NO_PROXY matching follows curl: *, hosts, domains and their subdomains, ports', () => {
  const { bypassesProxy, proxyFor } = jest.requireActual<typeof import('../src/models/proxy')>('../src/models/proxy');
  const url = new URL('https://cdn.huggingface.co/x.bin');
  expect(bypassesProxy(url, '*')).toBe(true);
  expect(bypassesProxy(url, 'huggingface.co')).toBe(true);
  expect(bypassesProxy(url, '.huggingface.co')).toBe(true);
  expect(bypassesProxy(url, 'example.com, cdn.huggingface.co:443')).toBe(true);
  expect(bypassesProxy(url, 'cdn.huggingface.co:8443')).toBe(false);
  expect(bypassesProxy(url, 'face.co')).toBe(false);
  expect(proxyFor(url, { HTTPS_PROXY: 'http://proxy:3128', HTTP_PROXY: 'http://other:1' })).toBe('http://proxy:3128');
  expect(proxyFor(new URL('http://a/b'), { https_proxy: 'http://p:1', http_proxy: 'http://q:2' })).toBe('http://q:2');
  expect(proxyFor(url, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: '.co' })).toBeUndefined();
});
