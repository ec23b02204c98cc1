/**
 * WhisperModel: one loaded ggml model, shared by any number of transcriptions.
 *
 * Weights live in native memory owned by the addon. `dispose()` (or `await using`) frees
 * them deterministically once running jobs have stopped; if a model is simply dropped, the
 * addon's finalizer frees them when V8 collects it.
 */
import { checkPcm, stagePcm } from './audio';
import { native } from './binding';
import { AbortError, DisposedError, InvalidOptionError, fromNativeError } from './errors';
import { deriveModelInfo, type ModelInfo } from './model-info';
import type { NativeJob, NativeModel } from './native';
import {
  checkOptionsForModel,
  toNativeLoadOptions,
  toNativeParams,
  validateLoadOptions,
  validateTranscribeOptions,
  type LoadModelOptions,
  type TranscribeOptions,
} from './options';
import { buildTranscript, type Transcript } from './transcript';

// Every job running in this thread. At process.exit() libuv joins its thread pool, which
// would wait for each running transcription to finish (minutes, for long audio): cancel
// them first so exit is prompt. The listener is there only while jobs run.
const runningJobs = new Set<NativeJob>();
const cancelRunningJobs = () => {
  for (const job of runningJobs) job.cancel();
};

function track(job: NativeJob): void {
  if (runningJobs.size === 0) process.on('exit', cancelRunningJobs);
  runningJobs.add(job);
}

function untrack(job: NativeJob): void {
  if (runningJobs.delete(job) && runningJobs.size === 0) process.off('exit', cancelRunningJobs);
}

export class WhisperModel implements AsyncDisposable {
  /** Facts from the model file's header and how it was loaded. */
  readonly info: ModelInfo;

  #native: NativeModel | undefined;
  readonly #threads: number | undefined;
  readonly #jobs = new Set<{ job: NativeJob; settled: Promise<unknown> }>();
  #disposing: Promise<void> | undefined;

  private constructor(model: NativeModel, info: ModelInfo, threads: number | undefined) {
    this.#native = model;
    this.info = info;
    this.#threads = threads;
  }

  /** Loads a ggml whisper model on the libuv thread pool. Prefer the top-level `loadModel`. */
  static async load(path: string, options?: LoadModelOptions): Promise<WhisperModel> {
    if (typeof path !== 'string' || path.length === 0) {
      throw new InvalidOptionError(`loadModel(path): path must be a non-empty string, got ${path === '' ? 'an empty string' : typeof path}`);
    }
    const checked = validateLoadOptions(options);
    const model = new (native().Model)();
    let facts;
    try {
      facts = await model.load(path, toNativeLoadOptions(checked));
    } catch (error) {
      throw fromNativeError(error);
    }
    return new WhisperModel(model, deriveModelInfo(facts), checked.threads);
  }

  /** True once `dispose()` has been called. */
  get disposed(): boolean {
    return this.#native === undefined || this.#disposing !== undefined;
  }

  /**
   * Transcribes 16 kHz mono PCM. Runs on the libuv thread pool; long audio goes through
   * whisper.cpp's sequential long-form loop in one call.
   */
  async transcribe(audio: Float32Array, options?: TranscribeOptions): Promise<Transcript> {
    this.#live();
    const samples = checkPcm(audio);
    const checked = validateTranscribeOptions(options);
    checkOptionsForModel(checked, this.info);
    const params = toNativeParams(checked, this.#threads, this.info.multilingual);
    const signal = checked.signal;
    if (signal?.aborted) throw new AbortError('the transcription was aborted before it started', { cause: signal.reason });

    let job: NativeJob;
    try {
      const staged = await stagePcm(samples, signal);
      // Checked again: staging long audio yields to the event loop, and reading the
      // options may have run user code.
      job = this.#live().transcribe(staged, params);
    } catch (error) {
      throw fromNativeError(error);
    }
    const entry = { job, settled: job.promise.catch(() => undefined) };
    this.#jobs.add(entry);
    track(job);
    const onAbort = () => job.cancel();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const result = await job.promise;
      return buildTranscript(result, samples.length, params.language);
    } catch (error) {
      const mapped = fromNativeError(error);
      if (mapped instanceof AbortError && this.#disposing) {
        throw new DisposedError('the model was disposed while this transcription was running', { cause: mapped });
      }
      if (mapped instanceof AbortError && signal?.aborted && signal.reason !== undefined) {
        throw new AbortError(mapped.message, { cause: signal.reason });
      }
      throw mapped;
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#jobs.delete(entry);
      untrack(job);
    }
  }

  /**
   * Stops running transcriptions (they reject with `DisposedError`), waits for them to
   * leave native code, then frees the weights on the thread pool. Safe to call more than once.
   */
  dispose(): Promise<void> {
    if (this.#disposing) return this.#disposing;
    const jobs = [...this.#jobs];
    for (const { job } of jobs) job.cancel();
    const model = this.#native;
    this.#disposing = (async () => {
      await Promise.all(jobs.map((j) => j.settled));
      await model?.dispose();
      this.#native = undefined;
    })();
    return this.#disposing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  #live(): NativeModel {
    if (this.#native === undefined || this.#disposing !== undefined) throw new DisposedError();
    return this.#native;
  }
}

/** Loads a ggml whisper model file (any size, f32/f16/quantized) off the JS thread. */
export function loadModel(path: string, options?: LoadModelOptions): Promise<WhisperModel> {
  return WhisperModel.load(path, options);
}
