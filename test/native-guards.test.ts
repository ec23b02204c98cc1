/**
 * The addon checks what whisper.cpp would trust blindly, even when called directly
 * (bypassing src/options.ts): out-of-range values are RangeErrors, never UB or a hang.
 */
import { native } from '../src/binding';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

const addon = native();
let model: InstanceType<typeof addon.Model>;

beforeAll(async () => {
  model = new addon.Model();
  await model.load(modelPath(MODELS.micro), { useGpu: true, gpuDevice: 0, flashAttention: true });
});
afterAll(() => model.dispose());

const base = { strategy: 'greedy', threads: 2, language: 'en' } as const;

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
  ['maxInitialTimestamp: 1e9', { maxInitialTimestamp: 1e9 }, /'maxInitialTimestamp' is out of range/],
  ['audioContext: 5000', { audioContext: 5000 }, /'audioContext' is out of range/],
  ['noSpeechThreshold: NaN', { noSpeechThreshold: NaN }, /'noSpeechThreshold' is out of range/],
  ['initialPrompt: 100,000 characters', { initialPrompt: 'a'.repeat(100_000) }, /'initialPrompt length' is out of range/],
])('rejects %#: %s', (_label, extra, message) => {
  const error = thrown(() => model.transcribe(jfk(), { ...base, ...extra } as never));
  expect(error.name).toBe('RangeError');
  expect(error.message).toMatch(message);
});

test('wrong types are TypeErrors', () => {
  expect(thrown(() => model.transcribe(jfk(), { ...base, threads: '2' } as never)).name).toBe('TypeError');
  expect(thrown(() => model.transcribe(new Int16Array(10) as never, base)).name).toBe('TypeError');
  expect(thrown(() => (model.transcribe as (...a: unknown[]) => unknown)()).name).toBe('TypeError');
});

test('an options getter that disposes the model mid-call is handled', () => {
  const sneaky = { ...base };
  Object.defineProperty(sneaky, 'translate', { enumerable: true, get: () => (model.dispose(), false) });
  expect(() => model.transcribe(jfk(), sneaky)).toThrow(/disposed/);
});
