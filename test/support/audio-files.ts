/**
 * Encoded audio for the audio-input tests, made at test time: WAV in every layout we
 * accept (written here), FLAC and Ogg Vorbis encoded by sox from jfk.wav, long MP3s made
 * by repeating jfk.mp3's frames. Nothing binary is committed.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CACHE, FIXTURES } from './paths';
import { plainToolEnv } from './sanitized';

export const JFK_MP3 = path.join(FIXTURES, 'jfk.mp3');
export const AUDIO_DIR = path.join(CACHE, 'audio-input');

export function audioFile(name: string): string {
  fs.mkdirSync(AUDIO_DIR, { recursive: true });
  return path.join(AUDIO_DIR, name);
}

export interface WavSpec {
  sampleRate: number;
  channels: Float32Array[];
  bits: 8 | 16 | 24 | 32 | 64;
  float?: boolean;
  /** WAVE_FORMAT_EXTENSIBLE with the matching KSDATAFORMAT_SUBTYPE GUID. */
  extensible?: boolean;
  /** Chunks written between fmt and data (id, body), e.g. an odd-sized LIST. */
  extraChunks?: [string, Buffer][];
  /** Overrides the data chunk's size field (to make it lie). */
  dataSizeField?: number;
  /** Overrides the format tag (e.g. 2 for ADPCM). */
  formatTag?: number;
}

function encodeSample(out: Buffer, at: number, x: number, bits: number, float: boolean): void {
  if (float) {
    if (bits === 32) out.writeFloatLE(x, at);
    else out.writeDoubleLE(x, at);
    return;
  }
  const scale = 2 ** (bits - 1);
  const q = Math.max(-scale, Math.min(scale - 1, Math.round(x * scale)));
  if (bits === 8) out.writeUInt8(q + 128, at);
  else if (bits === 16) out.writeInt16LE(q, at);
  else if (bits === 24) out.writeIntLE(q, at, 3);
  else out.writeInt32LE(q, at);
}

