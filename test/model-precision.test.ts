/**
 * Known models at a precision: by default the downloaded f16 file itself ('original'); a
 * quantized copy of it, made once in the cache, when asked for.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { DEFAULT_MODEL, DEFAULT_MODEL_PRECISION, InvalidModelError, InvalidOptionError, loadModel, releaseModels, resolveModel, transcribe } from '../src';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

/** The ftype field of a ggml whisper header (after the magic and ten hyperparameters). */
function ftypeOf(file: string): number {
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(48);
    fs.readSync(fd, header, 0, 48, 0);
    return header.readInt32LE(44) % 1000; // whisper.cpp adds 1000 × the quantization version
  } finally {
    fs.closeSync(fd);
  }
}
const FTYPE = { f16: 1, q8_0: 7, q5_0: 8 };

const saved = { ...process.env };
let cacheDir: string;
beforeEach(() => {
  cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-precision-'));
  // A generated f16 model (the micro shape) standing in for the downloaded tiny.en.
  fs.copyFileSync(modelPath(MODELS.micro), path.join(cacheDir, 'ggml-tiny.en.bin'));
});
afterEach(async () => {
  process.env = { ...saved };
  await releaseModels();
  fs.rmSync(cacheDir, { recursive: true, force: true });
});

test("precision 'q8_0': a q8_0 copy of the downloaded file, made once and reused", async () => {
  const original = path.join(cacheDir, 'ggml-tiny.en.bin');
  const copy = await resolveModel('tiny.en', { cacheDir, precision: 'q8_0' });
  expect(copy).toBe(path.join(cacheDir, 'ggml-tiny.en-q8_0.bin'));
  expect(ftypeOf(original)).toBe(FTYPE.f16);
  expect(ftypeOf(copy)).toBe(FTYPE.q8_0);
  expect(fs.statSync(copy).size).toBeLessThan(fs.statSync(original).size);
  const madeAt = fs.statSync(copy).mtimeMs;
  expect(await resolveModel('tiny.en', { cacheDir, precision: 'q8_0' })).toBe(copy);
  expect(fs.statSync(copy).mtimeMs).toBe(madeAt);
  // The copy is a working model.
  const model = await loadModel(copy, { threads: 1 });
  try {
    expect((await model.transcribe(jfk(), { threads: 1 })).segments.length).toBeGreaterThan(0);
  } finally {
    await model.dispose();
  }
});

test("the default, 'original', is the downloaded file; other types get their own copy; paths are used as they are", async () => {
  expect(DEFAULT_MODEL_PRECISION).toBe('original');
  expect(await resolveModel('tiny.en', { cacheDir })).toBe(path.join(cacheDir, 'ggml-tiny.en.bin'));
  expect(await resolveModel('tiny.en', { cacheDir, precision: 'original' })).toBe(path.join(cacheDir, 'ggml-tiny.en.bin'));
  expect(fs.readdirSync(cacheDir)).toEqual(['ggml-tiny.en.bin']);
  const q5 = await resolveModel('tiny.en', { cacheDir, precision: 'q5_0' });
  expect(q5).toBe(path.join(cacheDir, 'ggml-tiny.en-q5_0.bin'));
  expect(ftypeOf(q5)).toBe(FTYPE.q5_0);
  const file = modelPath(MODELS.micro);
  expect(await resolveModel(file, { cacheDir, precision: 'q8_0' })).toBe(file);
});

test('concurrent first uses make one copy and leave no temporary files', async () => {
  const paths = await Promise.all([1, 2, 3].map(() => resolveModel('tiny.en', { cacheDir, precision: 'q8_0' })));
  expect(new Set(paths).size).toBe(1);
  expect(fs.readdirSync(cacheDir).sort()).toEqual(['ggml-tiny.en-q8_0.bin', 'ggml-tiny.en.bin']);
});

test('a bad precision is an InvalidOptionError; a damaged download is an InvalidModelError and leaves no copy', async () => {
  // @ts-expect-error: not a precision
  await expect(resolveModel('tiny.en', { cacheDir, precision: 'f8' })).rejects.toThrow(InvalidOptionError);
  // @ts-expect-error: not a precision
  await expect(transcribe(jfk(), { model: 'tiny.en', precision: 'fp16' })).rejects.toThrow(/transcribe option 'precision' must be one of original, q8_0/);
  const original = path.join(cacheDir, 'ggml-tiny.en.bin');
  fs.truncateSync(original, Math.floor(fs.statSync(original).size / 2));
  const error = await resolveModel('tiny.en', { cacheDir, precision: 'q8_0' }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidModelError);
  expect(fs.readdirSync(cacheDir)).toEqual(['ggml-tiny.en.bin']);
});

test("the top-level transcribe() uses the default model as downloaded, or its q8_0 copy with precision 'q8_0'", async () => {
  process.env.WHISPER_NAPI_CACHE = cacheDir;
  delete process.env.WHISPER_NAPI_MODEL;
  fs.copyFileSync(modelPath(MODELS.micro), path.join(cacheDir, DEFAULT_MODEL.file));
  const copy = path.join(cacheDir, DEFAULT_MODEL.file.replace(/\.bin$/, '-q8_0.bin'));
  expect((await transcribe(jfk(), { threads: 1 })).segments.length).toBeGreaterThan(0);
  expect(fs.existsSync(copy)).toBe(false);
  expect((await transcribe(jfk(), { threads: 1, precision: 'q8_0' })).segments.length).toBeGreaterThan(0);
  expect(ftypeOf(copy)).toBe(FTYPE.q8_0);
});
