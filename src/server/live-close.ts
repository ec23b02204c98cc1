/**
 * WebSocket close codes (RFC 6455, section 7.4.1) for the ways a live session ends, derived
 * from the HTTP status its error would have had, so that an error frame's body and its
 * close code always agree.
 */
import type { HttpError } from './http-errors';

export const CLOSE_NORMAL = 1000;
/** The server is shutting down. */
export const CLOSE_GOING_AWAY = 1001;
/** Data the server cannot take: an odd byte count, a text frame that is not a known control message. */
export const CLOSE_UNSUPPORTED_DATA = 1003;
/** A rule of the session broken: no frame for too long, audio after end. */
export const CLOSE_POLICY = 1008;
/** Too much: a frame over the size limit, or the session over its length. */
export const CLOSE_TOO_BIG = 1009;
export const CLOSE_SERVER_ERROR = 1011;
/** Busy for now. */
export const CLOSE_TRY_AGAIN_LATER = 1013;

export function closeCodeFor(failure: HttpError): number {
  if (failure.kind === 'shutting_down') return CLOSE_GOING_AWAY;
  // A model disposed under the server will not come back: not worth retrying.
  if (failure.code === 'model_disposed') return CLOSE_SERVER_ERROR;
  if (failure.status === 400) return CLOSE_UNSUPPORTED_DATA;
  if (failure.status === 413) return CLOSE_TOO_BIG;
  if (failure.status === 429 || failure.status === 503) return CLOSE_TRY_AGAIN_LATER;
  return failure.status >= 500 ? CLOSE_SERVER_ERROR : CLOSE_POLICY;
}
