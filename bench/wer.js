// The benchmark report's transcript comparisons, on the word error rate of scripts/wer.js
// (the tests' too, so a WER here means what it means there; rules in docs/wer.md).
'use strict';
const crypto = require('node:crypto');
const path = require('node:path');

const { corpusWordErrorRate, normalizeWords, wordErrorRate } = require(path.join(__dirname, '..', 'scripts', 'wer.js'));

/** sha256 (first 16 hex digits) of the normalized words joined by single spaces. */
function normalizedHash(text) {
  return crypto.createHash('sha256').update(normalizeWords(text).join(' ')).digest('hex').slice(0, 16);
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

module.exports = { corpusWordErrorRate, normalizeWords, wordErrorRate, normalizedHash, compareNormalized };
