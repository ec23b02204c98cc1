/** The result of a transcription, in seconds, built from the addon's centisecond values. */
import type { AudioSourceInfo } from './audio/types';
import type { ChunkReport, LongFormMode, WindowReport } from './long-form';
import type { NativeSegment, NativeTranscription } from './native';
import type { SpeculativeReport } from './speculative';

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

// whisper.cpp counts time in centiseconds. Divide (not multiply by 0.01) so 2990 -> 29.9 exactly.
const TICKS_PER_SECOND = 100;

export function toSegment(s: NativeSegment): Segment {
  const segment: Segment = {
    start: s.t0 / TICKS_PER_SECOND,
    end: s.t1 / TICKS_PER_SECOND,
    text: s.text,
    noSpeechProbability: s.noSpeechProb,
  };
  if (s.tokens) {
    segment.tokens = s.tokens.map((t) => ({
      id: t.id,
      text: t.text,
      probability: t.p,
      logProbability: t.plog,
      start: t.t0 / TICKS_PER_SECOND,
      end: t.t1 / TICKS_PER_SECOND,
    }));
  }
  return segment;
}

/** whisper.cpp's default `no_speech_thold` (option `noSpeechThreshold`). */
export const DEFAULT_NO_SPEECH_THRESHOLD = 0.6;

// Nothing but bracketed annotations: " [BLANK_AUDIO]", " (buzzing)", "[MUSIC] [APPLAUSE]".
const ANNOTATION_ONLY = /^(?:\s*(?:\[[^[\]]*\]|\([^()]*\)))+\s*$/;

/**
 * A segment that holds no speech: only a non-speech annotation, in a window the model itself
 * scores as silent (its no-speech probability above `noSpeechThreshold`). Such segments are
 * left out of transcripts and streams. whisper.cpp (like OpenAI's Whisper) drops a window as
 * silent only when its decoding is also unsure (average log-probability below
 * `logprobThreshold`), but on silence the models write "[BLANK_AUDIO]" with confidence:
 * tiny.en and base both do on 30 s of digital silence (no-speech probability 0.90, average
 * log-probability -0.56), and on faint noise (tiny.en, -45 and -60 dBFS). Suppressing the
 * annotation tokens instead (`suppressNonSpeech`) makes the models write words there
 * ("I'm going to go to the next one." over 30 s of -30 dBFS noise with base).
 * `noSpeechThreshold: 1` keeps them.
 */
export function isNoSpeechAnnotation(segment: Pick<Segment, 'text' | 'noSpeechProbability'>, noSpeechThreshold = DEFAULT_NO_SPEECH_THRESHOLD): boolean {
  return segment.noSpeechProbability > noSpeechThreshold && ANNOTATION_ONLY.test(segment.text);
}

export function buildTranscript(
  result: NativeTranscription,
  sampleCount: number,
  requestedLanguage: string,
  audio: AudioSourceInfo,
  longForm: LongFormReport,
  noSpeechThreshold = DEFAULT_NO_SPEECH_THRESHOLD,
): Transcript {
  const segments = result.segments.map(toSegment).filter((s) => !isNoSpeechAnnotation(s, noSpeechThreshold));
  const audioSeconds = sampleCount / 16000;
  return {
    text: segments.map((s) => s.text).join('').trim(),
    segments,
    language: result.language ?? requestedLanguage,
    timings: {
      totalMs: result.totalMs,
      audioSeconds,
      realTimeFactor: audioSeconds > 0 ? result.totalMs / 1000 / audioSeconds : 0,
      encoderRuns: result.encoderRuns,
    },
    audio,
    longForm,
  };
}
