/**
 * Raw PCM inputs (Float32Array, Int16Array, `{ sampleRate, channelData }`): checks that need
 * not touch every sample, and staging into native memory in bounded slices, yielding to
 * the event loop between them. NaN/Infinity are detected by the addon on the worker
 * thread, where scanning hours of audio does not block the event loop.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { types } from 'node:util';

import { InvalidAudioError } from '../errors';
import type { NativeStagedAudio } from '../native';
import type { AudioChannels, AudioSourceInfo } from './types';

export const SAMPLE_RATE = 16000;
/** whisper.cpp counts samples in an int: about 37 hours at 16 kHz. */
export const MAX_SAMPLES = 2 ** 31 - 1;
/** Source rates accepted (telephony up to studio rates); the addon enforces the same. */
export const MIN_SAMPLE_RATE = 1000;
export const MAX_SAMPLE_RATE = 768000;

/** 2^20 samples (4 MB, ~65 s of 16 kHz audio) per copied slice: a few milliseconds. */
const STAGING_SLICE = 1 << 20;
/** Frames per slice sent for resampling: the copy and down-mix take well under 1 ms. */
const RESAMPLING_SLICE = 1 << 16;

/** Where staged samples go, and when to stop. */
export interface StagingTarget {
  staged: NativeStagedAudio;
  /** Throws if the job was aborted; called between slices. */
  checkAborted(): void;
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (types.isTypedArray(value)) return (value as { constructor: { name: string } }).constructor.name;
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}

export function checkSampleRate(rate: unknown, what: string): number {
  if (typeof rate !== 'number' || !Number.isInteger(rate) || rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) {
    throw new InvalidAudioError(`${what} must be an integer from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, got ${typeof rate === 'number' ? rate : describeValue(rate)}`);
  }
  return rate;
}

/** Output length at 16 kHz, as binding/audio/resampler.cc computes it. */
export function resampledLength(frames: number, rate: number): number {
  return rate === SAMPLE_RATE ? frames : Math.ceil((frames * SAMPLE_RATE) / rate);
}

function checkLength(frames: number, rate: number): void {
  if (frames === 0) throw new InvalidAudioError('audio is empty (0 samples)');
  if (resampledLength(frames, rate) > MAX_SAMPLES) {
    throw new InvalidAudioError(`audio has ${frames} samples at ${rate} Hz; whisper.cpp accepts at most ${MAX_SAMPLES} samples at 16 kHz (about 37 hours)`);
  }
}

export function isAudioChannels(value: unknown): value is AudioChannels {
  return typeof value === 'object' && value !== null && !types.isTypedArray(value) && 'channelData' in value;
}

/** Checks a `{ sampleRate, channelData }` input; returns its frame count. */
export function checkChannels(audio: AudioChannels): number {
  checkSampleRate(audio.sampleRate, 'audio.sampleRate');
  const channels: unknown = audio.channelData;
  if (!Array.isArray(channels) || channels.length === 0) {
    throw new InvalidAudioError(`audio.channelData must be a non-empty array of Float32Array, got ${describeValue(channels)}`);
  }
  if (channels.length > 64) throw new InvalidAudioError(`audio.channelData has ${channels.length} channels; at most 64 are accepted`);
  channels.forEach((channel: unknown, i) => {
    if (!types.isFloat32Array(channel)) throw new InvalidAudioError(`audio.channelData[${i}] must be a Float32Array, got ${describeValue(channel)}`);
  });
  const frames = (channels[0] as Float32Array).length;
  channels.forEach((channel: Float32Array, i) => {
    if (channel.length !== frames) {
      throw new InvalidAudioError(`audio.channelData channels differ in length: channel 0 has ${frames} samples, channel ${i} has ${channel.length}`);
    }
  });
  checkLength(frames, audio.sampleRate);
  return frames;
}

