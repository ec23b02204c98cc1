/** The WER normalizer and the error counts (docs/wer.md). */
import { corpusWordErrorRate, normalizeWords, referenceWordsHeard, wordErrorRate, wordErrors } from './support/wer';

const GETTYSBURG =
  'Four score and seven years ago our fathers brought forth on this continent, a new nation, conceived in Liberty, and dedicated to the proposition that all men are created equal. ' +
  'Now we are engaged in a great civil war, testing whether that nation, or any nation so conceived and so dedicated, can long endure. ' +
  'We are met on a great battlefield of that war.';

/** A fixed permutation (a seeded shuffle would do; reversing and interleaving is enough). */
function shuffleWords(text: string): string {
  const words = text.split(/\s+/);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += 2) out.push(words[words.length - 1 - i]!);
  for (let i = 1; i < words.length; i += 2) out.push(words[words.length - 1 - i]!);
  return out.join(' ');
}

describe('normalizeWords', () => {
  test('case and punctuation are ignored, hyphens and dashes split words', () => {
    expect(normalizeWords('Hello, World! "Self-evident" truths — all; men... (equal)?')).toEqual(['hello', 'world', 'self', 'evident', 'truths', 'all', 'men', 'equal']);
  });

  test('accents are kept: é is not e, ü is not u, ñ is not n', () => {
    expect(normalizeWords('Perché Mädchen Año')).toEqual(['perché', 'mädchen', 'año']);
    expect(wordErrors('perché', 'perche').substitutions).toBe(1);
    expect(wordErrorRate('Mädchen', 'Madchen')).toBe(1);
  });

  test('NFKC: decomposed accents, ligatures and full-width letters match their plain forms', () => {
    expect(normalizeWords('e\u0301te\u0301')).toEqual(['été']);
    expect(normalizeWords('\uFB01ne')).toEqual(['fine']);
    expect(normalizeWords('\uFF37\uFF4F\uFF52\uFF44')).toEqual(['word']);
  });

  test('lower case is locale-independent', () => {
    expect(normalizeWords('ÉTÉ ÖL ÑANDÚ ISTANBUL')).toEqual(['été', 'öl', 'ñandú', 'istanbul']);
  });

  test("apostrophes inside words are kept, ' and ’ are the same, quotes are not words", () => {
    expect(normalizeWords("Don’t say 'no', l'odeur, s’en, dir's")).toEqual(["don't", 'say', 'no', "l'odeur", "s'en", "dir's"]);
    expect(wordErrorRate("it's the nation's", 'It’s the nation’s.')).toBe(0);
    expect(normalizeWords("the boys' ball")).toEqual(['the', 'boys', 'ball']);
  });

  test('digits are words; there is no number or spelling normalization', () => {
    expect(normalizeWords('Go forward 10 meters, 3.5 km')).toEqual(['go', 'forward', '10', 'meters', '3', '5', 'km']);
    expect(wordErrorRate('go forward ten meters', 'go forward 10 meters')).toBe(0.25);
    expect(wordErrorRate('colour', 'color')).toBe(1);
  });

  test('German, French and Spanish sentences', () => {
    expect(normalizeWords('„Gott segne dir’s“, sagte es.')).toEqual(['gott', 'segne', "dir's", 'sagte', 'es']);
    expect(normalizeWords('Hé ! bonjour, Monsieur du Corbeau. Que vous êtes joli ! Dit-elle.')).toEqual(['hé', 'bonjour', 'monsieur', 'du', 'corbeau', 'que', 'vous', 'êtes', 'joli', 'dit', 'elle']);
    expect(normalizeWords('¿Quién sabe? ¡Rocín flaco y galgo corredor!')).toEqual(['quién', 'sabe', 'rocín', 'flaco', 'y', 'galgo', 'corredor']);
  });

  test('plain English as before', () => {
    expect(normalizeWords('And so, my fellow Americans: ask not what your country can do for you.')).toEqual(
      ['and', 'so', 'my', 'fellow', 'americans', 'ask', 'not', 'what', 'your', 'country', 'can', 'do', 'for', 'you'],
    );
    expect(normalizeWords('')).toEqual([]);
    expect(normalizeWords(' ,.;!? ')).toEqual([]);
  });
});

