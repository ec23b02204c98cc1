/**
 * Delivers a live session's events to listeners (`on`) and to async iterators, each event
 * to each once and in order. An iterator sees the events from its creation on, ends when
 * the session ends, and throws the session's error when it fails or is aborted.
 */
import type { LiveEvent, LiveEventType } from '../types/live';

type Listener<T extends LiveEventType> = (event: Extract<LiveEvent, { type: T }>) => void;

interface Reader {
  queue: LiveEvent[];
  wake: (() => void) | undefined;
}

export class EventChannel {
  readonly #listeners = new Map<LiveEventType, Set<(event: LiveEvent) => void>>();
  readonly #readers = new Set<Reader>();
  #closed: { error: unknown } | undefined;

  on<T extends LiveEventType>(type: T, listener: Listener<T>): void {
    let set = this.#listeners.get(type);
    if (!set) this.#listeners.set(type, (set = new Set()));
    set.add(listener as (event: LiveEvent) => void);
  }

  off<T extends LiveEventType>(type: T, listener: Listener<T>): void {
    this.#listeners.get(type)?.delete(listener as (event: LiveEvent) => void);
  }

  /** Delivers an event. A listener that throws stops delivery and the error is rethrown (the session fails with it). */
  emit(event: LiveEvent): void {
    if (this.#closed) return;
    for (const reader of this.#readers) {
      reader.queue.push(event);
      reader.wake?.();
    }
    for (const listener of [...(this.#listeners.get(event.type) ?? [])]) listener(event);
  }

  /** No more events: iterators finish (error undefined) or throw `error`. */
  close(error?: unknown): void {
    if (this.#closed) return;
    this.#closed = { error };
    for (const reader of this.#readers) reader.wake?.();
  }

  async *iterate(onReturn: () => void): AsyncGenerator<LiveEvent, void, undefined> {
    const reader: Reader = { queue: [], wake: undefined };
    this.#readers.add(reader);
    let finished = false;
    try {
      for (;;) {
        while (reader.queue.length > 0) yield reader.queue.shift()!;
        if (this.#closed) {
          finished = true;
          if (this.#closed.error !== undefined) throw this.#closed.error;
          return;
        }
        await new Promise<void>((resolve) => (reader.wake = resolve));
        reader.wake = undefined;
      }
    } finally {
      this.#readers.delete(reader);
      // Leaving the loop early (break, return, an exception in its body) stops the session,
      // as leaving transcribeStream's loop aborts its job.
      if (!finished) onReturn();
    }
  }
}
