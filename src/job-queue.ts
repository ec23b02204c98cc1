/**
 * A FIFO of transcriptions waiting for one of a model's `maxConcurrency` slots. Waiting
 * happens here, in JS, so queued jobs hold no libuv thread-pool thread (which `fs`,
 * `crypto` and `dns` need too) and no native memory.
 */
import { AbortError, DisposedError } from './errors';

interface Waiter {
  resolve: () => void;
  reject: (error: Error) => void;
}

export class JobQueue {
  #running = 0;
  readonly #waiting: Waiter[] = [];
  readonly #limit: number;

  constructor(limit: number) {
    this.#limit = limit;
  }

  get running(): number {
    return this.#running;
  }

  get waiting(): number {
    return this.#waiting.length;
  }

  /** Resolves when a slot is free; rejects if `signal` aborts first. Pair with `release()`. */
  acquire(signal?: AbortSignal): Promise<void> {
    if (this.#running < this.#limit && this.#waiting.length === 0) {
      this.#running++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        reject: (error) => {
          signal?.removeEventListener('abort', onAbort);
          reject(error);
        },
      };
      const onAbort = () => {
        const index = this.#waiting.indexOf(waiter);
        if (index >= 0) this.#waiting.splice(index, 1);
        waiter.reject(new AbortError('the transcription was aborted while it waited for its turn', { cause: signal?.reason }));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next.resolve(); // the slot passes straight to the next job
    else this.#running--;
  }

  /** Rejects every waiting job (the model is being disposed). */
  rejectWaiting(): void {
    for (const waiter of this.#waiting.splice(0)) {
      waiter.reject(new DisposedError('the model was disposed before this transcription started'));
    }
  }
}
