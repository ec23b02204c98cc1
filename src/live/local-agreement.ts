/**
 * LocalAgreement-2 (Macháček, Dabre, Bojar, "Turning Whisper into Real-Time Transcription
 * System", 2023; their whisper_streaming's HypothesisBuffer): each decode of the growing
 * buffer gives a hypothesis; the words that two consecutive hypotheses agree on, from the
 * start of the uncommitted part, become final. Pure, so the policy is tested without a model.
 *
 * Two changes from the paper's code, both because whisper.cpp's word times (its timestamp
 * heuristic) are too rough to tell, by time, which words of a hypothesis were committed:
 * - the committed words still in the buffer are found at a hypothesis's start by text (the
 *   prefix closest to them in edit distance), not by their times;
 * - words are compared by their normalized form (lowercase, no punctuation around them), so
 *   "years," then "years" agree; the newer decode's spelling is committed.
 * The buffer is trimmed after a committed word (`trimAfter`), never at a time inside one.
 */
import type { LiveWord } from '../types/live';

/** Hypothesis words looked at beyond the committed words' count when matching them. */
const MATCH_SLACK = 2;
/** A hypothesis with this many words fewer than the previous one said (LocalAgreement.fellShort) fell short. */
const SHORTFALL_WORDS = 3;

export function normalizeWord(text: string): string {
  return text.toLowerCase().replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
}

export class LocalAgreement {
  /** The previous hypothesis, after the committed words. */
  #pending: LiveWord[] = [];
  /** Committed words whose audio is still in the buffer (they reappear in hypotheses). */
  #committedInBuffer: LiveWord[] = [];

  /** Committed words whose audio is still in the buffer, oldest first. */
  get committedInBuffer(): readonly LiveWord[] {
    return this.#committedInBuffer;
  }

  /** The uncommitted words of the latest hypothesis: the partial text. */
  get pending(): readonly LiveWord[] {
    return this.#pending;
  }

  /**
   * Takes a decode's words (stream clock) and returns those that became final: the
   * longest prefix on which this hypothesis and the previous one agree, among the words
   * of this one that end by `stableUntil` (a word at the very end of the audio may have
   * been cut, and two decodes can agree on the same wrong guess of it).
   */
  insert(words: readonly LiveWord[], { stableUntil = Infinity }: { stableUntil?: number } = {}): LiveWord[] {
    const fresh = this.#withoutCommitted(words);
    const committed: LiveWord[] = [];
    while (
      fresh.length > 0 &&
      this.#pending.length > 0 &&
      fresh[0]!.end <= stableUntil &&
      normalizeWord(fresh[0]!.text) === normalizeWord(this.#pending[0]!.text)
    ) {
      const word = fresh.shift()!;
      this.#pending.shift();
      committed.push(word);
    }
    this.#pending = fresh;
    this.#record(committed);
    return committed;
  }

  /**
   * Whether `words`, a decode of more audio than the previous one, says at least
   * SHORTFALL_WORDS fewer words than the previous hypothesis did (the committed words still
   * in the buffer and the pending ones): Whisper ended it early, leaving out speech it had
   * heard before (it does so on long buffers: "...all men are created equal." for 10 s of
   * a sentence that goes on for 4 s more). Such a hypothesis is no evidence for or against
   * the pending words; `insert` must not be given it.
   */
  fellShort(words: readonly LiveWord[]): boolean {
    return words.length + SHORTFALL_WORDS <= this.#committedInBuffer.length + this.#pending.length;
  }

  /**
   * Commits the latest hypothesis as it stands (an utterance ended, or the buffer is full
   * with nothing agreed), optionally only the words ending by `until`.
   */
  commitPending(until = Infinity): LiveWord[] {
    const committed = this.#pending.filter((w) => w.end <= until);
    this.#pending = this.#pending.filter((w) => w.end > until);
    this.#record(committed);
    return committed;
  }

  /** Takes a final decode's words (an utterance's last) and commits all of them. */
  commitAll(words: readonly LiveWord[]): LiveWord[] {
    const committed = this.#withoutCommitted(words);
    this.#pending = [];
    this.#record(committed);
    return committed;
  }

  /** The buffer now starts after `word` (a committed one): it and the words before it will not reappear. */
  trimAfter(word: LiveWord): void {
    const at = this.#committedInBuffer.indexOf(word);
    if (at >= 0) this.#committedInBuffer = this.#committedInBuffer.slice(at + 1);
  }

  /** The buffer restarts after all committed words (an utterance was closed). */
  trimAll(): void {
    this.#committedInBuffer = [];
  }

  /** Forgets the uncommitted hypothesis (its audio was dropped or closed). */
  dropPending(): void {
    this.#pending = [];
  }

  #record(committed: LiveWord[]): void {
    this.#committedInBuffer.push(...committed);
  }

  /**
   * A hypothesis decodes the whole buffer, whose start holds the committed words not yet
   * trimmed: drops the prefix of the hypothesis closest to them (fewest word edits; on a
   * tie the longer prefix, so a committed word decoded with another spelling is not
   * taken for a new one).
   */
  #withoutCommitted(words: readonly LiveWord[]): LiveWord[] {
    const committed = this.#committedInBuffer.map((w) => normalizeWord(w.text));
    if (committed.length === 0) return [...words];
    const hypothesis = words.slice(0, committed.length + MATCH_SLACK).map((w) => normalizeWord(w.text));
    // Edit distance between all of `committed` and each prefix of `hypothesis`.
    let row = hypothesis.map((_, k) => k + 1);
    row.unshift(0);
    for (let i = 1; i <= committed.length; i++) {
      const next = [i];
      for (let k = 1; k <= hypothesis.length; k++) {
        next[k] = Math.min(row[k]! + 1, next[k - 1]! + 1, row[k - 1]! + (committed[i - 1] === hypothesis[k - 1] ? 0 : 1));
      }
      row = next;
    }
    let best = 0;
    for (let k = 1; k < row.length; k++) if (row[k]! <= row[best]!) best = k;
    // Nothing of the committed words is there (the decode dropped them): keep it all.
    return row[best]! >= committed.length ? [...words] : words.slice(best);
  }
}
