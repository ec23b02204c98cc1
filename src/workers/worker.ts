/**
 * `createWorker()`: takes transcription jobs from a BullMQ queue on Redis and runs them on
 * one model, reporting progress and each segment through `job.updateProgress()` (which
 * BullMQ publishes as `progress` events) and storing the transcript as the job's result.
 *
 * Exactly-once results rest on BullMQ's job lock: the worker renews the lock while a job
 * runs (transcription runs off the JS thread, so renewals are never starved); a worker that
 * dies stops renewing, the stalled-job check moves the job back to the queue, another
 * worker takes it, and the first one's late completion, if it ever comes, is refused for a
 * lock it no longer holds.
 */
import * as os from 'node:os';

import type { Job, Worker } from 'bullmq';

import { AbortError, DisposedError, InvalidJobError, InvalidOptionError, WhisperError, type WhisperErrorCode } from '../errors';
import { WhisperModel, loadModel } from '../model';
import { resolveDefaultModelPath } from '../models/resolve';
import { validateLoadOptions } from '../options';
import type { Transcript } from '../types/transcript';
import { fetchAudio } from './fetch-audio';
import { DEFAULT_QUEUE_NAME, encodeFailure, parseJobData, type ParsedAudio, type TranscriptionJobData, type TranscriptionProgress } from './job-data';
import { checkQueueName, loadBullMQ, redisConnection } from './redis-connection';
import type { TranscriptionWorker, WorkerOptions, WorkerStats } from './types';

export const WORKER_DEFAULTS = {
  queue: DEFAULT_QUEUE_NAME,
  concurrency: 1,
  shutdownTimeoutMs: 30_000,
  lockDurationMs: 30_000,
  stalledIntervalMs: 30_000,
  maxStalledCount: 2,
  downloadTimeoutMs: 300_000,
  maxDownloadBytes: 1024 * 1024 * 1024,
} as const;

/** Failures that another attempt would meet again: the job fails at once. */
const PERMANENT: readonly WhisperErrorCode[] = [
  'ERR_WHISPER_INVALID_JOB',
  'ERR_WHISPER_INVALID_OPTION',
  'ERR_WHISPER_INVALID_AUDIO',
  'ERR_WHISPER_AUDIO_DECODE',
  'ERR_WHISPER_UNSUPPORTED_AUDIO',
];

