/** The chunk merge (src/long-form/merge.ts) on synthetic token sequences. */
import { alignOverlap, mergeChunks, type ChunkTokens } from '../src/long-form/merge';

// Words as tokens: each distinct word gets an id, so the expectations read as text.
const ids = new Map<string, number>();
const tok = (text: string) => text.split(' ').filter(Boolean).map((w) => ids.get(w) ?? (ids.set(w, ids.size + 1), ids.size));
const words = (tokens: number[]) => tokens.map((t) => [...ids].find(([, id]) => id === t)![0]).join(' ');
// 15-s chunks with 2.5-s strides: a chunk owns [1/6, 5/6] of itself, the first from 0, the last to 1.
const chunk = (text: string, ownFrom = 1 / 6, ownTo = 5 / 6): ChunkTokens => ({ tokens: tok(text), ownFrom, ownTo });

test('a clean overlap joins at the middle of the agreeing stretch, each word once', () => {
  const merged = mergeChunks([
    chunk('and so my fellow americans ask not what your', 0),
    chunk('ask not what your country can do for you ask what', 1 / 6, 5 / 6),
    chunk('for you ask what you can do for your country', 1 / 6, 1),
  ]);
  expect(words(merged.tokens)).toBe('and so my fellow americans ask not what your country can do for you ask what you can do for your country');
  expect(merged.joins).toEqual(['none', 'overlap', 'overlap']);
  // Each side keeps half of the shared words: "ask not | what your" and "for you | ask what".
  expect(merged.kept).toEqual([[0, 7], [2, 9], [2, 10]]);
});

test('conflicting overlaps (no two tokens agree at any offset) are joined by time', () => {
  const merged = mergeChunks([chunk('a b c d e f', 0), chunk('u v w x y z', 1 / 6, 1)]);
  // The left chunk keeps the tokens in the 5/6 of it that it owns, the right drops its first 1/6.
  expect(merged.joins[1]).toBe('time');
  expect(merged.kept).toEqual([[0, 5], [1, 6]]);
  expect(words(merged.tokens)).toBe('a b c d e v w x y z');
});

test('one agreeing token is not an overlap (a common word like "the" matches by chance)', () => {
  expect(alignOverlap(tok('p q the'), tok('the r s'))).toBeNull();
  expect(alignOverlap(tok('p q the r'), tok('the r s'))).not.toBeNull();
});

test('empty chunks (silence) join nothing: the chunks around them are kept whole', () => {
  const merged = mergeChunks([chunk('one two three', 0), chunk(''), chunk(''), chunk('four five six', 1 / 6, 1)]);
  expect(words(merged.tokens)).toBe('one two three four five six');
  expect(merged.kept).toEqual([[0, 3], [0, 0], [0, 0], [0, 3]]);
  expect(merged.joins).toEqual(['none', 'none', 'none', 'none']);
  expect(mergeChunks([]).tokens).toEqual([]);
  expect(mergeChunks([chunk('', 0, 1)]).tokens).toEqual([]);
});

test('repeated phrases: the longest consistent alignment wins, so a repetition is not collapsed', () => {
  // The speaker really said "go go go go go stop": the overlap holds three "go"s.
  const merged = mergeChunks([chunk('ready go go go', 0), chunk('go go go go stop', 1 / 6, 1)]);
  expect(merged.joins[1]).toBe('overlap');
  expect(words(merged.tokens)).toBe('ready go go go go stop');
  // A full-length match beats a shorter one with the same ratio (the 1/10000-per-token bonus).
  const a = alignOverlap(tok('x la la la la'), tok('la la la la y'))!;
  expect(a.leftStop - a.leftStart).toBe(4);
});

test('a small disagreement inside the overlap still aligns (most tokens agree)', () => {
  const merged = mergeChunks([chunk('the quick brown fox jumps over', 0), chunk('brown fax jumps over the lazy dog', 1 / 6, 1)]);
  expect(merged.joins[1]).toBe('overlap');
  expect(words(merged.tokens)).toBe('the quick brown fox jumps over the lazy dog');
});

test('speech that repeats itself joins where the shared audio is, not a repetition away', () => {
  // The same six-token sentence three times in each chunk; the chunks share one sentence's
  // worth of audio (a third of each chunk). Every offset that is a multiple of six agrees
  // completely, and without the plausible-length window the longest one would win, dropping
  // two sentences.
  const s = 'we choose to go to the';
  const merged = mergeChunks([chunk(`${s} ${s} ${s}`, 0), chunk(`${s} ${s} ${s}`, 1 / 6, 1)]);
  expect(merged.joins[1]).toBe('overlap');
  expect(words(merged.tokens)).toBe(Array(5).fill(s).join(' '));
});
