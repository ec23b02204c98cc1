/**
 * The producer's side of the job queue: `openTranscriptionQueue()` connects to a queue,
 * `enqueueTranscription()` adds a job, and `job.result()` waits for its transcript (or its
 * typed failure) through BullMQ's QueueEvents, with the worker's segments and progress as
 * they come.
 *
 *   await using queue = await openTranscriptionQueue({ redis: 'redis://10.0.0.5:6379' });
 *   const job = await enqueueTranscription(queue, '/mnt/audio/call-0042.mp3', { transcribe: { language: 'en' } });
 *   const transcript = await job.result({ onSegment: (s) => console.log(s.text) });
 */
import { randomUUID } from 'node:crypto';

import type { Queue, QueueEvents } from 'bullmq';

import { AbortError, InvalidOptionError, QueueUnavailableError, TranscriptionJobError } from '../errors';
import type { Transcript } from '../types/transcript';
import { DEFAULT_MAX_INLINE_BYTES, DEFAULT_QUEUE_NAME, JOB_NAME, MAX_INLINE_BYTES_LIMIT, decodeFailure, toJobData, type TranscriptionInput, type TranscriptionProgress } from './job-data';
import { checkQueueName, loadBullMQ, redactUrl, redisConnection, type BullMQ } from './redis-connection';
import type { EnqueueOptions, JobResultOptions, QueueCounts, TranscriptionJob, TranscriptionJobState, TranscriptionQueue, TranscriptionQueueOptions } from './types';

export const ENQUEUE_DEFAULTS = { attempts: 3, keepSeconds: 3600, maxInlineBytes: DEFAULT_MAX_INLINE_BYTES } as const;


