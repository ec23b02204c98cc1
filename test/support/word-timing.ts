/**
 * Word-timing accuracy against speech whose every word's start and end are known: words
 * spoken one at a time and joined with gaps (scripts/speech-set/make-word-timing-set.js), and
 * connected speech timed by espeak-ng's own events (make-connected-timing-set.js). The
 * recognised words are aligned to the reference words (Levenshtein on normalized words) and
 * only words recognised exactly are scored; of those, only the edges known exactly (not the
 * ones the connected set knows only within a window).
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { ROOT } from './paths';
import type { RealTier } from './real-tier';

export interface TimedWord {
  text: string;
  /** Seconds. */
  start: number;
  end: number;
}

export interface WordTimingClip {
  id: string;
  /** Absolute path. */
  file: string;
  voice: string;
  durationS: number;
  reference: string;
  /** A window is where the edge lies when it is not known exactly (its middle is startS or endS). */
  words: { text: string; startS: number; endS: number; startWindowS?: [number, number]; endWindowS?: [number, number] }[];
}

export interface WordTimingSet {
  durationS: number;
  wordCount: number;
  noiseDbfs: number;
  clips: WordTimingClip[];
}

type MakeSet = (options?: { out?: string; quiet?: boolean }) => string;
/* eslint-disable @typescript-eslint/no-require-imports */
const { makeWordTimingSet } = require('../../scripts/speech-set/make-word-timing-set.js') as { makeWordTimingSet: MakeSet };
const { makeConnectedTimingSet } = require('../../scripts/speech-set/make-connected-timing-set.js') as { makeConnectedTimingSet: MakeSet };
/* eslint-enable @typescript-eslint/no-require-imports */

/** Words spoken one at a time, joined with gaps: generated into .cache/word-timing-set on first use (needs espeak-ng and sox). */
export function wordTimingSet(): WordTimingSet {
  return loadSet(makeWordTimingSet({ quiet: true }));
}

/** Connected speech: generated into .cache/connected-timing-set on first use (needs espeak-ng, sox and python3). */
export function connectedTimingSet(): WordTimingSet {
  return loadSet(makeConnectedTimingSet({ quiet: true }));
}

function loadSet(manifestPath: string): WordTimingSet {
  const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8')) as WordTimingSet;
  return { ...manifest, clips: manifest.clips.map((clip) => ({ ...clip, file: path.resolve(path.dirname(manifestPath), clip.file) })) };
}

export const normalizeWord = (word: string): string => word.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');

/** Pairs (reference, recognised) of the words a minimum-edit alignment matches exactly. */
export function matchWords<R extends { text: string }, H extends { text: string }>(reference: R[], recognised: H[]): [R, H][] {
  const ref = reference.map((w) => normalizeWord(w.text));
  const hyp = recognised.map((w) => normalizeWord(w.text));
  const n = ref.length;
  const m = hyp.length;
  const d = Array.from({ length: n + 1 }, (_, i) => Int32Array.from({ length: m + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1));
  }
  const pairs: [R, H][] = [];
  for (let i = n, j = m; i > 0 && j > 0; ) {
    const same = ref[i - 1] === hyp[j - 1];
    if (d[i]![j] === d[i - 1]![j - 1]! + (same ? 0 : 1)) {
      if (same && ref[i - 1] !== '') pairs.push([reference[i - 1]!, recognised[j - 1]!]);
      i--;
      j--;
    } else if (d[i]![j] === d[i - 1]![j]! + 1) {
      i--;
    } else {
      j--;
    }
  }
  return pairs.reverse();
}

export interface ErrorStats {
  /** Milliseconds. */
  mean: number;
  median: number;
  p90: number;
}

export function errorStats(errorsS: number[]): ErrorStats {
  const sorted = [...errorsS].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]! * 1000;
  return { mean: (errorsS.reduce((a, b) => a + b, 0) / errorsS.length) * 1000, median: at(0.5), p90: at(0.9) };
}

export interface TimingScore {
  matched: number;
  words: number;
  /** How many starts and ends of the matched words were scored (those known exactly). */
  starts: number;
  ends: number;
  start: ErrorStats;
  end: ErrorStats;
}

/** Scores the recognised words of each clip (same order as `set.clips`). */
export function scoreTiming(set: WordTimingSet, recognised: TimedWord[][]): TimingScore {
  const starts: number[] = [];
  const ends: number[] = [];
  let matched = 0;
  set.clips.forEach((clip, i) => {
    for (const [ref, hyp] of matchWords(clip.words, recognised[i]!)) {
      matched++;
      if (!ref.startWindowS) starts.push(Math.abs(hyp.start - ref.startS));
      if (!ref.endWindowS) ends.push(Math.abs(hyp.end - ref.endS));
    }
  });
  return { matched, words: set.wordCount, starts: starts.length, ends: ends.length, start: errorStats(starts), end: errorStats(ends) };
}

/** faster-whisper's word_timestamps (OpenAI's DTW, in CTranslate2), greedy, no fallback: the words of each file. */
export async function fasterWhisperWords(tier: RealTier, model: string, files: string[], threads = 2): Promise<TimedWord[][]> {
  const script = path.join(ROOT, 'scripts', 'real-weights', 'faster_whisper_transcribe.py');
  const args = [script, '--model', model, '--threads', String(threads), '--beam-size', '1', '--no-fallback', '--word-timestamps', '--language', 'en', ...files];
  const { stdout } = await promisify(execFile)(tier.python, args, { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, HF_HUB_OFFLINE: '1' } });
  const results = (JSON.parse(stdout) as { results: { segments: { words: { word: string; start: number; end: number }[] }[] }[] }).results;
  return results.map((r) => r.segments.flatMap((s) => s.words.map((w) => ({ text: w.word.trim(), start: w.start, end: w.end }))));
}
