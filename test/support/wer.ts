/**
 * Word error rate, typed for the tests: the implementation is scripts/wer.js, shared with
 * the benchmark report. Word-level edit distance over the reference length, after
 * normalizing both texts the same way. The rules, and why, are in docs/wer.md; in short:
 *
 *  1. Unicode NFKC (full-width letters, ligatures like ﬁ, and composed/decomposed accents
 *     become one form);
 *  2. lower case, locale-independent (String.prototype.toLowerCase, never toLocaleLowerCase);
 *  3. the apostrophes ’ ‘ ʼ become ', and an apostrophe is kept only between two word
 *     characters (don't, l'odeur, dir's); quotes and other apostrophes go;
 *  4. word characters are letters, combining marks and digits (\p{L}\p{M}\p{N}), so accents
 *     are kept and 'é' is not 'e'; everything else (hyphens, dashes, punctuation, symbols,
 *     quotes) becomes a space;
 *  5. words are what is left between spaces.
 *
 * No spelling equivalences (colour/color, Mr/mister, ten/10): the generated references avoid
 * them, and rules of that kind would hide real errors in other languages.
 */

/** The edits that turn the reference's words into the hypothesis's, in a minimal alignment. */
export interface WordErrors {
  substitutions: number;
  deletions: number;
  insertions: number;
  /** Words in the normalized reference: the denominator of the WER. */
  referenceWords: number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const wer = require('../../scripts/wer.js') as {
  normalizeWords(text: string): string[];
  wordErrors(reference: string, hypothesis: string): WordErrors;
  referenceWordsHeard(reference: string, hypothesis: string): { words: string[]; heard: boolean[] };
  wordErrorRate(reference: string, hypothesis: string): number;
  corpusWordErrorRate(pairs: ReadonlyArray<{ reference: string; hypothesis: string }>): number;
};

/** The words of `text` after the normalization above. */
export const normalizeWords = wer.normalizeWords;
/**
 * Counts substitutions, deletions and insertions on a minimal word alignment. Their sum is
 * the edit distance, whichever minimal alignment is taken. Sum these over a set and divide
 * by the summed referenceWords for a corpus WER.
 */
export const wordErrors = wer.wordErrors;
/** For each normalized reference word: whether the hypothesis has it, in place, on a minimal alignment. */
export const referenceWordsHeard = wer.referenceWordsHeard;
/** (substitutions + deletions + insertions) / reference words; an empty reference gives 0 if the hypothesis is empty too, else 1. */
export const wordErrorRate = wer.wordErrorRate;
/** Corpus WER: every pair's errors summed, over every reference's words summed (not a mean of rates). */
export const corpusWordErrorRate = wer.corpusWordErrorRate;
