/**
 * WhisperModel: one loaded ggml model, shared by any number of transcriptions.
 *
 * Weights live in native memory owned by the addon. `dispose()` (or `await using`) frees
 * them deterministically once running jobs have stopped; if a model is simply dropped, the
 * addon's finalizer frees them when V8 collects it.
 */
import { type AudioInput, type StagedInput, SAMPLE_RATE, checkAudioInput, stageAudio } from '../audio';
import { AbortError, DisposedError, InvalidOptionError, fromNativeError } from '../errors';
import { JobQueue } from '../job-queue';
import { LANGUAGES, languageCount } from '../languages';
import { LiveTranscriber, checkLiveOptions } from '../live';
import { chooseLongForm } from '../long-form';
import { audioTooLong, bytesPerSample, memoryBudget } from '../memory';
import { deriveModelInfo } from '../model-info';
import { native } from '../binding';
import type { NativeModel, NativeTranscribeParams, NativeTranscription } from '../native';
import {
  checkOptionsForModel,
  defaultThreads,
  toNativeLoadOptions,
  toNativeParams,
  validateDetectLanguageOptions,
  validateLoadOptions,
  validateTranscribeOptions,
} from '../options';
import { speculativeReport } from '../speculative';
import { buildTranscript } from '../transcript';
import type { ModelInfo } from '../types/model-info';
import type { LiveOptions } from '../types/live';
import type { DetectLanguageOptions, LoadModelOptions, TranscribeOptions } from '../types/options';
import type { LanguageDetection, LongFormReport, Segment, Transcript } from '../types/transcript';
import { resolveDtw } from '../word-timing';
import { AssistantChecks } from './assistant';
import { JobEvents } from './job-events';
import { runLongForm } from './long-form-job';
import { trackJob, untrackJob } from './running-jobs';

/**
 * Transcribes with options and audio the caller has already validated (the top-level
 * `transcribe()`), so that each call checks them once. Set by WhisperModel's static block:
 * the only way to reach its private path from outside the class.
 */
export let transcribeValidated: (model: WhisperModel, audio: AudioInput, checked: TranscribeOptions) => Promise<Transcript>;

export class WhisperModel implements AsyncDisposable {
  /** Facts from the model file's header and how it was loaded. */
  readonly info: ModelInfo;

  #native: NativeModel | undefined;
  readonly #threads: number | undefined;
  readonly #maxConcurrency: number;
  readonly #queue: JobQueue;
  readonly #jobs = new Set<{ job: { cancel(): void }; settled: Promise<unknown> }>();
  #disposing: Promise<void> | undefined;
  readonly #assistantChecks = new AssistantChecks();

  static {
    transcribeValidated = (model, audio, checked) => model.#transcribe(audio, checked);
  }

  private constructor(model: NativeModel, info: ModelInfo, options: LoadModelOptions) {
    this.#native = model;
    this.info = info;
    this.#threads = options.threads;
    this.#maxConcurrency = options.maxConcurrency ?? 1;
    this.#queue = new JobQueue(this.#maxConcurrency);
  }

  /** Loads a ggml whisper model on the libuv thread pool. Prefer the top-level `loadModel`. */
  static async load(path: string, options?: LoadModelOptions): Promise<WhisperModel> {
    if (typeof path !== 'string' || path.length === 0) {
      throw new InvalidOptionError(`loadModel(path): path must be a non-empty string, got ${path === '' ? 'an empty string' : typeof path}`);
    }
    const checked = validateLoadOptions(options);
    const dtw = await resolveDtw(path, checked.dtw);
    const model = new (native().Model)();
    let facts;
    try {
      const dtwOptions = dtw ? { dtw: dtw.native, flashAttention: false } : {};
      facts = await model.load(path, { ...toNativeLoadOptions(checked), ...dtwOptions, memoryBudget: memoryBudget() });
    } catch (error) {
      throw fromNativeError(error);
    }
    return new WhisperModel(model, deriveModelInfo(facts, dtw?.info ?? null), checked);
  }