/** What one waiting `result()` hears about its job. */
interface Watcher {
  progress(data: unknown): void;
  completed(value: unknown): void;
  failed(reason: string): void;
}

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`enqueue option '${name}' must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function isProgress(data: unknown): data is TranscriptionProgress {
  return typeof data === 'object' && data !== null && typeof (data as TranscriptionProgress).percent === 'number';
}

class QueueHandle implements TranscriptionQueue {
  readonly name: string;
  readonly #bullmq: BullMQ;
  readonly #queue: Queue;
  readonly #connection: ReturnType<typeof redisConnection>;
  #events: Promise<QueueEvents> | undefined;
  readonly #watchers = new Map<string, Set<Watcher>>();
  #closed: Promise<void> | undefined;

  constructor(bullmq: BullMQ, name: string, connection: ReturnType<typeof redisConnection>) {
    this.name = name;
    this.#bullmq = bullmq;
    this.#connection = connection;
    this.#queue = new bullmq.Queue(name, { connection });
    // ioredis reports each failed reconnect; the caller sees failures through its calls.
    this.#queue.on('error', () => {});
  }

  async ready(): Promise<void> {
    await this.#queue.waitUntilReady();
  }

  enqueue(input: TranscriptionInput, options?: EnqueueOptions): Promise<TranscriptionJob> {
    return enqueueTranscription(this, input, options);
  }

  async add(input: TranscriptionInput, options: EnqueueOptions = {}): Promise<TranscriptionJob> {
    if (this.#closed) throw new QueueUnavailableError('the queue is closed');
    if (typeof options !== 'object' || options === null) throw new InvalidOptionError('enqueue options must be an object');
    const attempts = integer('attempts', options.attempts, ENQUEUE_DEFAULTS.attempts, 1, 100);
    const keepSeconds = integer('keepSeconds', options.keepSeconds, ENQUEUE_DEFAULTS.keepSeconds, 1, 30 * 86_400);
    const maxInlineBytes = integer('maxInlineBytes', options.maxInlineBytes, ENQUEUE_DEFAULTS.maxInlineBytes, 1, MAX_INLINE_BYTES_LIMIT);
    const priority = options.priority === undefined ? undefined : integer('priority', options.priority, 0, 1, 2_097_152);
    if (options.jobId !== undefined && (typeof options.jobId !== 'string' || !/^[A-Za-z0-9_.:-]{1,200}$/.test(options.jobId) || /^\d+$/.test(options.jobId))) {
      // BullMQ refuses integer ids (they collide with its own counter).
      throw new InvalidOptionError("enqueue option 'jobId' must be 1 to 200 letters, digits, '_', '.', ':' or '-', and not only digits");
    }
    const data = toJobData(input, options.transcribe, maxInlineBytes);
    const id = options.jobId ?? randomUUID();
    try {
      await this.#queue.add(JOB_NAME, data, {
        jobId: id,
        attempts,
        backoff: { type: 'exponential', delay: 1000 },
        ...(priority !== undefined ? { priority } : {}),
        removeOnComplete: { age: keepSeconds },
        removeOnFail: { age: keepSeconds },
      });
    } catch (error) {
      throw new QueueUnavailableError(`could not add the job to queue '${this.name}': ${(error as Error).message}`, { cause: error });
    }
    return this.job(id);
  }

  job(id: string): TranscriptionJob {
    if (typeof id !== 'string' || id === '') throw new InvalidOptionError('a job id must be a non-empty string');
    return {
      id,
      queueName: this.name,
      result: (options) => this.result(id, options),
      state: () => this.state(id),
      cancel: () => this.cancel(id),
    };
  }

  async counts(): Promise<QueueCounts> {
    const c = await this.#queue.getJobCounts('waiting', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    return { waiting: (c.waiting ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
  }

  async state(id: string): Promise<TranscriptionJobState> {
    return (await this.#queue.getJobState(id)) as TranscriptionJobState;
  }

  async cancel(id: string): Promise<boolean> {
    const job = await this.#bullmq.Job.fromId(this.#queue, id);
    if (job === undefined) return false;
    const state = await job.getState();
    if (state !== 'waiting' && state !== 'prioritized' && state !== 'delayed') return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // taken by a worker meanwhile: its lock protects it
    }
  }

  /** One QueueEvents reader per queue handle, opened by the first wait. */
  #queueEvents(): Promise<QueueEvents> {
    this.#events ??= (async (): Promise<QueueEvents> => {
      // Read the event stream from now by Redis's clock, not from whenever the reader's
      // first XREAD happens to run ('$'): a job that completes between a result()'s check
      // of its state and that first read would otherwise never be heard of.
      const from = await this.#redisNow().catch(() => undefined);
      const events = new this.#bullmq.QueueEvents(this.name, { connection: this.#connection, ...(from !== undefined ? { lastEventId: from } : {}) });
      events.on('error', () => {});
      events.on('progress', ({ jobId, data }) => this.#dispatch(jobId, (w) => w.progress(data)));
      events.on('completed', ({ jobId, returnvalue }) => this.#dispatch(jobId, (w) => w.completed(returnvalue)));
      events.on('failed', ({ jobId, failedReason }) => this.#dispatch(jobId, (w) => w.failed(failedReason)));
      try {
        await events.waitUntilReady();
      } catch (error) {
        this.#events = undefined; // the next wait tries again
        await events.close().catch(() => {});
        throw error;
      }
      return events;
    })();
    return this.#events;
  }

  /** A stream id for Redis's current millisecond (stream ids are milliseconds of its clock). */
  async #redisNow(): Promise<string | undefined> {
    const client = await this.#queue.backend.client;
    const usec = /^server_time_usec:(\d+)/m.exec(await client.info())?.[1];
    return usec === undefined ? undefined : `${Math.floor(Number(usec) / 1000) - 1}-0`;
  }

  #dispatch(jobId: string, tell: (watcher: Watcher) => void): void {
    for (const watcher of this.#watchers.get(jobId) ?? []) tell(watcher);
  }

  async watch(id: string, watcher: Watcher): Promise<() => void> {
    await this.#queueEvents();
    let set = this.#watchers.get(id);
    if (set === undefined) this.#watchers.set(id, (set = new Set()));
    set.add(watcher);
    return () => {
      set.delete(watcher);
      if (set.size === 0 && this.#watchers.get(id) === set) this.#watchers.delete(id);
    };
  }

  /** Resolves from the events, or from the job's stored state when it finished before we listened. */
  result(id: string, options: JobResultOptions = {}): Promise<Transcript> {
    const follower = new Follower(id, options);
    this.watch(id, follower.watcher)
      .then(async (unwatch) => {
        if (!follower.listening(unwatch)) return;
        // It may have finished before we listened. The state first: a job read while it
        // runs and found finished a moment later would have no result or reason yet.
        const state = await this.#queue.getJobState(id);
        if (state !== 'completed' && state !== 'failed' && state !== 'unknown') return;
        const job = await this.#bullmq.Job.fromId(this.#queue, id);
        if (job === undefined) return follower.finish(new TranscriptionJobError(id, undefined, `job ${id} is not in queue '${this.name}' (never added, or removed after its keepSeconds)`));
        if (state === 'completed') follower.watcher.completed(job.returnvalue);
        else if (state === 'failed') follower.watcher.failed(job.failedReason);
      })
      .catch((error: unknown) => follower.finish(new QueueUnavailableError(`could not follow job ${id}: ${(error as Error).message}`, { cause: error })));
    return follower.promise;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      const events = await this.#events?.catch(() => undefined);
      await Promise.allSettled([events?.close(), this.#queue.close()]);
    })();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * One wait for a job's end: forwards its segments and progress to the caller, and settles
 * once, on its completion, its failure, or the caller's signal.
 */
class Follower {
  readonly promise: Promise<Transcript>;
  readonly watcher: Watcher;
  readonly #id: string;
  readonly #signal: AbortSignal | undefined;
  #settle!: (error: Error | undefined, transcript?: Transcript) => void;
  #unwatch: (() => void) | undefined;
  #done = false;
  readonly #onAbort = () => this.finish(new AbortError('stopped waiting for the job (it goes on in its worker)', { cause: this.#signal?.reason }));

  constructor(id: string, { signal, onSegment, onProgress }: JobResultOptions) {
    this.#id = id;
    this.#signal = signal;
    this.promise = new Promise<Transcript>((resolve, reject) => {
      this.#settle = (error, transcript) => (error ? reject(error) : resolve(transcript!));
    });
    const callback = (fn: () => void) => {
      try {
        fn();
      } catch (error) {
        this.finish(error as Error); // the caller's callback threw: stop waiting, as model.transcribe does
      }
    };
    this.watcher = {
      progress: (data) => {
        if (!isProgress(data)) return;
        if (data.segment && onSegment) callback(() => onSegment(data.segment!.segment, data.segment!.index));
        if (onProgress) callback(() => onProgress(data.percent));
      },
      completed: (value) => this.#completed(value),
      failed: (reason) => {
        const { code, message } = decodeFailure(reason ?? '');
        this.finish(new TranscriptionJobError(id, code, message || `job ${id} failed`));
      },
    };
    if (signal?.aborted) this.#onAbort();
    else signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  /** Hands over how to stop listening; false (and stopped) when the wait is already over. */
  listening(unwatch: () => void): boolean {
    if (this.#done) unwatch();
    else this.#unwatch = unwatch;
    return !this.#done;
  }

  finish(error: Error | undefined, transcript?: Transcript): void {
    if (this.#done) return;
    this.#done = true;
    this.#unwatch?.();
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#settle(error, transcript);
  }

  #completed(value: unknown): void {
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value);
      } catch {
        // left as it is: refused below
      }
    }
    if (typeof value !== 'object' || value === null || typeof (value as Transcript).text !== 'string') {
      this.finish(new TranscriptionJobError(this.#id, undefined, `job ${this.#id} completed without a transcript: was it processed by something else than a whisper-napi worker?`));
    } else this.finish(undefined, value as Transcript);
  }
}

