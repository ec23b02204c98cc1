/**
 * The result of a transcription and the reports inside it: public types only. Nothing here
 * imports the modules that build these values (src/transcript.ts, src/long-form/,
 * src/speculative.ts), so every module can use them without an import cycle.
 */
import type { AudioSourceInfo } from '../audio/types';
import type { PlannedChunk } from '../long-form/chunks';
import type { MergeResult } from '../long-form/merge';
import type { PlannedWindow } from '../long-form/windows';

/** Which long-form algorithm ran (option `longForm`; src/long-form/index.ts says when each is chosen). */
export type LongFormMode = 'native' | 'smart' | 'chunked';

/** A smart window (`longForm: 'smart'`), in seconds. */
export interface WindowReport extends PlannedWindow {
  /** False when the VAD heard no speech in it: the window was not decoded. */
  transcribed: boolean;
}

/** A chunk of `longForm: 'chunked'`, in seconds. */
export interface ChunkReport extends PlannedChunk {
  /** How this chunk's text was joined to the previous one's. */
  join: MergeResult['joins'][number];
  /** Text tokens the chunk produced, and how many of them the merge kept. */
  tokens: number;
  keptTokens: number;
}

/** With option `assistantModel`: how speculative decoding went. */

export interface Token {
  id: number;
  text: string;
  /** Probability of the token. */
  probability: number;
  logProbability: number;
  /**
   * Seconds; meaningful with `tokenTimestamps: true`, or on a model loaded with `dtw`
   * (`transcript.wordTiming` says which timed them).
   */
  start: number;
  end: number;
}

export interface Segment {
  /** Seconds from the start of the audio. */
  start: number;
  end: number;
  text: string;
  /** Probability that the window holding this segment has no speech. */
  noSpeechProbability: number;
  /** Present with `tokens: true` or `tokenTimestamps: true`. */
  tokens?: Token[];
}

export interface TranscriptTimings {
  /** Wall time of the native job, queueing excluded. */
  totalMs: number;
  /** Seconds of audio transcribed. */
  audioSeconds: number;
  /** totalMs / audio duration: below 1 is faster than real time. */
  realTimeFactor: number;
  /** How many 30-s windows went through the encoder. */
  encoderRuns: number;
  /**
   * Tokens the decoder computed, prompts excluded: every beam, every attempt of the
   * temperature fallback, the drafts a speculative decode checked. Beam search computes
   * about `beamSize` for each token of text, and more where beams loop (`loopRepeats`).
   */
  decodedTokens: number;
}

/** Which long-form algorithm produced a transcript, and why (option `longForm`). */
export interface LongFormReport {
  mode: LongFormMode;
  reason: string;
  /** 'smart': the windows, in seconds, with why each ends where it does. */
  windows?: WindowReport[];
  /** 'chunked': the chunks, the part of each it speaks for, and how each was joined. */
  chunks?: ChunkReport[];
}

export interface Transcript {
  /** All segment texts joined, trimmed. */
  text: string;
  segments: Segment[];
  /** Language code: the one asked for, or the detected one with `language: 'auto'`. */
  language: string;
  timings: TranscriptTimings;
  /** The input as it was before conversion to 16 kHz mono. */
  audio: AudioSourceInfo;
  /** The long-form algorithm used, and why. */
  longForm: LongFormReport;
  /** With `assistantModel`: how speculative decoding went. */
  speculative?: SpeculativeReport;
  /**
   * How token and word times were found, when the segments have tokens with times:
   * `'dtw'` on a model loaded with the `dtw` option (alignment of the cross-attention),
   * `'heuristic'` with `tokenTimestamps: true` otherwise (whisper.cpp's timestamp-token
   * probabilities and signal energy). Absent when tokens carry no times.
   */
  wordTiming?: 'dtw' | 'heuristic';
}

export interface SpeculativeReport {
  /** The assistant's model type, e.g. `'distil-medium.en'`. */
  assistant: string;
  /**
   * `true` when the two encoders hold the same weights and the assistant decoded from this
   * model's encoder output (the encoder ran once per window); `false` when the assistant
   * ran its own encoder on each window.
   */
  encoderShared: boolean;
  /** Draft tokens the main model checked. */
  draftedTokens: number;
  /** Of those, the tokens the main model produced itself too. */
  acceptedTokens: number;
  /** `acceptedTokens / draftedTokens`; `0` when nothing was drafted. */
  acceptanceRate: number;
  /** Decoder passes the main model ran after each window's prompt. */
  decoderPasses: number;
  /** Decoder passes it did not need: one per accepted token. */
  decoderPassesSaved: number;
  /** Windows the assistant was prepared for (its cross-attention, or its own encoder pass). */
  assistantWindows: number;
  /**
   * Encoder passes the assistant ran, as whisper.cpp counts them on its state: `0` when the
   * encoder is shared, one per window otherwise. (`timings.encoderRuns` counts the main model's.)
   */
  assistantEncoderRuns: number;
  /** Milliseconds spent in the assistant: drafting, and preparing each window. */
  assistantMs: number;
  /**
   * `true` when the main model's checks were computed bit for bit as its one-token passes
   * (CPU backend with flash attention, our patch batch-invariant-decoding): the output is
   * then exactly what the main model gives alone. `false` on GPU backends, without flash
   * attention, or with quantized weights in AMX or KleidiAI buffers, where batched
   * arithmetic rounds differently and a near-tie between two tokens may resolve the other way.
   */
  exact: boolean;
}

/** The answer of `model.detectLanguage()`. */
export interface LanguageDetection {
  /** The most likely language code, e.g. 'de'. */
  language: string;
  /** Its probability. */
  probability: number;
  /** Probability of every language the model knows, by code. */
  probabilities: Record<string, number>;
}
