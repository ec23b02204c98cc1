/**
 * Errors thrown by whisper-napi. Every one is a `WhisperError` with a stable `code`, so
 * callers can branch on `err.code` or `instanceof` without parsing messages.
 */

import { types } from 'node:util';

export type WhisperErrorCode =
  | 'ERR_WHISPER_MODEL_NOT_FOUND'
  | 'ERR_WHISPER_INVALID_MODEL'
  | 'ERR_WHISPER_INVALID_AUDIO'
  | 'ERR_WHISPER_AUDIO_DECODE'
  | 'ERR_WHISPER_UNSUPPORTED_AUDIO'
  | 'ERR_WHISPER_INVALID_OPTION'
  | 'ERR_WHISPER_DOWNLOAD'
  | 'ERR_WHISPER_CHECKSUM'
  | 'ERR_WHISPER_OFFLINE'
  | 'ERR_WHISPER_DISPOSED'
  | 'ERR_WHISPER_OUT_OF_MEMORY'
  | 'ERR_WHISPER_NATIVE'
  | 'ERR_WHISPER_ADDON_LOAD'
  | 'ERR_WHISPER_CONVERSION'
  | 'ERR_WHISPER_LIVE_CLOSED'
  | 'ERR_WHISPER_INVALID_JOB'
  | 'ERR_WHISPER_JOB_FAILED'
  | 'ERR_WHISPER_QUEUE_UNAVAILABLE'
  | 'ABORT_ERR';

export class WhisperError extends Error {
  readonly code: WhisperErrorCode;

  constructor(code: WhisperErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
// Names are set on each prototype as plain strings, not taken from the constructor, so
// they survive minifiers in bundled (e.g. Electron) apps.
WhisperError.prototype.name = 'WhisperError';

/** The model file does not exist (or, for the default model, has not been downloaded). */
export class ModelNotFoundError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_MODEL_NOT_FOUND', message, options);
  }
}
ModelNotFoundError.prototype.name = 'ModelNotFoundError';

/** The file exists but is not a ggml whisper model whisper.cpp can use; nothing was loaded. */
export class InvalidModelError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_INVALID_MODEL', message, options);
  }
}
InvalidModelError.prototype.name = 'InvalidModelError';

/**
 * The audio is not usable: wrong type, empty, too long, unreadable, or containing
 * NaN/Infinity. The two subclasses below narrow it down for encoded audio.
 */
export class InvalidAudioError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }, code: WhisperErrorCode = 'ERR_WHISPER_INVALID_AUDIO') {
    super(code, message, options);
  }
}
InvalidAudioError.prototype.name = 'InvalidAudioError';

/** A known audio format whose data is damaged: truncated, inconsistent headers, bad frames. */
export class AudioDecodeError extends InvalidAudioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options, 'ERR_WHISPER_AUDIO_DECODE');
  }
}
AudioDecodeError.prototype.name = 'AudioDecodeError';

/**
 * Bytes that are not audio we can decode: an unknown container (or not audio at all), or a
 * known one with a codec we do not support (ADPCM WAV, Ogg Opus, AAC, ...).
 */
export class UnsupportedAudioError extends InvalidAudioError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options, 'ERR_WHISPER_UNSUPPORTED_AUDIO');
  }
}
UnsupportedAudioError.prototype.name = 'UnsupportedAudioError';

/**
 * A model download failed: HTTP error, network failure, timeout. Nothing unverified was
 * left at the model's path; an interrupted transfer is resumed by the next attempt.
 */
export class ModelDownloadError extends WhisperError {
  /** The HTTP status, when the server answered with an error. */
  readonly status?: number;

  constructor(message: string, options?: { cause?: unknown; status?: number }, code: WhisperErrorCode = 'ERR_WHISPER_DOWNLOAD') {
    super(code, message, options);
    if (options?.status !== undefined) this.status = options.status;
  }
}
ModelDownloadError.prototype.name = 'ModelDownloadError';

/** The downloaded bytes do not match the pinned checksum; they were deleted. */
export class ChecksumMismatchError extends ModelDownloadError {
  constructor(message: string) {
    super(message, undefined, 'ERR_WHISPER_CHECKSUM');
  }
}
ChecksumMismatchError.prototype.name = 'ChecksumMismatchError';

/** WHISPER_NAPI_OFFLINE=1 forbids the network and the model is not cached. */
export class OfflineError extends ModelDownloadError {
  constructor(message: string) {
    super(message, undefined, 'ERR_WHISPER_OFFLINE');
  }
}
OfflineError.prototype.name = 'OfflineError';

/** An option has the wrong type, is out of range, or is not an option at all. */
export class InvalidOptionError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_INVALID_OPTION', message, options);
  }
}
InvalidOptionError.prototype.name = 'InvalidOptionError';

/** The model was disposed before or during the call. */
export class DisposedError extends WhisperError {
  constructor(message = 'the model has been disposed', options?: { cause?: unknown }) {
    super('ERR_WHISPER_DISPOSED', message, options);
  }
}
DisposedError.prototype.name = 'DisposedError';

/** The job was aborted through an AbortSignal. `name` is 'AbortError', as the platform's. */
export class AbortError extends WhisperError {
  constructor(message = 'the transcription was aborted', options?: { cause?: unknown }) {
    super('ABORT_ERR', message, options);
  }
}
AbortError.prototype.name = 'AbortError';