  /** How many transcriptions this model runs at once (the load option `maxConcurrency`). */
  get maxConcurrency(): number {
    return this.#maxConcurrency;
  }

  /** True once `dispose()` has been called. */
  get disposed(): boolean {
    return this.#native === undefined || this.#disposing !== undefined;
  }

  /**
   * Transcribes audio: PCM samples, an encoded file's bytes, or a file (see `AudioInput`).
   * Runs on the libuv thread pool; long audio goes through whisper.cpp's sequential
   * long-form loop in one call. The audio is read, decoded and resampled when the job gets
   * its slot (see `maxConcurrency`): leave a passed array unchanged until the promise
   * settles.
   */
  async transcribe(audio: AudioInput, options?: TranscribeOptions): Promise<Transcript> {
    this.#live();
    const checked = validateTranscribeOptions(options);
    checkAudioInput(audio, checked.sampleRate);
    return this.#transcribe(audio, checked);
  }

  async #transcribe(audio: AudioInput, checked: TranscribeOptions): Promise<Transcript> {
    this.#live();
    checkOptionsForModel(checked, this.info);
    const params = toNativeParams(checked, this.#threads, this.info.multilingual);
    const assistant = checked.assistantModel === undefined ? undefined : await this.#assistant(checked.assistantModel);
    const signal = checked.signal;
    if (signal?.aborted) throw new AbortError('the transcription was aborted before it started', { cause: signal.reason });

    await this.#queue.acquire(signal);
    try {
      if (signal?.aborted) throw new AbortError('the transcription was aborted before it started', { cause: signal.reason });
      if (assistant) {
        // Disposed while this job waited for its slot?
        if (assistant.model.disposed) throw new DisposedError("transcribe option 'assistantModel': the assistant model has been disposed");
        params.assistant = assistant.model.#live();
        params.assistantSharesEncoder = assistant.sharesEncoder;
      }
      return await this.#run(audio, params, checked, assistant);
    } finally {
      this.#queue.release();
    }
  }

