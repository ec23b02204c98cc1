/** What the routes share: the model, the admission bound, the metrics and the limits. */
import type { WhisperModel } from '../model';
import type { Admission } from './admission';
import type { ServerMetrics } from './metrics';
import type { QueuedTranscriber } from './queued-transcriber';

/** The limits of each live WebSocket session. */
export interface LiveLimits {
  /** Largest frame, in bytes (the WebSocket layer refuses larger ones with 1009). */
  maxFrameBytes: number;
  /** Most audio one session may send, in seconds. */
  maxSeconds: number;
  /** Longest wait for the client's next frame while it streams. */
  idleTimeoutMs: number;
}

/** Live transcription over WebSocket; absent when `maxLiveSessions` is 0. */
export interface LiveContext {
  /** One ticket per open session (or upgrade under way), bounded by `maxLiveSessions`. */
  sessions: Admission;
  limits: LiveLimits;
}

export interface ServerContext {
  model: WhisperModel;
  /** The name `/v1/models` lists (a known id, or the file's name). */
  modelName: string;
  admission: Admission;
  metrics: ServerMetrics;
  maxUploadBytes: number;
  /** Longest pause in an upload before its connection is ended. */
  uploadIdleTimeoutMs: number;
  live: LiveContext | undefined;
  /** With the `queue` option: the workers that run the upload routes' jobs. */
  queue: QueuedTranscriber | undefined;
  /** Upload jobs decoded (or, with a queue, at the workers) at once. */
  maxConcurrency: number;
  /** True once close() began: new requests get 503. */
  closing: boolean;
}
