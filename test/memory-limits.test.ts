/**
 * Requests beyond the memory budget are refused up front with an OutOfMemoryError, before
 * anything is allocated for them, and the process and the model stay usable. The budget is
 * what the OS reports available, capped here with WHISPER_NAPI_MAX_MEMORY (src/memory.ts).
 */
import { InvalidOptionError, OutOfMemoryError, loadModel, type WhisperModel } from '../src';
import { bytesPerSample, memoryBudget, memoryCap } from '../src/memory';
import { jfk } from './support/audio';
import { encodeWav } from './support/audio-files';
import { MODELS, modelPath } from './support/paths';

const saved = process.env.WHISPER_NAPI_MAX_MEMORY;
function cap(value: string | undefined): void {
  if (value === undefined) delete process.env.WHISPER_NAPI_MAX_MEMORY;
  else process.env.WHISPER_NAPI_MAX_MEMORY = value;
}
afterEach(() => cap(saved));

test('WHISPER_NAPI_MAX_MEMORY is a size in bytes, K, M or G; anything else is an InvalidOptionError', () => {
  expect(memoryCap({ WHISPER_NAPI_MAX_MEMORY: '4G' })).toBe(4 * 2 ** 30);
  expect(memoryCap({ WHISPER_NAPI_MAX_MEMORY: '512M' })).toBe(512 * 2 ** 20);
  expect(memoryCap({ WHISPER_NAPI_MAX_MEMORY: '1.5GiB' })).toBe(1.5 * 2 ** 30);
  expect(memoryCap({ WHISPER_NAPI_MAX_MEMORY: '1000000' })).toBe(1_000_000);
  expect(memoryCap({})).toBeUndefined();
  expect(() => memoryCap({ WHISPER_NAPI_MAX_MEMORY: 'lots' })).toThrow(InvalidOptionError);
  // The budget is never above what the OS reports.
  expect(memoryBudget({ WHISPER_NAPI_MAX_MEMORY: '1G' })).toBeLessThanOrEqual(2 ** 30);
  expect(memoryBudget({})).toBe(process.availableMemory());
});

test('per 16 kHz sample a job holds the signal and the whole spectrogram: 6 bytes at 80 mels, 7.2 at 128', () => {
  expect(bytesPerSample(80)).toBe(6);
  expect(bytesPerSample(128)).toBeCloseTo(7.2);
});

test('a model whose weights exceed the budget is refused before whisper.cpp allocates them', async () => {
  cap('20M'); // the tiny.en shape holds 75 MB of weights
  const error = await loadModel(modelPath(MODELS.tiny)).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OutOfMemoryError);
  expect((error as Error).message).toMatch(/needs about 7\d MB for its weights, but only 20 MB is available/);
  cap(undefined);
  const model = await loadModel(modelPath(MODELS.tiny));
  await model.dispose();
});

describe('audio longer than the budget allows', () => {
  let model: WhisperModel;
  beforeAll(async () => {
    model = await loadModel(modelPath(MODELS.micro), { threads: 2 });
  });
  afterAll(() => model.dispose());

  // 3 MB at 6 bytes a sample: 524,288 samples, 32.8 s.
  const budget = '3M';

  test('as PCM: refused with the length it would take, nothing staged', async () => {
    const minute = new Float32Array(16000 * 60).fill(0.01);
    cap(budget);
    const error = await model.transcribe(minute).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OutOfMemoryError);
    expect((error as Error).message).toMatch(/the audio is longer than 0\.5 min, and each hour of it takes 330 MB .*transcribe it in parts, but only 3 MB is available \(capped by WHISPER_NAPI_MAX_MEMORY\)/);
  });

  test('as a WAV file: refused while decoding, at the budget, not after decoding it all', async () => {
    const speech = jfk();
    const long = new Float32Array(16000 * 60);
    for (let at = 0; at < long.length; at += speech.length) long.set(speech.subarray(0, Math.min(speech.length, long.length - at)), at);
    const wav = encodeWav({ sampleRate: 16000, channels: [long], bits: 16 });
    // Every slice of the file that was decoded (src/audio/wav.ts decodes it slice by slice).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const decoder = (require('wav-decoder') as { decode: { sync: (...args: unknown[]) => { channelData: Float32Array[] } } }).decode;
    const decode = jest.spyOn(decoder, 'sync');
    try {
      cap(budget);
      await expect(model.transcribe(wav)).rejects.toBeInstanceOf(OutOfMemoryError);
      const decoded = decode.mock.results.reduce((n, r) => n + (r.value as { channelData: Float32Array[] }).channelData[0]!.length, 0);
      // 3 MB holds 524,288 samples: decoding went that far and stopped within a slice (65,536
      // frames) of it, far short of the minute (960,000).
      expect(decoded).toBeGreaterThanOrEqual(524_288);
      expect(decoded).toBeLessThanOrEqual(524_288 + 65_536);
    } finally {
      decode.mockRestore();
    }
  });

  test('what fits is transcribed, and the model still works after a refusal', async () => {
    cap(budget);
    const transcript = await model.transcribe(jfk(), { temperatureIncrement: 0 });
    expect(transcript.timings.audioSeconds).toBeCloseTo(11, 0);
  });
});