/** A live session was used after `end()`, `abort()`, `dispose()` or a failure; `cause` holds the failure. */
export class LiveClosedError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_LIVE_CLOSED', message, options);
  }
}
LiveClosedError.prototype.name = 'LiveClosedError';

/**
 * A transcription job's data does not fit the job schema (src/workers/job-data.ts): no
 * audio, two kinds of audio, inline bytes past the limit, options that cannot cross a
 * process boundary (callbacks, signals, models). Thrown by `enqueueTranscription()` before
 * anything reaches Redis; a worker fails such a job (from another producer) with this code
 * and no retry.
 */
export class InvalidJobError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_INVALID_JOB', message, options);
  }
}
InvalidJobError.prototype.name = 'InvalidJobError';

/**
 * A queued transcription failed in a worker (after its retries, if any). `workerCode` is the
 * code of the error the worker met (`'ERR_WHISPER_INVALID_AUDIO'`, ...; `undefined` for an
 * error that was not a WhisperError, or a job given up after its worker died too often) and
 * the message is the worker's own.
 */
export class TranscriptionJobError extends WhisperError {
  readonly jobId: string;
  readonly workerCode: WhisperErrorCode | undefined;

  constructor(jobId: string, workerCode: WhisperErrorCode | undefined, message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_JOB_FAILED', message, options);
    this.jobId = jobId;
    this.workerCode = workerCode;
  }
}
TranscriptionJobError.prototype.name = 'TranscriptionJobError';

/**
 * The job queue cannot be used: its optional packages (`bullmq`, `ioredis`) are not
 * installed, or Redis did not answer in time.
 */
export class QueueUnavailableError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_QUEUE_UNAVAILABLE', message, options);
  }
}
QueueUnavailableError.prototype.name = 'QueueUnavailableError';

/** Memory for the model or a decoding state could not be allocated. */
export class OutOfMemoryError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_OUT_OF_MEMORY', message, options);
  }
}
OutOfMemoryError.prototype.name = 'OutOfMemoryError';

/** whisper.cpp reported a failure not covered above; the message quotes its log. */
export class NativeError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_NATIVE', message, options);
  }
}
NativeError.prototype.name = 'NativeError';

/** The compiled addon could not be loaded (not built for this platform, or broken). */
export class AddonLoadError extends WhisperError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_ADDON_LOAD', message, options);
  }
}
AddonLoadError.prototype.name = 'AddonLoadError';

/** What was wrong with the input of `convertModel()`. */
export type ConversionProblem =
  /** A file the layout needs is not there (the message names it). */
  | 'missing-file'
  /** Neither a CTranslate2 Whisper directory nor a Transformers Whisper checkpoint. */
  | 'unknown-layout'
  /** A known layout holding another kind of model, or a version this converter does not read. */
  | 'unknown-spec'
  /** A tensor is missing or has another shape than the model's configuration implies. */
  | 'shape-mismatch'
  /** The vocabulary does not fit the model (size, or the tokens whisper.cpp relies on). */
  | 'vocabulary-mismatch'
  /** A file ends before the data its header promises. */
  | 'truncated'
  /** A file's structure is damaged (bad JSON, impossible sizes). */
  | 'corrupt';

/**
 * `convertModel()` could not convert its input. `problem` says which kind of fault; the
 * message names the file and the tensor or field. No output file is left behind.
 */
export class ConversionError extends WhisperError {
  readonly problem: ConversionProblem;

  constructor(problem: ConversionProblem, message: string, options?: { cause?: unknown }) {
    super('ERR_WHISPER_CONVERSION', message, options);
    this.problem = problem;
  }
}
ConversionError.prototype.name = 'ConversionError';

/** Turns an error from the addon (a plain Error with `code`) into the matching class. */
export function fromNativeError(error: unknown): Error {
  // util.types, not instanceof: the addon's errors come from the main realm, and test
  // runners and vm contexts have their own Error.
  if (!types.isNativeError(error)) return new NativeError(String(error));
  if (error instanceof WhisperError) return error; // ours already (e.g. thrown in JS)
  const code = (error as { code?: unknown }).code;
  switch (code) {
    // Direct misuse of the addon's own arguments (TypeError / RangeError from C++).
    case 'ERR_INVALID_ARG_TYPE':
    case 'ERR_OUT_OF_RANGE':
      return new InvalidOptionError(error.message, { cause: error });
    case 'ERR_WHISPER_MODEL_NOT_FOUND':
      return new ModelNotFoundError(error.message);
    case 'ERR_WHISPER_INVALID_MODEL':
      return new InvalidModelError(error.message);
    case 'ERR_WHISPER_INVALID_AUDIO':
      return new InvalidAudioError(error.message);
    case 'ERR_WHISPER_AUDIO_DECODE':
      return new AudioDecodeError(error.message);
    case 'ERR_WHISPER_INVALID_OPTION':
      return new InvalidOptionError(error.message);
    case 'ERR_WHISPER_DISPOSED':
      return new DisposedError(error.message);
    case 'ABORT_ERR':
      return new AbortError(error.message);
    case 'ERR_WHISPER_OUT_OF_MEMORY':
      return new OutOfMemoryError(error.message);
    case 'ERR_WHISPER_NATIVE':
      return new NativeError(error.message);
    default:
      return error;
  }
}
