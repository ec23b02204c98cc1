/**
 * How much memory a job may plan for, so that an absurd request is refused up front with an
 * OutOfMemoryError instead of being attempted blindly (and killed by the OS, or dying in a
 * failed allocation deep inside whisper.cpp).
 *
 * The budget is what the OS says this process can still allocate (`process.availableMemory()`:
 * free memory, within a cgroup's limit), or less when `WHISPER_NAPI_MAX_MEMORY` caps it
 * (bytes, or a number with K, M or G: e.g. `WHISPER_NAPI_MAX_MEMORY=4G` on a server that must
 * keep room for other work).
 */
import * as os from 'node:os';

import { InvalidOptionError, OutOfMemoryError } from './errors';

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/** `WHISPER_NAPI_MAX_MEMORY` in bytes, or undefined when unset. */
export function memoryCap(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const text = env.WHISPER_NAPI_MAX_MEMORY?.trim();
  if (!text) return undefined;
  const match = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text);
  if (!match) throw new InvalidOptionError(`WHISPER_NAPI_MAX_MEMORY must be a size such as 4G, 512M or 1000000, got '${text}'`);
  return Math.floor(Number(match[1]) * UNITS[match[2]!.toUpperCase()]!);
}

/** Bytes a job may plan to allocate now. */
export function memoryBudget(env: NodeJS.ProcessEnv = process.env): number {
  const available = typeof process.availableMemory === 'function' ? process.availableMemory() : os.freemem();
  const cap = memoryCap(env);
  return cap === undefined ? available : Math.min(cap, available);
}

/**
 * Native bytes a transcription holds per 16 kHz sample: the staged signal (a float) and
 * whisper.cpp's log-mel spectrogram, which it computes for the whole input at once
 * (n_mels floats per 160 samples): 6 bytes for 80 mels, 7.2 for 128.
 */
export function bytesPerSample(nMels: number): number {
  return 4 + (nMels * 4) / 160;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 2 ** 30) return `${(bytes / 2 ** 30).toFixed(1)} GB`;
  return `${Math.ceil(bytes / 2 ** 20)} MB`;
}

/** The error for a job whose needs (`reason`) exceed `budget`. */
function outOfMemory(reason: string, budget: number): OutOfMemoryError {
  const capped = memoryCap() !== undefined ? ' (capped by WHISPER_NAPI_MAX_MEMORY)' : '';
  return new OutOfMemoryError(`${reason}, but only ${formatBytes(budget)} is available${capped}`);
}

/** The error for audio longer than `budget` bytes can hold at `perSample` bytes a sample. */
export function audioTooLong(budget: number, perSample: number, sampleRate: number): OutOfMemoryError {
  const hours = budget / perSample / sampleRate / 3600;
  const length = hours >= 1 ? `${hours.toFixed(1)} h` : `${(hours * 60).toFixed(1)} min`;
  return outOfMemory(
    `the audio is longer than ${length}, and each hour of it takes ${formatBytes(perSample * sampleRate * 3600)} ` +
      "(the 16 kHz signal and whisper.cpp's spectrogram of all of it); transcribe it in parts",
    budget,
  );
}
