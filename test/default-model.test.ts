/** The top-level transcribe(): which model it uses, and what it says when there is none. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEFAULT_MODEL, ModelNotFoundError, cacheDirectory, releaseModels, transcribe } from '../src';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

const saved = { ...process.env };
let emptyCache: string;

beforeEach(() => {
  emptyCache = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-cache-'));
  process.env.WHISPER_NAPI_CACHE = emptyCache;
  delete process.env.WHISPER_NAPI_MODEL;
});
afterEach(async () => {
  process.env = { ...saved };
  fs.rmSync(emptyCache, { recursive: true, force: true });
  await releaseModels();
});

test('without a model: ModelNotFoundError that says exactly how to get distil-medium.en', async () => {
  const error = await transcribe(jfk()).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelNotFoundError);
  const message = (error as Error).message;
  expect(message).toContain('distil-medium.en');
  expect(message).toContain(path.join(emptyCache, 'ggml-medium-32-2.en.bin'));
  expect(message).toContain(DEFAULT_MODEL.url);
  expect(message).toContain('WHISPER_NAPI_MODEL');
  expect(message).toContain('npx whisper-napi download distil-medium.en');
});

test('WHISPER_NAPI_CACHE decides the cache directory; platform defaults otherwise', () => {
  expect(cacheDirectory()).toBe(emptyCache);
  expect(cacheDirectory({ XDG_CACHE_HOME: '/x' }, 'linux')).toBe(path.join('/x', 'whisper-napi'));
  expect(cacheDirectory({}, 'darwin')).toBe(path.join(os.homedir(), 'Library', 'Caches', 'whisper-napi'));
  expect(cacheDirectory({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32')).toContain('whisper-napi');
});

test('the default file in the cache directory is used when present', async () => {
  fs.copyFileSync(modelPath(MODELS.micro), path.join(emptyCache, DEFAULT_MODEL.file));
  const t = await transcribe(jfk(), { threads: 2 });
  expect(t.segments.length).toBeGreaterThan(0);
});

test('WHISPER_NAPI_MODEL points at a model', async () => {
  process.env.WHISPER_NAPI_MODEL = modelPath(MODELS.micro);
  const t = await transcribe(jfk(), { threads: 2 });
  expect(t.segments.length).toBeGreaterThan(0);
});

test('options.model wins over the environment; a missing one names its source', async () => {
  process.env.WHISPER_NAPI_MODEL = '/does/not/exist.bin';
  const t = await transcribe(jfk(), { model: modelPath(MODELS.micro), threads: 2 });
  expect(t.segments.length).toBeGreaterThan(0);
  await expect(transcribe(jfk())).rejects.toThrow(/WHISPER_NAPI_MODEL/);
  await expect(transcribe(jfk(), { model: '/nope.bin' })).rejects.toThrow(/options\.model/);
});

test('bad audio is reported before the model is looked up', async () => {
  await expect(transcribe(new Float32Array(0))).rejects.toThrow(/empty/);
});
