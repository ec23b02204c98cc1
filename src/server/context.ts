/** What the routes share: the model, the admission bound, the metrics and the limits. */
import type { WhisperModel } from '../model';
import type { Admission } from './admission';
import type { ServerMetrics } from './metrics';

export interface ServerContext {
  model: WhisperModel;
  /** The name `/v1/models` lists (a known id, or the file's name). */
  modelName: string;
  admission: Admission;
  metrics: ServerMetrics;
  maxUploadBytes: number;
  /** Longest pause in an upload before its connection is ended. */
  uploadIdleTimeoutMs: number;
  /** True once close() began: new requests get 503. */
  closing: boolean;
}
