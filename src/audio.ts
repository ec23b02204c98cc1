/** Checks on PCM input that can be made without touching every sample on the JS thread. */
import { types } from 'node:util';

import { InvalidAudioError } from './errors';

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
