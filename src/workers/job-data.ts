/**
 * The wire format of a queued transcription: what a producer puts in a BullMQ job, what a
 * worker reports while it runs (progress) and how a failure travels back (failedReason).
 * Everything here is JSON, checked on both sides: a producer refuses bad input before it
 * reaches Redis, and a worker refuses a malformed job (another producer's, an older
 * version's) with `InvalidJobError` instead of guessing.
 */
import * as path from 'node:path';

import { InvalidJobError, WhisperError, type WhisperErrorCode } from '../errors';
import { validateTranscribeOptions } from '../options';
import type { TranscribeOptions } from '../types/options';
import type { Segment } from '../types/transcript';

/** BullMQ job name of every transcription job (a queue may carry others: they are refused). */
export const JOB_NAME = 'transcribe';
/** The schema version in each job; a worker refuses other versions rather than misread them. */
export const JOB_VERSION = 1;
/** The queue producers and workers use unless told otherwise. */
export const DEFAULT_QUEUE_NAME = 'whisper-napi';
/**
 * Default limit of audio bytes carried inside a job: Redis holds them (base64, 4/3 larger)
 * until the job is removed, so large files belong on storage every worker reads (a path)
 * or behind a URL. 8 MiB is about 4 minutes of 16-kHz WAV, or an hour of 16-kbit/s MP3.
 */
export const DEFAULT_MAX_INLINE_BYTES = 8 * 1024 * 1024;
/** The most any producer may put inside one job, and what a worker accepts. */
export const MAX_INLINE_BYTES_LIMIT = 64 * 1024 * 1024;

/**
 * Transcription options a job can carry: those that are plain data. Callbacks, signals and
 * models cannot cross to another process (`onSegment` and `onProgress` have their
 * counterparts on the job: `TranscriptionJob.result()`); `sampleRate` is for raw PCM, which
 * a job does not carry; `threads` is each worker's own (`--threads`), as machines differ.
 */
export type QueuedTranscribeOptions = Omit<TranscribeOptions, 'signal' | 'onSegment' | 'onProgress' | 'assistantModel' | 'sampleRate' | 'threads'>;
const NOT_QUEUEABLE = ['signal', 'onSegment', 'onProgress', 'assistantModel', 'sampleRate', 'threads'] as const;

/**
 * Audio for a queued job:
 * - a `string` or `{ path }`: an absolute path, read by the worker on its own machine
 *   (shared storage: NFS, a mounted bucket); `http(s)://` strings are taken as URLs;
 * - a `URL` or `{ url }`: fetched by the worker (http or https);
 * - a `Uint8Array` (a `Buffer`) or `{ bytes }`: an encoded file (WAV, MP3, FLAC, Ogg
 *   Vorbis) carried inside the job, up to `maxInlineBytes`.
 */
export type TranscriptionInput = string | URL | Uint8Array | { path: string } | { url: string | URL } | { bytes: Uint8Array };

/** The audio as a job holds it. */
export type JobAudio = { path: string } | { url: string } | { bytes: string };

export interface TranscriptionJobData {
  v: typeof JOB_VERSION;
  audio: JobAudio;
  options: QueuedTranscribeOptions;
}

