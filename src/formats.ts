/**
 * Renders a Transcript as plain text, SubRip (SRT), WebVTT or JSON. Timestamps count hours
 * past 99 rather than wrapping, and are rounded to the millisecond.
 */
import type { Segment, Transcript } from './types/transcript';

export type TranscriptFormat = 'txt' | 'srt' | 'vtt' | 'json';

export interface Word {
  text: string;
  /** Seconds. */
  start: number;
  end: number;
  /** Mean probability of the word's tokens. */
  probability: number;
}

/** HH:MM:SS<sep>mmm, e.g. 01:02:03,456 (SRT) or 01:02:03.456 (WebVTT). */
export function formatTimestamp(seconds: number, separator: ',' | '.'): string {
  const totalMs = Math.max(0, Math.round(seconds * 1000));
  const ms = totalMs % 1000;
  const totalSeconds = (totalMs - ms) / 1000;
  const s = totalSeconds % 60;
  const m = Math.floor(totalSeconds / 60) % 60;
  const h = Math.floor(totalSeconds / 3600);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms, 3)}`;
}

/** What decides which token ids are special: whether the vocabulary is multilingual (`model.info` has it). */
export interface Vocabulary {
  multilingual: boolean;
}

/**
 * whisper.cpp's first special token, <|endoftext|>: 50256 in English-only vocabularies,
 * 50257 in multilingual ones (their text tokens go one further). Every id from there on is
 * special: start of transcript, language, task, no-timestamps, and the timestamp tokens
 * ([_TT_150]) that end most segments of real models.
 */
export function firstSpecialToken(vocabulary: Vocabulary): number {
  return vocabulary.multilingual ? 50257 : 50256;
}

/**
 * Words of a segment, from its tokens (transcribe with `tokenTimestamps: true`): a token
 * that starts with a space begins a new word, others continue the current one. Special
 * tokens (timestamps, end of text, ...) are told by id, whatever whisper.cpp names them:
 * pass the model's `info` (or `{ multilingual }`); without it, ids from 50256 on are special
 * (English-only vocabularies; in a multilingual one 50256 is a rare text token).
 */
export function segmentWords(segment: Segment, vocabulary: Vocabulary = { multilingual: false }): Word[] {
  const special = firstSpecialToken(vocabulary);
  const words: (Word & { count: number })[] = [];
  for (const token of segment.tokens ?? []) {
    if (token.id >= special || token.text === '') continue;
    const current = words[words.length - 1];
    if (current === undefined || /^\s/.test(token.text)) {
      words.push({ text: token.text.trim(), start: token.start, end: token.end, probability: token.probability, count: 1 });
    } else {
      current.text += token.text;
      current.end = token.end;
      current.probability += token.probability;
      current.count++;
    }
  }
  return words
    .filter((w) => w.text !== '')
    .map(({ count, ...w }) => ({ ...w, probability: w.probability / count }));
}

export function toText(transcript: Transcript): string {
  return transcript.segments.map((s) => s.text.trim()).filter(Boolean).join('\n') + '\n';
}

export interface FormatOptions {
  /** SRT/WebVTT: one cue per word (needs `tokenTimestamps`); other formats ignore it. */
  words?: boolean;
  /** The model's vocabulary (`model.info`), to tell special tokens from words (segmentWords). */
  vocabulary?: Vocabulary;
}

/**
 * Subtitle cues: the segments, or their words; none with empty (whitespace-only) text,
 * which players and editors reject.
 */
function cues(transcript: Transcript, options: FormatOptions): { start: number; end: number; text: string }[] {
  const all = options.words
    ? transcript.segments.flatMap<{ start: number; end: number; text: string }>((s) => (s.tokens ? segmentWords(s, options.vocabulary) : [s]))
    : transcript.segments;
  return all.map((c) => ({ start: c.start, end: c.end, text: c.text.trim() })).filter((c) => c.text !== '');
}

export function toSrt(transcript: Transcript, options: FormatOptions = {}): string {
  return cues(transcript, options)
    .map((s, i) => `${i + 1}\n${formatTimestamp(s.start, ',')} --> ${formatTimestamp(s.end, ',')}\n${s.text}\n`)
    .join('\n');
}

export function toVtt(transcript: Transcript, options: FormatOptions = {}): string {
  const lines = cues(transcript, options).map((s) => `${formatTimestamp(s.start, '.')} --> ${formatTimestamp(s.end, '.')}\n${s.text}\n`);
  return ['WEBVTT\n', ...lines].join('\n');
}

/** JSON with the text, language and segments; words too when tokens are present. */
export function toJson(transcript: Transcript, options: FormatOptions = {}): string {
  const segments = transcript.segments.map((s) => ({
    start: s.start,
    end: s.end,
    text: s.text.trim(),
    ...(s.tokens ? { words: segmentWords(s, options.vocabulary) } : {}),
  }));
  return JSON.stringify({ text: transcript.text, language: transcript.language, segments }, null, 2) + '\n';
}

export function formatTranscript(transcript: Transcript, format: TranscriptFormat, options: FormatOptions = {}): string {
  switch (format) {
    case 'txt':
      return toText(transcript);
    case 'srt':
      return toSrt(transcript, options);
    case 'vtt':
      return toVtt(transcript, options);
    case 'json':
      return toJson(transcript, options);
  }
}
