/**
 * Whisper's failure mode on short or unclear audio: a phrase repeated until the token limit
 * ("Farima, Farima, Farima, ..."). Two decodes can agree on such a loop, so the live
 * transcriber cuts a hypothesis where one starts, keeping the first occurrence, and lets
 * later decodes (with more audio) supply the rest. Pure.
 */
import type { LiveWord } from '../types/live';
import { normalizeWord } from './local-agreement';

/**
 * Longest repeated phrase looked for, in words. Loops of long phrases happen too ("and I find
 * that we have come to nedicated" three times, committed by agreement in a wall-clock run),
 * and nobody says a phrase of that length three times in a row.
 */
const MAX_PHRASE = 12;
/** Occurrences in a row that make a loop (a phrase said twice is ordinary speech). */
const LOOP_OCCURRENCES = 3;

/** The words up to the first loop's first occurrence (all of them when there is none). */
export function cutRepetition(words: readonly LiveWord[]): readonly LiveWord[] {
  const norm = words.map((w) => normalizeWord(w.text));
  for (let i = 0; i < norm.length; i++) {
    for (let n = 1; n <= MAX_PHRASE; n++) {
      let occurrences = 1;
      while (i + (occurrences + 1) * n <= norm.length && sameRun(norm, i, i + occurrences * n, n)) occurrences++;
      if (occurrences >= LOOP_OCCURRENCES) return words.slice(0, i + n);
    }
  }
  return words;
}

function sameRun(words: readonly string[], a: number, b: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (words[a + k] !== words[b + k]) return false;
  return true;
}
