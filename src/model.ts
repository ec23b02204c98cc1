/**
 * WhisperModel: one loaded ggml model, shared by any number of transcriptions.
 *
 * Weights live in native memory owned by the addon. `dispose()` (or `await using`) frees
 * them deterministically once running jobs have stopped; if a model is simply dropped, the
 * addon's finalizer frees them when V8 collects it.
 */
import { type AudioInput, type StagedInput, SAMPLE_RATE, checkAudioInput, stageAudio } from './audio';
import { native } from './binding';
import { AbortError, DisposedError, InvalidOptionError, fromNativeError } from './errors';
import { audioTooLong, bytesPerSample, memoryBudget } from './memory';
import { LANGUAGES, languageCount } from './languages';
import { deriveModelInfo, type ModelInfo } from './model-info';
import { JobQueue } from './job-queue';
import {
  chooseLongForm,
  defaultChunkSeconds,
  transcribeInChunks,
  transcribeInWindows,
  type LongFormChoice,
  type LongFormContext,
  type SpeechAnalysis,
} from './long-form';
import { DEFAULT_SPEECH_DETECTION } from './long-form/speech';
import type { NativeJobEvent, NativeModel, NativeSegment, NativeTranscribeParams, NativeTranscription } from './native';
import {
  checkOptionsForModel,
  defaultThreads,
  validateDetectLanguageOptions,
  toNativeLoadOptions,
  toNativeParams,
  validateLoadOptions,
  validateTranscribeOptions,
  type LoadModelOptions,
  type TranscribeOptions,
} from './options';
import { speculativeReport } from './speculative';
import { resolveDtw } from './word-timing';
import { buildTranscript, isNoSpeechAnnotation, toSegment, type LongFormReport, type Segment, type Transcript } from './transcript';

// Every job running in this thread. At process.exit() libuv joins its thread pool, which
// would wait for each running transcription to finish (minutes, for long audio): cancel
// them first so exit is prompt. The listener is there only while jobs run.
const runningJobs = new Set<{ cancel(): void }>();
const cancelRunningJobs = () => {
  for (const job of runningJobs) job.cancel();
};

function track(job: { cancel(): void }): void {
  if (runningJobs.size === 0) process.on('exit', cancelRunningJobs);
  runningJobs.add(job);
}

function untrack(job: { cancel(): void }): void {
  if (runningJobs.delete(job) && runningJobs.size === 0) process.off('exit', cancelRunningJobs);
}

/**
 * Delivers a job's streamed segments and progress to the user's callbacks: each segment
 * exactly once and in order (events that arrive after the result are already covered by
 * it), progress increasing and ending at 100. A callback that throws aborts the job, and
 * its error is what the caller gets.
 */
class JobEvents {
  /** Cancels the transcription's native jobs (a callback threw). */
  job: { cancel(): void } | undefined;
  error: unknown;
  readonly listener: ((event: NativeJobEvent) => void) | undefined;
  #delivered = 0;
  #percent = -1;
  #closed = false;
  readonly #onSegment: TranscribeOptions['onSegment'];
  readonly #onProgress: TranscribeOptions['onProgress'];
  readonly #noSpeechThreshold: number | undefined;
  // Streamed segments come numbered as whisper.cpp numbers them; those that are no speech
  // (isNoSpeechAnnotation) are not in the transcript, and the ones after them move up.
  readonly #kept: boolean[] = [];

  constructor({ onSegment, onProgress, noSpeechThreshold }: TranscribeOptions) {
    this.#onSegment = onSegment;
    this.#onProgress = onProgress;
    this.#noSpeechThreshold = noSpeechThreshold;
    this.listener = onSegment || onProgress ? (event) => this.#handle(event) : undefined;
  }

  /** No callback runs after this (the job has settled and the caller has its answer). */
  close(): void {
    this.#closed = true;
  }

