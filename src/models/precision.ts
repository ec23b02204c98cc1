/**
 * The precision a known model is used at. The model repositories publish f16 files; the
 * downloader fetches and verifies those, and by default a q8_0 copy made from the verified
 * file once, in the cache next to it, is what gets loaded.
 *
 * Why q8_0 by default (docs/benchmarks-real.md, zen4, 2 threads, greedy): base transcribed
 * the 20-clip English set in 42.9 s instead of 52.1 s, tiny.en in 30.4 s instead of 32.8 s,
 * at the same WER (base 18.55 % both, tiny.en 22.52 % against 22.72 %), and the weights
 * take half the memory. q5_0 and q4_0 cost accuracy (base q4_0: 28.4 %).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { InvalidOptionError } from '../errors';
import { QUANTIZATION_TYPES, quantizeModel, type QuantizationType } from './quantize';

/** 'original': the published file as downloaded (f16); otherwise a quantized copy of it. */
export type ModelPrecision = 'original' | QuantizationType;

export const MODEL_PRECISIONS: readonly ModelPrecision[] = ['original', ...QUANTIZATION_TYPES];

export const DEFAULT_MODEL_PRECISION: ModelPrecision = 'q8_0';

export function checkModelPrecision(value: unknown, where = "option 'precision'"): ModelPrecision {
  if (value === undefined) return DEFAULT_MODEL_PRECISION;
  if (!(MODEL_PRECISIONS as readonly unknown[]).includes(value)) {
    throw new InvalidOptionError(`${where} must be one of ${MODEL_PRECISIONS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as ModelPrecision;
}

/** Where the copy of `original` at `precision` lives: ggml-base.en.bin -> ggml-base.en-q8_0.bin. */
export function fileAtPrecision(original: string, precision: ModelPrecision): string {
  if (precision === 'original') return original;
  const ext = path.extname(original);
  return path.join(path.dirname(original), `${path.basename(original, ext)}-${precision}${ext || '.bin'}`);
}

// One quantization per output file at a time in this process (another process writes its
// own temporary file and renames it into place, so two never mix).
const pending = new Map<string, Promise<string>>();

/**
 * The downloaded `original` at `precision`: the file itself for 'original', else its
 * quantized copy, made on first use (seconds: base takes about 1 s, distil-medium.en about
 * 10 s on 2 cores) and reused after.
 */
export async function modelAtPrecision(original: string, precision: ModelPrecision): Promise<string> {
  const file = fileAtPrecision(original, precision);
  if (file === original) return original;
  const exists = await fs.promises.access(file).then(
    () => true,
    () => false,
  );
  if (exists) return file;
  let job = pending.get(file);
  if (!job) {
    job = quantizeModel(original, file, { type: precision as QuantizationType }).finally(() => pending.delete(file));
    pending.set(file, job);
  }
  return job;
}
