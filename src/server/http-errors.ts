/**
 * Errors as the server answers them: an HTTP status and OpenAI's error body
 * (`{ error: { message, type, param, code } }`), which OpenAI's clients turn into typed
 * exceptions (`BadRequestError`, `RateLimitError`, ...). Every failure a request can meet
 * is mapped here, so the routes only throw.
 */
import { WhisperError } from '../errors';

/** Why a request failed, as the `errors_total{kind}` metric counts it. */
export type ErrorKind =
  | 'bad_request'
  | 'invalid_audio'
  | 'too_large'
  | 'queue_full'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'client_disconnected'
  | 'upload_stalled'
  | 'shutting_down'
  | 'internal';

/** Every kind, in the order /metrics lists them. */
export const ERROR_KINDS: readonly ErrorKind[] = [
  'bad_request',
  'invalid_audio',
  'too_large',
  'queue_full',
  'unauthorized',
  'forbidden',
  'not_found',
  'client_disconnected',
  'upload_stalled',
  'shutting_down',
  'internal',
];

export class HttpError extends Error {
  readonly status: number;
  readonly kind: ErrorKind;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    kind: ErrorKind,
    message: string,
    details: { type?: string; param?: string; code?: string; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = status;
    this.kind = kind;
    this.type = details.type ?? (status >= 500 ? 'server_error' : 'invalid_request_error');
    this.param = details.param ?? null;
    this.code = details.code ?? null;
    this.headers = details.headers ?? {};
  }

  body(): { error: { message: string; type: string; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}
HttpError.prototype.name = 'HttpError';

export function badRequest(message: string, param?: string, code?: string): HttpError {
  return new HttpError(400, 'bad_request', message, { ...(param ? { param } : {}), ...(code ? { code } : {}) });
}

/** The client went away before its answer; nobody reads the status, the metric does. */
export class ClientGoneError extends HttpError {
  constructor() {
    super(499, 'client_disconnected', 'the client closed the connection before the answer');
  }
}

export class ShuttingDownError extends HttpError {
  constructor(message = 'the server is shutting down') {
    super(503, 'shutting_down', message, { code: 'shutting_down' });
  }
}

/**
 * Any error met while serving a request, as an HttpError: ours pass through, the
 * library's typed errors get their status (bad audio and bad options are the client's
 * fault: 400), Fastify's and the multipart parser's keep theirs, anything else is a 500
 * whose message does not leak internals.
 */
export function toHttpError(error: unknown, signal?: AbortSignal): HttpError {
  // An abort carries why it happened (client gone, shutdown) as the signal's reason, which
  // says more than the error it caused (a cut upload, an AbortError).
  if (signal?.aborted && signal.reason instanceof HttpError) return signal.reason;
  if (error instanceof HttpError) return error;
  if (error instanceof WhisperError) {
    switch (error.code) {
      case 'ERR_WHISPER_INVALID_AUDIO':
      case 'ERR_WHISPER_AUDIO_DECODE':
      case 'ERR_WHISPER_UNSUPPORTED_AUDIO':
        return new HttpError(400, 'invalid_audio', `could not read the audio file: ${error.message}`, { param: 'file', code: 'invalid_audio' });
      case 'ERR_WHISPER_INVALID_OPTION':
        return new HttpError(400, 'bad_request', error.message, { code: 'invalid_value' });
      case 'ERR_WHISPER_OUT_OF_MEMORY':
        return new HttpError(413, 'too_large', error.message, { param: 'file', code: 'audio_too_long' });
      case 'ERR_WHISPER_QUEUE_UNAVAILABLE':
        return new HttpError(503, 'internal', `the job queue is unavailable: ${error.message}`, { code: 'queue_unavailable', headers: { 'retry-after': '5' } });
      case 'ERR_WHISPER_DISPOSED':
        // close() disposes the model only once every request is answered: this is a
        // model its owner disposed under a running server.
        return new HttpError(503, 'internal', 'the model was disposed: this server can no longer transcribe', { code: 'model_disposed' });
      default:
        return new HttpError(500, 'internal', `transcription failed: ${error.message}`);
    }
  }
  const fastifyError = error as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof fastifyError.statusCode === 'number' && fastifyError.statusCode >= 400 && fastifyError.statusCode < 500) {
    const status = fastifyError.statusCode;
    const kind: ErrorKind = status === 413 ? 'too_large' : status === 404 ? 'not_found' : 'bad_request';
    const code = typeof fastifyError.code === 'string' ? fastifyError.code : undefined;
    return new HttpError(status, kind, String(fastifyError.message), code ? { code } : {});
  }
  return new HttpError(500, 'internal', 'internal server error', { cause: error });
}