/** Checks a Float32Array or Int16Array of mono samples at `rate`. */
export function checkMonoArray(audio: Float32Array | Int16Array, rate: number): void {
  checkLength(audio.length, rate);
}

function checkUnchanged(array: { length: number }, length: number): void {
  if (array.length !== length) {
    throw new InvalidAudioError('the audio buffer was detached or resized while it was being read; keep it unchanged until the promise settles');
  }
}

/** Empty arrays were refused up front (checkAudioInput): one found empty now was detached. */
function checkNotEmptied(array: { length: number }): void {
  if (array.length === 0) {
    throw new InvalidAudioError('the audio buffer was detached or emptied before the job started reading it; keep it unchanged until the promise settles');
  }
}

/** 16 kHz mono Float32Array: copied as is. */
async function stageFloat32At16k(audio: Float32Array, target: StagingTarget): Promise<void> {
  checkNotEmptied(audio);
  const length = audio.length;
  target.staged.reserve(length);
  for (let start = 0; start < length; start += STAGING_SLICE) {
    if (start > 0) await nextTurn();
    target.checkAborted();
    checkUnchanged(audio, length);
    target.staged.append(audio, start, Math.min(length, start + STAGING_SLICE));
  }
}

/** Any rate and channel count: slices are down-mixed and resampled on the thread pool. */
async function stageFrames(rate: number, channels: readonly Float32Array[], target: StagingTarget): Promise<void> {
  const length = channels[0]!.length;
  for (const channel of channels) checkNotEmptied(channel);
  target.staged.reserve(resampledLength(length, rate));
  for (let start = 0; start < length; start += RESAMPLING_SLICE) {
    if (start > 0) await nextTurn(); // 16 kHz slices resolve at once: yield regardless
    target.checkAborted();
    for (const channel of channels) checkUnchanged(channel, length);
    await target.staged.appendFrames(rate, channels as Float32Array[], start, Math.min(length, start + RESAMPLING_SLICE));
  }
}

export async function stageFloat32(audio: Float32Array, rate: number, target: StagingTarget): Promise<AudioSourceInfo> {
  if (rate === SAMPLE_RATE) await stageFloat32At16k(audio, target);
  else await stageFrames(rate, [audio], target);
  return { format: 'pcm', sampleRate: rate, channels: 1 };
}

export async function stageChannels(audio: AudioChannels, target: StagingTarget): Promise<AudioSourceInfo> {
  // A snapshot, checked again: the caller's object may have changed since checkChannels()
  // (and may have getters); from here on only plain values we hold are used.
  const snapshot: AudioChannels = { sampleRate: audio.sampleRate, channelData: [...audio.channelData] };
  checkChannels(snapshot);
  const { sampleRate, channelData: channels } = snapshot;
  if (channels.length === 1 && sampleRate === SAMPLE_RATE) await stageFloat32At16k(channels[0]!, target);
  else await stageFrames(sampleRate, channels, target);
  return { format: 'pcm', sampleRate, channels: channels.length };
}

/** 16-bit samples are scaled by 1/32768, as whisper.cpp's own WAV reader does. */
export async function stageInt16(audio: Int16Array, rate: number, target: StagingTarget): Promise<AudioSourceInfo> {
  checkNotEmptied(audio);
  const length = audio.length;
  target.staged.reserve(resampledLength(length, rate));
  const converted = new Float32Array(Math.min(length, RESAMPLING_SLICE));
  for (let start = 0; start < length; start += RESAMPLING_SLICE) {
    if (start > 0) await nextTurn();
    target.checkAborted();
    checkUnchanged(audio, length);
    const end = Math.min(length, start + RESAMPLING_SLICE);
    for (let i = start; i < end; i++) converted[i - start] = audio[i]! / 32768;
    if (rate === SAMPLE_RATE) target.staged.append(converted, 0, end - start);
    else await target.staged.appendFrames(rate, [converted], 0, end - start);
  }
  return { format: 'pcm', sampleRate: rate, channels: 1 };
}
