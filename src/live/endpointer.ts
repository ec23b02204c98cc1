/**
 * Energy endpointing for live audio: the loudness of each 10-ms frame against a tracked
 * noise floor says speech or silence, and a silence of `endpointSilenceMs` after speech
 * ends an utterance. Cheap enough to run on every pushed sample in JS; pure, so it is
 * tested without audio hardware.
 *
 * The floor follows the quietest frames quickly and louder ones slowly (a minimum tracker),
 * so it settles on the room's noise within a second and is not dragged up by speech.
 */

const FRAME = 160; // 10 ms at 16 kHz
/** Below this (dBFS) a frame is silence whatever the floor: digital silence and hiss. */
const ABSOLUTE_SILENCE_DB = -60;
/** The floor rises at most this many dB per frame (1 dB/s), and falls at once. */
const FLOOR_RISE_DB = 0.01;

export interface EndpointerOptions {
  /** dB above the noise floor that count as speech. */
  speechThresholdDb: number;
  /** Silence after speech that ends an utterance, ms; 0 never ends one. */
  endpointSilenceMs: number;
}

/** What the frames pushed so far say, in seconds of the stream's clock. */
export interface SpeechState {
  /** Speech heard since the last endpoint (or the start). */
  inUtterance: boolean;
  /** Start of the first speech frame of the current utterance, when there is one. */
  utteranceStart: number | undefined;
  /** End of the last speech frame. */
  lastSpeechEnd: number;
}

export class Endpointer {
  readonly #options: EndpointerOptions;
  /** Starts at the first frame's level: a noisy room is not speech for its first seconds. */
  #floorDb: number | undefined;
  #partial = new Float32Array(FRAME);
  #partialLength = 0;
  #frames = 0;
  #utteranceStart: number | undefined;
  #lastSpeechEnd = 0;

  constructor(options: EndpointerOptions) {
    this.#options = options;
  }

  get state(): SpeechState {
    return { inUtterance: this.#utteranceStart !== undefined, utteranceStart: this.#utteranceStart, lastSpeechEnd: this.#lastSpeechEnd };
  }

  /** Seconds of audio analysed. */
  get analysedSeconds(): number {
    return (this.#frames * FRAME) / 16000;
  }

  /** Feeds 16-kHz samples. */
  push(samples: Float32Array): void {
    let i = 0;
    while (i < samples.length) {
      const take = Math.min(FRAME - this.#partialLength, samples.length - i);
      this.#partial.set(samples.subarray(i, i + take), this.#partialLength);
      this.#partialLength += take;
      i += take;
      if (this.#partialLength === FRAME) {
        this.#frame(this.#partial);
        this.#partialLength = 0;
      }
    }
  }

  /**
   * The time at which the current utterance ended, when a long enough silence follows its
   * speech; undefined while it goes on (or with endpointing off, or no speech yet).
   */
  endpoint(): number | undefined {
    if (this.#utteranceStart === undefined || this.#options.endpointSilenceMs <= 0) return undefined;
    const silence = this.analysedSeconds - this.#lastSpeechEnd;
    return silence * 1000 >= this.#options.endpointSilenceMs ? this.#lastSpeechEnd : undefined;
  }

  /** The utterance was closed (at an endpoint, or because its audio was dropped): wait for new speech. */
  closeUtterance(): void {
    this.#utteranceStart = undefined;
  }

  /** Skips `seconds` of audio that was dropped: the clock moves on, nothing is analysed. */
  skip(seconds: number): void {
    this.#frames += Math.round((seconds * 16000) / FRAME);
    this.#partialLength = 0;
  }

  #frame(frame: Float32Array): void {
    let sum = 0;
    for (let k = 0; k < FRAME; k++) sum += frame[k]! * frame[k]!;
    const db = 10 * Math.log10(sum / FRAME + 1e-12);
    const start = (this.#frames * FRAME) / 16000;
    this.#frames++;
    const floor = Math.max(this.#floorDb ?? db, ABSOLUTE_SILENCE_DB - 20);
    const speech = db > ABSOLUTE_SILENCE_DB && db > floor + this.#options.speechThresholdDb;
    this.#floorDb = db < floor ? Math.max(db, ABSOLUTE_SILENCE_DB - 20) : floor + FLOOR_RISE_DB;
    if (speech) {
      if (this.#utteranceStart === undefined) this.#utteranceStart = start;
      this.#lastSpeechEnd = start + FRAME / 16000;
    }
  }
}
