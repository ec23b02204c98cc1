/**
 * The audio a live session holds: 16-kHz samples from `start` (stream seconds) to `end`,
 * contiguous. Trimming from the front is O(1) until the dead part is half the storage,
 * then it is compacted; capacity is fixed (maxHeldSeconds), so memory is bounded.
 */
import { SAMPLE_RATE } from '../audio';

export class HeldAudio {
  readonly #capacity: number;
  #storage: Float32Array;
  #from = 0;
  #to = 0;
  /** Stream sample index of storage[#from]. */
  #startSample = 0;

  constructor(maxSeconds: number) {
    this.#capacity = Math.ceil(maxSeconds * SAMPLE_RATE);
    this.#storage = new Float32Array(Math.min(this.#capacity, 10 * SAMPLE_RATE));
  }

  get start(): number {
    return this.#startSample / SAMPLE_RATE;
  }

  get end(): number {
    return (this.#startSample + this.#to - this.#from) / SAMPLE_RATE;
  }

  get seconds(): number {
    return (this.#to - this.#from) / SAMPLE_RATE;
  }

  /** Samples that still fit. */
  get room(): number {
    return this.#capacity - (this.#to - this.#from);
  }

  /** Appends what fits of `samples`; returns how many were taken. */
  append(samples: Float32Array): number {
    const take = Math.min(samples.length, this.room);
    if (this.#to + take > this.#storage.length) this.#grow(this.#to - this.#from + take);
    this.#storage.set(samples.subarray(0, take), this.#to);
    this.#to += take;
    return take;
  }

  /** Drops the audio before `time` (stream seconds). */
  trimTo(time: number): void {
    const drop = Math.min(this.#to - this.#from, Math.max(0, Math.round(time * SAMPLE_RATE) - this.#startSample));
    this.#from += drop;
    this.#startSample += drop;
  }

  /** Drops everything and restarts the held audio at `time` (after dropped audio). */
  restartAt(time: number): void {
    this.#from = this.#to = 0;
    this.#startSample = Math.round(time * SAMPLE_RATE);
  }

  /** A copy of [from, to) in stream seconds, clamped to what is held. */
  copy(from: number, to: number): Float32Array {
    const a = Math.max(this.#from, this.#from + Math.round(from * SAMPLE_RATE) - this.#startSample);
    const b = Math.min(this.#to, this.#from + Math.round(to * SAMPLE_RATE) - this.#startSample);
    return this.#storage.slice(a, Math.max(a, b));
  }

  /** The middle of the quietest 10-ms frame in [from, to] (stream seconds): where to cut between words. */
  quietestTime(from: number, to: number): number {
    const frame = SAMPLE_RATE / 100;
    const audio = this.copy(from, to);
    const start = Math.max(from, this.start);
    let best = -1;
    let bestEnergy = Infinity;
    for (let i = 0; i + frame <= audio.length; i += frame / 2) {
      let energy = 0;
      for (let k = i; k < i + frame; k++) energy += audio[k]! * audio[k]!;
      if (energy < bestEnergy) {
        bestEnergy = energy;
        best = i;
      }
    }
    return best < 0 ? Math.min(Math.max(from, this.start), this.end) : start + (best + frame / 2) / SAMPLE_RATE;
  }

  #grow(needed: number): void {
    const size = Math.min(this.#capacity, Math.max(needed, this.#storage.length * 2));
    const next = size === this.#storage.length ? this.#storage : new Float32Array(size);
    next.set(this.#storage.subarray(this.#from, this.#to));
    this.#to -= this.#from;
    this.#from = 0;
    this.#storage = next;
  }
}
