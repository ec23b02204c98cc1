/** Builds a transcript, in seconds, from the addon's centisecond values (types: src/types/transcript.ts). */
import type { AudioSourceInfo } from './audio/types';
import type { NativeSegment, NativeTranscription } from './native';
import { transcribeDefault } from './options/table';
import type { LongFormReport, Segment, Transcript } from './types/transcript';

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

const DEFAULT_NO_SPEECH_THRESHOLD: number = transcribeDefault('noSpeechThreshold');

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
      decodedTokens: result.decodedTokens,
    },
    audio,
    longForm,
  };
}