export function encodeWav(spec: WavSpec): Buffer {
  const { sampleRate, channels, bits, float = false, extensible = false, extraChunks = [] } = spec;
  const frames = channels[0]!.length;
  const blockAlign = (channels.length * bits) / 8;
  const data = Buffer.alloc(frames * blockAlign);
  for (let i = 0; i < frames; i++) {
    channels.forEach((channel, c) => encodeSample(data, i * blockAlign + (c * bits) / 8, channel[i]!, bits, float));
  }
  const tag = spec.formatTag ?? (float ? 3 : 1);
  const fmt = Buffer.alloc(extensible ? 40 : 16);
  fmt.writeUInt16LE(extensible ? 0xfffe : tag, 0);
  fmt.writeUInt16LE(channels.length, 2);
  fmt.writeUInt32LE(sampleRate, 4);
  fmt.writeUInt32LE(sampleRate * blockAlign, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(bits, 14);
  if (extensible) {
    fmt.writeUInt16LE(22, 16); // cbSize
    fmt.writeUInt16LE(bits, 18); // valid bits
    fmt.writeUInt32LE(channels.length === 2 ? 0x3 : 0x4, 20); // channel mask
    fmt.writeUInt16LE(tag, 24);
    Buffer.from([0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71]).copy(fmt, 26);
  }
  const chunk = (id: string, body: Buffer, sizeField = body.length) => {
    const header = Buffer.alloc(8);
    header.write(id, 0, 'ascii');
    header.writeUInt32LE(sizeField, 4);
    return Buffer.concat([header, body, body.length % 2 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const body = Buffer.concat([
    Buffer.from('WAVE'),
    chunk('fmt ', fmt),
    ...extraChunks.map(([id, b]) => chunk(id, b)),
    chunk('data', data, spec.dataSizeField ?? data.length),
  ]);
  return Buffer.concat([chunk('RIFF', body).subarray(0, 8), body]);
}

export function writeWav(name: string, spec: WavSpec): string {
  const file = audioFile(name);
  fs.writeFileSync(file, encodeWav(spec));
  return file;
}

/** Reads a 32-bit float WAV (as sox writes with -e floating-point -b 32). */
export function readFloatWav(file: string): { sampleRate: number; channels: number; samples: Float32Array } {
  const data = fs.readFileSync(file);
  let offset = 12;
  let rate = 0;
  let channels = 0;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      channels = data.readUInt16LE(offset + 10);
      rate = data.readUInt32LE(offset + 12);
      if (data.readUInt16LE(offset + 22) !== 32) throw new Error(`${file}: not 32-bit float`);
    } else if (id === 'data') {
      const count = Math.min(size, data.length - offset - 8) / 4;
      const samples = new Float32Array(count);
      for (let i = 0; i < count; i++) samples[i] = data.readFloatLE(offset + 8 + 4 * i);
      return { sampleRate: rate, channels, samples };
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

/** Runs sox (Debian package `sox`); .ci/run installs it. */
export function sox(...args: string[]): void {
  try {
    execFileSync('sox', args, { stdio: ['ignore', 'ignore', 'pipe'], env: plainToolEnv() });
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ENOENT';
    throw new Error(missing ? 'sox is not installed (apt-get install sox): the audio tests need it as a reference' : `sox ${args.join(' ')} failed: ${String((error as { stderr?: Buffer }).stderr ?? error)}`);
  }
}

export function sine(frequency: number, sampleRate: number, seconds: number, amplitude = 0.5): Float32Array {
  const out = new Float32Array(Math.round(sampleRate * seconds));
  for (let i = 0; i < out.length; i++) out[i] = amplitude * Math.sin((2 * Math.PI * frequency * i) / sampleRate);
  return out;
}

export function rms(x: Float32Array): number {
  let sum = 0;
  for (const v of x) sum += v * v;
  return Math.sqrt(sum / Math.max(1, x.length));
}

/** Signal-to-noise ratio of `test` against `reference` (same length), in dB. */
export function snrDb(reference: Float32Array, test: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    signal += reference[i]! ** 2;
    noise += (reference[i]! - test[i]!) ** 2;
  }
  return 10 * Math.log10(signal / Math.max(noise, 1e-30));
}

/** The lag (in samples, |lag| <= maxLag) at which `b` best matches `a`: b[i + lag] ~ a[i]. */
export function bestLag(a: Float32Array, b: Float32Array, maxLag: number): number {
  let best = 0;
  let bestScore = -Infinity;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let score = 0;
    for (let i = Math.max(0, -lag); i < a.length && i + lag < b.length; i++) score += a[i]! * b[i + lag]!;
    if (score > bestScore) {
      bestScore = score;
      best = lag;
    }
  }
  return best;
}

/** The MPEG audio frames of jfk.mp3 after its ID3 tag and its Xing/Info frame. */
function jfkMp3Frames(): Buffer {
  const mp3 = fs.readFileSync(JFK_MP3);
  let offset = 0;
  if (mp3.toString('ascii', 0, 3) === 'ID3') {
    offset = 10 + ((mp3[6]! & 0x7f) << 21) + ((mp3[7]! & 0x7f) << 14) + ((mp3[8]! & 0x7f) << 7) + (mp3[9]! & 0x7f);
  }
  // jfk.mp3 is MPEG-2 layer III at 16 kHz: a frame is 72 * bitrate / 16000 bytes plus its
  // padding bit. The first one carries the Xing header (whose frame count would end the
  // decoding after one copy).
  const kbps = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
  if ((mp3.readUInt16BE(offset) & 0xfffe) !== 0xfff2 || ((mp3[offset + 2]! >> 2) & 3) !== 2) throw new Error('jfk.mp3 is not the expected 16 kHz MPEG-2 layer III stream');
  offset += (72 * kbps[mp3[offset + 2]! >> 4]! * 1000) / 16000 + ((mp3[offset + 2]! >> 1) & 1);
  return mp3.subarray(offset);
}

/** An MP3 of about `seconds` made of jfk.mp3's frames repeated (no tags, no Xing header). */
export function repeatedMp3(seconds: number): string {
  const file = audioFile(`jfk-repeated-${seconds}s.mp3`);
  if (!fs.existsSync(file)) {
    const frames = jfkMp3Frames();
    const copies = Math.ceil(seconds / 11);
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    for (let i = 0; i < copies; i++) fs.writeSync(fd, frames);
    fs.closeSync(fd);
    fs.renameSync(tmp, file);
  }
  return file;
}
