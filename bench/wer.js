// The benchmark report's transcript comparisons, on the word error rate of scripts/wer.js
// (the tests' too, so a WER here means what it means there; rules in docs/wer.md).
'use strict';
const crypto = require('node:crypto');
const path = require('node:path');

const { corpusWordErrorRate, normalizeWords, wordErrorRate } = require(path.join(__dirname, '..', 'scripts', 'wer.js'));

/** sha256 of a text, first 16 hex digits. */
function textHash(text) {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** sha256 (first 16 hex digits) of the normalized words joined by single spaces. */
function normalizedHash(text) {
  return textHash(normalizeWords(text).join(' '));
}

/**
 * How `text` compares with `reference` as written (no normalization): { identical: true,
 * hash } when their sha256 are equal, else the 0-based index of the first differing
 * character, a few characters of each from just before it, and both lengths.
 */
function compareTexts(reference, text) {
  const hash = textHash(text);
  if (hash === textHash(reference)) return { identical: true, hash };
  const a = Array.from(reference); // code points: a difference never splits a character
  const b = Array.from(text);
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  const around = (chars) => chars.slice(Math.max(0, index - 8), index + 16).join('');
  return { identical: false, index, referenceText: around(a), text: around(b), referenceLength: a.length, length: b.length };
}

/**
 * How `text` compares with `reference` after normalization: { identical: true } when the
 * normalized texts (and so their hashes) are equal, else the 0-based index of the first
 * differing word and the words there (undefined past the end of one of them).
 */
function compareNormalized(reference, text) {
  if (normalizedHash(reference) === normalizedHash(text)) return { identical: true };
  const a = normalizeWords(reference);
  const b = normalizeWords(text);
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  return { identical: false, index, referenceWord: a[index], word: b[index], referenceWords: a.length, words: b.length };
}

module.exports = { corpusWordErrorRate, normalizeWords, wordErrorRate, textHash, normalizedHash, compareNormalized, compareTexts };
