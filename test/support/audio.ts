/**
 * Test audio. PCM16 WAV is read exactly as whisper-cli reads it (miniaudio: sample/32768),
 * so parity tests feed both sides bit-identical samples.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CACHE, JFK_WAV } from './paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pcm16WavHeader } = require('../../scripts/wav-header.js') as { pcm16WavHeader(dataBytes: number, sampleRate?: number, channels?: number): Buffer };

export function readPcm16Wav(file: string): Float32Array {
  const data = fs.readFileSync(file);
  if (data.toString('ascii', 0, 4) !== 'RIFF' || data.toString('ascii', 8, 12) !== 'WAVE') throw new Error(`${file}: not a WAV file`);
  let offset = 12;
  let format: { channels: number; rate: number; bits: number } | undefined;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    const body = offset + 8;
    if (id === 'fmt ') {
      format = { channels: data.readUInt16LE(body + 2), rate: data.readUInt32LE(body + 4), bits: data.readUInt16LE(body + 14) };
    } else if (id === 'data') {
      if (!format || format.channels !== 1 || format.rate !== 16000 || format.bits !== 16) {
        throw new Error(`${file}: tests need 16 kHz mono PCM16`);
      }
      const count = Math.min(size, data.length - body) >> 1;
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = data.readInt16LE(body + 2 * i) / 32768;
      return out;
    }
    offset = body + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

export function writePcm16Wav(file: string, samples: Float32Array): void {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) {
    data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768))), 2 * i);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([pcm16WavHeader(data.length), data]));
}

export function jfk(): Float32Array {
  return readPcm16Wav(JFK_WAV);
}

/**
 * jfk.wav repeated with half a second of silence between copies until `seconds` is
 * reached; written as a WAV (for whisper-cli) and returned as samples read back from it.
 */
export function longSpeech(seconds: number): { file: string; samples: Float32Array } {
  const file = path.join(CACHE, 'audio', `jfk-repeated-${seconds}s.wav`);
  if (!fs.existsSync(file)) {
    const speech = jfk();
    const gap = 8000;
    const total = seconds * 16000;
    const out = new Float32Array(total);
    for (let at = 0; at < total; at += speech.length + gap) out.set(speech.subarray(0, Math.min(speech.length, total - at)), at);
    // Written under a temporary name and renamed: an interrupted run never leaves a
    // truncated file for the next run to reuse.
    const tmp = `${file}.${process.pid}.tmp`;
    writePcm16Wav(tmp, out);
    fs.renameSync(tmp, file);
  }
  return { file, samples: readPcm16Wav(file) };
}
