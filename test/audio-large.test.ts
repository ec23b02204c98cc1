/**
 * An hour of audio, as a 44.1 kHz stereo WAV (635 MB) and as an MP3: reading and decoding it
 * neither blocks the event loop nor holds more than the 16 kHz result plus bounded buffers.
 * Measured in a child process so the RSS is the staging's alone.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { audioFile, repeatedMp3 } from './support/audio-files';
import { rssTest } from './support/sanitized';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { pcm16WavHeader } = require('../scripts/wav-header.js') as { pcm16WavHeader(dataBytes: number, sampleRate?: number, channels?: number): Buffer };

interface Staging {
  seconds: number;
  ms: number;
  source: { format: string; sampleRate: number; channels: number };
  signalBytes: number;
  baselineRss: number;
  peakRss: number;
  maxDelayMs: number;
  /** The longest stall not shared by a reference thread (test/support/loop-stalls.js). */
  oursMaxDelayMs: number;
  p99DelayMs: number;
}

const MB = 1024 * 1024;
/**
 * Working memory allowed beyond the 16 kHz signal, whatever the length. Most of it is the
 * Float32Arrays wav-decoder allocates for each slice: V8 collects them once about 64 MB of
 * such external memory is pending (measured: 25 MB over the signal for 1 minute of 44.1 kHz
 * stereo, 70 MB for 10 minutes, 76 MB for an hour). Native decoding (MP3) stays within a
 * few MB.
 */
const BOUNDED_BUFFER = 96 * MB;

function stage(file: string, mode?: '--buffer'): Staging {
  const out = execFileSync(process.execPath, [path.join(__dirname, 'support', 'stage-large.js'), file, ...(mode ? [mode] : [])], {
    encoding: 'utf8',
    env: { ...process.env, MALLOC_ARENA_MAX: '1' },
    timeout: 240_000,
  });
  return JSON.parse(out) as Staging;
}

function report(label: string, s: Staging): void {
  console.log(
    `${label}: ${s.seconds.toFixed(0)} s of ${s.source.format} ${s.source.sampleRate} Hz x${s.source.channels} staged in ${(s.ms / 1000).toFixed(1)} s; ` +
      `peak RSS ${((s.peakRss - s.baselineRss) / MB).toFixed(0)} MB over the baseline (the 16 kHz signal is ${(s.signalBytes / MB).toFixed(0)} MB); ` +
      `event-loop delay p99 ${s.p99DelayMs.toFixed(1)} ms, max ${s.maxDelayMs.toFixed(1)} ms (ours: ${s.oursMaxDelayMs.toFixed(1)} ms)`,
  );
}

/** One hour of 16-bit PCM (stereo at 44.1 kHz, or mono), written 10 s at a time. */
function hourOfWav(rate: number, channels: 1 | 2): string {
  const file = audioFile(`hour-${rate}-${channels}ch.wav`);
  const frames = rate * 3600;
  const blockAlign = 2 * channels;
  const header = pcm16WavHeader(frames * blockAlign, rate, channels);
  const block = Buffer.alloc(rate * 10 * blockAlign);
  for (let i = 0; i < rate * 10; i++) {
    block.writeInt16LE(Math.round(8000 * Math.sin(i * 0.05) + 3000 * Math.sin(i * 0.31)), blockAlign * i);
    if (channels === 2) block.writeInt16LE(Math.round(8000 * Math.sin(i * 0.07)), blockAlign * i + 2);
  }
  const fd = fs.openSync(file, 'w');
  fs.writeSync(fd, header);
  for (let written = 0; written < frames; written += rate * 10) fs.writeSync(fd, block);
  fs.closeSync(fd);
  return file;
}

/**
 * Each input is staged once; what is asserted on it are separate tests, so that under the
 * sanitizers the RSS bound is reported as skipped (rssTest, see support/sanitized.ts) and
 * not hidden inside a passing test.
 */
function staged(label: string, make: () => string, mode?: '--buffer', cleanup = false): () => Staging {
  let s: Staging | undefined;
  beforeAll(() => {
    const file = make();
    try {
      s = stage(file, mode);
      report(label, s);
    } finally {
      if (cleanup) fs.rmSync(file, { force: true });
    }
  }, 300_000);
  return () => {
    if (!s) throw new Error(`${label}: staging failed`);
    return s;
  };
}

const withinBound = (s: Staging) => expect(s.peakRss - s.baselineRss).toBeLessThan(s.signalBytes + BOUNDED_BUFFER);

describe.each([
  ['a 1-hour 44.1 kHz stereo WAV file', 44100, 2, undefined],
  ['a 1-hour 16 kHz mono WAV handed over as a Buffer (no resampling, no file reads)', 16000, 1, '--buffer'],
] as const)('%s', (label, rate, channels, mode) => {
  const result = staged(label, () => hourOfWav(rate, channels), mode, true);

  test('is decoded in full without stalling the event loop', () => {
    const s = result();
    expect(s.source).toEqual({ format: 'wav', sampleRate: rate, channels });
    expect(s.seconds).toBeCloseTo(3600, 3);
    expect(s.oursMaxDelayMs).toBeLessThan(100);
  });

  rssTest('holds no more than the 16 kHz signal plus bounded buffers', () => withinBound(result()));
});

describe('a 1-hour MP3', () => {
  const result = staged('1-hour MP3', () => repeatedMp3(3600));

  test('is decoded in full without stalling the event loop', () => {
    const s = result();
    expect(s.source).toEqual({ format: 'mp3', sampleRate: 16000, channels: 1 });
    expect(s.seconds).toBeGreaterThan(3600);
    expect(s.oursMaxDelayMs).toBeLessThan(100);
  });

  rssTest('holds no more than the 16 kHz signal plus bounded buffers', () => withinBound(result()));
});
