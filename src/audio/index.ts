/**
 * Audio in: every input `transcribe()` accepts becomes a 16 kHz mono signal in native
 * memory (a StagedAudio), without holding the JS thread and without ever holding the
 * decoded source in full.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { types } from 'node:util';

import { native } from '../binding';
import { AbortError, InvalidAudioError, InvalidOptionError, WhisperError, fromNativeError } from '../errors';
import type { NativeStagedAudio } from '../native';
import { stageBytes, stageFile } from './encoded';
import {
  MAX_SAMPLES,
  SAMPLE_RATE,
  type StagingTarget,
  checkChannels,
  checkMonoArray,
  checkSampleRate,
  describeValue,
  isAudioChannels,
  stageChannels,
  stageFloat32,
  stageInt16,
} from './pcm';
import type { AudioInput, AudioSourceInfo } from './types';

export type { AudioChannels, AudioFormat, AudioInput, AudioSourceInfo } from './types';
export { SAMPLE_RATE } from './pcm';

const ACCEPTED =
  'a Float32Array or Int16Array of samples, { sampleRate, channelData: Float32Array[] }, the bytes of an encoded file (Buffer, Uint8Array, ArrayBuffer), a file path or a file: URL';

/** A WHATWG URL, also one made in another realm (vm, jest). */
function isUrlObject(input: unknown): input is URL {
  return input instanceof URL || (typeof input === 'object' && input !== null && 'href' in input && 'protocol' in input && !('channelData' in input));
}

function filePath(input: string | URL): string {
  if (typeof input === 'string' && !input.startsWith('file:')) return input;
  try {
    return fileURLToPath(input);
  } catch (error) {
    throw new InvalidAudioError(`audio URL ${String(input)} is not a local file: URL`, { cause: error });
  }
}

/**
 * The checks that need no I/O, run before a job waits for its slot. `sampleRate` is the
 * transcribe option, which only raw sample arrays take.
 */
export function checkAudioInput(input: unknown, sampleRate: number | undefined): void {
  const isRawArray = types.isFloat32Array(input) || types.isInt16Array(input);
  if (sampleRate !== undefined && !isRawArray) {
    throw new InvalidOptionError(
      isAudioChannels(input)
        ? "the 'sampleRate' option is for Float32Array/Int16Array input; { sampleRate, channelData } carries its own"
        : "the 'sampleRate' option is for Float32Array/Int16Array input; encoded audio carries its own rate",
    );
  }
  if (types.isFloat32Array(input)) return checkMonoArray(input, sampleRate ?? SAMPLE_RATE);
  if (types.isInt16Array(input)) {
    if (sampleRate === undefined) throw new InvalidOptionError("Int16Array audio needs the 'sampleRate' option (e.g. 16000)");
    return checkMonoArray(input, sampleRate);
  }
  if (types.isUint8Array(input) || types.isAnyArrayBuffer(input)) {
    if (input.byteLength === 0) throw new InvalidAudioError('the audio data is empty (0 bytes)');
    return;
  }
  if (typeof input === 'string') {
    if (input.length === 0) throw new InvalidAudioError('the audio path is an empty string');
    filePath(input);
    return;
  }
  if (isUrlObject(input)) {
    filePath(input);
    return;
  }
  if (isAudioChannels(input)) {
    checkChannels(input);
    return;
  }
  throw new InvalidAudioError(`audio must be ${ACCEPTED}; got ${describeValue(input)}`);
}

export interface StageOptions {
  /** Rate of Float32Array/Int16Array input. */
  sampleRate?: number;
  signal?: AbortSignal;
  /** Keep only the first seconds (language detection); the rest is not even decoded. */
  maxSeconds?: number;
  /**
   * The most 16 kHz samples the job's memory budget allows: staging stops there (nothing
   * beyond it is allocated) and fails with `error()`.
   */
  memory?: { maxSamples: number; error: () => Error };
}

export interface StagedInput {
  audio: NativeStagedAudio;
  /** 16 kHz samples staged. */
  samples: number;
  source: AudioSourceInfo;
}

function stageInput(input: AudioInput, sampleRate: number | undefined, target: StagingTarget): Promise<AudioSourceInfo> {
  if (types.isFloat32Array(input)) return stageFloat32(input, sampleRate ?? SAMPLE_RATE, target);
  if (types.isInt16Array(input)) return stageInt16(input, checkSampleRate(sampleRate, "the 'sampleRate' option"), target);
  if (types.isUint8Array(input)) return stageBytes(input, target);
  if (types.isAnyArrayBuffer(input)) return stageBytes(new Uint8Array(input), target);
  if (typeof input === 'string' || isUrlObject(input)) return stageFile(filePath(input), target);
  return stageChannels(input, target);
}

