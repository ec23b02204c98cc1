/**
 * Renders a Transcript as plain text, SubRip (SRT), WebVTT or JSON. Timestamps count hours
 * past 99 rather than wrapping, and are rounded to the millisecond.
 */
import type { Segment, Token, Transcript } from './types/transcript';

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

// whisper.cpp prints special tokens as [_BEG_], [_TT_150] (timestamps), [_SOT_], ...
const isSpecial = (token: Token) => /^\[_[^\]]*\]$/.test(token.text) || /^<\|.*\|>$/.test(token.text);

/**
 * Words of a segment, from its tokens (transcribe with `tokenTimestamps: true`): a token
 * that starts with a space begins a new word, others continue the current one.
 */
export function segmentWords(segment: Segment): Word[] {
  const words: (Word & { count: number })[] = [];
  for (const token of segment.tokens ?? []) {
    if (isSpecial(token) || token.text === '') continue;
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
}

/** Subtitle cues: the segments, or their words. */
function cues(transcript: Transcript, options: FormatOptions): { start: number; end: number; text: string }[] {
  if (!options.words) return transcript.segments;
  return transcript.segments.flatMap<{ start: number; end: number; text: string }>((s) => (s.tokens ? segmentWords(s) : [s]));
}

export function toSrt(transcript: Transcript, options: FormatOptions = {}): string {
  return cues(transcript, options)
    .map((s, i) => `${i + 1}\n${formatTimestamp(s.start, ',')} --> ${formatTimestamp(s.end, ',')}\n${s.text.trim()}\n`)
    .join('\n');
}

export function toVtt(transcript: Transcript, options: FormatOptions = {}): string {
  const lines = cues(transcript, options).map((s) => `${formatTimestamp(s.start, '.')} --> ${formatTimestamp(s.end, '.')}\n${s.text.trim()}\n`);
  return ['WEBVTT\n', ...lines].join('\n');
}

/** JSON with the text, language and segments; words too when tokens are present. */
export function toJson(transcript: Transcript): string {
  const segments = transcript.segments.map((s) => ({
    start: s.start,
    end: s.end,
    text: s.text.trim(),
    ...(s.tokens ? { words: segmentWords(s) } : {}),
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
      return toJson(transcript);
  }
}
