/**
 * Live transcription (`model.live()`): the public types. The commit policy, endpointing and
 * buffering are in src/live/; docs/live.md says how they work and what they cost.
 */
import type { TranscribeOptions } from './options';

/** Options of `model.live()`. Every one is optional. */
export interface LiveOptions {
  /**
   * Sample rate of the pushed chunks, in Hz. Other rates than 16000 are resampled as they
   * arrive. A chunk pushed with another rate (`push(chunk, rate)`) is refused. Default `16000`.
   */
  sampleRate?: number;
  /** Spoken language. Default `'en'` (English-only models know nothing else). */
  language?: string;
  /** Threads of each decode. Default: the model's `threads`. */
  threads?: number;
  /**
   * When text becomes final:
   * - `'agreement'`: LocalAgreement-2: as soon as two consecutive decodes of the growing
   *   buffer agree on a word, and at the end of each utterance (a silence of
   *   `endpointSilenceMs`) for the rest.
   * - `'utterance'`: only at the end of each utterance, from a decode of the whole
   *   utterance; an utterance longer than `maxBufferSeconds` has its earlier words made
   *   final window by window. Partial text still follows every decode.
   * On the five-minute English set with tiny.en and 1-s chunks (docs/live.md),
   * `'agreement'` made words final 2.7-3.1 s after they were said (median), from 0.3 WER
   * points below offline transcription to 5.2 above (runs differ: timing decides which
   * decodes run); `'utterance'` took 9.7 s and was 0.2-1.1 points below it. Default
   * `'agreement'`.
   */
  commit?: 'utterance' | 'agreement';
  /**
   * Seconds of new audio that start the next decode of the growing buffer: smaller gives
   * text sooner and costs more decodes. Decodes never overlap; audio that arrives during
   * one waits for the next. Below 1 s, two consecutive decodes hear nearly the same audio
   * and agree on the same guesses more often: with 0.5 s, tiny.en's final text was 5.8 WER
   * points worse than with 1 s on a CPU that kept up (docs/live.md). Default `1`.
   */
  chunkSeconds?: number;
  /**
   * Silence, in ms, that closes an utterance: its last words become final at once, without
   * waiting for a second decode to agree, and the buffer starts afresh. `0` turns
   * endpointing off (pure LocalAgreement-2). Default `600`.
   */
  endpointSilenceMs?: number;
  /**
   * Loudness, in dB above the tracked noise floor, that counts as speech for endpointing
   * (10-ms frames). Default `10`.
   */
  speechThresholdDb?: number;
  /**
   * Longest buffer decoded at once, in seconds (at most 30, Whisper's window). A buffer that
   * reaches it without a committed sentence end is cut at the end of the last committed
   * word, or, when nothing was agreed, its text so far is made final. Default `25`.
   */
  maxBufferSeconds?: number;
  /**
   * Backlog, in seconds of audio pushed but not yet decoded, at which a `lagging` event is
   * emitted (again at each decode while it lasts). Default `3`.
   */
  lagSeconds?: number;
  /**
   * Most audio held, in seconds (buffer and backlog). Audio pushed beyond it is dropped,
   * counted in the `lagging` event, and the current utterance is closed where the kept audio
   * ends: memory stays bounded when the CPU cannot keep up. Default `60`.
   */
  maxHeldSeconds?: number;
  /**
   * Size the encoder's context to the buffer (`'auto'`: the buffer's length plus 1 s,
   * rounded up) instead of a full 30-s window (`'full'`). `'auto'` encodes short buffers
   * several times faster, but Whisper was trained on full windows and loops more often on
   * shorter ones; the temperature fallback that catches the loops then costs more than the
   * encoder saved (docs/live.md has both measured). Default `'full'`.
   */
  audioContext?: 'auto' | 'full';
  /**
   * Carry committed text as the decoder's prompt (the last 200 characters of it), as the
   * LocalAgreement-2 paper does. Default `true`.
   */
  promptCommitted?: boolean;
  /** Text that primes the first decode (names, spelling, style). Default none. */
  initialPrompt?: string;
  /**
   * Further decoding options of each decode (`beamSize`, `suppressRegex`, ...). Audio,
   * timing and callback options are the live transcriber's own and are refused here.
   * Unlike `transcribe()`, live decodes use beam search (`beamSize: 5`) unless this says
   * otherwise: two greedy decodes of a partial sentence agree on the same mistake far more
   * often (docs/live.md: 5 WER points with `'agreement'`, 3 with `'utterance'`);
   * `{ beamSize: 1 }` decodes greedily. A search whose beams all repeat a phrase four
   * times stops there (`loopRepeats: 4`; `0` lets it run to the token limit, as
   * `transcribe()` does). The temperature fallback stays on (it is what
   * stops Whisper's loops), except on buffers under 2 s, which commit nothing by agreement
   * and where it cost time without a measured gain (docs/live.md); setting
   * `temperatureIncrement` here applies that value to every decode.
   */
  decoding?: LiveDecodingOptions;
  /** Stops the session like `abort()`. */
  signal?: AbortSignal;
}

/** The options of each decode that a live session lets the caller set. */
export type LiveDecodingOptions = Pick<
  TranscribeOptions,
  | 'beamSize'
  | 'loopRepeats'
  | 'groupedAttention'
  | 'bestOf'
  | 'temperature'
  | 'temperatureIncrement'
  | 'suppressBlank'
  | 'suppressNonSpeech'
  | 'suppressRegex'
  | 'noSpeechThreshold'
  | 'seed'
  | 'entropyThreshold'
  | 'logprobThreshold'
>;

/** A word, timed in the stream's clock: seconds of audio since the first pushed sample. */
export interface LiveWord {
  text: string;
  start: number;
  end: number;
  /** Mean probability of its tokens. */
  probability: number;
}

interface LiveTextEvent {
  /** The words' text, joined with spaces. */
  text: string;
  words: LiveWord[];
  /** Seconds of audio pushed when the event was emitted (the stream's clock "now"). */
  at: number;
}

/** Text that may still change: the latest decode's words after the final ones. Replaces the previous partial. */
export interface LivePartialEvent extends LiveTextEvent {
  type: 'partial';
}

/** Words that became final: they follow the previous final words and never change. */
export interface LiveFinalEvent extends LiveTextEvent {
  type: 'final';
  /** Closed by the end of an utterance (a silence, `end()`, or dropped audio), not by agreement. */
  endOfUtterance: boolean;
}

/** The decoder is behind the pushed audio by `behindSeconds`. */
export interface LiveLaggingEvent {
  type: 'lagging';
  behindSeconds: number;
  /** Audio dropped so far in this session because more than `maxHeldSeconds` was held. */
  droppedSeconds: number;
  at: number;
}

export type LiveEvent = LivePartialEvent | LiveFinalEvent | LiveLaggingEvent;
export type LiveEventType = LiveEvent['type'];

/** What `end()` resolves to. */
export interface LiveResult {
  /** All final text, in order. */
  text: string;
  words: LiveWord[];
  /** Seconds of audio pushed. */
  audioSeconds: number;
  /** Seconds of it dropped (see `maxHeldSeconds`). */
  droppedSeconds: number;
  /** Decodes run. */
  decodes: number;
}

/** A snapshot of a live session's state. */
export interface LiveStats {
  pushedSeconds: number;
  /** Audio held now: the buffer being decoded and the backlog. */
  heldSeconds: number;
  behindSeconds: number;
  droppedSeconds: number;
  decodes: number;
  state: 'running' | 'ending' | 'ended' | 'aborted' | 'failed';
}
