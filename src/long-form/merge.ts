/**
 * Merges the token sequences of overlapping chunks into one, as the Transformers ASR
 * pipeline does for Whisper (`_find_longest_common_sequence`): each chunk is slid along the
 * previous one's tokens; the offset where the most tokens agree (a little bonus for longer
 * overlaps, so a long perfect match beats a short one) is where they join, and the join
 * takes the left chunk's tokens up to the middle of the agreeing stretch and the right
 * chunk's after it. When no offset agrees on at least two tokens (the chunks heard the
 * overlap differently), the join falls back to time: each chunk keeps the share of its
 * tokens that lies in the audio it owns, assuming tokens spread evenly over the chunk.
 * Unlike the pipeline, only overlaps of a plausible length are tried: about as many tokens
 * as the shared audio holds at the chunks' own token rate (from half to one and a half times that). Repeated
 * speech otherwise aligns a whole repetition off: on jfk.wav said six times, real tiny.en's
 * chunks joined one sentence early and the merge dropped a sixth of the text.
 * Pure: tested on synthetic sequences (test/long-form-merge.test.ts).
 */

export interface ChunkTokens {
  /** Text tokens only (no special or timestamp tokens). */
  tokens: readonly number[];
  /** Fraction of the chunk's duration before the part it owns (its left stride). */
  ownFrom: number;
  /** Fraction of the chunk's duration where the part it owns ends. */
  ownTo: number;
}

export interface MergeResult {
  tokens: number[];
  /** For each chunk, the range [from, to) of its tokens that made it into `tokens`. */
  kept: [number, number][];
  /** For each join between chunk i-1 and i (index i), how it was made. */
  joins: ('overlap' | 'time' | 'none')[];
}

interface Alignment {
  leftStart: number;
  leftStop: number;
  rightStart: number;
  rightStop: number;
}

/**
 * The best alignment of `right`'s head against `left`'s tail, or null when none agrees on 2+
 * tokens. With `expectedOverlap` (tokens), only overlaps from half to 1.5 times that (±2) count.
 */
export function alignOverlap(left: readonly number[], right: readonly number[], expectedOverlap?: number): Alignment | null {
  const n = left.length;
  let best = 0;
  let found: Alignment | null = null;
  const shortest = expectedOverlap === undefined ? 1 : Math.max(1, Math.floor(expectedOverlap / 2) - 2);
  const longest = expectedOverlap === undefined ? Infinity : Math.ceil(expectedOverlap * 1.5) + 2;
  for (let i = shortest; i < n + right.length && i <= longest; i++) {
    const leftStart = Math.max(0, n - i);
    const leftStop = Math.min(n, n + right.length - i);
    const rightStart = Math.max(0, i - n);
    const rightStop = Math.min(right.length, i);
    let matches = 0;
    for (let k = 0; k < leftStop - leftStart; k++) if (left[leftStart + k] === right[rightStart + k]) matches++;
    const matching = matches / i + i / 10000;
    if (matches > 1 && matching > best) {
      best = matching;
      found = { leftStart, leftStop, rightStart, rightStop };
    }
  }
  return found;
}

/**
 * Merges chunks one at a time, left to right: pushing chunk i settles how much of chunk i-1
 * is kept, so chunk i-1 is final from then on (chunked transcription streams it). Each push
 * aligns one pair, so a whole transcription costs time linear in its number of chunks.
 */
export class ChunkMerger {
  readonly chunks: ChunkTokens[] = [];
  readonly kept: [number, number][] = [];
  readonly joins: MergeResult['joins'] = [];

  push(right: ChunkTokens): void {
    const i = this.chunks.length;
    this.chunks.push(right);
    this.kept.push([0, right.tokens.length]);
    this.joins.push('none');
    const leftChunk = this.chunks[i - 1];
    // An empty chunk (silence) joins nothing, and the chunk after it shares no audio with
    // the one before it.
    if (right.tokens.length === 0 || !leftChunk || leftChunk.tokens.length === 0) return;
    const [from, to] = this.kept[i - 1]!;
    // Tokens in the shared audio, at each chunk's own rate: the left chunk's audio after
    // what it owns and the right chunk's before what it owns are both twice a stride.
    const expected = (leftChunk.tokens.length * 2 * (1 - leftChunk.ownTo) + right.tokens.length * 2 * right.ownFrom) / 2;
    const alignment = alignOverlap(leftChunk.tokens.slice(from, to), right.tokens, expected);
    if (alignment) {
      const leftMid = Math.floor((alignment.leftStart + alignment.leftStop) / 2);
      const rightMid = Math.floor((alignment.rightStart + alignment.rightStop) / 2);
      this.kept[i - 1] = [from, from + leftMid];
      this.kept[i] = [rightMid, right.tokens.length];
      this.joins[i] = 'overlap';
    } else {
      const leftEnd = Math.round(leftChunk.tokens.length * leftChunk.ownTo);
      this.kept[i - 1] = [from, Math.max(from, Math.min(to, leftEnd))];
      this.kept[i] = [Math.min(right.tokens.length, Math.round(right.tokens.length * right.ownFrom)), right.tokens.length];
      this.joins[i] = 'time';
    }
  }

  /** The kept tokens of every chunk, in order. */
  tokens(): number[] {
    const tokens: number[] = [];
    this.chunks.forEach((c, i) => tokens.push(...c.tokens.slice(this.kept[i]![0], this.kept[i]![1])));
    return tokens;
  }
}

export function mergeChunks(chunks: readonly ChunkTokens[]): MergeResult {
  const merger = new ChunkMerger();
  for (const chunk of chunks) merger.push(chunk);
  return { tokens: merger.tokens(), kept: merger.kept, joins: merger.joins };
}
