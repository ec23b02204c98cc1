/**
 * The addon checks what whisper.cpp would trust blindly, even when called directly
 * (bypassing src/options/): values that would make whisper.cpp read or write out of bounds,
 * overflow, exhaust memory or never finish are RangeErrors, never UB or a hang. Limits that
 * are only documented rules (noSpeechThreshold in [0, 1], ...) are src/options/'s alone.
 */
import { native } from '../src/binding';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

const addon = native();
let model: InstanceType<typeof addon.Model>;

beforeAll(async () => {
  model = new addon.Model();
  await model.load(modelPath(MODELS.micro), { useGpu: true, gpuDevice: 0, flashAttention: true, maxConcurrency: 1 });
});
afterAll(() => model.dispose());

const base = { strategy: 'greedy', threads: 2, language: 'en' } as const;

function staged(samples: Float32Array = jfk()) {
  const audio = new addon.StagedAudio(samples.length);
  audio.append(samples, 0, samples.length);
  audio.finish();
  return audio;
}

// The addon's errors come from the main realm, not jest's: compare by name, not class.
function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

test.each([
  ['temperature: 1.5', { temperature: 1.5 }, /'temperature' is out of range/],
  ['temperatureIncrement: 1e-9', { temperatureIncrement: 1e-9 }, /'temperatureIncrement' is out of range/],
  ['offsetMs: -1000', { offsetMs: -1000 }, /'offsetMs' is out of range/],
  ['threads: 0', { threads: 0 }, /'threads' is out of range/],
  ['threads: 100000', { threads: 100000 }, /'threads' is out of range/],
  ['bestOf: 9', { bestOf: 9 }, /'bestOf' is out of range/],
  ['audioContext: 5000', { audioContext: 5000 }, /'audioContext' is out of range/],
  ['initialPrompt: 100,000 characters', { initialPrompt: 'a'.repeat(100_000) }, /'initialPrompt length' is out of range/],
])('rejects %#: %s', (_label, extra, message) => {
  const error = thrown(() => model.transcribe(staged(), { ...base, ...extra } as never));
  expect(error.name).toBe('RangeError');
  expect(error.message).toMatch(message);
});

test('wrong types are TypeErrors', () => {
  expect(thrown(() => model.transcribe(staged(), { ...base, threads: '2' } as never)).name).toBe('TypeError');
  expect(thrown(() => model.transcribe(jfk() as never, base)).name).toBe('TypeError');
  expect(thrown(() => model.transcribe({ append() {} } as never, base)).name).toBe('TypeError');
  expect(thrown(() => (model.transcribe as (...a: unknown[]) => unknown)()).name).toBe('TypeError');
});

test('staged audio: bounds, completeness and single use are enforced', () => {
  const audio = new addon.StagedAudio(10);
  audio.append(new Float32Array(11).fill(0.5), 0, 11); // past the limit: kept up to it, flagged
  expect(audio.length).toBe(10);
  expect(audio.truncated).toBe(true);
  expect(thrown(() => audio.append(new Float32Array(5), 3, 9)).message).toMatch(/bad slice/);
  expect(thrown(() => audio.append(new Float64Array(5) as never, 0, 5)).name).toBe('TypeError');
  expect(thrown(() => model.transcribe(audio, base)).message).toMatch(/incomplete/);
  expect(thrown(() => audio.copyTo(new Float32Array(1), 0)).message).toMatch(/not finished/);
  expect(thrown(() => new addon.StagedAudio(0)).message).toMatch(/between 1 and/);
  expect(thrown(() => new addon.StagedAudio(-1)).message).toMatch(/between 1 and/);
  const empty = new addon.StagedAudio(10);
  empty.finish();
  expect(thrown(() => model.transcribe(empty, base)).message).toMatch(/empty/);
  const once = staged();
  expect(thrown(() => once.append(new Float32Array(1), 0, 1)).message).toMatch(/already finished/);
  const job = model.transcribe(once, base);
  expect(thrown(() => model.transcribe(once, base)).message).toMatch(/already used/);
  return job.promise;
});