/**
 * Reads, decodes, down-mixes and resamples `input` into native memory for one job. Call
 * checkAudioInput() first. Aborting `signal` stops the work, native decoding included.
 */
export async function stageAudio(input: AudioInput, options: StageOptions = {}): Promise<StagedInput> {
  const { signal, maxSeconds, memory } = options;
  const wanted = maxSeconds === undefined ? MAX_SAMPLES : Math.min(MAX_SAMPLES, Math.ceil(maxSeconds * SAMPLE_RATE));
  const memoryBound = memory !== undefined && memory.maxSamples < wanted;
  const limit = memoryBound ? Math.max(1, Math.floor(memory.maxSamples)) : wanted;
  const audio = new (native().StagedAudio)(limit);
  const aborted = () => new AbortError('the transcription was aborted before it started', { cause: signal?.reason });
  const target: StagingTarget = {
    staged: audio,
    checkAborted: () => {
      if (signal?.aborted) throw aborted();
    },
  };
  const onAbort = () => audio.cancel();
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    target.checkAborted();
    const source = await stageInput(input, options.sampleRate, target);
    target.checkAborted();
    audio.finish();
    if (audio.truncated && memoryBound) throw memory.error();
    if (audio.truncated && maxSeconds === undefined) {
      throw new InvalidAudioError(`the audio is longer than whisper.cpp accepts (${MAX_SAMPLES} samples at 16 kHz, about 37 hours)`);
    }
    if (audio.length === 0) throw new InvalidAudioError('the audio holds no samples');
    return { audio, samples: audio.length, source };
  } catch (error) {
    audio.release(); // now, not at the next garbage collection
    if (signal?.aborted) throw aborted();
    const mapped = fromNativeError(error);
    if (mapped instanceof WhisperError) throw mapped;
    // Anything else (a read error such as EIO, a getter that threw) is still an audio error.
    throw new InvalidAudioError(`cannot read the audio: ${mapped.message}`, { cause: error });
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}

/**
 * The check transcribe() makes on the worker before whisper.cpp sees the samples, made here
 * on each copied slice (~1 ms per slice): a float WAV can hold NaN or infinities (found by
 * fuzz/audio.js), and decodeAudio() promises the samples transcribe() would accept.
 */
function checkFinite(slice: Float32Array, offset: number): void {
  for (let i = 0; i < slice.length; i++) {
    const x = slice[i]!;
    if (x - x !== 0) {
      throw new InvalidAudioError(`audio sample ${offset + i} is ${Number.isNaN(x) ? 'NaN' : 'infinite'}; samples must be finite numbers, normally in [-1, 1]`);
    }
  }
}

/** Samples copied back to JS per turn of the event loop (4 MB). */
const COPY_OUT_SLICE = 1 << 20;

/**
 * Reads any `AudioInput` into 16 kHz mono samples, exactly as `transcribe()` does before
 * it transcribes (decoding, down-mixing, resampling), off the JS thread.
 */
export async function decodeAudio(input: AudioInput, options: { sampleRate?: number; signal?: AbortSignal } = {}): Promise<Float32Array> {
  if (typeof options !== 'object' || options === null) throw new InvalidOptionError(`decodeAudio options must be an object, got ${describeValue(options)}`);
  const { sampleRate, signal } = options;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal && 'addEventListener' in signal)) {
    throw new InvalidOptionError(`decodeAudio option 'signal' must be an AbortSignal, got ${describeValue(signal)}`);
  }
  if (sampleRate !== undefined) {
    try {
      checkSampleRate(sampleRate, "decodeAudio option 'sampleRate'");
    } catch (error) {
      throw new InvalidOptionError((error as Error).message);
    }
  }
  checkAudioInput(input, sampleRate);
  const { audio, samples } = await stageAudio(input, { sampleRate, signal });
  try {
    const out = new Float32Array(samples);
    for (let start = 0; start < samples; start += COPY_OUT_SLICE) {
      if (start > 0) await nextTurn();
      const slice = out.subarray(start, Math.min(samples, start + COPY_OUT_SLICE));
      audio.copyTo(slice, start);
      checkFinite(slice, start);
    }
    return out;
  } finally {
    audio.release();
  }
}