  /**
   * Detects the spoken language from the first 30 s (one encoder pass), on multilingual
   * models. Waits for a slot like a transcription; `signal` can cancel it while it waits.
   */
  async detectLanguage(audio: AudioInput, options: DetectLanguageOptions = {}): Promise<LanguageDetection> {
    this.#live();
    const { threads, sampleRate, signal } = validateDetectLanguageOptions(options);
    checkAudioInput(audio, sampleRate);
    if (!this.info.multilingual) {
      throw new InvalidOptionError(`model ${this.info.type} is English-only: it transcribes English and has no languages to detect`);
    }
    if (signal?.aborted) throw new AbortError('language detection was aborted before it started', { cause: signal.reason });
    await this.#queue.acquire(signal);
    try {
      // whisper.cpp looks at the first 30 s only: stage (and decode) no more than that.
      const staged = await stageAudio(audio, { sampleRate, signal, maxSeconds: 30 });
      let pending: Promise<{ languageId: number; probabilities: number[] }>;
      try {
        pending = this.#live().detectLanguage(staged.audio, threads ?? this.#threads ?? defaultThreads());
      } finally {
        staged.audio.release(); // taken by the job, or left by a call that threw: free it now
      }
      // Not cancellable (one encoder pass), but dispose() waits for it like for a job.
      const entry = { job: { cancel: () => undefined }, settled: pending.catch(() => undefined) };
      this.#jobs.add(entry);
      const result = await pending
        .catch((error: unknown) => {
          throw fromNativeError(error);
        })
        .finally(() => this.#jobs.delete(entry));
      // Only the languages this vocabulary has: whisper.cpp also scores id 99 ('yue') on
      // 99-language models, where that token is <|translate|>.
      const count = languageCount(this.info.nVocab);
      const probabilities: Record<string, number> = {};
      let language: string = LANGUAGES[0];
      for (let i = 0; i < count; i++) {
        const code = LANGUAGES[i]!;
        probabilities[code] = result.probabilities[i] ?? 0;
        if (probabilities[code]! > probabilities[language]!) language = code;
      }
      return { language, probability: probabilities[language]!, probabilities };
    } finally {
      this.#queue.release();
    }
  }

  /** Jobs running now, and waiting for a slot (see `maxConcurrency`). */
  get jobs(): { running: number; waiting: number } {
    return { running: this.#queue.running, waiting: this.#queue.waiting };
  }

  async #run(audio: AudioInput, params: NativeTranscribeParams, checked: TranscribeOptions, assistant?: Assistant): Promise<Transcript> {
    const signal = checked.signal;
    const events = new JobEvents(checked);
    let staged: StagedInput | undefined;
    try {
      // Staged only now that a slot is ours: waiting jobs hold no native memory. Audio longer
      // than the memory budget allows is refused before it is allocated.
      const budget = memoryBudget();
      const perSample = bytesPerSample(this.info.nMels);
      const memory = { maxSamples: budget / perSample, error: () => audioTooLong(budget, perSample, SAMPLE_RATE) };
      staged = await stageAudio(audio, { sampleRate: checked.sampleRate, signal, memory });
      // Checked again: staging long audio yields to the event loop, and reading the
      // options may have run user code.
      this.#live();
    } catch (error) {
      staged?.audio.release();
      throw fromNativeError(error);
    }

    // Every native job of this transcription (one, or one per long-form window or chunk):
    // an abort cancels them, dispose() and process exit too.
    const running = new Set<{ cancel(): void }>();
    const cancelRunning = () => {
      for (const job of running) job.cancel();
    };
    const start = <T>(job: { promise: Promise<T>; cancel(): void }): Promise<T> => {
      running.add(job);
      const entry = { job, settled: job.promise.catch(() => undefined) };
      this.#jobs.add(entry);
      trackJob(job);
      if (signal?.aborted) job.cancel(); // aborted while staging, or between windows
      return job.promise.finally(() => {
        running.delete(job);
        this.#jobs.delete(entry);
        untrackJob(job);
      });
    };
    events.job = { cancel: cancelRunning };
    signal?.addEventListener('abort', cancelRunning);

    const choice = chooseLongForm(checked, this.info, staged.samples / SAMPLE_RATE);
    try {
      let result: NativeTranscription;
      let report: LongFormReport = { ...choice };
      if (choice.mode === 'native') {
        result = await start(this.#live().transcribe(staged.audio, params, events.listener));
      } else {
        const live = () => this.#live();
        ({ result, report } = await runLongForm({ info: this.info, live, maxConcurrency: this.#maxConcurrency, staged, params, checked, choice, events, start, cancelRunning }));
      }
      const transcript = buildTranscript(result, staged.samples, params.language, staged.source, report, checked.noSpeechThreshold);
      if (params.tokenDetails && (this.info.dtw || params.tokenTimestamps)) transcript.wordTiming = this.info.dtw ? 'dtw' : 'heuristic';
      if (assistant) transcript.speculative = speculativeReport(result.speculative, assistant.model.info.type, assistant.sharesEncoder);
      events.finish(transcript);
      return transcript;
    } catch (error) {
      if (events.error !== undefined) throw events.error;
      const mapped = fromNativeError(error);
      if (mapped instanceof AbortError && this.#disposing) {
        throw new DisposedError('the model was disposed while this transcription was running', { cause: mapped });
      }
      if (mapped instanceof AbortError && signal?.aborted && signal.reason !== undefined) {
        throw new AbortError(mapped.message, { cause: signal.reason });
      }
      throw mapped;
    } finally {
      events.close();
      signal?.removeEventListener('abort', cancelRunning);
      // On every path, not only the long-form one: a job that took the samples holds them
      // until it ends (release() then frees nothing more), long-form jobs share them until
      // theirs end, and a call that threw before taking them (say, a suppressRegex that
      // std::regex rejects) would otherwise leave them to the garbage collector.
      staged.audio.release();
    }
  }

  /**
   * Transcribes like `transcribe()`, yielding each segment as soon as whisper.cpp has
   * finished its window. Leaving the loop early (`break`, `return`, an exception) aborts the
   * job; an error of the job is thrown from the loop after the segments before it.
   *
   *   for await (const segment of model.transcribeStream(pcm)) show(segment.text);
   */
  async *transcribeStream(audio: AudioInput, options?: TranscribeOptions): AsyncGenerator<Segment, void, undefined> {
    const stop = new AbortController();
    const userSignal = options?.signal;
    const signal = userSignal ? AbortSignal.any([userSignal, stop.signal]) : stop.signal;
    const queue: Segment[] = [];
    let wake: (() => void) | undefined;
    let settled = false;
    let failure: { error: unknown } | undefined;
    const job = this.transcribe(audio, {
      ...options,
      signal,
      onSegment: (segment, index) => {
        options?.onSegment?.(segment, index);
        queue.push(segment);
        wake?.();
      },
    }).then(
      () => undefined,
      (error: unknown) => {
        failure = { error };
      },
    ).finally(() => {
      settled = true;
      wake?.();
    });
    try {
      for (;;) {
        while (queue.length > 0) yield queue.shift()!;
        if (settled) break;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
      if (failure) throw failure.error;
    } finally {
      if (!settled) {
        stop.abort(new AbortError('the consumer stopped reading the stream'));
        await job;
      }
    }
  }

  /**
   * Starts a live transcription: push PCM chunks as they arrive, get partial and final text
   * (events or `for await`), `end()` for the rest. Each decode is a job on this model's
   * queue; disposing the model fails the session. See LiveOptions and docs/live.md.
   *
   *   const live = model.live({ sampleRate: 48000 });
   *   live.on('final', (e) => append(e.text)).on('partial', (e) => showGrey(e.text));
   *   mic.on('data', (pcm) => live.push(pcm));
   *   const { text } = await live.end();
   */
  live(options?: LiveOptions): LiveTranscriber {
    this.#live();
    const checked = checkLiveOptions(options, !this.info.multilingual);
    return new LiveTranscriber({ info: this.info, transcribe: (audio, decodeOptions) => this.transcribe(audio, decodeOptions) }, checked);
  }

  /**
   * Stops running transcriptions (they reject with `DisposedError`), waits for them to
   * leave native code, then frees the weights on the thread pool. Safe to call more than once.
   */
  dispose(): Promise<void> {
    if (this.#disposing) return this.#disposing;
    this.#queue.rejectWaiting();
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

  /**
   * Option `assistantModel`, checked: a live model of this library that can draft for this
   * one (same vocabulary, text context and encoder shape; binding/speculative/assistant_pair.h). Whether
   * it may reuse this model's encoder output is decided once per pair, by comparing the
   * encoder weights off the JS thread.
   */
  async #assistant(candidate: unknown): Promise<Assistant> {
    if (typeof candidate !== 'object' || candidate === null || !(#native in candidate)) {
      throw new InvalidOptionError(`transcribe option 'assistantModel' must be a model loaded with loadModel(), got ${candidate === null ? 'null' : typeof candidate}`);
    }
    const model = candidate as WhisperModel;
    if (model.disposed) throw new DisposedError("transcribe option 'assistantModel': the assistant model has been disposed");
    const { sharesEncoder } = await this.#assistantChecks.check({ info: this.info, native: this.#live() }, model, { info: model.info, native: model.#live() });
    return { model, sharesEncoder };
  }
}

/** A checked assistant model for speculative decoding. */
interface Assistant {
  model: WhisperModel;
  /** Same encoder weights: it decodes from the main model's encoder output. */
  sharesEncoder: boolean;
}

/** Loads a ggml whisper model file (any size, f32/f16/quantized) off the JS thread. */
export function loadModel(path: string, options?: LoadModelOptions): Promise<WhisperModel> {
  return WhisperModel.load(path, options);
}
