// Word error rate: word-level edit distance over the reference length, after normalizing
// both texts the same way. One implementation for the tests (test/support/wer.ts gives it
// types) and the benchmark report (bench/wer.js). The rules, and why, are in docs/wer.md;
// in short:
//
//  1. Unicode NFKC (full-width letters, ligatures like ﬁ, and composed/decomposed accents
//     become one form);
//  2. lower case, locale-independent (String.prototype.toLowerCase, never toLocaleLowerCase);
//  3. the apostrophes ’ ‘ ʼ become ', and an apostrophe is kept only between two word
//     characters (don't, l'odeur, dir's); quotes and other apostrophes go;
//  4. word characters are letters, combining marks and digits (\p{L}\p{M}\p{N}), so accents
//     are kept and 'é' is not 'e'; everything else (hyphens, dashes, punctuation, symbols,
//     quotes) becomes a space;
//  5. words are what is left between spaces.
//
// No spelling equivalences (colour/color, Mr/mister, ten/10): the generated references avoid
// them, and rules of that kind would hide real errors in other languages.
'use strict';

const APOSTROPHES = /[\u2019\u2018\u02BC]/g;
const NOT_WORD = /[^\p{L}\p{M}\p{N}']+/gu;
// An apostrophe that does not sit between two word characters.
const LOOSE_APOSTROPHE = /(?<![\p{L}\p{M}\p{N}])'|'(?![\p{L}\p{M}\p{N}])/gu;

/** The words of `text` after the normalization above. */
function normalizeWords(text) {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(APOSTROPHES, "'")
    .replace(NOT_WORD, ' ')
    .replace(LOOSE_APOSTROPHE, ' ')
    .split(/\s+/)
    .filter(Boolean);
}

const MATCH = 0;
const SUBSTITUTION = 1;
const DELETION = 2;
const INSERTION = 3;

/** A minimal word alignment (Levenshtein); ties go to match/substitution, then deletion, then insertion. */
function align(ref, hyp) {
  const width = hyp.length + 1;
  const steps = new Uint8Array((ref.length + 1) * width);
  let previous = new Uint32Array(width);
  let current = new Uint32Array(width);
  for (let j = 1; j <= hyp.length; j++) {
    previous[j] = j;
    steps[j] = INSERTION;
  }
  for (let i = 1; i <= ref.length; i++) {
    current[0] = i;
    steps[i * width] = DELETION;
    for (let j = 1; j <= hyp.length; j++) {
      const same = ref[i - 1] === hyp[j - 1];
      let cost = previous[j - 1] + (same ? 0 : 1);
      let step = same ? MATCH : SUBSTITUTION;
      if (previous[j] + 1 < cost) {
        cost = previous[j] + 1;
        step = DELETION;
      }
      if (current[j - 1] + 1 < cost) {
        cost = current[j - 1] + 1;
        step = INSERTION;
      }
      current[j] = cost;
      steps[i * width + j] = step;
    }
    [previous, current] = [current, previous];
  }
  const path = [];
  let i = ref.length;
  let j = hyp.length;
  while (i > 0 || j > 0) {
    const step = steps[i * width + j];
    path.push(step);
    if (step === MATCH || step === SUBSTITUTION) {
      i--;
      j--;
    } else if (step === DELETION) i--;
    else j--;
  }
  return path.reverse();
}

/** { substitutions, deletions, insertions, referenceWords } on a minimal word alignment. */
function wordErrors(reference, hypothesis) {
  const ref = normalizeWords(reference);
  const errors = { substitutions: 0, deletions: 0, insertions: 0, referenceWords: ref.length };
  for (const step of align(ref, normalizeWords(hypothesis))) {
    if (step === SUBSTITUTION) errors.substitutions++;
    else if (step === DELETION) errors.deletions++;
    else if (step === INSERTION) errors.insertions++;
  }
  return errors;
}

/** (substitutions + deletions + insertions) / reference words; an empty reference gives 0 if the hypothesis is empty too, else 1. */
function wordErrorRate(reference, hypothesis) {
  const errors = wordErrors(reference, hypothesis);
  const total = errors.substitutions + errors.deletions + errors.insertions;
  if (errors.referenceWords === 0) return total === 0 ? 0 : 1;
  return total / errors.referenceWords;
}

/** For each normalized reference word: whether the hypothesis has it, in place, on a minimal alignment. */
function referenceWordsHeard(reference, hypothesis) {
  const words = normalizeWords(reference);
  const heard = [];
  for (const step of align(words, normalizeWords(hypothesis))) {
    if (step === MATCH) heard.push(true);
    else if (step !== INSERTION) heard.push(false);
  }
  return { words, heard };
}

/** Corpus WER: every pair's errors summed, over every reference's words summed (not a mean of rates). */
function corpusWordErrorRate(pairs) {
  let total = 0;
  let words = 0;
  for (const { reference, hypothesis } of pairs) {
    const errors = wordErrors(reference, hypothesis);
    total += errors.substitutions + errors.deletions + errors.insertions;
    words += errors.referenceWords;
  }
  if (words === 0) return total === 0 ? 0 : 1;
  return total / words;
}

module.exports = { normalizeWords, align, MATCH, DELETION, INSERTION, wordErrors, referenceWordsHeard, wordErrorRate, corpusWordErrorRate };
