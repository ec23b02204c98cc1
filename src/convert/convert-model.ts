/**
 * convertModel(): a CTranslate2 (faster-whisper) or Transformers Whisper checkpoint to a
 * ggml model file whisper.cpp loads. No Python: the readers and the writer are ours, and
 * they run in a worker thread, streaming tensor by tensor (a few megabytes in memory
 * whatever the model's size). The output appears only when complete: it is written to
 * `<output>.part` and renamed; on any failure nothing is left at either name.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

import { AbortError, ConversionError, InvalidOptionError } from '../errors';
import { QUANTIZATION_TYPES, quantizeModel, type QuantizationType } from '../models/quantize';
import type { ConvertJob, WorkerMessage } from './convert-worker';
import type { WriteProgress } from './ggml-writer';
import type { CheckpointFormat } from './whisper-plan';
import type { WhisperHparams } from './whisper-layout';

export const CONVERSION_TYPES = ['f16', 'f32', ...QUANTIZATION_TYPES] as const;
export type ConversionType = (typeof CONVERSION_TYPES)[number];

export interface ConvertModelOptions {
  /**
   * Weight type of the output. Default 'f16' (what whisper.cpp's own converter writes).
   * 'f32' keeps full precision; q8_0, q5_1, q5_0, q4_1 and q4_0 quantize the f16 result
   * with whisper.cpp's quantizer (see `quantizeModel`).
   */
  type?: ConversionType;
  /** Called after each tensor is written (of the f16/f32 pass). */
  onProgress?: (progress: WriteProgress) => void;
  /** Stops the conversion; the promise rejects with `AbortError` and nothing is left behind. */
  signal?: AbortSignal;
}

export interface ConversionResult {
  output: string;
  format: CheckpointFormat;
  type: ConversionType;
  /** The model's shape as written in the ggml header. */
  hparams: WhisperHparams;
  /** Size of the output file. */
  bytes: number;
  /**
   * Cross-attention heads that follow the alignment ([decoder layer, head]), when the
   * checkpoint names them; also written beside the output as `<output>.json`, for DTW word
   * timing later.
   */
  alignmentHeads?: [number, number][];
  seconds: number;
}

/** The compiled worker; under ts-jest (sources), the one in dist/, which the test setup keeps fresh. */
function workerScript(): string {
  return __filename.endsWith('.ts') ? path.resolve(__dirname, '..', '..', 'dist', 'cjs', 'convert', 'convert-worker.js') : path.join(__dirname, 'convert-worker.js');
}

function runWorker(job: ConvertJob, options: ConvertModelOptions): Promise<Extract<WorkerMessage, { kind: 'done' }>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerScript(), { workerData: job });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = () => settle(() => void worker.terminate().then(() => reject(new AbortError('the conversion was aborted'))));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (message: WorkerMessage) => {
      if (message.kind === 'progress') {
        const { kind: _, ...progress } = message;
        try {
          options.onProgress?.(progress);
        } catch (error) {
          // A throwing callback stops the conversion, as an abort does, with its error.
          settle(() => void worker.terminate().then(() => reject(error)));
        }
      } else if (message.kind === 'done') {
        settle(() => resolve(message));
      } else {
        const error = message.problem ? new ConversionError(message.problem, message.message) : new Error(message.message);
        if (!message.problem && message.stack) error.stack = message.stack;
        settle(() => reject(error));
      }
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the conversion worker exited (code ${code}) without a result`))));
  });
}

export async function convertModel(input: string, output: string, options: ConvertModelOptions = {}): Promise<ConversionResult> {
  if (typeof input !== 'string' || input === '' || typeof output !== 'string' || output === '') {
    throw new InvalidOptionError('convertModel(input, output, { type }) needs an input checkpoint and an output file path');
  }
  if (options === null || typeof options !== 'object') throw new InvalidOptionError('convertModel: options must be an object');
  const known = new Set(['type', 'onProgress', 'signal']);
  for (const key of Object.keys(options)) if (!known.has(key)) throw new InvalidOptionError(`convertModel: unknown option '${key}' (options: ${[...known].join(', ')})`);
  const type = options.type ?? 'f16';
  if (!(CONVERSION_TYPES as readonly string[]).includes(type)) {
    throw new InvalidOptionError(`convertModel: type must be one of ${CONVERSION_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') throw new InvalidOptionError('convertModel: onProgress must be a function');
  if (options.signal !== undefined && typeof (options.signal as Partial<AbortSignal> | null)?.addEventListener !== 'function') {
    throw new InvalidOptionError('convertModel: signal must be an AbortSignal');
  }
  if (options.signal?.aborted) throw new AbortError('the conversion was aborted');
  const started = Date.now();
  const target = path.resolve(output);
  if (path.resolve(input) === target) throw new InvalidOptionError('convertModel: the output must be another path than the input');
  const part = `${target}.part`;
  const quantized = type !== 'f16' && type !== 'f32';
  const floatPart = quantized ? `${target}.f16.part` : part;
  const sidecar = `${target}.json`;
  await fs.mkdir(path.dirname(target), { recursive: true });
  // A .part from an interrupted run is ours to replace.
  await Promise.all([fs.rm(part, { force: true }), fs.rm(floatPart, { force: true })]);
  try {
    const done = await runWorker({ input: path.resolve(input), file: floatPart, weights: type === 'f32' ? 'f32' : 'f16' }, options);
    if (quantized) {
      if (options.signal?.aborted) throw new AbortError('the conversion was aborted');
      await quantizeModel(floatPart, part, { type: type as QuantizationType });
    }
    await fs.rename(part, target);
    const result: ConversionResult = {
      output: target,
      format: done.format,
      type,
      hparams: done.hparams,
      bytes: (await fs.stat(target)).size,
      ...(done.alignmentHeads ? { alignmentHeads: done.alignmentHeads } : {}),
      seconds: (Date.now() - started) / 1000,
    };
    const metadata = { convertedFrom: path.resolve(input), format: done.format, type, alignmentHeads: done.alignmentHeads ?? null };
    await fs.writeFile(sidecar, `${JSON.stringify(metadata, null, 2)}\n`);
    return result;
  } catch (error) {
    await fs.rm(part, { force: true });
    throw error;
  } finally {
    if (quantized) await fs.rm(floatPart, { force: true });
  }
}
