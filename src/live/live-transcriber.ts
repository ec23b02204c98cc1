/**
 * A live transcription session: chunks pushed as they arrive, decoded one decode at a time
 * on the model's queue, text made final at the end of each utterance (./endpointer.ts) and,
 * with `commit: 'agreement'`, by LocalAgreement-2 (./local-agreement.ts). docs/live.md
 * explains the policy and its measured accuracy and latency.
 *
 * The loop: whenever `chunkSeconds` of new audio has arrived during an utterance, the
 * whole buffer is decoded; its words after the final ones are the partial text. With
 * 'agreement', words two consecutive decodes agree on become final, and the buffer is
 * trimmed after a committed word that ends a sentence. A silence of `endpointSilenceMs`
 * ends the utterance: its remaining words become final from one more decode (or the last
 * one, when it already covered the silence), and the buffer restarts. Committed text
 * before the buffer is the next decode's prompt; a hypothesis that cannot be what the buffer
 * said (./implausible.ts: the prompt said again) is decoded again without it. Silence between
 * utterances is not decoded.
 */
import { SAMPLE_RATE } from '../audio';
import { AbortError, LiveClosedError } from '../errors';
import { segmentWords } from '../formats';
import type { TranscribeOptions } from '../types/options';
import type { Transcript } from '../types/transcript';
import type { LiveEvent, LiveEventType, LiveResult, LiveStats, LiveWord } from '../types/live';
import { Endpointer } from './endpointer';
import { EventChannel } from './event-channel';
import { HeldAudio } from './held-audio';
import { implausibleHypothesis } from './implausible';
import type { CheckedLiveOptions } from './live-options';
import { LocalAgreement } from './local-agreement';
import { PushedAudio } from './pushed-audio';
import { cutRepetition } from './repetition';

/** What a live session needs of a model: its vocabulary kind, and transcription of a buffer. */
export interface LiveDecoder {
  readonly info: { multilingual: boolean };
  transcribe(audio: Float32Array, options: TranscribeOptions): Promise<Transcript>;
}

