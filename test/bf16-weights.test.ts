/**
 * The bf16Weights load option: an f16 or f32 file's matrices are converted to bf16 while
 * loading (binding/model/model_file.h); quantized files load as they are.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InvalidOptionError, loadModel, quantizeModel } from '../src';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

const options = { threads: 2, temperatureIncrement: 0 };

test('an f16 model: held as bf16 (the same bytes), and it transcribes', async () => {
  await using f16 = await loadModel(modelPath(MODELS.micro));
  await using bf16 = await loadModel(modelPath(MODELS.micro), { bf16Weights: true });
  expect(f16.info.bf16Weights).toBe(false);
  expect(bf16.info.bf16Weights).toBe(true);
  expect(bf16.info.weightType).toBe('f16'); // as stored in the file
  expect(bf16.info.tensorBytes).toBe(f16.info.tensorBytes);
  expect((await bf16.transcribe(jfk(), options)).segments.length).toBeGreaterThan(0);
});

test('an f32 model: straight to bf16 (matrices) and f16 (convolution kernels)', async () => {
  await using f16 = await loadModel(modelPath(MODELS.micro));
  await using bf16 = await loadModel(modelPath(MODELS.microF32), { bf16Weights: true });
  expect(bf16.info.convertedFromF32).toBe(true);
  expect(bf16.info.bf16Weights).toBe(true);
  expect(bf16.info.tensorBytes).toBe(f16.info.tensorBytes);
  expect((await bf16.transcribe(jfk(), options)).segments.length).toBeGreaterThan(0);
});

test('a quantized model loads as it is; a bad value is an InvalidOptionError', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-bf16-'));
  try {
    const q8 = await quantizeModel(modelPath(MODELS.micro), path.join(dir, 'micro-q8_0.bin'), { type: 'q8_0' });
    await using model = await loadModel(q8, { bf16Weights: true });
    expect(model.info.weightType).toBe('q8_0');
    expect(model.info.bf16Weights).toBe(false);
    expect((await model.transcribe(jfk(), options)).segments.length).toBeGreaterThan(0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  // @ts-expect-error: not a boolean
  await expect(loadModel(modelPath(MODELS.micro), { bf16Weights: 'yes' })).rejects.toThrow(InvalidOptionError);
});
