/**
 * PCM input: checks that need not touch every sample, and staging the samples into native
 * memory without holding the JS thread.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { types } from 'node:util';

import { native } from './binding';
import { AbortError, InvalidAudioError } from './errors';
import type { NativeStagedAudio } from './native';

export const SAMPLE_RATE = 16000;
/** whisper.cpp counts samples in an int: about 37 hours at 16 kHz. */
export const MAX_SAMPLES = 2 ** 31 - 1;

/**
 * Accepts a 16 kHz mono Float32Array. NaN/Infinity are detected by the addon on the worker
 * thread, where scanning hours of audio does not block the event loop.
 */
export function checkPcm(audio: unknown): Float32Array {
  // util.types works across realms (jest, vm, worker_threads), unlike instanceof.
  if (!types.isFloat32Array(audio)) {
    const what = audio === null ? 'null' : types.isTypedArray(audio) ? (audio as { constructor: { name: string } }).constructor.name : typeof audio;
    throw new InvalidAudioError(`audio must be a Float32Array of 16 kHz mono samples, got ${what}`);
  }
  if (audio.length === 0) throw new InvalidAudioError('audio is empty (0 samples)');
  if (audio.length > MAX_SAMPLES) {
    throw new InvalidAudioError(`audio has ${audio.length} samples; whisper.cpp accepts at most ${MAX_SAMPLES} (about 37 hours at 16 kHz)`);
  }
  return audio;
}

/** 2^20 samples (4 MB, ~65 s of audio) per slice: a few milliseconds of copying. */
const STAGING_SLICE = 1 << 20;

/**
 * Copies the samples into native memory for a job, slice by slice, yielding to the event
 * loop between slices: one hour of audio is 230 MB, which copied in one go would hold the
 * JS thread for hundreds of milliseconds. Audio up to ~65 s is copied at once.
 */
export async function stagePcm(audio: Float32Array, signal?: AbortSignal): Promise<NativeStagedAudio> {
  const length = audio.length;
  const staged = new (native().StagedAudio)(length);
  for (let start = 0; start < length; start += STAGING_SLICE) {
    if (start > 0) await nextTurn();
    if (signal?.aborted) throw new AbortError('the transcription was aborted before it started', { cause: signal.reason });
    if (audio.length !== length) {
      throw new InvalidAudioError('the audio buffer was detached or resized while the job was reading it; keep it unchanged until the promise settles');
    }
    staged.append(audio, start, Math.min(length, start + STAGING_SLICE));
  }
  return staged;
}