  /** Delivers what the events did not, from the final transcript. */
  finish(transcript: Transcript): void {
    this.#guard(() => {
      this.#segments(transcript.segments, 0);
      this.#progress(100);
    });
    if (this.error !== undefined) throw this.error;
  }

  #handle(event: NativeJobEvent): void {
    this.#guard(() => {
      if (event.type === 'segments') this.#streamed(event.segments.map(toSegment), event.index);
      else this.#progress(event.percent);
    });
  }

  #streamed(segments: Segment[], index: number): void {
    if (index > this.#kept.length) return; // a lost event: the final transcript fills the gap
    segments.forEach((s, i) => (this.#kept[index + i] = !isNoSpeechAnnotation(s, this.#noSpeechThreshold)));
    const before = this.#kept.slice(0, index).filter(Boolean).length;
    this.#segments(segments.filter((_, i) => this.#kept[index + i]), before);
  }

  #segments(segments: Segment[], index: number): void {
    // A gap (index past what was delivered) can only mean a lost event: the final
    // transcript fills it.
    if (!this.#onSegment || index > this.#delivered) return;
    for (let i = this.#delivered - index; i < segments.length; i++) {
      this.#delivered++;
      this.#onSegment(segments[i]!, index + i);
    }
  }

  #progress(percent: number): void {
    if (!this.#onProgress || percent <= this.#percent) return;
    this.#percent = percent;
    this.#onProgress(percent);
  }

  #guard(deliver: () => void): void {
    if (this.error !== undefined || this.#closed) return;
    try {
      deliver();
    } catch (error) {
      this.error = error ?? new Error('a transcription callback threw');
      this.job?.cancel();
    }
  }
}

export interface LanguageDetection {
  /** The most likely language code, e.g. 'de'. */
  language: string;
  /** Its probability. */
  probability: number;
  /** Probability of every language the model knows, by code. */
  probabilities: Record<string, number>;
}

export class WhisperModel implements AsyncDisposable {
  /** Facts from the model file's header and how it was loaded. */
  readonly info: ModelInfo;

  #native: NativeModel | undefined;
  readonly #threads: number | undefined;
  readonly #maxConcurrency: number;
  readonly #queue: JobQueue;
  readonly #jobs = new Set<{ job: { cancel(): void }; settled: Promise<unknown> }>();
  #disposing: Promise<void> | undefined;
  // Speculative decoding: each assistant model's check (checkAssistant), done once.
  readonly #assistantChecks = new WeakMap<WhisperModel, Promise<{ problem: string | null; sameEncoderWeights: boolean }>>();
  readonly #warnedAssistants = new WeakSet<WhisperModel>();

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
  async detectLanguage(audio: AudioInput, options: { threads?: number; sampleRate?: number; signal?: AbortSignal } = {}): Promise<LanguageDetection> {
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
      const pending = this.#live().detectLanguage(staged.audio, threads ?? this.#threads ?? defaultThreads());
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
      track(job);
      if (signal?.aborted) job.cancel(); // aborted while staging, or between windows
      return job.promise.finally(() => {
        running.delete(job);
        this.#jobs.delete(entry);
        untrack(job);
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
        ({ result, report } = await this.#runLongForm(staged, params, checked, choice, events, start, cancelRunning));
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
      // Long-form jobs shared the samples; each running job holds them until it ends.
      if (choice.mode !== 'native') staged.audio.release();
    }
  }

  /** Smart windows or chunks (src/long-form/), each a native job on a range of the staged audio. */
  async #runLongForm(
    staged: StagedInput,
    params: NativeTranscribeParams,
    checked: TranscribeOptions,
    choice: LongFormChoice,
    events: JobEvents,
    start: <T>(job: { promise: Promise<T>; cancel(): void }) => Promise<T>,
    cancelRunning: () => void,
  ): Promise<{ result: NativeTranscription; report: LongFormReport }> {
    const wantsTokens = Boolean(checked.tokens || checked.tokenTimestamps);
    // Token detail is needed for prompts and merging; the caller gets it only if asked.
    const strip = (segments: NativeSegment[]) => (wantsTokens ? segments : segments.map(({ tokens: _, ...rest }) => rest));
    const signal = checked.signal;
    const { offsetMs: _offset, durationMs: _duration, ...windowParams } = params; // covered by from/to below
    const context: LongFormContext = {
      sampleCount: staged.samples,
      params: windowParams,
      // whisper.cpp: <|endoftext|> is 50256 in English-only vocabularies, 50257 otherwise;
      // every id from there on is special (language, task, timestamps).
      eot: this.info.multilingual ? 50257 : 50256,
      maxPromptTokens: Math.floor(this.info.nTextCtx / 2) - 1,
      run: (range, p) => start(this.#live().transcribe(staged.audio, p, undefined, range)),
      analyze: (vadModel, threads): Promise<SpeechAnalysis> => start(native().analyzeSpeech(staged.audio, { vadModel, threads })),
      tokenize: (text) => this.#live().tokenize(text),
      detokenize: (tokens) => this.#live().detokenize(Int32Array.from(tokens)),
      emit: (event) => events.listener?.(event.type === 'segments' ? { ...event, segments: strip(event.segments) } : event),
      throwIfStopped: () => {
        if (events.error !== undefined) throw events.error; // a callback threw
        this.#live();
        if (signal?.aborted) throw new AbortError('the transcription was aborted', { cause: signal.reason });
      },
      cancelRunning,
    };
    const from = checked.offset ?? 0;
    const to = checked.duration ? from + checked.duration : Infinity;
    const started = performance.now();
    let result: NativeTranscription;
    let report: LongFormReport;
    if (choice.mode === 'smart') {
      const out = await transcribeInWindows(context, {
        from,
        to,
        vadModel: checked.vadModel,
        speechDetection: {
          threshold: checked.vadThreshold ?? DEFAULT_SPEECH_DETECTION.threshold,
          minSpeechMs: checked.vadMinSpeechMs ?? DEFAULT_SPEECH_DETECTION.minSpeechMs,
          minSilenceMs: checked.vadMinSilenceMs ?? DEFAULT_SPEECH_DETECTION.minSilenceMs,
          padMs: checked.vadSpeechPadMs ?? DEFAULT_SPEECH_DETECTION.padMs,
        },
        trimToSpeech: this.info.forcedNoTimestamps || Boolean(checked.noTimestamps),
        carryInitialPrompt: Boolean(checked.carryInitialPrompt),
        initialPrompt: checked.initialPrompt,
      });
      result = out.result;
      report = { ...choice, windows: out.windows };
    } else {
      const chunkSeconds = checked.chunkLength ?? defaultChunkSeconds(this.info);
      const out = await transcribeInChunks(context, {
        from,
        to,
        chunkSeconds,
        strideSeconds: checked.chunkStride ?? chunkSeconds / 6,
        parallel: checked.parallelChunks ?? this.#maxConcurrency,
        tokenTimes: Boolean(checked.tokenTimestamps),
      });
      result = out.result;
      report = { ...choice, chunks: out.chunks };
    }
    // Wall time: chunks run in parallel, so the jobs' own times overlap.
    result.totalMs = performance.now() - started;
    result.segments = strip(result.segments);
    return { result, report };
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
   * one (same vocabulary, text context and encoder shape; binding/assistant_pair.h). Whether
   * it may reuse this model's encoder output is decided once per pair, by comparing the
   * encoder weights off the JS thread.
   */
  async #assistant(candidate: unknown): Promise<Assistant> {
    if (typeof candidate !== 'object' || candidate === null || !(#native in candidate)) {
      throw new InvalidOptionError(`transcribe option 'assistantModel' must be a model loaded with loadModel(), got ${candidate === null ? 'null' : typeof candidate}`);
    }
    const model = candidate as WhisperModel;
    if (model.disposed) throw new DisposedError("transcribe option 'assistantModel': the assistant model has been disposed");
    let check = this.#assistantChecks.get(model);
    if (!check) {
      check = this.#live().checkAssistant(model.#live());
      this.#assistantChecks.set(model, check);
    }
    let result;
    try {
      result = await check;
    } catch (error) {
      this.#assistantChecks.delete(model); // e.g. disposed meanwhile: check again next time
      throw fromNativeError(error);
    }
    if (result.problem !== null) {
      throw new InvalidOptionError(`transcribe option 'assistantModel': ${model.info.type} cannot draft for ${this.info.type}: ${result.problem}`);
    }
    if (!result.sameEncoderWeights && !this.#warnedAssistants.has(model)) {
      this.#warnedAssistants.add(model);
      process.emitWarning(
        `the assistant model's encoder weights (${model.info.type}) differ from ${this.info.type}'s, so it runs its own encoder on every window: speculative decoding then saves less`,
        { code: 'WHISPER_NAPI_ASSISTANT_ENCODER' },
      );
    }
    return { model, sharesEncoder: result.sameEncoderWeights };
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