/**
 * Connects to a transcription queue on Redis (BullMQ). Loads the optional `bullmq`
 * (`QueueUnavailableError` without it) and waits until Redis answers.
 */
export async function openTranscriptionQueue(options: TranscriptionQueueOptions): Promise<TranscriptionQueue> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError("openTranscriptionQueue() needs options: { redis: 'redis://host:6379' }");
  const connection = redisConnection(options.redis, 'producer');
  const name = checkQueueName(options.name ?? DEFAULT_QUEUE_NAME);
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  if (!Number.isInteger(connectTimeoutMs) || connectTimeoutMs < 1) throw new InvalidOptionError("queue option 'connectTimeoutMs' must be a positive integer");
  const bullmq = await loadBullMQ();
  const queue = new QueueHandle(bullmq, name, connection);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.ready(),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new QueueUnavailableError(`Redis at ${redactUrl(options.redis)} did not answer in ${connectTimeoutMs / 1000} s`)), connectTimeoutMs);
      }),
    ]);
  } catch (error) {
    await queue.close();
    throw error instanceof QueueUnavailableError ? error : new QueueUnavailableError(`could not open queue '${name}': ${(error as Error).message}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  return queue;
}

/**
 * Adds a transcription job: the audio (a path the workers can read, a URL, or the bytes
 * of a small file), the options it is transcribed with, and how the queue treats it.
 * Input that could never succeed (no audio, an option that is not plain data, bytes past
 * `maxInlineBytes`) is refused here with `InvalidJobError` or `InvalidOptionError`.
 */
export function enqueueTranscription(queue: TranscriptionQueue, input: TranscriptionInput, options?: EnqueueOptions): Promise<TranscriptionJob> {
  if (!(queue instanceof QueueHandle)) return Promise.reject(new InvalidOptionError('enqueueTranscription() needs a queue from openTranscriptionQueue()'));
  return queue.add(input, options);
}

/**
 * For `serve --redis`: adds the job and follows it from before it is added, so that its
 * first segments are streamed too. Resolves with the job's id and a promise of its result.
 */
export async function enqueueAndFollow(
  queue: TranscriptionQueue,
  input: TranscriptionInput,
  options: EnqueueOptions,
  follow: JobResultOptions,
): Promise<{ id: string; result: Promise<Transcript> }> {
  if (!(queue instanceof QueueHandle)) throw new InvalidOptionError('enqueueAndFollow() needs a queue from openTranscriptionQueue()');
  const id = options.jobId ?? randomUUID();
  const follower = new Follower(id, follow);
  // Marked handled here; the caller awaits it.
  follower.promise.catch(() => {});
  follower.listening(await queue.watch(id, follower.watcher));
  try {
    await queue.add(input, { ...options, jobId: id });
  } catch (error) {
    follower.finish(error as Error);
    throw error;
  }
  return { id, result: follower.promise };
}
