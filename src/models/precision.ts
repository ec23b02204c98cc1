/**
 * The precision a known model is used at. The model repositories publish f16 files, which
 * the downloader fetches and verifies; by default that file is what gets loaded. Another
 * precision loads a quantized copy of it, made once in the cache next to it.
 *
 * Why not q8_0 by default: with llamafile's f16 kernels (CMakeLists.txt) q8_0 gains little
 * on the CPU and costs some accuracy. On the speech set's 20 English clips (base, zen4, 2
 * threads, one process, the models alternating clip by clip, docs/benchmarks-real*.md for
 * the fresh-process runs): greedy with fallback, f16 49.3 s at 17.56 % WER against q8_0
 * 48.7 s at 18.45 %; without fallback 46.6 s at 17.56 % against 40.4 s at 23.31 % (a
 * repetition loop in one clip). It halves the weights' memory (base 343 -> 279 MB RSS).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { InvalidOptionError } from '../errors';
import { QUANTIZATION_TYPES, quantizeModel, type QuantizationType } from './quantize';

/** 'original': the published file as downloaded (f16); otherwise a quantized copy of it. */
export type ModelPrecision = 'original' | QuantizationType;

export const MODEL_PRECISIONS: readonly ModelPrecision[] = ['original', ...QUANTIZATION_TYPES];

export const DEFAULT_MODEL_PRECISION: ModelPrecision = 'original';

export function checkModelPrecision(value: unknown, where = "option 'precision'"): ModelPrecision {
  if (value === undefined) return DEFAULT_MODEL_PRECISION;
  if (!(MODEL_PRECISIONS as readonly unknown[]).includes(value)) {
    throw new InvalidOptionError(`${where} must be one of ${MODEL_PRECISIONS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as ModelPrecision;
}

/** Where the copy of `original` at `precision` lives: ggml-base.en.bin -> ggml-base.en-q8_0.bin. */
function fileAtPrecision(original: string, precision: ModelPrecision): string {
  if (precision === 'original') return original;
  const ext = path.extname(original);
  return path.join(path.dirname(original), `${path.basename(original, ext)}-${precision}${ext || '.bin'}`);
}

// One quantization per output file at a time in this process (another process writes its
// own temporary file and renames it into place, so two never mix).
const pending = new Map<string, Promise<string>>();

/**
 * The downloaded `original` at `precision`: the file itself for 'original', else its
 * quantized copy, made on first use and reused after.
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
