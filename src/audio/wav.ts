/**
 * WAV files: we walk the RIFF structure ourselves (to validate it, to find the samples in
 * files of any size, RF64 included, and to read them in slices), and wav-decoder turns
 * each slice's bytes into samples. A slice is handed to wav-decoder as a small canonical
 * WAV of its own, then down-mixed and resampled on the thread pool, so an hour of audio
 * never sits in memory at its source rate and no step holds the event loop for long.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';

import * as WavDecoder from 'wav-decoder';

import { AudioDecodeError, InvalidAudioError, UnsupportedAudioError } from '../errors';
import type { ByteReader } from './byte-reader';
import { MAX_SAMPLE_RATE, MAX_SAMPLES, MIN_SAMPLE_RATE, type StagingTarget, resampledLength } from './pcm';
import type { AudioSourceInfo } from './types';

export interface WavLayout {
  /** 1: integer PCM, 3: IEEE float (after unwrapping WAVE_FORMAT_EXTENSIBLE). */
  formatTag: 1 | 3;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  blockAlign: number;
  /** Byte offset of the first sample. */
  dataOffset: number;
  frames: number;
}

const WAVE_FORMAT_PCM = 0x0001;
const WAVE_FORMAT_IEEE_FLOAT = 0x0003;
const WAVE_FORMAT_EXTENSIBLE = 0xfffe;
/** The tail of KSDATAFORMAT_SUBTYPE_PCM / _IEEE_FLOAT: 0000xxxx-0000-0010-8000-00aa00389b71. */
const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
/** Codecs people meet in WAV files, named in the error that refuses them. */
const CODEC_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MPEG layer 3',
  0x0161: 'Windows Media Audio',
  0x2000: 'AC-3',
};
const MAX_CHANNELS = 64;
/** Frames per slice: 1.5 s at 44.1 kHz; wav-decoder converts one in about a millisecond. */
const FRAMES_PER_SLICE = 1 << 16;
/** Chunks before `data` (LIST, bext, JUNK, ...) we are willing to walk past. */
const MAX_CHUNKS = 4096;
const CANONICAL_HEADER_BYTES = 44;

async function readExactly(reader: ByteReader, position: number, length: number): Promise<Uint8Array> {
  const bytes = new Uint8Array(length);
  const read = await reader.readInto(bytes, position);
  if (read !== length) throw new AudioDecodeError(`the WAV file ends inside a header (at byte ${position + read})`);
  return bytes;
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

type WavFormat = Omit<WavLayout, 'dataOffset' | 'frames'>;

function parseFmt(fmt: Uint8Array): WavFormat {
  const v = view(fmt);
  let tag = v.getUint16(0, true);
  const channels = v.getUint16(2, true);
  const sampleRate = v.getUint32(4, true);
  const blockAlign = v.getUint16(12, true);
  const bitsPerSample = v.getUint16(14, true);
  if (tag === WAVE_FORMAT_EXTENSIBLE) {
    if (fmt.byteLength < 40) throw new AudioDecodeError(`the WAV fmt chunk is ${fmt.byteLength} bytes, too short for WAVE_FORMAT_EXTENSIBLE (40)`);
    const tail = fmt.subarray(26, 40);
    if (!SUBFORMAT_GUID_TAIL.every((byte, i) => tail[i] === byte)) throw new UnsupportedAudioError('this WAVE_FORMAT_EXTENSIBLE file has a sub-format that is not PCM or IEEE float');
    tag = v.getUint16(24, true);
  }
  if (tag !== WAVE_FORMAT_PCM && tag !== WAVE_FORMAT_IEEE_FLOAT) {
    const name = CODEC_NAMES[tag] ?? 'unknown';
    throw new UnsupportedAudioError(`WAV codec 0x${tag.toString(16).padStart(4, '0')} (${name}) is not supported; whisper-napi reads PCM and IEEE-float WAV (convert it first, e.g. with ffmpeg -i in.wav -c:a pcm_s16le out.wav)`);
  }
  if (channels === 0) throw new AudioDecodeError('the WAV header declares 0 channels');
  if (channels > MAX_CHANNELS) throw new UnsupportedAudioError(`the WAV file has ${channels} channels; at most ${MAX_CHANNELS} are accepted`);
  if (sampleRate === 0) throw new AudioDecodeError('the WAV header declares a sample rate of 0 Hz');
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new UnsupportedAudioError(`the WAV file's sample rate is ${sampleRate} Hz; rates from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz are accepted`);
  }
  const supportedBits = tag === WAVE_FORMAT_PCM ? [8, 16, 24, 32] : [32, 64];
  if (!supportedBits.includes(bitsPerSample)) {
    throw new UnsupportedAudioError(`${bitsPerSample}-bit ${tag === WAVE_FORMAT_PCM ? 'integer' : 'float'} WAV samples are not supported (${supportedBits.join('/')}-bit are)`);
  }
  if (blockAlign !== (channels * bitsPerSample) / 8) {
    throw new AudioDecodeError(`the WAV header is inconsistent: ${channels} channels of ${bitsPerSample} bits need ${(channels * bitsPerSample) / 8}-byte frames, it declares ${blockAlign}`);
  }
  return { formatTag: tag, channels, sampleRate, bitsPerSample, blockAlign };
}

