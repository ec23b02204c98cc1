/**
 * Checks a generated speech test set (scripts/speech-set/make-speech-set.js): the real tier's
 * (scripts/prepare-real-tier.js makes it; .ci/run runs that), or the folder named by
 * WHISPER_TEST_SPEECH_SET (`node scripts/speech-set/make-speech-set.js` needs espeak-ng and
 * sox and writes .cache/speech-set). Without either these tests are
 * SKIPPED, reported as skipped by jest, and a banner says so. The set is not generated
 * here: CI makes it once per run, and the tests that use it should not each pay for it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { REAL_TIER } from './support/real-tier';
import { warnSkipped } from './support/skip-banner';

const SET = process.env.WHISPER_TEST_SPEECH_SET ?? REAL_TIER?.speechSet;

interface Pause {
  atS: number;
  lengthS: number;
}

interface Item {
  id: string;
  file: string;
  kind: 'speech' | 'long' | 'silence' | 'noise' | 'human';
  language: 'en' | 'de' | 'fr' | 'es' | null;
  reference: string;
  voice: string | null;
  wordsPerMinute: number | null;
  durationS: number;
  pauses?: Pause[];
  rmsDbfs?: number;
}

interface Manifest {
  version: number;
  generatedBy: string;
  espeakVersion: string;
  cacheKey: string;
  human: { found: boolean; items: number; note: string };
  items: Item[];
}

interface Wav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  format: number;
  samples: Int16Array;
}

/** A PCM WAV's format and 16-bit samples (walks the chunks; no 44-byte assumption). */
function readWav(file: string): Wav {
  const buffer = fs.readFileSync(file);
  expect(buffer.toString('ascii', 0, 4)).toBe('RIFF');
  expect(buffer.toString('ascii', 8, 12)).toBe('WAVE');
  let offset = 12;
  let format: Omit<Wav, 'samples'> | undefined;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      format = {
        format: buffer.readUInt16LE(offset + 8),
        channels: buffer.readUInt16LE(offset + 10),
        sampleRate: buffer.readUInt32LE(offset + 12),
        bitsPerSample: buffer.readUInt16LE(offset + 22),
      };
    } else if (id === 'data') {
      if (!format) throw new Error(`${file}: data before fmt`);
      expect(offset + 8 + size).toBeLessThanOrEqual(buffer.length);
      const samples = new Int16Array(size >> 1);
      for (let i = 0; i < samples.length; i++) samples[i] = buffer.readInt16LE(offset + 8 + 2 * i);
      return { ...format, samples };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error(`${file}: no data chunk`);
}

if (!SET) {
  warnSkipped([
    'SKIPPED: speech-set checks. WHISPER_TEST_SPEECH_SET is not set, so nothing here checks',
    'the generated speech test set. Make it with `node scripts/speech-set/make-speech-set.js`',
    '(needs espeak-ng and sox) and set WHISPER_TEST_SPEECH_SET=.cache/speech-set.',
  ]);
}

