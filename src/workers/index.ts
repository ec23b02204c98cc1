/**
 * Scale-out on a job queue (BullMQ on Redis): workers on any number of machines take
 * transcription jobs that producers (or `serve --redis`) add. See docs/workers.md.
 * BullMQ and ioredis are optional dependencies, loaded only when a queue is used.
 */
export { createWorker, WORKER_DEFAULTS } from './worker';
export { ENQUEUE_DEFAULTS, enqueueTranscription, openTranscriptionQueue } from './producer';
export { DEFAULT_MAX_INLINE_BYTES, DEFAULT_QUEUE_NAME, MAX_INLINE_BYTES_LIMIT, type QueuedTranscribeOptions, type TranscriptionInput, type TranscriptionProgress } from './job-data';
export type {
  EnqueueOptions,
  JobResultOptions,
  QueueCounts,
  TranscriptionJob,
  TranscriptionJobState,
  TranscriptionQueue,
  TranscriptionQueueOptions,
  TranscriptionWorker,
  WorkerOptions,
  WorkerStats,
} from './types';
