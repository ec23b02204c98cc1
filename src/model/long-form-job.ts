/**
 * Runs a transcription as smart windows or chunks (src/long-form/): each a native job on a
 * range of the staged audio, which they share until the caller releases it.
 */
import type { StagedInput } from '../audio';
import { native } from '../binding';
import { AbortError } from '../errors';
import { transcribeInChunks, transcribeInWindows, defaultChunkSeconds, type LongFormChoice, type LongFormContext, type SpeechAnalysis } from '../long-form';
import type { NativeModel, NativeSegment, NativeTranscribeParams, NativeTranscription } from '../native';
import { transcribeDefault } from '../options';
import type { ModelInfo } from '../types/model-info';
import type { TranscribeOptions } from '../types/options';
import type { LongFormReport } from '../types/transcript';
import type { JobEvents } from './job-events';

/** What a long-form run needs from the model and from the transcription that runs it. */
export interface LongFormJob {
  info: ModelInfo;
  /** The model's native handle; throws DisposedError once the model is disposed. */
  live: () => NativeModel;
  /** Default parallel chunks: the model's maxConcurrency. */
  maxConcurrency: number;
  staged: StagedInput;
  params: NativeTranscribeParams;
  checked: TranscribeOptions;
  choice: LongFormChoice;
  events: JobEvents;
  /** Registers a native job with the transcription (abort, dispose, exit) until it settles. */
  start: <T>(job: { promise: Promise<T>; cancel(): void }) => Promise<T>;
  cancelRunning: () => void;
}

export async function runLongForm(job: LongFormJob): Promise<{ result: NativeTranscription; report: LongFormReport }> {
  const { info, live, staged, params, checked, choice, events, start } = job;
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
    eot: info.multilingual ? 50257 : 50256,
    maxPromptTokens: Math.floor(info.nTextCtx / 2) - 1,
    run: (range, p) => start(live().transcribe(staged.audio, p, undefined, range)),
    analyze: (vadModel, threads): Promise<SpeechAnalysis> => start(native().analyzeSpeech(staged.audio, { vadModel, threads })),
    tokenize: (text) => live().tokenize(text),
    detokenize: (tokens) => live().detokenize(Int32Array.from(tokens)),
    emit: (event) => events.listener?.(event.type === 'segments' ? { ...event, segments: strip(event.segments) } : event),
    throwIfStopped: () => {
      if (events.error !== undefined) throw events.error; // a callback threw
      live();
      if (signal?.aborted) throw new AbortError('the transcription was aborted', { cause: signal.reason });
    },
    cancelRunning: job.cancelRunning,
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
        threshold: checked.vadThreshold ?? transcribeDefault('vadThreshold'),
        minSpeechMs: checked.vadMinSpeechMs ?? transcribeDefault('vadMinSpeechMs'),
        minSilenceMs: checked.vadMinSilenceMs ?? transcribeDefault('vadMinSilenceMs'),
        padMs: checked.vadSpeechPadMs ?? transcribeDefault('vadSpeechPadMs'),
      },
      trimToSpeech: info.forcedNoTimestamps || Boolean(checked.noTimestamps),
      carryInitialPrompt: Boolean(checked.carryInitialPrompt),
      initialPrompt: checked.initialPrompt,
    });
    result = out.result;
    report = { ...choice, windows: out.windows };
  } else {
    const chunkSeconds = checked.chunkLength ?? defaultChunkSeconds(info);
    const out = await transcribeInChunks(context, {
      from,
      to,
      chunkSeconds,
      strideSeconds: checked.chunkStride ?? chunkSeconds / 6,
      parallel: checked.parallelChunks ?? job.maxConcurrency,
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