(SET ? describe : describe.skip)(`speech set (${SET ?? 'WHISPER_TEST_SPEECH_SET not set'})`, () => {
  let manifest: Manifest;
  const wavs = new Map<string, Wav>();
  const wav = (item: Item): Wav => {
    if (!wavs.has(item.id)) wavs.set(item.id, readWav(path.join(SET!, item.file)));
    return wavs.get(item.id)!;
  };

  beforeAll(() => {
    // Pointed at a folder, it must hold a set: a missing manifest fails instead of skipping.
    manifest = JSON.parse(fs.readFileSync(path.join(SET!, 'manifest.json'), 'utf8')) as Manifest;
  });

  test('the manifest describes a generated set', () => {
    expect(manifest.version).toBe(1);
    expect(manifest.generatedBy).toBe('scripts/speech-set/make-speech-set.js');
    expect(manifest.espeakVersion).toMatch(/^\d+\.\d+/);
    expect(manifest.cacheKey).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(manifest.items.map((item) => item.id)).size).toBe(manifest.items.length);
    for (const kind of ['speech', 'long', 'silence', 'noise'] as const) expect(manifest.items.some((item) => item.kind === kind)).toBe(true);
    const human = manifest.items.filter((item) => item.kind === 'human');
    console.log(`speech set: ${manifest.items.length} items, human recordings: ${human.length} (${manifest.human.note})`);
    expect(human.length).toBe(manifest.human.items);
    expect(manifest.human.found).toBe(human.length > 0);
  });

  test('every file exists and is 16 kHz mono 16-bit PCM, as long as the manifest says', () => {
    for (const item of manifest.items) {
      expect(fs.existsSync(path.join(SET!, item.file))).toBe(true);
      const { format, sampleRate, channels, bitsPerSample, samples } = wav(item);
      expect({ id: item.id, format, sampleRate, channels, bitsPerSample }).toEqual({ id: item.id, format: 1, sampleRate: 16000, channels: 1, bitsPerSample: 16 });
      expect(Math.abs(samples.length / 16000 - item.durationS)).toBeLessThan(1e-6);
    }
  });

  test('English: at least 5 minutes, at least 4 voices, speeds from about 130 to 210 words per minute', () => {
    const english = manifest.items.filter((item) => item.kind === 'speech' && item.language === 'en');
    const total = english.reduce((sum, item) => sum + item.durationS, 0);
    const voices = new Set(english.map((item) => item.voice));
    const rates = english.map((item) => item.wordsPerMinute!);
    console.log(`English: ${english.length} clips, ${total.toFixed(1)} s, voices ${[...voices].join(', ')}, ${Math.min(...rates)} to ${Math.max(...rates)} words/min`);
    expect(total).toBeGreaterThanOrEqual(300);
    expect(voices.size).toBeGreaterThanOrEqual(4);
    expect(Math.min(...rates)).toBeLessThanOrEqual(145);
    expect(Math.max(...rates)).toBeGreaterThanOrEqual(195);
    for (const item of english) {
      expect(item.durationS).toBeGreaterThanOrEqual(20);
      expect(item.durationS).toBeLessThanOrEqual(60);
    }
  });

  test('German, French and Spanish: a shorter set each', () => {
    for (const language of ['de', 'fr', 'es'] as const) {
      const clips = manifest.items.filter((item) => item.kind === 'speech' && item.language === language);
      const total = clips.reduce((sum, item) => sum + item.durationS, 0);
      expect({ language, enough: total >= 40 }).toEqual({ language, enough: true });
    }
  });

  test('speech has references; silence and noise have none', () => {
    for (const item of manifest.items) {
      if (item.kind === 'silence' || item.kind === 'noise') {
        expect(item.reference).toBe('');
        expect(item.language).toBeNull();
      } else {
        expect(item.reference.trim().length).toBeGreaterThan(0);
        expect(item.language).not.toBeNull();
      }
    }
  });

  test('pauses are 0.3 to 3 s of digital silence where the manifest puts them', () => {
    for (const item of manifest.items.filter((i) => i.kind === 'speech')) {
      const { samples } = wav(item);
      expect(item.pauses).toBeDefined();
      for (const pause of item.pauses!) {
        expect(pause.lengthS).toBeGreaterThanOrEqual(0.3);
        expect(pause.lengthS).toBeLessThanOrEqual(3);
        const from = Math.round(pause.atS * 16000);
        const to = from + Math.round(pause.lengthS * 16000);
        expect(to).toBeLessThanOrEqual(samples.length);
        expect({ id: item.id, atS: pause.atS, silent: samples.subarray(from, to).every((s) => s === 0) }).toEqual({ id: item.id, atS: pause.atS, silent: true });
        // Speech on both sides: the pause is not longer than the manifest says.
        expect(samples[from - 1]).not.toBe(0);
        expect(samples[to]).not.toBe(0);
      }
    }
  });

  test('en-long is every English clip in a row: over 5 minutes, their references joined', () => {
    const long = manifest.items.find((item) => item.kind === 'long')!;
    const english = manifest.items.filter((item) => item.kind === 'speech' && item.language === 'en');
    expect(long.durationS).toBeGreaterThanOrEqual(300);
    expect(long.durationS).toBeGreaterThan(english.reduce((sum, item) => sum + item.durationS, 0));
    expect(long.reference).toBe(english.map((item) => item.reference).join(' '));
    const pauses = english.reduce((sum, item) => sum + item.pauses!.length, 0);
    expect(long.pauses!.length).toBe(pauses + english.length - 1);
    const { samples } = wav(long);
    for (const pause of long.pauses!) {
      const from = Math.round(pause.atS * 16000);
      expect(samples.subarray(from, from + Math.round(pause.lengthS * 16000)).every((s) => s === 0)).toBe(true);
    }
  });

  test('silence is all zeros; noise is not, at about -30 dBFS', () => {
    const silence = manifest.items.find((item) => item.kind === 'silence')!;
    expect(silence.durationS).toBe(30);
    expect(wav(silence).samples.every((s) => s === 0)).toBe(true);
    const noise = manifest.items.find((item) => item.kind === 'noise')!;
    const { samples } = wav(noise);
    const rms = Math.sqrt(samples.reduce((sum, s) => sum + s * s, 0) / samples.length);
    const dbfs = 20 * Math.log10(rms / 32768);
    expect(noise.durationS).toBe(30);
    expect(Math.abs(dbfs - -30)).toBeLessThan(1);
    expect(Math.abs(dbfs - noise.rmsDbfs!)).toBeLessThan(0.01);
  });
});
