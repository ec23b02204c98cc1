/**
 * whisper-napi: local speech recognition with whisper.cpp, off the JS thread.
 *
 *   import { transcribe, loadModel } from 'whisper-napi';
 *   const { text } = await transcribe(pcm16kMono);           // default model
 *   await using model = await loadModel('ggml-tiny.en.bin');  // or your own
 *   const transcript = await model.transcribe(pcm16kMono, { threads: 4 });
 */
import { resolve as resolvePath } from 'node:path';

import { type AudioInput, checkAudioInput } from './audio';
import { native } from './binding';
import { checkModelPrecision, type ModelPrecision } from './models/precision';
import { resolveDefaultModelPath } from './models/resolve';
import { InvalidOptionError } from './errors';
import { WhisperModel, loadModel, transcribeValidated } from './model';
import { toNativeLoadOptions, validateLoadOptions, validateTranscribeOptions } from './options';
import type { LoadModelOptions, TranscribeOptions } from './types/options';
import type { Transcript } from './types/transcript';

export { WhisperModel, loadModel };
export { LANGUAGES } from './languages';
export { cacheDirectory } from './models/cache';
export { downloadModel, type DownloadModelOptions, type DownloadProgress } from './models/download';
export { DEFAULT_MODEL, KNOWN_MODELS, type KnownModel } from './models/registry';
export { resolveModel, type ResolveModelOptions } from './models/resolve';
export { DEFAULT_MODEL_PRECISION, MODEL_PRECISIONS, type ModelPrecision } from './models/precision';
export { QUANTIZATION_TYPES, quantizeModel, type QuantizationType } from './models/quantize';
export {
  CONVERSION_TYPES,
  convertModel,
  type ConversionResult,
  type ConversionType,
  type ConvertModelOptions,
} from './convert/convert-model';
export type { WriteProgress as ConversionProgress } from './convert/ggml-writer';
export type { WhisperHparams } from './convert/whisper-layout';
export type { CheckpointFormat } from './convert/whisper-plan';
export {
  AbortError,
  AddonLoadError,
  AudioDecodeError,
  ChecksumMismatchError,
  ConversionError,
  type ConversionProblem,
  DisposedError,
  InvalidAudioError,
  InvalidJobError,
  InvalidModelError,
  InvalidOptionError,
  LiveClosedError,
  ModelDownloadError,
  ModelNotFoundError,
  NativeError,
  OfflineError,
  OutOfMemoryError,
  QueueUnavailableError,
  TranscriptionJobError,
  UnsupportedAudioError,
  WhisperError,
  type WhisperErrorCode,
} from './errors';
export type { LiveTranscriber } from './live';
export type {
  LiveDecodingOptions,
  LiveEvent,
  LiveEventType,
  LiveFinalEvent,
  LiveLaggingEvent,
  LiveOptions,
  LivePartialEvent,
  LiveResult,
  LiveStats,
  LiveWord,
} from './types/live';
export { createServer, type ServerOptions, type ServerStats, type TranscriptionServer } from './server';
export {
  createWorker,
  enqueueTranscription,
  openTranscriptionQueue,
  type EnqueueOptions,
  type JobResultOptions,
  type QueueCounts,
  type QueuedTranscribeOptions,
  type TranscriptionInput,
  type TranscriptionJob,
  type TranscriptionJobState,
  type TranscriptionProgress,
  type TranscriptionQueue,
  type TranscriptionQueueOptions,
  type TranscriptionWorker,
  type WorkerOptions,
  type WorkerStats,
} from './workers';
export { decodeAudio, type AudioChannels, type AudioFormat, type AudioInput, type AudioSourceInfo } from './audio';
export type { AlignmentHead, AlignmentHeadsPreset, DtwInfo, DtwOption, DtwOptions, ModelInfo } from './types/model-info';
export type { AssistantModel, DetectLanguageOptions, LoadModelOptions, TranscribeOptions } from './types/options';
export type {
  ChunkReport,
  LanguageDetection,
  LongFormMode,
  LongFormReport,
  Segment,
  SpeculativeReport,
  Token,
  Transcript,
  TranscriptTimings,
  WindowReport,
} from './types/transcript';
export {
  formatTimestamp,
  formatTranscript,
  segmentWords,
  toJson,
  toSrt,
  toText,
  toVtt,
  type TranscriptFormat,
  type Word,
} from './formats';

export interface TopLevelTranscribeOptions extends TranscribeOptions {
  /**
   * Model to use: a file path, a known id (`'tiny.en'`, ...) or a URL already downloaded into
   * the cache (see `downloadModel`). Default: $WHISPER_NAPI_MODEL, else distil-medium.en.
   */
  model?: string;
  /**
   * The precision a known model id is used at: 'original' (default: the downloaded f16
   * file), or 'q8_0' (or another quantization type: a copy of it made once in the cache; half
   * the memory, a small accuracy cost: see the README's Models section). Paths and URLs are
   * used as they are.
   */
  precision?: ModelPrecision;
  /**
   * How to load the model. Each distinct (model file, load options) pair is loaded once and
   * kept until `releaseModels()`.
   */
  load?: LoadModelOptions;
}

// Models loaded by the top-level transcribe(), kept for reuse, keyed by the resolved path
// and the load options with their defaults filled in (so key order and spelled-out
// defaults don't load a second copy).
const cachedModels = new Map<string, Promise<WhisperModel>>();

function cacheKey(file: string, load: LoadModelOptions): string {
  const native = toNativeLoadOptions(load);
  return JSON.stringify([resolvePath(file), native.useGpu, native.gpuDevice, native.flashAttention, native.bf16Weights, native.maxConcurrency, load.threads ?? null, load.dtw ?? false]);
}

/**
 * Transcribes audio (PCM samples, an encoded file's bytes, or a file: see `AudioInput`)
 * with the default model (or `options.model`). The model is loaded on first use and kept;
 * `releaseModels()` frees it (a call still running on it then rejects with `DisposedError`).
 */
export async function transcribe(audio: AudioInput, options: TopLevelTranscribeOptions = {}): Promise<Transcript> {
  const { model: modelOption, load, precision, ...rest } = validateTranscribeOptions(options, ['model', 'load', 'precision']) as TopLevelTranscribeOptions;
  if (modelOption !== undefined && typeof modelOption !== 'string') {
    throw new InvalidOptionError(`transcribe option 'model' must be a path or a model id, got ${typeof modelOption}`);
  }
  checkAudioInput(audio, rest.sampleRate);
  const loadOptions = validateLoadOptions(load);
  const file = await resolveDefaultModelPath(modelOption, process.env, checkModelPrecision(precision, "transcribe option 'precision'"));
  const key = cacheKey(file, loadOptions);
  let pending = cachedModels.get(key);
  if (!pending) {
    pending = loadModel(file, loadOptions);
    cachedModels.set(key, pending);
    pending.catch(() => cachedModels.delete(key));
  }
  const model = await pending;
  // Options and audio were checked above: the model checks only what depends on it.
  return transcribeValidated(model, audio, rest);
}

/** Disposes the models kept by the top-level `transcribe()`. */
export async function releaseModels(): Promise<void> {
  const models = [...cachedModels.values()];
  cachedModels.clear();
  await Promise.all(models.map(async (m) => (await m.catch(() => undefined))?.dispose()));
}

/** Versions and the CPU features / backends compiled in. */
export function systemInfo(): { whisperCpp: string; features: string } {
  const addon = native();
  return { whisperCpp: addon.whisperCppVersion, features: addon.systemInfo() };
}