/** Audio kept before speech starts, so that its onset is not cut (s). */
const PREROLL_SECONDS = 1;
/** Audio kept after an utterance's last speech frame when it is decoded for the last time (s). */
const ENDPOINT_PAD_SECONDS = 0.4;
/** The prompt: the end of the committed text, as whisper_streaming carries it (characters). */
const PROMPT_CHARACTERS = 200;
/** A word ending in one of these ends a sentence: the buffer may be trimmed after it. */
const SENTENCE_END = /[.?!]["')\]]*$/;
/** Words ending this close to the end of the decoded audio are not committed by agreement (s). */
const UNSTABLE_TAIL_SECONDS = 0.3;
/** A buffer shorter than this commits nothing by agreement (s). */
const MIN_AGREEMENT_SECONDS = 2;
/** How far around a word's end the quietest moment to cut the buffer is looked for (s). */
const CUT_SEARCH_SECONDS = 0.4;
/**
 * A hypothesis whose last word ends this long before the end of the speech the decode
 * heard ended early (s): Whisper sometimes stops at a sentence's end on a long buffer while
 * the speech goes on, and the decodes after it stop in the same place.
 */
const EARLY_END_SECONDS = 3;
/**
 * After a decode that ended early, the buffer restarts at a committed word at least this
 * long before the end of the last one (s): Whisper hears the end of the final text again
 * (found by text, LocalAgreement) and goes on from there. A buffer that starts right after
 * the last committed word begins in the middle of a sentence, often of a word, and is
 * decoded badly.
 */
const RESTART_OVERLAP_SECONDS = 2;
/**
 * An utterance's last decode ended early if its last word ends this long before the
 * utterance's speech (s): no later decode would say the rest, which is decoded once more.
 */
const REST_DECODE_SECONDS = 1;
/** Decodes an utterance's end may take when they keep ending early. */
const MAX_LAST_DECODES = 3;
/**
 * Buffers shorter than this are decoded without the temperature fallback, unless
 * `decoding.temperatureIncrement` is set (s). Such buffers commit nothing by agreement
 * (MIN_AGREEMENT_SECONDS), and the fallback re-decodes an utterance's first second, its
 * last, or noise, which decode with low confidence: on 40 such buffers of
 * the five-minute set a decode took 607 ms on average (p90 776 ms) with it, 540 ms (585)
 * without, and the stepped five-minute run gave 22.8 % WER instead of 22.9 % (docs/live.md).
 */
const NO_FALLBACK_SECONDS = 2;

type State = LiveStats['state'];

export class LiveTranscriber implements AsyncIterable<LiveEvent>, AsyncDisposable {
  readonly #decoder: LiveDecoder;
  readonly #options: CheckedLiveOptions;
  readonly #pushed: PushedAudio;
  readonly #held: HeldAudio;
  readonly #endpointer: Endpointer;
  readonly #agreement = new LocalAgreement();
  readonly #events = new EventChannel();
  readonly #finalWords: LiveWord[] = [];
  readonly #decodeAbort = new AbortController();

  #state: State = 'running';
  #failure: unknown;
  /** Samples pushed, dropped ones included: the stream's clock. */
  #pushedSamples = 0;
  #droppedSamples = 0;
  /** Where held audio stopped being kept because too much was held (stream seconds). */
  #dropFrom: number | undefined;
  /** Everything before this (stream seconds) has been decoded or skipped as silence. */
  #caughtUpTo = 0;
  /** End of the audio the last decode of this utterance saw. */
  #decodedTo = 0;
  #decodes = 0;
  /** The last decode ended its hypothesis early (it fell short, or stopped before the speech). */
  #lastDecodeEndedEarly = false;
  #partialText = '';
  #wake: (() => void) | undefined;
  readonly #done: Promise<LiveResult>;

  /** @internal Made by `WhisperModel.live()`. */
  constructor(decoder: LiveDecoder, options: CheckedLiveOptions) {
    this.#decoder = decoder;
    this.#options = options;
    this.#pushed = new PushedAudio(options.sampleRate);
    this.#held = new HeldAudio(options.maxHeldSeconds);
    this.#endpointer = new Endpointer(options);
    const signal = options.signal;
    const onAbort = () => this.abort(signal?.reason);
    if (signal?.aborted) queueMicrotask(onAbort);
    else signal?.addEventListener('abort', onAbort, { once: true });
    this.#done = this.#loop().finally(() => signal?.removeEventListener('abort', onAbort));
    this.#done.catch(() => undefined); // end() and the iterators report it
  }

  /** Seconds of audio pushed so far: the stream's clock. */
  get now(): number {
    return this.#pushedSamples / SAMPLE_RATE;
  }

  get stats(): LiveStats {
    return {
      pushedSeconds: this.now,
      heldSeconds: this.#held.seconds,
      behindSeconds: Math.max(0, this.now - this.#caughtUpTo),
      droppedSeconds: this.#droppedSamples / SAMPLE_RATE,
      decodes: this.#decodes,
      state: this.#state,
    };
  }

  /**
   * Adds mono samples (Float32Array in -1..1, or Int16Array) at the session's `sampleRate`;
   * any size, any rate of calls. Returns at once: decoding runs on the thread pool. `rate`,
   * when given, must be the session's. Throws `InvalidAudioError` for a bad chunk (and takes
   * none of it), `LiveClosedError` after `end()`, `abort()` or a failure.
   */
  push(chunk: Float32Array | Int16Array, rate?: number): void {
    this.#checkOpen('push');
    const samples = this.#pushed.take(chunk, rate);
    if (samples.length === 0) return;
    this.#pushedSamples += samples.length;
    let kept = 0;
    if (this.#dropFrom === undefined) {
      kept = this.#held.append(samples);
      this.#endpointer.push(kept === samples.length ? samples : samples.subarray(0, kept));
    }
    if (kept < samples.length) {
      const dropped = samples.length - kept;
      this.#droppedSamples += dropped;
      this.#endpointer.skip(dropped / SAMPLE_RATE);
      if (this.#dropFrom === undefined) {
        this.#dropFrom = this.#held.end;
        this.#emitLagging();
      }
    }
    this.#wakeIfWork();
  }

  /**
   * No more audio: the rest is decoded and made final. Resolves with all the final text
   * once the last `final` event has been delivered; rejects if the session failed or was
   * aborted. Calling it again returns the same promise.
   */
  end(): Promise<LiveResult> {
    if (this.#state === 'running') {
      this.#state = 'ending';
      this.#wake?.();
    }
    return this.#done;
  }

  /** Stops at once: the running decode is cancelled, `end()` and the iterators reject with an AbortError. */
  abort(reason?: unknown): void {
    this.#stop(new AbortError('the live transcription was aborted', reason === undefined ? undefined : { cause: reason }));
  }

  /** Stops like `abort()` (iterators just finish) and waits for the running decode to leave native code. */
  async dispose(): Promise<void> {
    this.#stop(new AbortError('the live transcription was disposed'), { quiet: true });
    await this.#done.catch(() => undefined);
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.dispose();
  }

  on<T extends LiveEventType>(type: T, listener: (event: Extract<LiveEvent, { type: T }>) => void): this {
    this.#events.on(type, listener);
    return this;
  }

  off<T extends LiveEventType>(type: T, listener: (event: Extract<LiveEvent, { type: T }>) => void): this {
    this.#events.off(type, listener);
    return this;
  }

  /** The events from now on; leaving the loop early disposes of the session. */
  [Symbol.asyncIterator](): AsyncIterator<LiveEvent> {
    return this.#events.iterate(() => void this.dispose());
  }

  #checkOpen(what: string): void {
    if (this.#state === 'running') return;
    const why = this.#state === 'ending' || this.#state === 'ended' ? 'end() was called' : this.#state === 'aborted' ? 'it was aborted' : 'it failed';
    throw new LiveClosedError(`live: cannot ${what}: ${why}`, this.#failure === undefined ? undefined : { cause: this.#failure });
  }

  #stop(error: unknown, { quiet = false } = {}): void {
    if (this.#state === 'ended' || this.#state === 'aborted' || this.#state === 'failed') return;
    this.#state = error instanceof AbortError ? 'aborted' : 'failed';
    this.#failure = error;
    this.#decodeAbort.abort(error);
    this.#events.close(quiet ? undefined : error);
    this.#wake?.();
  }

  #stopped(): boolean {
    return this.#state === 'aborted' || this.#state === 'failed';
  }

  #wakeIfWork(): void {
    if (this.#wake && this.#hasWork()) this.#wake();
  }

  #hasWork(): boolean {
    if (this.#state !== 'running') return true;
    if (this.#dropFrom !== undefined) return true;
    if (this.#endpointer.endpoint() !== undefined) return true;
    return this.#held.end - this.#caughtUpTo >= this.#options.chunkSeconds;
  }

  async #loop(): Promise<LiveResult> {
    try {
      for (;;) {
        if (!this.#hasWork()) await new Promise<void>((resolve) => (this.#wake = resolve));
        this.#wake = undefined;
        if (this.#stopped()) throw this.#failure;
        if (this.#dropFrom !== undefined) {
          await this.#closeUtterance(this.#dropFrom);
          this.#held.restartAt(this.now);
          this.#caughtUpTo = this.now;
          this.#dropFrom = undefined;
        } else if (this.#state === 'ending') {
          // With endpointing off every held second may be speech; with it on, only an open utterance.
          const open = this.#options.endpointSilenceMs === 0 ? this.#held.seconds > 0 : this.#endpointer.state.inUtterance;
          if (open) await this.#closeUtterance(this.#held.end);
          if (this.#stopped()) throw this.#failure; // a listener threw at the last final
          this.#state = 'ended';
          this.#events.close();
          return this.#result();
        } else {
          await this.#step();
        }
      }
    } catch (error) {
      // A decode that failed (the model disposed, a listener that threw) fails the session.
      if (!this.#stopped()) this.#stop(error);
      throw this.#failure;
    }
  }

  /** One round of work while running: close an utterance, skip silence, or decode. */
  async #step(): Promise<void> {
    const endpoint = this.#endpointer.endpoint();
    if (endpoint !== undefined) {
      await this.#closeUtterance(Math.min(this.#held.end, endpoint + ENDPOINT_PAD_SECONDS));
      return;
    }
    if (!this.#endpointer.state.inUtterance && this.#options.endpointSilenceMs > 0) {
      // Nothing said since the last utterance: keep a little audio for the next onset.
      this.#held.trimTo(Math.max(this.#held.start, this.#held.end - PREROLL_SECONDS));
      this.#caughtUpTo = this.#held.end;
      return;
    }
    this.#startAtOnset();
    this.#checkLag();
    const to = Math.min(this.#held.end, this.#held.start + this.#options.maxBufferSeconds);
    const from = this.#held.start;
    const words = await this.#decode(to);
    // A hypothesis that fell short (LocalAgreement.fellShort) is no evidence for or against
    // the pending words: they stand.
    const fellShort = this.#agreement.fellShort(words);
    const stoppedEarly = !fellShort && this.#stoppedBeforeSpeech(words, from, to, EARLY_END_SECONDS);
    if (!fellShort) {
      // commit 'utterance': nothing becomes final by agreement. Agreement on less than
      // MIN_AGREEMENT_SECONDS of audio is agreement on guesses.
      const stableUntil = this.#options.commit === 'utterance' || to - from < MIN_AGREEMENT_SECONDS ? -Infinity : to - UNSTABLE_TAIL_SECONDS;
      this.#emitFinal(this.#agreement.insert(words, { stableUntil }), false);
      this.#emitPartial();
    }
    this.#lastDecodeEndedEarly = fellShort || stoppedEarly;
    // Whisper ended this hypothesis early: the buffer restarts shortly before the end of the
    // final text, so that the next decode goes on from there instead of stopping in the same
    // place. (With nothing committed to restart at, the usual trim applies: a full buffer
    // still makes its words final.)
    if (this.#lastDecodeEndedEarly && this.#restartBeforeLastCommitted(to, { orAfterLast: true })) return;
    this.#trimAfterCommit(to);
  }

  /**
   * The first decode of an utterance starts PREROLL_SECONDS before its detected onset: the
   * same audio whenever the chunks happened to arrive, so an utterance's decodes (and its
   * final text) do not depend on the timing of the silence before it.
   */
  #startAtOnset(): void {
    const onset = this.#endpointer.state.utteranceStart;
    if (onset === undefined || this.#agreement.committedInBuffer.length > 0 || this.#agreement.pending.length > 0) return;
    if (this.#held.start < onset - PREROLL_SECONDS) this.#held.trimTo(onset - PREROLL_SECONDS);
  }

  /** Makes the utterance's words up to `until` final, then starts the buffer there. */
  async #closeUtterance(until: number): Promise<void> {
    this.#startAtOnset();
    // An utterance longer than a window is decoded window by window first.
    while (until - this.#held.start > this.#options.maxBufferSeconds) {
      const to = this.#held.start + this.#options.maxBufferSeconds;
      const words = await this.#decode(to);
      this.#emitFinal(this.#agreement.insert(words, { stableUntil: to - UNSTABLE_TAIL_SECONDS }), false);
      this.#trimAfterCommit(to);
    }
    // The last decode already heard the whole utterance and the silence after it (nothing
    // else: an endpoint means silence up to now): its words stand, whatever their times.
    let committed: LiveWord[];
    if (this.#decodedTo >= until && this.#decodedTo - until < this.#options.chunkSeconds + 1 && !this.#lastDecodeEndedEarly) {
      committed = this.#agreement.commitPending();
    } else {
      committed = await this.#lastDecode(until);
    }
    this.#lastDecodeEndedEarly = false;
    this.#agreement.dropPending();
    this.#emitFinal(committed, true);
    this.#emitPartial();
    this.#held.trimTo(until);
    this.#agreement.trimAll();
    this.#caughtUpTo = Math.max(this.#caughtUpTo, until);
    this.#endpointer.closeUtterance();
  }

  /**
   * Whether a decode of [from, to] ended its hypothesis at least `earlySeconds` before the
   * speech it heard: inside an utterance, speech has no pause as long as an endpoint's
   * silence, so the stretch after the last word up to the last speech is speech.
   */
  #stoppedBeforeSpeech(words: readonly LiveWord[], from: number, to: number, earlySeconds: number): boolean {
    // A decode that says nothing heard no words (noise, music): there is nothing to go on from.
    const lastWord = words.at(-1);
    const speech = this.#endpointer.state;
    if (lastWord === undefined || !speech.inUtterance || speech.utteranceStart === undefined) return false;
    const saidUntil = Math.max(from, speech.utteranceStart, lastWord.end);
    return Math.min(to, speech.lastSpeechEnd) - saidUntil >= earlySeconds;
  }

  /**
   * Restarts the buffer after the last committed word that ends RESTART_OVERLAP_SECONDS
   * before the last one, or, when none is that old and `orAfterLast`, after the last one;
   * false if it did not move.
   */
  #restartBeforeLastCommitted(decodedTo: number, { orAfterLast }: { orAfterLast: boolean }): boolean {
    const committed = this.#agreement.committedInBuffer;
    const last = committed.at(-1);
    const after = last && ([...committed].reverse().find((w) => w.end <= last.end - RESTART_OVERLAP_SECONDS) ?? (orAfterLast ? last : undefined));
    if (!after) return false;
    const start = this.#held.start;
    this.#cutAfter(after, decodedTo);
    return this.#held.start > start;
  }

  /**
   * An utterance's last decode, up to `until`, and the words it makes final. When it ended
   * early (it fell short, or stopped REST_DECODE_SECONDS before the speech), the buffer
   * restarts shortly before the end of the final text and the rest is decoded again (up to
   * MAX_LAST_DECODES decodes in all).
   */
  async #lastDecode(until: number): Promise<LiveWord[]> {
    const committed: LiveWord[] = [];
    for (let decodes = 1; ; decodes++) {
      const from = this.#held.start;
      const words = await this.#decode(until);
      const fellShort = this.#agreement.fellShort(words);
      if (!fellShort && !this.#stoppedBeforeSpeech(words, from, until, REST_DECODE_SECONDS)) return [...committed, ...this.#agreement.commitAll(words)];
      // One that fell short says less than the hypothesis before it: that one's words stand.
      committed.push(...(fellShort ? this.#agreement.commitPending() : this.#agreement.commitAll(words)));
      // Only with committed words to hear again: a buffer of what follows the last word alone
      // holds the end of that word (times are rough), and Whisper says it again ("country. country.").
      if (decodes === MAX_LAST_DECODES || !this.#restartBeforeLastCommitted(until, { orAfterLast: false })) return committed;
    }
  }

  /**
   * Trims the buffer after the last committed word that ends a sentence; a buffer that has
   * reached `maxBufferSeconds` is trimmed after the last committed word, or, when nothing
   * was agreed, has its words made final first. The cut is the quietest moment between
   * that word and the next, since word times are rough.
   */
  #trimAfterCommit(decodedTo: number): void {
    const committed = this.#agreement.committedInBuffer;
    let after = [...committed].reverse().find((w) => SENTENCE_END.test(w.text));
    if (decodedTo - this.#held.start >= this.#options.maxBufferSeconds - 0.01 && after === undefined) {
      after = committed[committed.length - 1];
      if (after === undefined) {
        const forced = this.#agreement.commitPending();
        this.#emitFinal(forced, false);
        this.#emitPartial();
        after = forced[forced.length - 1];
      }
      if (after === undefined) {
        // A full buffer without a word: nothing to keep.
        this.#held.trimTo(decodedTo);
        this.#agreement.trimAll();
        return;
      }
    }
    if (after !== undefined) this.#cutAfter(after, decodedTo);
  }

  /** Starts the buffer after `after`, a committed word, at the quietest moment near its end (word times are rough). */
  #cutAfter(after: LiveWord, decodedTo: number): void {
    const committed = this.#agreement.committedInBuffer;
    const next = committed[committed.indexOf(after) + 1] ?? this.#agreement.pending[0];
    const searchTo = next && next.start > after.end ? Math.min(next.start, after.end + CUT_SEARCH_SECONDS) : after.end + CUT_SEARCH_SECONDS / 2;
    const cut = this.#held.quietestTime(Math.max(this.#held.start, after.end - CUT_SEARCH_SECONDS / 2), Math.min(decodedTo, searchTo));
    if (cut <= this.#held.start) return;
    this.#held.trimTo(cut);
    this.#agreement.trimAfter(after);
  }

  /**
   * Decodes the buffer from its start to `to`; returns its words in the stream's clock. A
   * hypothesis that cannot be what the buffer said (./implausible.ts: Whisper said the
   * prompt again) is decoded once more without the prompt; one that still cannot is no
   * hypothesis at all (no words).
   */
  async #decode(to: number): Promise<LiveWord[]> {
    const from = this.#held.start;
    const audio = this.#held.copy(from, to);
    this.#decodedTo = to;
    this.#caughtUpTo = Math.max(this.#caughtUpTo, to);
    if (audio.length < SAMPLE_RATE / 10) return [];
    const prompt = this.#prompt(from);
    const words = await this.#decodeAudio(audio, from, to, prompt);
    if (implausibleHypothesis(words, to - from, prompt) === undefined) return words;
    const again = prompt === undefined ? words : await this.#decodeAudio(audio, from, to, undefined);
    return implausibleHypothesis(again, to - from, undefined) === undefined ? again : [];
  }

  /** One decode of `audio` (the buffer from `from` to `to`) after `prompt`. */
  async #decodeAudio(audio: Float32Array, from: number, to: number, prompt: string | undefined): Promise<LiveWord[]> {
    const seconds = audio.length / SAMPLE_RATE;
    const fallbackOff = seconds < NO_FALLBACK_SECONDS && this.#options.decoding.temperatureIncrement === undefined;
    const options: TranscribeOptions = {
      ...this.#options.decoding,
      ...(fallbackOff ? { temperatureIncrement: 0 } : {}),
      language: this.#options.language,
      threads: this.#options.threads,
      tokenTimestamps: true,
      longForm: 'native',
      signal: this.#decodeAbort.signal,
      // 50 encoder frames a second; whisper.cpp wants a multiple of 64 for its kernels.
      ...(this.#options.audioContext === 'auto' ? { audioContext: Math.min(1500, Math.ceil(((seconds + 1) * 50) / 64) * 64) } : {}),
    };
    if (prompt) options.initialPrompt = prompt;
    this.#decodes++;
    const transcript = await this.#decoder.transcribe(audio, options);
    if (this.#stopped()) throw this.#failure;
    const words: LiveWord[] = [];
    for (const segment of transcript.segments) {
      for (const word of segmentWords(segment, this.#decoder.info)) {
        const start = Math.min(to, from + Math.max(0, word.start));
        words.push({ text: word.text, start, end: Math.max(start, Math.min(to, from + word.end)), probability: word.probability });
      }
    }
    return [...cutRepetition(words)];
  }

  /** The initial prompt, then committed text before the buffer: the last 200 characters. */
  #prompt(bufferStart: number): string | undefined {
    const parts: string[] = [];
    if (this.#options.initialPrompt) parts.push(this.#options.initialPrompt);
    if (this.#options.promptCommitted) {
      for (const w of this.#finalWords) if (w.end <= bufferStart) parts.push(w.text);
    }
    const text = parts.join(' ');
    return text.length > PROMPT_CHARACTERS ? text.slice(text.indexOf(' ', text.length - PROMPT_CHARACTERS) + 1) : text || undefined;
  }

  #checkLag(): void {
    if (this.now - this.#caughtUpTo >= this.#options.lagSeconds) this.#emitLagging();
  }

  #emitLagging(): void {
    this.#emit({ type: 'lagging', behindSeconds: Math.max(0, this.now - this.#caughtUpTo), droppedSeconds: this.#droppedSamples / SAMPLE_RATE, at: this.now });
  }

  #emitFinal(words: LiveWord[], endOfUtterance: boolean): void {
    if (words.length === 0) return;
    this.#finalWords.push(...words);
    this.#emit({ type: 'final', text: joinWords(words), words, endOfUtterance, at: this.now });
  }

  /** The partial text, when it changed (an empty one clears the previous). */
  #emitPartial(): void {
    const words = [...this.#agreement.pending];
    const text = joinWords(words);
    if (text === this.#partialText) return;
    this.#partialText = text;
    this.#emit({ type: 'partial', text, words, at: this.now });
  }

  #emit(event: LiveEvent): void {
    if (this.#stopped()) return;
    try {
      this.#events.emit(event);
    } catch (error) {
      this.#stop(error); // a listener that throws fails the session with its error
    }
  }

  #result(): LiveResult {
    return {
      text: joinWords(this.#finalWords),
      words: [...this.#finalWords],
      audioSeconds: this.now,
      droppedSeconds: this.#droppedSamples / SAMPLE_RATE,
      decodes: this.#decodes,
    };
  }
}

function joinWords(words: readonly LiveWord[]): string {
  return words.map((w) => w.text).join(' ');
}
