/** Public types of the transcription server (`createServer`, `whisper-napi serve`). */
import type { WhisperModel } from '../model';
import type { LoadModelOptions } from '../types/options';

export interface ServerOptions {
  /**
   * The model every request uses: a file path, a downloaded known id (`'tiny.en'`), or a
   * `WhisperModel` you loaded (the server then leaves disposing it to you). Default:
   * $WHISPER_NAPI_MODEL, else distil-medium.en. Loaded once, shared by all requests.
   */
  model?: string | WhisperModel;
  /** How a model given by path or id is loaded; `maxConcurrency` below overrides its own. */
  load?: LoadModelOptions;
  /** Interface to listen on. Default `'127.0.0.1'` (loopback: reachable from this machine only). */
  host?: string;
  /** TCP port; `0` picks a free one (read it from `server.port`). Default `8080`. */
  port?: number;
  /**
   * When set, every route but `/`, its assets and `/health` needs
   * `Authorization: Bearer <apiKey>` (401 otherwise). Default: none.
   */
  apiKey?: string;
  /** Transcriptions decoded at once (decoding states on the shared weights). Default `1`. */
  maxConcurrency?: number;
  /**
   * Requests admitted beyond the running ones (uploading or waiting for a slot); one more
   * is answered 429 with `Retry-After`. Default `8`.
   */
  maxQueue?: number;
  /**
   * Largest audio upload in bytes (OpenAI's own limit is 25 MB). Counted while the upload
   * streams in, so a larger one is cut off with 413 without being held in memory.
   * Default `25 * 1024 * 1024`.
   */
  maxUploadBytes?: number;
  /**
   * Origins allowed to call the API from a browser on another origin (CORS): a list of
   * origins, or `'*'`. Default: none (no CORS headers; the page at `/` is same-origin).
   */
  cors?: string | readonly string[];
  /**
   * Longest pause while an upload streams in; past it the connection is ended and the
   * request's place given back (a client that stalls cannot hold the queue). Default `30000` ms.
   */
  uploadIdleTimeoutMs?: number;
  /** On `close()` (and SIGTERM in the CLI), how long running jobs may finish before they are aborted. Default `10000` ms. */
  shutdownTimeoutMs?: number;
  /**
   * Live transcription sessions (`GET /v1/audio/live`, a WebSocket) open at once; one more
   * is answered 429. Each decodes on the shared model, between the uploads' jobs. `0` turns
   * the endpoint off (404). Default `2`.
   */
  maxLiveSessions?: number;
  /** Most audio one live session may send, in seconds; past it the session is closed (1009). Default `3600`. */
  maxLiveSeconds?: number;
  /** Longest wait for a live client's next frame while it streams; past it the session is closed (1008). Default `30000` ms. */
  liveIdleTimeoutMs?: number;
  /** Largest WebSocket frame a live client may send, in bytes; a larger one closes the session (1009). Default `1048576` (1 MiB, 32 s of 16-kHz PCM16). */
  maxLiveFrameBytes?: number;
  /**
   * Hand the upload routes' jobs to workers on a BullMQ job queue (`whisper-napi worker`,
   * `createWorker()`) instead of decoding them here: `redis` is the queue's Redis URL,
   * `name` its name (default `'whisper-napi'`). `maxConcurrency` then counts the jobs this
   * server has at the workers at once, and each upload travels inside its job (so
   * `maxUploadBytes` may be at most 64 MiB). The model is still loaded here: its facts
   * check requests and render the output formats, and live WebSocket sessions decode on it.
   * It must be the workers' model. Default: none (jobs run on this server's model).
   */
  queue?: { redis: string; name?: string };
  /** Serve the web page at `/`. Default `true`. */
  webPage?: boolean;
  /** One line per finished request (method, path, status, time). Default: silent. */
  log?: (line: string) => void;
}

/** A snapshot of the server's load, as `/health` and `/metrics` report it. */
export interface ServerStats {
  /** Requests admitted and not yet answered: uploading, waiting or running. */
  inFlight: number;
  /** Jobs decoding now. */
  running: number;
  /** Jobs waiting for a decoding slot. */
  waiting: number;
  /** Transcriptions completed since the server started. */
  completed: number;
  /** Live WebSocket sessions open. */
  liveSessions: number;
}

export interface TranscriptionServer extends AsyncDisposable {
  /** `http://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The model shared by all requests. */
  readonly model: WhisperModel;
  stats(): ServerStats;
  /**
   * Stops listening (requests still arriving on open connections get 503), ends live
   * sessions at once (an error frame, then close code 1001), lets admitted requests finish
   * for up to `timeoutMs` (default: the `shutdownTimeoutMs` option), aborts the rest (a running job's client gets 503; an upload's connection is ended), then
   * closes the connections and disposes a model the server loaded itself. Calling it again
   * returns the first call's promise.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}