/** Walks the RIFF chunks up to `data`, checking every size against the file. */
async function parseWav(reader: ByteReader): Promise<WavLayout> {
  const size = reader.size;
  const riff = await readExactly(reader, 0, 12);
  const isRf64 = ascii(riff, 0, 4) === 'RF64';
  let rf64DataBytes: number | undefined;
  let format: WavFormat | undefined;
  let position = 12;
  for (let chunk = 0; chunk < MAX_CHUNKS; chunk++) {
    if (position + 8 > size) {
      throw new AudioDecodeError(format ? 'the WAV file has no data chunk' : 'the WAV file has no fmt chunk');
    }
    const header = await readExactly(reader, position, 8);
    const id = ascii(header, 0, 4);
    const chunkBytes = view(header).getUint32(4, true);
    const body = position + 8;
    if (id === 'ds64' && isRf64) {
      // RF64 (EBU Tech 3306): 64-bit sizes for files past 4 GiB.
      const ds64 = view(await readExactly(reader, body, 16));
      rf64DataBytes = ds64.getUint32(8, true) + ds64.getUint32(12, true) * 2 ** 32;
    } else if (id === 'fmt ') {
      if (chunkBytes < 16) throw new AudioDecodeError(`the WAV fmt chunk is ${chunkBytes} bytes, less than the 16 it needs`);
      format = parseFmt(await readExactly(reader, body, Math.min(chunkBytes, 40)));
    } else if (id === 'data') {
      if (!format) throw new AudioDecodeError('the WAV data chunk comes before its fmt chunk');
      return { ...format, dataOffset: body, frames: dataFrames(format, chunkBytes, size - body, isRf64 ? rf64DataBytes : undefined) };
    }
    position = body + chunkBytes + (chunkBytes & 1); // chunks are padded to even sizes
  }
  throw new AudioDecodeError(`the WAV file has more than ${MAX_CHUNKS} chunks before its data`);
}

function dataFrames(format: WavFormat, declared: number, available: number, rf64Bytes: number | undefined): number {
  let bytes = declared;
  if (declared === 0xffffffff) {
    // RF64 puts the size in ds64; plain RIFF writers that never learned the length (live
    // recorders) use this value to mean "up to the end of the file".
    bytes = rf64Bytes ?? available;
  }
  if (bytes > available) {
    throw new AudioDecodeError(`the WAV header declares ${bytes} bytes of samples but the file holds ${available} after the header: it is truncated or its header is wrong`);
  }
  if (bytes === 0) {
    throw available > 0
      ? new AudioDecodeError(`the WAV data chunk is declared empty but ${available} bytes follow it (a recording that was never finalised?)`)
      : new InvalidAudioError('the WAV file holds no samples');
  }
  const frames = Math.floor(bytes / format.blockAlign);
  if (frames === 0) throw new InvalidAudioError('the WAV file holds no complete sample frame');
  if (resampledLength(frames, format.sampleRate) > MAX_SAMPLES) {
    throw new InvalidAudioError(`the WAV file holds ${frames} frames at ${format.sampleRate} Hz; whisper.cpp accepts at most ${MAX_SAMPLES} samples at 16 kHz (about 37 hours)`);
  }
  return frames;
}

