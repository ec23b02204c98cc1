/**
 * Hypotheses that cannot be what a buffer said, whatever the agreement between decodes.
 * Whisper, given the committed text as its prompt, sometimes transcribes a short buffer as
 * that prompt again: base, on 2 s of the five-minute set (39-41 s, the start of a sentence)
 * after "...a final resting place for those who here gain their lives at nation might
 * live.", said those 22 words twice (975 tokens computed, 5.5 s), and the next decode did
 * the same: two decodes agreed, and the text went into the final transcript three times
 * (docs/live.md). Pure.
 */
import type { LiveWord } from '../types/live';
import { normalizeWord } from './local-agreement';

/** Words in a row, found in the same order in the prompt, that make a hypothesis an echo of it. */
export const ECHO_WORDS = 6;
/**
 * More words a second than any speech has (fast speech is 4-5; the five-minute set 3),
 * over the whole buffer, plus a few for a word cut at each end.
 */
export const MAX_WORDS_PER_SECOND = 6;
const EXTRA_WORDS = 3;

/** Why a decode's words cannot be what `seconds` of audio said after `prompt`, or undefined. */
export function implausibleHypothesis(words: readonly LiveWord[], seconds: number, prompt: string | undefined): string | undefined {
  if (words.length > MAX_WORDS_PER_SECOND * seconds + EXTRA_WORDS) {
    return `${words.length} words for ${seconds.toFixed(1)} s of audio`;
  }
  const echoed = prompt === undefined ? undefined : echoOf(normalized(words.map((w) => w.text)), normalized(prompt.split(/\s+/)));
  return echoed === undefined ? undefined : `it repeats the prompt ("${echoed}")`;
}

/** The first ECHO_WORDS-word run of `words` that is also a run of `prompt`, joined. */
function echoOf(words: readonly string[], prompt: readonly string[]): string | undefined {
  const runs = new Set<string>();
  for (let i = 0; i + ECHO_WORDS <= prompt.length; i++) runs.add(prompt.slice(i, i + ECHO_WORDS).join(' '));
  for (let i = 0; i + ECHO_WORDS <= words.length; i++) {
    const run = words.slice(i, i + ECHO_WORDS).join(' ');
    if (runs.has(run)) return run;
  }
  return undefined;
}

/** Normalized words, those of punctuation alone ("--", "...") left out. */
function normalized(texts: readonly string[]): string[] {
  return texts.map(normalizeWord).filter((w) => w !== '');
}