/** Progress updates between segments: at most this often (each one is a Redis write and an event). */
const PROGRESS_INTERVAL_MS = 500;

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`worker option '${name}' must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

/** Why a running job was stopped by close(): it goes back to the queue, not to `failed`. */
class ShutdownAbort extends Error {}

export async function createWorker(options: WorkerOptions): Promise<TranscriptionWorker> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError("createWorker() needs options: { redis: 'redis://host:6379' }");
  const connection = redisConnection(options.redis, 'worker');
  const queueName = checkQueueName(options.queue ?? WORKER_DEFAULTS.queue);
  const given = options.model instanceof WhisperModel ? options.model : undefined;
  const concurrency = integer('concurrency', options.concurrency, given?.maxConcurrency ?? WORKER_DEFAULTS.concurrency, 1, 64);
  if (given !== undefined && concurrency > given.maxConcurrency) {
    throw new InvalidOptionError(`worker option 'concurrency' (${concurrency}) is more than the model's maxConcurrency (${given.maxConcurrency}): set it in loadModel's options`);
  }
  const shutdownTimeoutMs = integer('shutdownTimeoutMs', options.shutdownTimeoutMs, WORKER_DEFAULTS.shutdownTimeoutMs, 0, 3_600_000);
  const lockDurationMs = integer('lockDurationMs', options.lockDurationMs, WORKER_DEFAULTS.lockDurationMs, 1000, 3_600_000);
  const stalledIntervalMs = integer('stalledIntervalMs', options.stalledIntervalMs, WORKER_DEFAULTS.stalledIntervalMs, 500, 3_600_000);
  const maxStalledCount = integer('maxStalledCount', options.maxStalledCount, WORKER_DEFAULTS.maxStalledCount, 0, 100);
  const download = {
    timeoutMs: integer('downloadTimeoutMs', options.downloadTimeoutMs, WORKER_DEFAULTS.downloadTimeoutMs, 1, 86_400_000),
    maxBytes: integer('maxDownloadBytes', options.maxDownloadBytes, WORKER_DEFAULTS.maxDownloadBytes, 1, 2 ** 40),
  };
  const log = options.log ?? (() => {});
  // Before the model: a missing package should not cost a model load first.
  const bullmq = await loadBullMQ();

  let model: WhisperModel;
  const ownsModel = given === undefined;
  if (given !== undefined) {
    if (given.disposed) throw new DisposedError('createWorker() was given a model that is already disposed');
    model = given;
  } else {
    if (options.model !== undefined && typeof options.model !== 'string') throw new InvalidOptionError("worker option 'model' must be a path, a model id or a WhisperModel");
    const file = await resolveDefaultModelPath(options.model);
    model = await loadModel(file, { ...validateLoadOptions(options.load), maxConcurrency: concurrency });
  }

  const running = new Map<string, AbortController>();
  const stats = { completed: 0, failed: 0 };

  const processor = async (job: Job<TranscriptionJobData, Transcript>, token?: string, lockSignal?: AbortSignal): Promise<Transcript> => {
    const started = Date.now();
    const controller = new AbortController();
    running.set(job.id!, controller);
    // BullMQ aborts lockSignal when this worker loses the job's lock: another worker has
    // it (or will), so decoding on would only waste the CPU.
    const onLockLost = () => controller.abort(new AbortError('the job lock was lost: another worker takes the job'));
    lockSignal?.addEventListener('abort', onLockLost, { once: true });
    // Progress updates go out in order, and all of them before the result.
    let updates = Promise.resolve();
    const report = (progress: TranscriptionProgress) => {
      updates = updates.then(() => job.updateProgress(progress as unknown as object)).catch(() => {});
    };
    // attemptsStarted counts every start, stalledCounter the times it was taken back from a dead worker.
    log(`job ${job.id} started (attempt ${job.attemptsStarted}, stalled ${job.stalledCounter})`);
    try {
      const parsed = parseJobData(job.name, job.data);
      const audio = await readAudio(parsed.audio, controller.signal, download);
      let percent = 0;
      let lastReport = 0;
      const transcript = await model.transcribe(audio, {
        ...parsed.options,
        signal: controller.signal,
        onSegment: (segment, index) => report({ percent, segment: { index, segment } }),
        onProgress: (p) => {
          percent = p;
          const now = Date.now();
          if (now - lastReport >= PROGRESS_INTERVAL_MS || p === 100) {
            lastReport = now;
            report({ percent: p });
          }
        },
      });
      await updates;
      stats.completed++;
      log(`job ${job.id} done in ${((Date.now() - started) / 1000).toFixed(1)} s (${transcript.timings.audioSeconds.toFixed(1)} s of audio, attempt ${job.attemptsStarted})`);
      return transcript;
    } catch (error) {
      await updates;
      if (controller.signal.reason instanceof ShutdownAbort && token !== undefined) {
        // Back to the queue at once for another worker, rather than failed, or stalled
        // until its lock runs out.
        log(`job ${job.id} put back in the queue: the worker is shutting down`);
        await job.moveToWait(token);
        throw new bullmq.WaitingError();
      }
      stats.failed++;
      const failure = encodeFailure(error);
      log(`job ${job.id} failed: ${failure}`);
      if (error instanceof WhisperError && PERMANENT.includes(error.code)) throw new bullmq.UnrecoverableError(failure);
      throw new Error(failure);
    } finally {
      running.delete(job.id!);
      lockSignal?.removeEventListener('abort', onLockLost);
    }
  };

  let worker: Worker<TranscriptionJobData, Transcript>;
  try {
    worker = new bullmq.Worker<TranscriptionJobData, Transcript>(queueName, processor, {
      connection,
      concurrency,
      lockDuration: lockDurationMs,
      stalledInterval: stalledIntervalMs,
      maxStalledCount,
      // Recorded on each job (job.processedBy): which machine and process ran it.
      name: `${os.hostname()}:${process.pid}`,
    });
  } catch (error) {
    if (ownsModel) await model.dispose();
    throw error;
  }
  // Connection errors while Redis is away: ioredis reconnects by itself; say it once per outage.
  let connected = true;
  worker.on('error', (error) => {
    if (connected) log(`redis: ${error.message} (reconnecting)`);
    connected = false;
  });
  // BullMQ has no event for a connection that came back; a job taken is proof enough.
  worker.on('active', () => {
    if (!connected) log('redis: connected again');
    connected = true;
  });

  let closed: Promise<void> | undefined;
  const close = (closeOptions: { timeoutMs?: number } = {}): Promise<void> => {
    if (closed !== undefined) return closed;
    let timeoutMs: number;
    try {
      timeoutMs = integer('timeoutMs', closeOptions.timeoutMs, shutdownTimeoutMs, 0, 3_600_000);
    } catch (error) {
      return Promise.reject(error);
    }
    closed = (async () => {
      // Past the deadline, running jobs are stopped and put back in the queue.
      const deadline = setTimeout(() => {
        for (const controller of running.values()) controller.abort(new ShutdownAbort('the worker is shutting down'));
      }, timeoutMs);
      try {
        // Stops taking jobs and waits for the running ones.
        await worker.close();
      } finally {
        clearTimeout(deadline);
        if (ownsModel) await model.dispose();
      }
    })();
    return closed;
  };

  try {
    await worker.waitUntilReady();
  } catch (error) {
    await close({ timeoutMs: 0 }).catch(() => {});
    throw error;
  }
  return {
    queueName,
    model,
    stats: (): WorkerStats => ({ running: running.size, completed: stats.completed, failed: stats.failed }),
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}

/** A job's audio as `model.transcribe()` takes it: a file path, or bytes. */
async function readAudio(audio: ParsedAudio, signal: AbortSignal, limits: { timeoutMs: number; maxBytes: number }): Promise<string | Buffer> {
  switch (audio.kind) {
    case 'path':
      return audio.path;
    case 'bytes':
      return audio.bytes;
    case 'url':
      return fetchAudio(audio.url, signal, limits);
    default:
      throw new InvalidJobError('unknown audio kind');
  }
}
