/** Bad audio is refused with a typed error (InvalidAudioError or a subclass); the model stays usable. */
import * as fs from 'node:fs';

import {
  AudioDecodeError,
  InvalidAudioError,
  InvalidOptionError,
  UnsupportedAudioError,
  decodeAudio,
  loadModel,
  type WhisperModel,
} from '../src';
import { jfk } from './support/audio';
import { JFK_MP3, audioFile, encodeWav, sine, sox, writeWav } from './support/audio-files';
import { JFK_WAV, MODELS, modelPath } from './support/paths';

let model: WhisperModel;
beforeAll(async () => {
  model = await loadModel(modelPath(MODELS.micro), { threads: 2 });
});
afterAll(() => model.dispose());

const notAudio: [string, unknown][] = [
  ['a Float64Array', new Float64Array(16000)],
  ['a Uint8ClampedArray', new Uint8ClampedArray(16)],
  ['a plain array of numbers', Array.from({ length: 16000 }, () => 0)],
  ['a number', 16000],
  ['null', null],
  ['undefined', undefined],
  ['an object without channelData', { sampleRate: 16000, samples: new Float32Array(10) }],
];

test.each(notAudio)('input that is not audio: %s', async (_name, audio) => {
  await expect(model.transcribe(audio as Float32Array)).rejects.toThrow(InvalidAudioError);
  await expect(model.transcribe(audio as Float32Array)).rejects.toMatchObject({ code: 'ERR_WHISPER_INVALID_AUDIO', message: expect.stringMatching(/Float32Array/) });
});

test('empty audio', async () => {
  await expect(model.transcribe(new Float32Array(0))).rejects.toThrow(/empty/);
  await expect(model.transcribe(new Float32Array(0))).rejects.toBeInstanceOf(InvalidAudioError);
});

test.each([
  ['NaN', NaN, /NaN/],
  ['Infinity', Infinity, /infinite/],
  ['-Infinity', -Infinity, /infinite/],
])('audio containing %s', async (_name, value, message) => {
  const audio = jfk();
  audio[12345] = value;
  const error = await model.transcribe(audio).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(InvalidAudioError);
  expect((error as Error).message).toMatch(message);
  expect((error as Error).message).toMatch(/sample 12345/);
});

test('the model still transcribes after the rejected calls', async () => {
  const t = await model.transcribe(jfk());
  expect(t.segments.length).toBeGreaterThan(0);
  expect(t.timings.audioSeconds).toBeCloseTo(11, 0);
});

test.each([1, 100, 200, 800])('a very short input (%i samples, under whisper.cpp\'s 1-s minimum) gives an empty transcript', async (n) => {
  // whisper.cpp reads 200 samples for padding whatever the length; the addon pads first.
  const t = await model.transcribe(new Float32Array(n).fill(0.1));
  expect(t.segments).toEqual([]);
  expect(t.text).toBe('');
});

