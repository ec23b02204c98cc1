/**
 * Public types of the job queue (`openTranscriptionQueue`, `enqueueTranscription`,
 * `createWorker`). Written without BullMQ's types, so that the package's declarations
 * type-check for users who never install the optional `bullmq`.
 */
import type { WhisperModel } from '../model';
import type { LoadModelOptions } from '../types/options';
import type { Segment, Transcript } from '../types/transcript';
import type { QueuedTranscribeOptions, TranscriptionInput } from './job-data';

export interface TranscriptionQueueOptions {
  /** Redis, as a URL: `redis://[user:password@]host:6379[/db]`, or `rediss://` for TLS. Required. */
  redis: string;
  /** The queue's name; producers and workers must agree on it. Default `'whisper-napi'`. */
  name?: string;
  /** How long to wait for Redis to answer before `QueueUnavailableError`. Default `10000` ms. */
  connectTimeoutMs?: number;
}

export interface EnqueueOptions {
  /** How the worker transcribes the audio: plain-data options only (no callbacks, signal or assistant model). Default `{}`. */
  transcribe?: QueuedTranscribeOptions;
  /**
   * The job's id. A second enqueue with an id still in Redis adds nothing and returns the
   * first job (BullMQ's rule), which makes a producer that retries safe. Default: a random UUID.
   */
  jobId?: string;
  /**
   * Attempts in all when the worker fails with an error worth retrying (a download that
   * failed, memory that ran out); bad input (audio, options, job data) fails at once.
   * A worker that dies mid-job is a different matter: BullMQ's stalled-job check gives the
   * job to another worker (see `createWorker`'s `maxStalledCount`). Default `3`.
   */
  attempts?: number;
  /** BullMQ priority: 1 runs before 2, and both before jobs without one. Default: none (first in, first out). */
  priority?: number;
  /** How long a finished job (its transcript or its failure) stays in Redis, in seconds. Default `3600`. */
  keepSeconds?: number;
  /** Most audio bytes carried inside the job (`Uint8Array` / `{ bytes }` input); at most 64 MiB. Default `8388608` (8 MiB). */
  maxInlineBytes?: number;
}

/** Where a job is: BullMQ's states, and `'unknown'` for a job no longer (or never) in Redis. */
export type TranscriptionJobState = 'waiting' | 'prioritized' | 'delayed' | 'active' | 'completed' | 'failed' | 'waiting-children' | 'unknown';

export interface JobResultOptions {
  /** Stop waiting (the job itself goes on); the promise rejects with `AbortError`. */
  signal?: AbortSignal;
  /** Each segment as the worker finishes it (those reported before `result()` was called are not replayed; the transcript has them all). */
  onSegment?: (segment: Segment, index: number) => void;
  /** The worker's progress in percent (0 to 100). */
  onProgress?: (percent: number) => void;
}

export interface TranscriptionJob {
  readonly id: string;
  /** The queue's name. */
  readonly queueName: string;
  /**
   * The transcript, once a worker has finished the job (at once if it already has), or a
   * `TranscriptionJobError` carrying the worker's error code and message.
   */
  result(options?: JobResultOptions): Promise<Transcript>;
  state(): Promise<TranscriptionJobState>;
  /** Removes a job no worker has taken yet; `false` when it is running or finished. */
  cancel(): Promise<boolean>;
}

/** Job counts by state, as BullMQ keeps them. */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

export interface TranscriptionQueue extends AsyncDisposable {
  readonly name: string;
  /** Same as `enqueueTranscription(queue, input, options)`. */
  enqueue(input: TranscriptionInput, options?: EnqueueOptions): Promise<TranscriptionJob>;
  /** A handle on a job added earlier (by this or another producer). */
  job(id: string): TranscriptionJob;
  counts(): Promise<QueueCounts>;
  /** Closes the Redis connections; jobs stay queued for the workers. */
  close(): Promise<void>;
}

export interface WorkerOptions {
  /** Redis, as a URL (see `TranscriptionQueueOptions.redis`). Required. */
  redis: string;
  /** The queue to take jobs from. Default `'whisper-napi'`. */
  queue?: string;
  /**
   * The model every job uses: a file path, a downloaded known id, or a `WhisperModel` you
   * loaded (then yours to dispose). Default: $WHISPER_NAPI_MODEL, else distil-medium.en.
   * One queue per model: run workers of another model on another queue.
   */
  model?: string | WhisperModel;
  /** How a model given by path or id is loaded; `maxConcurrency` is set from `concurrency`. */
  load?: LoadModelOptions;
  /** Jobs this worker runs at once, each on its own decoding state of the shared model. Default `1`. */
  concurrency?: number;
  /** On `close()` (SIGTERM in the CLI), how long running jobs may finish before they go back to the queue. Default `30000` ms. */
  shutdownTimeoutMs?: number;
  /**
   * How long a job's lock lasts without renewal (the worker renews it every half of this).
   * A worker that dies (SIGKILL, out of memory, power) holds its job until the lock runs
   * out; the stalled-job check then gives it to another worker. Default `30000` ms.
   */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (of any worker). Default `30000` ms. */
  stalledIntervalMs?: number;
  /**
   * How many times a job may be taken back from a dead worker before it fails (a job that
   * kills every worker that takes it must not go round for ever). Default `2`.
   */
  maxStalledCount?: number;
  /** Longest download of a job's `url` audio. Default `300000` ms. */
  downloadTimeoutMs?: number;
  /** Largest download of a job's `url` audio. Default `1073741824` (1 GiB). */
  maxDownloadBytes?: number;
  /** One line per job and per event worth telling (connection lost, shutdown). Default: silent. */
  log?: (line: string) => void;
}

export interface WorkerStats {
  /** Jobs running now. */
  running: number;
  /** Jobs this worker completed. */
  completed: number;
  /** Jobs that failed here (each attempt counts). */
  failed: number;
}

export interface TranscriptionWorker extends AsyncDisposable {
  readonly queueName: string;
  readonly model: WhisperModel;
  stats(): WorkerStats;
  /**
   * Stops taking jobs, lets running ones finish for up to `timeoutMs` (default: the
   * `shutdownTimeoutMs` option), puts the rest back in the queue for other workers, closes
   * the connections and disposes a model the worker loaded. Calling it again returns the
   * first call's promise.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}
