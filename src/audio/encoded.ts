/**
 * Encoded audio (a file, or its bytes in memory): recognised by content, then read as WAV
 * by src/audio/wav.ts or decoded natively (MP3, FLAC, Ogg Vorbis) on the thread pool.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

import { InvalidAudioError } from '../errors';
import { FileReader, MemoryReader, type ByteReader } from './byte-reader';
import type { StagingTarget } from './pcm';
import { SNIFF_BYTES, sniffContainer, type Container } from './sniff';
import type { AudioSourceInfo } from './types';
import { stageWav } from './wav';

/** Encoded bytes are copied into native memory 8 MB at a time (a millisecond or two each). */
const COPY_SLICE = 8 << 20;

async function sniff(reader: ByteReader, what: string): Promise<Container> {
  if (reader.size === 0) throw new InvalidAudioError(`${what} is empty (0 bytes)`);
  const head = new Uint8Array(Math.min(SNIFF_BYTES, reader.size));
  await reader.readInto(head, 0);
  return sniffContainer(head);
}

export async function stageFile(path: string, target: StagingTarget): Promise<AudioSourceInfo> {
  const reader = await FileReader.open(path);
  try {
    const container = await sniff(reader, `audio file ${path}`);
    if (container === 'wav') return await stageWav(reader, target);
    // The addon reads the file itself, a few KB at a time.
    const facts = await target.staged.decode(container, path);
    return { format: container, sampleRate: facts.sampleRate, channels: facts.channels };
  } finally {
    await reader.close();
  }
}

export async function stageBytes(bytes: Uint8Array, target: StagingTarget): Promise<AudioSourceInfo> {
  const reader = new MemoryReader(bytes);
  const container = await sniff(reader, 'the audio data');
  if (container === 'wav') return stageWav(reader, target);
  // The decoder works on its own copy: the caller's buffer may change while it runs.
  const length = bytes.byteLength;
  for (let start = 0; start < length; start += COPY_SLICE) {
    if (start > 0) await nextTurn();
    target.checkAborted();
    if (bytes.byteLength !== length) {
      throw new InvalidAudioError('the audio buffer was detached or resized while it was being read; keep it unchanged until the promise settles');
    }
    target.staged.appendEncoded(bytes, start, Math.min(length, start + COPY_SLICE), length);
  }
  const facts = await target.staged.decode(container);
  return { format: container, sampleRate: facts.sampleRate, channels: facts.channels };
}
