/**
 * One live WebSocket session: binary frames of PCM16 pushed into a `LiveTranscriber`, its
 * events sent back as JSON text frames, `{"type":"end"}` answered with `done`, and every way
 * a session can stop (a bad frame, a limit, the client gone, the shutdown) turned into an
 * error frame and a close code. The transcriber is disposed whenever the socket closes, so
 * a client that goes away stops its decode at once.
 */
import { InvalidAudioError, LiveClosedError } from '../errors';
import type { LiveTranscriber } from '../live';
import type { LiveEvent, LiveResult } from '../types/live';
import type { Ticket } from './admission';
import type { LiveLimits, ServerContext } from './context';
import { HttpError, badRequest, toHttpError } from './http-errors';
import { CLOSE_NORMAL, closeCodeFor } from './live-close';

/** What a session needs of its WebSocket (the `ws` package's WebSocket has it). */
export interface LiveSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  terminate(): void;
}

/** WebSocket.OPEN. */
const OPEN = 1;
/** Time the client gets to answer our close frame before its connection is cut. */
const CLOSE_GRACE_MS = 2_000;

type State = 'streaming' | 'ending' | 'closing' | 'closed';

export class LiveSession {
  readonly #socket: LiveSocket;
  readonly #live: LiveTranscriber;
  readonly #context: ServerContext;
  readonly #ticket: Ticket;
  readonly #sampleRate: number;
  readonly #limits: LiveLimits;
  #state: State = 'streaming';
  #bytes = 0;
  #idle: NodeJS.Timeout | undefined;
  #grace: NodeJS.Timeout | undefined;