/**
 * A slice as a WAV file of its own for wav-decoder. Two sample widths are widened on the
 * way, where wav-decoder 1.3.0 differs from the usual reading (sox, miniaudio):
 * - 24-bit to 32-bit: its 24-bit reader takes -2^23 for +1.0 (a sign test off by one),
 *   while its 32-bit reader is exact, and x * 256 / 2^31 == x / 2^23;
 * - 8-bit to 16-bit: its 8-bit readers scale positives by 1/127 or move silence off
 *   zero; as 16-bit, (u8 - 128) * 256 / 32768 == (u8 - 128) / 128.
 */
function canonicalBits(layout: WavLayout): number {
  const bits = layout.bitsPerSample;
  return bits === 24 ? 32 : bits === 8 ? 16 : bits;
}

/** Writes the slice into `wav` (reused from slice to slice: less garbage for the GC). */
function canonicalSlice(layout: WavLayout, raw: Uint8Array, wav: Uint8Array<ArrayBuffer>): ArrayBuffer {
  const inBits = layout.bitsPerSample;
  const bits = canonicalBits(layout);
  const blockAlign = (layout.channels * bits) / 8;
  const frames = raw.byteLength / layout.blockAlign;
  const dataBytes = frames * blockAlign;
  const v = view(wav);
  const writeTag = (at: number, tag: string) => [...tag].forEach((c, i) => v.setUint8(at + i, c.charCodeAt(0)));
  writeTag(0, 'RIFF');
  v.setUint32(4, 36 + dataBytes, true);
  writeTag(8, 'WAVE');
  writeTag(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, layout.formatTag, true);
  v.setUint16(22, layout.channels, true);
  v.setUint32(24, layout.sampleRate, true);
  v.setUint32(28, layout.sampleRate * blockAlign, true);
  v.setUint16(32, blockAlign, true);
  v.setUint16(34, bits, true);
  writeTag(36, 'data');
  v.setUint32(40, dataBytes, true);
  if (inBits === 24) {
    for (let i = 0, o = CANONICAL_HEADER_BYTES; i < raw.byteLength; i += 3, o += 4) {
      wav[o + 1] = raw[i]!;
      wav[o + 2] = raw[i + 1]!;
      wav[o + 3] = raw[i + 2]!;
    }
  } else if (inBits === 8) {
    for (let i = 0, o = CANONICAL_HEADER_BYTES; i < raw.byteLength; i++, o += 2) wav[o + 1] = (raw[i]! - 128) & 0xff;
  } else {
    wav.set(raw, CANONICAL_HEADER_BYTES);
  }
  return wav.buffer;
}

export async function stageWav(reader: ByteReader, target: StagingTarget): Promise<AudioSourceInfo> {
  const layout = await parseWav(reader);
  const { sampleRate, channels, blockAlign, frames } = layout;
  target.staged.reserve(resampledLength(frames, sampleRate));
  const sliceFrames = Math.min(frames, FRAMES_PER_SLICE);
  const raw = new Uint8Array(sliceFrames * blockAlign);
  // wav-decoder reads the data size from the header, so a shorter last slice may leave
  // stale bytes after it.
  const wav = new Uint8Array(CANONICAL_HEADER_BYTES + (sliceFrames * channels * canonicalBits(layout)) / 8);
  for (let frame = 0; frame < frames; frame += FRAMES_PER_SLICE) {
    // A macrotask turn between slices: reads from memory and 16 kHz slices complete
    // without one, which would otherwise hold the event loop for the whole file.
    if (frame > 0) await nextTurn();
    target.checkAborted();
    const count = Math.min(FRAMES_PER_SLICE, frames - frame);
    const slice = raw.subarray(0, count * blockAlign);
    const read = await reader.readInto(slice, layout.dataOffset + frame * blockAlign);
    if (read !== slice.byteLength) throw new AudioDecodeError('the WAV file got shorter while it was being read');
    // Integer samples scaled by 1/2^(bits-1), as whisper.cpp's reader (miniaudio) and sox do.
    const decoded = WavDecoder.decode.sync(canonicalSlice(layout, slice, wav), { symmetric: true });
    await target.staged.appendFrames(sampleRate, decoded.channelData, 0, count);
    if (target.staged.truncated) break;
  }
  return { format: 'wav', sampleRate, channels };
}
