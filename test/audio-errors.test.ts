/** Bad audio is refused with InvalidAudioError; the model stays usable. */
import { InvalidAudioError, loadModel, type WhisperModel } from '../src';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

let model: WhisperModel;
beforeAll(async () => {
  model = await loadModel(modelPath(MODELS.micro), { threads: 2 });
});
afterAll(() => model.dispose());

const notFloat32: [string, unknown][] = [
  ['an Int16Array', new Int16Array(16000)],
  ['a Float64Array', new Float64Array(16000)],
  ['a plain array of numbers', Array.from({ length: 16000 }, () => 0)],
  ['a string', 'jfk.wav'],
  ['null', null],
  ['undefined', undefined],
  ['an ArrayBuffer', new ArrayBuffer(64000)],
];

test.each(notFloat32)('audio that is not a Float32Array: %s', async (_name, audio) => {
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