  constructor(socket: LiveSocket, live: LiveTranscriber, session: { context: ServerContext; ticket: Ticket; sampleRate: number; limits: LiveLimits }) {
    this.#socket = socket;
    this.#live = live;
    this.#context = session.context;
    this.#ticket = session.ticket;
    this.#sampleRate = session.sampleRate;
    this.#limits = session.limits;
    // Listeners run as the core emits, so every event is sent before `done`.
    const forward = (event: LiveEvent) => this.#send(event);
    live.on('partial', forward).on('final', forward).on('lagging', forward);
    // An iterator is how a failed session makes itself heard between pushes (a decode that
    // failed, the model disposed): it throws the session's error.
    void (async () => {
      for await (const _event of live) {
        // The listeners above send the events; only how the iteration ends matters here.
      }
    })().catch((error: unknown) => this.#fail(error));
    // The shutdown (or a deadline) aborts the ticket: the session ends with the reason.
    if (this.#ticket.signal.aborted) queueMicrotask(() => this.#fail(this.#ticket.signal.reason));
    else this.#ticket.signal.addEventListener('abort', () => this.#fail(this.#ticket.signal.reason), { once: true });
  }

  /** Sends `ready` (what the client needs to know before it streams) and starts the idle timer. */
  start(ready: Record<string, unknown>): void {
    this.#send({ type: 'ready', ...ready });
    this.#idle = setTimeout(() => this.#fail(new HttpError(408, 'upload_stalled', `no frame for ${this.#limits.idleTimeoutMs / 1000} s: the live session was ended`, { code: 'idle_timeout' })), this.#limits.idleTimeoutMs);
  }

  /** A frame from the client: PCM16 when binary, a JSON control message when text. */
  message(data: Buffer, isBinary: boolean): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    if (isBinary) this.#audio(data);
    else this.#control(data);
  }

  /** The socket closed (after our close, the client's, or a cut connection). */
  closed(): void {
    if (this.#state === 'closed') return;
    if (this.#state !== 'closing') this.#context.metrics.error('client_disconnected');
    this.#state = 'closed';
    clearTimeout(this.#idle);
    clearTimeout(this.#grace);
    this.#context.metrics.liveSessionEnded(this.#bytes / 2 / this.#sampleRate);
    // The place is given back once the decode has left native code: the model is free then.
    void this.#live.dispose().finally(() => this.#ticket.release());
  }

  /** An error of the socket itself (a frame over the size limit: the WebSocket layer closes with 1009). */
  socketError(error: Error & { code?: string }): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    // The `ws` package has already sent its close frame (1009 for a frame too large, 1007
    // for text that is not UTF-8, 1002 for a broken frame) and reads nothing more.
    this.#context.metrics.error(error.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' ? 'too_large' : 'bad_request');
    this.#close(undefined);
    void this.#live.dispose();
  }

  #audio(data: Buffer): void {
    if (this.#state !== 'streaming') {
      return this.#fail(new HttpError(409, 'bad_request', 'audio after {"type":"end"}: the session takes no more audio', { code: 'audio_after_end' }));
    }
    this.#idle?.refresh();
    if (data.length % 2 !== 0) {
      return this.#fail(new HttpError(400, 'invalid_audio', `a binary frame of ${data.length} bytes: frames are 16-bit little-endian samples, an even number of bytes`, { code: 'invalid_audio' }));
    }
    this.#bytes += data.length;
    if (this.#bytes / 2 / this.#sampleRate > this.#limits.maxSeconds) {
      return this.#fail(new HttpError(413, 'too_large', `the session passed ${this.#limits.maxSeconds} s of audio, the most one session may send`, { code: 'audio_too_long' }));
    }
    const samples = new Int16Array(data.length / 2);
    for (let i = 0; i < samples.length; i++) samples[i] = data.readInt16LE(2 * i);
    try {
      this.#live.push(samples);
    } catch (error) {
      // A closed session says why in its cause (the model disposed, a decode that failed).
      this.#fail(error instanceof LiveClosedError && error.cause !== undefined ? error.cause : error);
    }
  }

  #control(data: Buffer): void {
    // Only while streaming: refresh() would re-arm the timer cleared by end.
    if (this.#state === 'streaming') this.#idle?.refresh();
    let message: unknown;
    try {
      message = JSON.parse(data.toString('utf8'));
    } catch {
      return this.#fail(badRequest('a text frame that is not JSON: text frames are control messages such as {"type":"end"}', undefined, 'invalid_message'));
    }
    const type = typeof message === 'object' && message !== null ? (message as { type?: unknown }).type : undefined;
    if (type !== 'end') {
      return this.#fail(badRequest(`unknown control message ${JSON.stringify(type ?? message)}: the only one is {"type":"end"}`, undefined, 'invalid_message'));
    }
    if (this.#state !== 'streaming') return; // a second end changes nothing
    this.#state = 'ending';
    clearTimeout(this.#idle);
    this.#live.end().then(
      (result) => this.#done(result),
      (error: unknown) => this.#fail(error),
    );
  }

  #done(result: LiveResult): void {
    if (this.#state !== 'ending') return;
    this.#send({ type: 'done', ...result });
    this.#close(CLOSE_NORMAL, 'done');
  }

  /** An error frame, then a close whose code says what kind of failure it was. */
  #fail(error: unknown): void {
    if (this.#state === 'closing' || this.#state === 'closed') return;
    const failure = error instanceof InvalidAudioError ? new HttpError(400, 'invalid_audio', error.message, { code: 'invalid_audio' }) : toHttpError(error);
    this.#context.metrics.error(failure.kind);
    this.#send({ type: 'error', ...failure.body() });
    this.#close(closeCodeFor(failure), failure.code ?? failure.kind);
    // The decode stops now, not when the client gets round to closing.
    void this.#live.dispose();
  }

  /** Closes with `code` (or lets a close already under way finish), then cuts a client that does not answer. */
  #close(code: number | undefined, reason = ''): void {
    this.#state = 'closing';
    clearTimeout(this.#idle);
    if (code !== undefined && this.#socket.readyState === OPEN) this.#socket.close(code, reason);
    // A client that never answers the close frame does not keep its place.
    this.#grace = setTimeout(() => this.#socket.terminate(), CLOSE_GRACE_MS);
  }

  #send(message: LiveEvent | Record<string, unknown>): void {
    if (this.#socket.readyState === OPEN) this.#socket.send(JSON.stringify(message));
  }
}