/** What a worker reports through `job.updateProgress()`, one event per update. */
export interface TranscriptionProgress {
  /** 0 to 100, increasing. */
  percent: number;
  /** Present when the update announces a finished segment. */
  segment?: { index: number; segment: Segment };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPath(file: string): string {
  if (file === '' || file.includes('\0')) throw new InvalidJobError('a job path must be a non-empty file path');
  // A relative path would be read against whichever directory each worker started in.
  if (!path.isAbsolute(file)) throw new InvalidJobError(`a job path is read by the worker on its own machine: give an absolute path, got '${file}'`);
  return file;
}

function checkUrl(url: string | URL): string {
  let parsed: URL;
  try {
    parsed = new URL(String(url));
  } catch {
    throw new InvalidJobError(`a job URL must be an absolute http(s) URL, got '${String(url)}'`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new InvalidJobError(`a job URL must be http or https, got '${parsed.protocol}'`);
  return parsed.href;
}

function checkBytes(bytes: number, maxInlineBytes: number): void {
  if (bytes === 0) throw new InvalidJobError('the audio bytes of a job are empty');
  if (bytes > maxInlineBytes) {
    throw new InvalidJobError(`the audio is ${bytes} bytes; a job carries at most ${maxInlineBytes} inline: put larger files on storage the workers read (a path) or behind a URL`);
  }
}

function toJobAudio(input: TranscriptionInput, maxInlineBytes: number): JobAudio {
  if (typeof input === 'string') return /^https?:\/\//i.test(input) ? { url: checkUrl(input) } : { path: checkPath(input) };
  if (input instanceof URL) return { url: checkUrl(input) };
  if (input instanceof Uint8Array) {
    checkBytes(input.byteLength, maxInlineBytes);
    return { bytes: Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64') };
  }
  if (isObject(input)) {
    const o: Record<string, unknown> = input;
    const keys = Object.keys(o);
    if (keys.length === 1 && typeof o.path === 'string') return { path: checkPath(o.path) };
    if (keys.length === 1 && (typeof o.url === 'string' || o.url instanceof URL)) return { url: checkUrl(o.url) };
    if (keys.length === 1 && o.bytes instanceof Uint8Array) return toJobAudio(o.bytes, maxInlineBytes);
  }
  throw new InvalidJobError('a job needs its audio as a path, a URL or bytes: a string, a URL, a Uint8Array, or { path }, { url } or { bytes }');
}

function toJobOptions(options: unknown): QueuedTranscribeOptions {
  if (options === undefined) return {};
  if (!isObject(options)) throw new InvalidJobError('the options of a job must be an object');
  for (const key of NOT_QUEUEABLE) {
    if (options[key] !== undefined) {
      const instead = key === 'onSegment' || key === 'onProgress' ? ': pass it to job.result() instead' : key === 'threads' ? ": it is each worker's own (--threads, or createWorker's load.threads)" : '';
      throw new InvalidJobError(`option '${key}' cannot travel in a job${instead}`);
    }
  }
  // The library's own checks (types, ranges, unknown keys), so that a bad option fails
  // here, typed, rather than in a worker later.
  const checked = validateTranscribeOptions(options) as QueuedTranscribeOptions;
  for (const [key, value] of Object.entries(checked)) {
    if (value !== undefined && !['string', 'number', 'boolean'].includes(typeof value)) throw new InvalidJobError(`option '${key}' cannot travel in a job: not plain data`);
  }
  return JSON.parse(JSON.stringify(checked)) as QueuedTranscribeOptions;
}

/** The producer's side: input and options as a job's data, or an `InvalidJobError` / `InvalidOptionError`. */
export function toJobData(input: TranscriptionInput, options: unknown, maxInlineBytes = DEFAULT_MAX_INLINE_BYTES): TranscriptionJobData {
  return { v: JOB_VERSION, audio: toJobAudio(input, maxInlineBytes), options: toJobOptions(options) };
}

/** A job's audio as the worker reads it. */
export type ParsedAudio = { kind: 'path'; path: string } | { kind: 'url'; url: string } | { kind: 'bytes'; bytes: Buffer };

export interface ParsedJob {
  audio: ParsedAudio;
  options: QueuedTranscribeOptions;
}

/** The worker's side: a job's data as it arrived from Redis, checked whole. */
export function parseJobData(name: string, data: unknown, maxInlineBytes = MAX_INLINE_BYTES_LIMIT): ParsedJob {
  if (name !== JOB_NAME) throw new InvalidJobError(`job name '${name}' is not a transcription ('${JOB_NAME}'): is another application using this queue?`);
  if (!isObject(data)) throw new InvalidJobError('the job has no data object');
  if (data.v !== JOB_VERSION) throw new InvalidJobError(`the job's schema version is ${JSON.stringify(data.v)}; this worker reads version ${JOB_VERSION}`);
  const audio = data.audio;
  if (!isObject(audio) || Object.keys(audio).length !== 1) throw new InvalidJobError('the job must hold exactly one of audio.path, audio.url, audio.bytes');
  let parsed: ParsedAudio;
  if (typeof audio.path === 'string') parsed = { kind: 'path', path: checkPath(audio.path) };
  else if (typeof audio.url === 'string') parsed = { kind: 'url', url: checkUrl(audio.url) };
  else if (typeof audio.bytes === 'string') {
    // Checked before decoding: base64 is 4/3 of the bytes.
    checkBytes(Math.floor((audio.bytes.length * 3) / 4), maxInlineBytes);
    const bytes = Buffer.from(audio.bytes, 'base64');
    checkBytes(bytes.length, maxInlineBytes);
    parsed = { kind: 'bytes', bytes };
  } else throw new InvalidJobError('the job must hold exactly one of audio.path, audio.url, audio.bytes');
  return { audio: parsed, options: toJobOptions(data.options) };
}

// A failure crosses Redis as BullMQ's failedReason, a string: the worker's error code goes
// in front of its message so the producer can rebuild a typed error.
const FAILURE = /^\[(ERR_WHISPER_[A-Z_]+|ABORT_ERR)\] ([\s\S]*)$/;

export function encodeFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return error instanceof WhisperError ? `[${error.code}] ${message}` : message;
}

export function decodeFailure(reason: string): { code: WhisperErrorCode | undefined; message: string } {
  const match = FAILURE.exec(reason);
  return match ? { code: match[1] as WhisperErrorCode, message: match[2]! } : { code: undefined, message: reason };
}