describe('bad encoded audio and bad PCM shapes', () => {
  const wavBytes = () => fs.readFileSync(JFK_WAV);

  test('a zero-length file, and zero bytes in memory', async () => {
    const empty = audioFile('empty.wav');
    fs.writeFileSync(empty, '');
    await expect(model.transcribe(empty)).rejects.toThrow(/empty \(0 bytes\)/);
    await expect(model.transcribe(empty)).rejects.toBeInstanceOf(InvalidAudioError);
    await expect(model.transcribe(new Uint8Array(0))).rejects.toThrow(/empty/);
  });

  test('a file that does not exist, and a directory', async () => {
    await expect(model.transcribe('/nonexistent/speech.wav')).rejects.toThrow(/cannot read audio file .*ENOENT/);
    await expect(model.transcribe(__dirname)).rejects.toBeInstanceOf(InvalidAudioError);
  });

  test('a WAV whose header declares more data than the file holds', async () => {
    const lying = encodeWav({ sampleRate: 16000, channels: [jfk()], bits: 16, dataSizeField: 999_999_999 });
    const error = await model.transcribe(lying).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect((error as Error).message).toMatch(/declares 999999999 bytes of samples but the file holds 352000/);
    // The same file cut short: the header is right, the file is not.
    const cut = audioFile('cut.wav');
    fs.writeFileSync(cut, wavBytes().subarray(0, 100_000));
    await expect(model.transcribe(cut)).rejects.toThrow(AudioDecodeError);
  });

  test('a truncated MP3 (cut inside a frame, and at a frame boundary)', async () => {
    const mp3 = fs.readFileSync(JFK_MP3);
    const insideFrame = audioFile('cut-inside-frame.mp3');
    fs.writeFileSync(insideFrame, mp3.subarray(0, 40_000));
    await expect(model.transcribe(insideFrame)).rejects.toThrow(/MP3 file is truncated: its last frame is cut off/);
    await expect(model.transcribe(mp3.subarray(0, 40_000))).rejects.toBeInstanceOf(AudioDecodeError);
    // Cut exactly after a frame: only the Xing header's frame count tells.
    const frames = [55]; // after the ID3 tag
    for (let at = 55; at < mp3.length; ) {
      at += (72 * [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160][mp3[at + 2]! >> 4]! * 1000) / 16000 + ((mp3[at + 2]! >> 1) & 1);
      frames.push(at);
    }
    await expect(model.transcribe(mp3.subarray(0, frames[150]))).rejects.toThrow(/header announces 308 frames, the file holds 149/);
  });

  test('a truncated FLAC', async () => {
    const flac = audioFile('for-truncation.flac');
    sox(JFK_WAV, flac);
    const bytes = fs.readFileSync(flac);
    const error = await model.transcribe(bytes.subarray(0, Math.floor(bytes.length * 0.6))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AudioDecodeError);
    expect((error as Error).message).toMatch(/FLAC file is truncated or damaged: its header announces 176000 frames/);
  });

  test('a truncated Ogg Vorbis file', async () => {
    const ogg = audioFile('for-truncation.ogg');
    sox(JFK_WAV, ogg);
    const bytes = fs.readFileSync(ogg);
    await expect(model.transcribe(bytes.subarray(0, Math.floor(bytes.length * 0.6)))).rejects.toThrow(/Ogg file is truncated/);
  });

  test('a WAV with an unsupported codec (IMA ADPCM, A-law)', async () => {
    const adpcm = encodeWav({ sampleRate: 16000, channels: [new Float32Array(1000)], bits: 16, formatTag: 0x11 });
    const error = await model.transcribe(adpcm).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedAudioError);
    expect((error as Error).message).toMatch(/WAV codec 0x0011 \(IMA ADPCM\) is not supported/);
    const alaw = encodeWav({ sampleRate: 8000, channels: [new Float32Array(1000)], bits: 8, formatTag: 6 });
    await expect(model.transcribe(alaw)).rejects.toThrow(/A-law/);
  });

  test('a text file renamed .wav, and other formats we do not decode', async () => {
    const text = audioFile('notes.wav');
    fs.writeFileSync(text, 'These are my meeting notes, not audio.\n');
    const error = await model.transcribe(text).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnsupportedAudioError);
    expect((error as Error).message).toMatch(/not a recognised audio file/);
    const mp4 = Buffer.concat([Buffer.from([0, 0, 0, 0x20]), Buffer.from('ftypM4A '), Buffer.alloc(64)]);
    await expect(model.transcribe(mp4)).rejects.toThrow(/MP4\/M4A audio is not supported/);
    const opus = Buffer.concat([Buffer.from('OggS'), Buffer.alloc(24), Buffer.from('OpusHead'), Buffer.alloc(32)]);
    await expect(model.transcribe(opus)).rejects.toThrow(/Ogg Opus audio is not supported/);
  });

  test('a sample rate of 0: in a WAV header, in { sampleRate, channelData }, as an option', async () => {
    const zeroRate = writeWav('zero-rate.wav', { sampleRate: 16000, channels: [new Float32Array(1000)], bits: 16 });
    const bytes = fs.readFileSync(zeroRate);
    bytes.writeUInt32LE(0, 24); // fmt sample rate
    await expect(model.transcribe(bytes)).rejects.toThrow(/sample rate of 0 Hz/);
    await expect(model.transcribe(bytes)).rejects.toBeInstanceOf(AudioDecodeError);
    await expect(model.transcribe({ sampleRate: 0, channelData: [new Float32Array(100)] })).rejects.toThrow(/audio.sampleRate must be an integer from 1000/);
    await expect(model.transcribe(new Float32Array(100), { sampleRate: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(model.transcribe(new Int16Array(100))).rejects.toThrow(/Int16Array audio needs the 'sampleRate' option/);
    await expect(model.transcribe(JFK_WAV, { sampleRate: 16000 })).rejects.toThrow(/encoded audio carries its own rate/);
  });

  test('channelData with channels of different lengths, or not Float32Array', async () => {
    const error = await model.transcribe({ sampleRate: 44100, channelData: [new Float32Array(100), new Float32Array(99)] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidAudioError);
    expect((error as Error).message).toMatch(/channel 0 has 100 samples, channel 1 has 99/);
    await expect(model.transcribe({ sampleRate: 44100, channelData: [] })).rejects.toThrow(/non-empty array/);
    await expect(model.transcribe({ sampleRate: 44100, channelData: [new Float64Array(10)] as never })).rejects.toThrow(/channelData\[0\] must be a Float32Array/);
  });

  test('NaN samples: at 16 kHz, resampled from 44.1 kHz, and inside a float WAV', async () => {
    const at44k = sine(440, 44100, 3);
    at44k[50_000] = NaN;
    await expect(model.transcribe(at44k, { sampleRate: 44100 })).rejects.toThrow(/NaN/);
    const stereo = { sampleRate: 48000, channelData: [sine(440, 48000, 1), sine(440, 48000, 1)] };
    stereo.channelData[1]![123] = Infinity;
    await expect(model.transcribe(stereo)).rejects.toBeInstanceOf(InvalidAudioError);
    const samples = jfk();
    samples[20_000] = NaN;
    const wav = encodeWav({ sampleRate: 16000, channels: [samples], bits: 32, float: true });
    await expect(model.transcribe(wav)).rejects.toThrow(/sample 20000 is NaN/);
    // decodeAudio() refuses what transcribe() would (fuzz/audio.js found NaN passing through it).
    await expect(decodeAudio(wav)).rejects.toThrow(InvalidAudioError);
    await expect(decodeAudio(wav)).rejects.toThrow(/sample 20000 is NaN/);
    samples[20_000] = -Infinity;
    const infinite = encodeWav({ sampleRate: 16000, channels: [samples], bits: 64, float: true });
    await expect(decodeAudio(infinite)).rejects.toThrow(/sample 20000 is infinite/);
  });

  test('a buffer detached before or while it is read is refused, not read half-old', async () => {
    const before = new Float32Array(16000 * 10).fill(0.01);
    const early = model.transcribe(before);
    structuredClone(before.buffer, { transfer: [before.buffer] }); // before the job reads it
    await expect(early).rejects.toThrow(/detached or emptied before the job started reading it/);
    // 8 kHz input is staged 65536 frames at a time, each slice resampled on the pool: a
    // transfer 20 ms in lands between slices.
    const during = new Float32Array(8000 * 400).fill(0.01);
    const pending = model.transcribe(during, { sampleRate: 8000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    structuredClone(during.buffer, { transfer: [during.buffer] });
    await expect(pending).rejects.toThrow(/detached or resized while it was being read/);
  });

  test('the model still transcribes after all of that', async () => {
    const t = await model.transcribe(JFK_MP3);
    expect(t.segments.length).toBeGreaterThan(0);
  });
});