test('staged audio: frames, encoded bytes and decoding are checked', async () => {
  const audio = new addon.StagedAudio(1000);
  const a = new Float32Array(100);
  expect(thrown(() => audio.appendFrames(44100, [a, new Float32Array(99)], 0, 100)).message).toMatch(/differ in length/);
  expect(thrown(() => audio.appendFrames(0, [a], 0, 100)).name).toBe('RangeError');
  expect(thrown(() => audio.appendFrames(44100.5, [a], 0, 100)).name).toBe('RangeError');
  // A rate whose filter would not fit in memory is refused before anything is allocated.
  expect(thrown(() => new addon.StagedAudio(1000).appendFrames(4e9, [a], 0, 100)).message).toMatch(/not supported \(1000 to 768000 Hz/);
  expect(thrown(() => new addon.StagedAudio(1000).appendFrames(999, [a], 0, 100)).message).toMatch(/not supported/);
  expect(thrown(() => audio.appendFrames(44100, [], 0, 0)).message).toMatch(/no channels/);
  expect(thrown(() => audio.appendFrames(44100, [new Int16Array(100) as never], 0, 100)).name).toBe('TypeError');
  expect(thrown(() => audio.decode('wav' as never)).name).toBe('TypeError');
  expect(thrown(() => audio.appendEncoded(new Float32Array(4) as never, 0, 4)).name).toBe('TypeError');
  const pending = audio.appendFrames(44100, [a], 0, 100); // resampled on the pool
  expect(thrown(() => audio.appendFrames(44100, [a], 0, 100)).message).toMatch(/still being filled/);
  await pending;
  expect(thrown(() => audio.appendFrames(48000, [a], 0, 100)).message).toMatch(/format changed/);
  // Garbage given to the native decoders is an error, not a crash.
  const garbage = new addon.StagedAudio(1000);
  garbage.appendEncoded(new Uint8Array(4096).fill(0xff), 0, 4096);
  await expect(garbage.decode('flac')).rejects.toMatchObject({ code: 'ERR_WHISPER_AUDIO_DECODE' });
  const nothing = new addon.StagedAudio(1000);
  expect(thrown(() => nothing.decode('mp3')).message).toMatch(/empty/);
});

test('an options getter that disposes the model mid-call is handled', () => {
  const sneaky = { ...base };
  Object.defineProperty(sneaky, 'translate', { enumerable: true, get: () => (model.dispose(), false) });
  expect(() => model.transcribe(staged(), sneaky)).toThrow(/disposed/);
});

test.each([
  ['a lookbehind', '(?<=a)b'],
  ['a named group', '(?<n>a)'],
  ['a code point escape', '\\u{1F600}'],
])('a suppressRegex that JS accepts but std::regex does not (%s) is an InvalidOptionError, before whisper.cpp compiles it', async (_, pattern) => {
  const { InvalidOptionError, loadModel } = await import('../src');
  const m = await loadModel(modelPath(MODELS.micro), { threads: 1 });
  try {
    expect(() => new RegExp(pattern)).not.toThrow();
    await expect(m.transcribe(jfk(), { suppressRegex: pattern })).rejects.toThrow(InvalidOptionError);
    await expect(m.transcribe(jfk(), { suppressRegex: pattern })).rejects.toThrow(/std::regex/);
  } finally {
    await m.dispose();
  }
});

test('audio staged for a call that the addon refuses before taking it is freed at once, not at the next GC', async () => {
  const { InvalidOptionError, loadModel } = await import('../src');
  const m = await loadModel(modelPath(MODELS.micro), { threads: 1 });
  // Record every StagedAudio the library creates (its methods are read-only: subclass it).
  const Original = addon.StagedAudio;
  const created: InstanceType<typeof Original>[] = [];
  addon.StagedAudio = class extends Original {
    constructor(limitSamples: number) {
      super(limitSamples);
      created.push(this);
    }
  };
  try {
    // std::regex rejects the lookbehind while the parameters are read, before the samples move.
    await expect(m.transcribe(jfk(), { suppressRegex: '(?<=a)b' })).rejects.toThrow(InvalidOptionError);
    expect(created).toHaveLength(1);
    // Freed: the 176,000 samples are gone now, not when V8 collects the wrapper.
    expect(created[0]!.length).toBe(0);
  } finally {
    addon.StagedAudio = Original;
    await m.dispose();
  }
});

test('without a range, a call the addon refuses frees the staged samples itself, before the garbage collector', async () => {
  // (The shared model was disposed by an earlier test.)
  const model = new addon.Model();
  await model.load(modelPath(MODELS.micro), { useGpu: true, gpuDevice: 0, flashAttention: true, maxConcurrency: 1 });
  // Refused while the options are read, before the job takes the samples.
  const audio = staged();
  expect(audio.length).toBe(jfk().length);
  expect(thrown(() => model.transcribe(audio, { ...base, suppressRegex: '(?<=a)b' })).message).toMatch(/std::regex/);
  expect(audio.length).toBe(0);
  expect(thrown(() => model.transcribe(audio, base)).message).toMatch(/already used/);
  // Language detection: refused (an English-only model) before taking them.
  const detect = staged();
  expect(thrown(() => model.detectLanguage(detect, 2)).message).toMatch(/multilingual/);
  expect(detect.length).toBe(0);
  // A ranged call shares the audio with the other windows of its transcription: a refused
  // range leaves it to them (src/ releases it when the transcription ends).
  const shared = staged();
  expect(thrown(() => model.transcribe(shared, base, undefined, [0, 1e12])).name).toBe('RangeError');
  // ...which can still transcribe from it.
  await expect(model.transcribe(shared, base, undefined, [0, jfk().length]).promise).resolves.toHaveProperty('segments');
  shared.release();
  await model.dispose();
});
