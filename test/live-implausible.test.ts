/**
 * Hypotheses the live transcriber sets aside (src/live/implausible.ts): Whisper saying its
 * prompt again for a short buffer, and more words than the audio could hold.
 */
import { ECHO_WORDS, MAX_WORDS_PER_SECOND, implausibleHypothesis } from '../src/live/implausible';
import type { LiveWord } from '../src/types/live';

function words(text: string, seconds = 10): LiveWord[] {
  const all = text.split(' ');
  return all.map((w, i) => ({ text: w, start: (i * seconds) / all.length, end: ((i + 1) * seconds) / all.length, probability: 0.9 }));
}

// The prompt and the hypothesis of the decode that did it (base, 39-41 s of the five-minute set).
const PROMPT =
  'war. We have come to dedicate a portion of that field and a final resting place for those who here gain their lives at nation might live.';
const ECHO =
  'We are here to dedicate a portion of that field and a final resting place for those who here gain their lives at nation might live. We are here to dedicate a portion of that field and a final resting place for those who here gain their lives at nation might live.';

test('the decode that repeated its prompt twice over 2 s is implausible, by its length and as an echo', () => {
  expect(implausibleHypothesis(words(ECHO, 2), 2, PROMPT)).toMatch(/words for 2\.0 s of audio/);
  // The same words over 10 s (not too many) are still the prompt again.
  expect(implausibleHypothesis(words(ECHO, 10), 10, PROMPT)).toBe('it repeats the prompt ("to dedicate a portion of that")');
  // Without a prompt (the decode done again), only the length counts.
  expect(implausibleHypothesis(words(ECHO, 10), 10, undefined)).toBeUndefined();
});

test(`what the next sentence really says is plausible, though it shares words with the prompt, fewer than ${ECHO_WORDS} in a row`, () => {
  expect(implausibleHypothesis(words('It is altogether fitting and proper that we should do this.', 4), 4, PROMPT)).toBeUndefined();
  // 5 words of the prompt in a row: ordinary ("that field and a final" is 5).
  expect(implausibleHypothesis(words('and so that field and a final word', 4), 4, PROMPT)).toBeUndefined();
  expect(implausibleHypothesis(words('and so that field and a final resting', 4), 4, PROMPT)).toMatch(/repeats the prompt/);
});

test('case, punctuation around words and punctuation-only tokens do not hide an echo', () => {
  expect(implausibleHypothesis(words('-- A FINAL RESTING, ... place for those who', 4), 4, PROMPT)).toMatch(/"a final resting place for those"/);
});

test(`more than ${MAX_WORDS_PER_SECOND} words a second over the buffer, and 3 more, are too many`, () => {
  const n = (count: number) => Array.from({ length: count }, (_, i) => `w${i}`).join(' ');
  expect(implausibleHypothesis(words(n(6 * 4 + 3), 4), 4, undefined)).toBeUndefined();
  expect(implausibleHypothesis(words(n(6 * 4 + 4), 4), 4, undefined)).toBe('28 words for 4.0 s of audio');
});
