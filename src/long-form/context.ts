/**
 * What a long-form runner (./smart-windows.ts, ./chunked.ts) needs from the model: jobs on
 * ranges of one staged signal, speech analysis, and the tokenizer. src/model.ts provides it
 * and owns cancellation (abort signal, dispose) and job tracking.
 */
import { SAMPLE_RATE } from '../audio/pcm';
import type { NativeJobEvent, NativeToken, NativeTranscribeParams, NativeTranscription } from '../native';

export { SAMPLE_RATE };

export interface SpeechAnalysis {
  /** RMS loudness of each 10-ms frame. */
  rms: Float32Array;
  /** Silero speech probability of each 32-ms frame; null without a VAD model. */
  speechProbabilities: Float32Array | null;
}

export interface LongFormContext {
  /** 16 kHz samples in the staged signal. */
  sampleCount: number;
  /**
   * The job's parameters, as for a single whisper.cpp call, less offset and duration: the
   * runners cover [from, to] themselves and give each job a range of samples.
   */
  params: Omit<NativeTranscribeParams, 'offsetMs' | 'durationMs'>;
  /** Tokens at or above this id are special (end of text, timestamps, ...). */
  eot: number;
  /** whisper.cpp keeps at most this many tokens of previous text as the prompt. */
  maxPromptTokens: number;
  /** Transcribes samples [start, end); rejects with the addon's error (an abort included). */
  run(range: [number, number], params: NativeTranscribeParams): Promise<NativeTranscription>;
  analyze(vadModel: string | undefined, threads: number): Promise<SpeechAnalysis>;
  tokenize(text: string): Int32Array;
  detokenize(tokens: readonly number[]): string;
  /** Streamed segments and progress (absolute times), for onSegment/onProgress. */
  emit(event: NativeJobEvent): void;
  /** Throws the abort or dispose error if the transcription was stopped. */
  throwIfStopped(): void;
  /** Cancels every running job of this transcription. */
  cancelRunning(): void;
}

/** Seconds to whisper.cpp's centiseconds. */
export const toTicks = (seconds: number) => Math.round(seconds * 100);

/** Samples [start, end) of the span [from, to] seconds, within the signal. */
export function sampleRange(ctx: LongFormContext, from: number, to: number): [number, number] {
  return [Math.round(from * SAMPLE_RATE), Math.min(ctx.sampleCount, Math.round(to * SAMPLE_RATE))];
}

/** The text tokens of a transcription's segments, in order. */
export function textTokens(result: NativeTranscription, eot: number): NativeToken[] {
  const tokens: NativeToken[] = [];
  for (const segment of result.segments) for (const token of segment.tokens ?? []) if (token.id < eot) tokens.push(token);
  return tokens;
}

/** A token with its times moved by `ticks` and clamped to [lo, hi] (centiseconds). */
export function shiftToken(token: NativeToken, ticks: number, lo: number, hi: number): NativeToken {
  const clamp = (t: number) => Math.min(hi, Math.max(lo, t + ticks));
  return { ...token, t0: clamp(token.t0), t1: clamp(token.t1) };
}
