/**
 * Pushed chunks, checked and brought to 16 kHz Float32. A chunk is checked whole before any
 * of it is taken, so a refused chunk leaves the session as it was.
 */
import { SAMPLE_RATE } from '../audio';
import { InvalidAudioError } from '../errors';

/** Converts one checked chunk to 16-kHz samples, carrying resampling state between chunks. */
export class PushedAudio {
  readonly #rate: number;
  readonly #resampler: StreamResampler | undefined;

  constructor(rate: number) {
    this.#rate = rate;
    this.#resampler = rate === SAMPLE_RATE ? undefined : new StreamResampler(rate);
  }

  /** Checks a pushed chunk and returns its samples at 16 kHz (a fresh array: the caller's may be reused). */
  take(chunk: unknown, rate: unknown): Float32Array {
    if (rate !== undefined && rate !== this.#rate) {
      throw new InvalidAudioError(
        `live: a chunk at ${describeRate(rate)} was pushed into a session at ${this.#rate} Hz; the rate cannot change mid-stream (start a new session, or resample first)`,
      );
    }
    let samples: Float32Array;
    if (chunk instanceof Float32Array) {
      for (let i = 0; i < chunk.length; i++) {
        if (!Number.isFinite(chunk[i]!)) {
          throw new InvalidAudioError(`live: sample ${i} of the pushed chunk is ${chunk[i]}; samples must be finite numbers (nominally -1 to 1)`);
        }
      }
      samples = Float32Array.from(chunk);
    } else if (chunk instanceof Int16Array) {
      samples = new Float32Array(chunk.length);
      for (let i = 0; i < chunk.length; i++) samples[i] = chunk[i]! / 32768;
    } else {
      throw new InvalidAudioError(`live: push() takes a Float32Array or an Int16Array of mono samples, got ${describeChunk(chunk)}`);
    }
    return this.#resampler ? this.#resampler.process(samples) : samples;
  }
}

/**
 * Streaming resampler to 16 kHz: each output sample is the mean of the input over its own
 * span (a box low-pass, which keeps speech bands and stops most aliasing when downsampling
 * from 44.1 or 48 kHz), or a linear interpolation when upsampling. State carries over
 * chunks, so the output does not depend on how the stream was cut.
 */
export class StreamResampler {
  /** Input samples per output sample. */
  readonly #step: number;
  /** Input not yet consumed, with its position in the input stream. */
  #held = new Float32Array(0);
  #heldStart = 0;
  /** Next output sample's centre, in input samples from the stream's start. */
  #next = 0;

  constructor(rate: number) {
    this.#step = rate / SAMPLE_RATE;
  }

  process(input: Float32Array): Float32Array {
    const all = new Float32Array(this.#held.length + input.length);
    all.set(this.#held);
    all.set(input, this.#held.length);
    const end = this.#heldStart + all.length;
    const half = Math.max(0.5, this.#step / 2);
    const out: number[] = [];
    while (this.#next + half + 1 <= end) {
      const centre = this.#next - this.#heldStart;
      if (this.#step > 1) {
        const from = Math.max(0, Math.ceil(centre - half));
        const to = Math.min(all.length, Math.floor(centre + half) + 1);
        let sum = 0;
        for (let k = from; k < to; k++) sum += all[k]!;
        out.push(to > from ? sum / (to - from) : 0);
      } else {
        const k = Math.floor(centre);
        const f = centre - k;
        out.push((all[k] ?? 0) * (1 - f) + (all[k + 1] ?? all[k] ?? 0) * f);
      }
      this.#next += this.#step;
    }
    const keepFrom = Math.max(0, Math.floor(this.#next - half - this.#heldStart) - 1);
    this.#held = all.slice(keepFrom);
    this.#heldStart += keepFrom;
    return Float32Array.from(out);
  }
}

function describeRate(rate: unknown): string {
  return typeof rate === 'number' ? `${rate} Hz` : `a rate of type ${typeof rate}`;
}

function describeChunk(chunk: unknown): string {
  if (chunk === null) return 'null';
  if (ArrayBuffer.isView(chunk)) return chunk.constructor.name;
  if (chunk instanceof ArrayBuffer) return 'an ArrayBuffer (wrap it: new Int16Array(buffer) for PCM16)';
  if (Array.isArray(chunk)) return 'an Array (use Float32Array.from(array))';
  return typeof chunk;
}