describe('wordErrors', () => {
  test('identical up to case and punctuation: no errors', () => {
    expect(wordErrors('The cat sat on the mat.', 'the CAT sat, on the mat')).toEqual({ substitutions: 0, deletions: 0, insertions: 0, referenceWords: 6 });
  });

  test('one substitution', () => {
    expect(wordErrors('the cat sat on the mat', 'the cat sat on the hat')).toEqual({ substitutions: 1, deletions: 0, insertions: 0, referenceWords: 6 });
  });

  test('one deletion', () => {
    expect(wordErrors('the cat sat on the mat', 'the cat on the mat')).toEqual({ substitutions: 0, deletions: 1, insertions: 0, referenceWords: 6 });
  });

  test('one insertion', () => {
    expect(wordErrors('the cat sat on the mat', 'the black cat sat on the mat')).toEqual({ substitutions: 0, deletions: 0, insertions: 1, referenceWords: 6 });
  });

  test('mixed: a substitution, a deletion and two insertions', () => {
    // ref:  a  b  c  d  e  f  -  -
    // hyp:  a  x  c  -  e  f  g  h   (the only alignment with 4 edits)
    expect(wordErrors('a b c d e f', 'a x c e f g h')).toEqual({ substitutions: 1, deletions: 1, insertions: 2, referenceWords: 6 });
    expect(wordErrorRate('a b c d e f', 'a x c e f g h')).toBeCloseTo(4 / 6, 12);
  });

  test('where minimal alignments tie, the total is still the edit distance', () => {
    // a b c d -> a x d e f: S1 D1 I2 or S3 I1, 4 edits either way.
    const errors = wordErrors('a b c d', 'a x d e f');
    expect(errors.substitutions + errors.deletions + errors.insertions).toBe(4);
    expect(errors.insertions - errors.deletions).toBe(1);
  });

  test('empty texts', () => {
    expect(wordErrors('', '')).toEqual({ substitutions: 0, deletions: 0, insertions: 0, referenceWords: 0 });
    expect(wordErrors('', 'some words')).toEqual({ substitutions: 0, deletions: 0, insertions: 2, referenceWords: 0 });
    expect(wordErrors('three words here', '')).toEqual({ substitutions: 0, deletions: 3, insertions: 0, referenceWords: 3 });
    expect(wordErrorRate('', '')).toBe(0);
    expect(wordErrorRate('', 'anything')).toBe(1);
    expect(wordErrorRate('three words here', '')).toBe(1);
  });

  test('the counts add up to the edit distance on a long text', () => {
    const hypothesis = GETTYSBURG.replace('seven', 'eleven').replace('civil ', '').replace('endure.', 'endure, indeed.');
    const errors = wordErrors(GETTYSBURG, hypothesis);
    expect(errors).toEqual({ substitutions: 1, deletions: 1, insertions: 1, referenceWords: normalizeWords(GETTYSBURG).length });
    expect(wordErrorRate(GETTYSBURG, hypothesis)).toBeCloseTo(3 / errors.referenceWords, 12);
  });
});

describe('wordErrorRate on broken transcripts', () => {
  test('a shuffled transcript has a high WER although every word is there', () => {
    const shuffled = shuffleWords(GETTYSBURG);
    expect(normalizeWords(shuffled).sort()).toEqual(normalizeWords(GETTYSBURG).sort());
    expect(wordErrorRate(GETTYSBURG, shuffled)).toBeGreaterThan(0.6);
  });

  test('a transcript that loses its second half has a WER of about one half, all deletions', () => {
    const words = GETTYSBURG.split(' ');
    const firstHalf = words.slice(0, Math.floor(words.length / 2)).join(' ');
    const errors = wordErrors(GETTYSBURG, firstHalf);
    expect(errors.substitutions + errors.insertions).toBe(0);
    expect(errors.deletions).toBe(errors.referenceWords - normalizeWords(firstHalf).length);
    expect(wordErrorRate(GETTYSBURG, firstHalf)).toBeGreaterThanOrEqual(0.45);
  });

  test('a repeated transcript (the first sentence over and over) is mostly insertions', () => {
    const first = GETTYSBURG.split('. ')[0]!;
    expect(wordErrorRate(first, `${first} ${first} ${first}`)).toBe(2);
  });
});

describe('corpusWordErrorRate', () => {
  test('sums errors and reference words over the set (not a mean of rates)', () => {
    const pairs = [
      { reference: 'one two three four five six seven eight nine ten', hypothesis: 'one two three four five six seven eight nine ten' },
      { reference: 'short', hypothesis: 'wrong' },
    ];
    expect(corpusWordErrorRate(pairs)).toBeCloseTo(1 / 11, 12);
    expect(corpusWordErrorRate([])).toBe(0);
  });
});

describe('referenceWordsHeard', () => {
  test('marks each reference word the hypothesis has in place', () => {
    expect(referenceWordsHeard('ask not what your country', 'Ask what your own country!')).toEqual({
      words: ['ask', 'not', 'what', 'your', 'country'],
      heard: [true, false, true, true, true],
    });
    expect(referenceWordsHeard('one two', '').heard).toEqual([false, false]);
  });
});
