/**
 * A transcript in OpenAI's response formats: `json` ({ text }), `text`, `srt`, `vtt` and
 * `verbose_json` (task, language, duration, segments with their statistics, words).
 */
import { deflateSync } from 'node:zlib';

import { firstSpecialToken, segmentWords, toSrt, toVtt, type Vocabulary } from '../formats';
import type { Segment, Transcript } from '../types/transcript';
import { languageName } from './language-names';
import type { AudioRequest } from './openai-request';

export interface RenderedResponse {
  contentType: string;
  body: string;
}

/** OpenAI's segment object (openai-python's `TranscriptionSegment`). */
export interface VerboseSegment {
  id: number;
  /** Where the segment starts, in 10-ms frames (Whisper's seek unit). */
  seek: number;
  start: number;
  end: number;
  text: string;
  tokens: number[];
  temperature: number;
  avg_logprob: number;
  compression_ratio: number;
  no_speech_prob: number;
}

export interface VerboseTranscription {
  task: 'transcribe' | 'translate';
  language: string;
  duration: number;
  text: string;
  segments?: VerboseSegment[];
  words?: { word: string; start: number; end: number }[];
  usage: { type: 'duration'; seconds: number };
}

/** gzip-style compression ratio of the text, as Whisper computes it to spot repetition loops. */
function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  return bytes.length === 0 ? 0 : bytes.length / deflateSync(bytes).length;
}

function round(value: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function verboseSegment(segment: Segment, id: number, temperature: number, vocabulary: Vocabulary): VerboseSegment {
  const special = firstSpecialToken(vocabulary);
  const textTokens = (segment.tokens ?? []).filter((t) => t.id < special);
  const logprob = textTokens.length > 0 ? textTokens.reduce((sum, t) => sum + t.logProbability, 0) / textTokens.length : 0;
  return {
    id,
    seek: Math.round(segment.start * 100),
    start: round(segment.start),
    end: round(segment.end),
    text: segment.text,
    tokens: (segment.tokens ?? []).map((t) => t.id),
    temperature,
    avg_logprob: round(logprob, 5),
    compression_ratio: round(compressionRatio(segment.text), 5),
    no_speech_prob: round(segment.noSpeechProbability, 5),
  };
}

export function verboseTranscription(transcript: Transcript, request: AudioRequest, vocabulary: Vocabulary): VerboseTranscription {
  const temperature = request.options.temperature ?? 0;
  const duration = round(transcript.timings.audioSeconds, 2);
  return {
    task: request.task,
    language: languageName(transcript.language),
    duration,
    text: transcript.text.trim(),
    ...(request.segments ? { segments: transcript.segments.map((s, i) => verboseSegment(s, i, temperature, vocabulary)) } : {}),
    ...(request.words
      ? { words: transcript.segments.flatMap((s) => segmentWords(s, vocabulary)).map((w) => ({ word: w.text, start: round(w.start), end: round(w.end) })) }
      : {}),
    usage: { type: 'duration', seconds: Math.ceil(transcript.timings.audioSeconds) },
  };
}

export function renderTranscript(transcript: Transcript, request: AudioRequest, vocabulary: Vocabulary): RenderedResponse {
  switch (request.responseFormat) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', body: JSON.stringify({ text: transcript.text.trim() }) };
    case 'text':
      return { contentType: 'text/plain; charset=utf-8', body: `${transcript.text.trim()}\n` };
    case 'srt':
      return { contentType: 'application/x-subrip; charset=utf-8', body: toSrt(transcript, { vocabulary }) };
    case 'vtt':
      return { contentType: 'text/vtt; charset=utf-8', body: toVtt(transcript, { vocabulary }) };
    case 'verbose_json':
      return { contentType: 'application/json; charset=utf-8', body: JSON.stringify(verboseTranscription(transcript, request, vocabulary)) };
  }
}
