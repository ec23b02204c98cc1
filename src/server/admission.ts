/**
 * Which requests the server has taken on. A request is admitted before its upload is read
 * and stays admitted until it is answered, so the bound covers what the server holds in
 * memory (uploads) as well as what waits for the model. Each admitted request carries the
 * AbortController that a client disconnect or the shutdown deadline fires.
 */
export class Ticket {
  readonly controller = new AbortController();
  readonly #release: (ticket: Ticket) => void;
  #released = false;

  constructor(release: (ticket: Ticket) => void) {
    this.#release = release;
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  abort(reason: Error): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** Gives the place back; once only, however many paths reach it. */
  release(): void {
    if (this.#released) return;
    this.#released = true;
    this.#release(this);
  }
}

export class Admission {
  readonly #admitted = new Set<Ticket>();
  readonly #limit: number;
  #idle: (() => void)[] = [];

  /** `limit`: running plus queued requests. */
  constructor(limit: number) {
    this.#limit = limit;
  }

  get limit(): number {
    return this.#limit;
  }

  get size(): number {
    return this.#admitted.size;
  }

  /** A ticket, or undefined when the server already holds `limit` requests. */
  tryAdmit(): Ticket | undefined {
    if (this.#admitted.size >= this.#limit) return undefined;
    const ticket = new Ticket((t) => {
      this.#admitted.delete(t);
      if (this.#admitted.size === 0) for (const resolve of this.#idle.splice(0)) resolve();
    });
    this.#admitted.add(ticket);
    return ticket;
  }

  abortAll(reason: Error): void {
    for (const ticket of this.#admitted) ticket.abort(reason);
  }

  /** Resolves when no request is admitted. */
  idle(): Promise<void> {
    if (this.#admitted.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }
}
