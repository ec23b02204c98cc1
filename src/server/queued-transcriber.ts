/**
 * `serve --redis`: the upload routes hand their jobs to workers on a BullMQ queue instead
 * of the local model. The upload goes inside the job (the server's upload limit bounds it),
 * segments come back from the worker's progress events (so `stream=true` still streams),
 * and a worker's typed failure is turned back into the library's error class so that the
 * client gets the same status code as from a local job.
 *
 * Not carried over: cancelling a job a worker has started (a client that leaves, or the
 * shutdown deadline, removes a job still waiting in the queue; a running one finishes on its
 * worker and its result is dropped).
 */
import {
  AbortError,
  AudioDecodeError,
  InvalidAudioError,
  InvalidOptionError,
  OutOfMemoryError,
  TranscriptionJobError,
  UnsupportedAudioError,
  type WhisperError,
} from '../errors';
import type { TranscribeOptions } from '../types/options';
import type { Transcript } from '../types/transcript';
import { enqueueAndFollow, openTranscriptionQueue } from '../workers/producer';
import type { TranscriptionQueue } from '../workers/types';

export interface QueuedTranscriber {
  readonly queueName: string;
  transcribe(audio: Buffer, options: TranscribeOptions): Promise<Transcript>;
  close(): Promise<void>;
}

/** The worker's error as the class a local job would have thrown, for toHttpError(). */
function revive(error: unknown): unknown {
  if (!(error instanceof TranscriptionJobError)) return error;
  const classes: Partial<Record<string, new (message: string) => WhisperError>> = {
    ERR_WHISPER_INVALID_AUDIO: InvalidAudioError,
    ERR_WHISPER_AUDIO_DECODE: AudioDecodeError,
    ERR_WHISPER_UNSUPPORTED_AUDIO: UnsupportedAudioError,
    ERR_WHISPER_INVALID_OPTION: InvalidOptionError,
    ERR_WHISPER_OUT_OF_MEMORY: OutOfMemoryError,
  };
  const Revived = error.workerCode !== undefined ? classes[error.workerCode] : undefined;
  return Revived ? new Revived(error.message) : error;
}

export async function openQueuedTranscriber(redis: string, name: string | undefined, maxInlineBytes: number): Promise<QueuedTranscriber> {
  const queue: TranscriptionQueue = await openTranscriptionQueue({ redis, ...(name !== undefined ? { name } : {}) });
  return {
    queueName: queue.name,
    async transcribe(audio, options) {
      const { signal, onSegment, onProgress, ...rest } = options;
      // One attempt: the client is waiting, and a failure is its answer (a dead worker's
      // job is still taken up by another through the stalled-job check).
      const { id, result } = await enqueueAndFollow(
        queue,
        audio,
        { transcribe: rest, maxInlineBytes, attempts: 1 },
        { ...(signal ? { signal } : {}), ...(onSegment ? { onSegment } : {}), ...(onProgress ? { onProgress } : {}) },
      );
      try {
        return await result;
      } catch (error) {
        if (error instanceof AbortError) await queue.job(id).cancel().catch(() => false);
        throw revive(error);
      }
    },
    close: () => queue.close(),
  };
}
