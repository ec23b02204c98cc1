/**
 * Voice activity detection with whisper.cpp's built-in Silero VAD, and the checks on the
 * VAD model file (whisper.cpp's VAD loader trusts it blindly).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { InvalidModelError, InvalidOptionError, ModelNotFoundError, loadModel, type WhisperModel } from '../src';
import { jfk } from './support/audio';
import { FIXTURES, JFK_WAV, MODELS, modelPath } from './support/paths';
import { runWhisperCli } from './support/whisper-cli';

const SILERO = path.join(FIXTURES, 'for-tests-silero-v6.2.0-ggml.bin');
let model: WhisperModel;
let dir: string;

beforeAll(async () => {
  model = await loadModel(modelPath(MODELS.micro), { threads: 2 });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-vad-'));
});
afterAll(async () => {
  await model.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

test('with vad: true the result equals whisper-cli --vad on the same model and audio', async () => {
  const ours = await model.transcribe(jfk(), { vad: true, vadModel: SILERO, temperatureIncrement: 0, threads: 2 });
  const reference = await runWhisperCli(modelPath(MODELS.micro), JFK_WAV, 2, ['--vad', '-vm', SILERO]);
  expect(reference.length).toBeGreaterThan(0);
  expect(ours.segments.map((s) => ({ t0: Math.round(s.start * 100), t1: Math.round(s.end * 100), text: s.text }))).toEqual(reference);
  // Timestamps refer to the original audio (11 s), not to the speech-only signal.
  expect(ours.segments[0]!.start).toBeGreaterThanOrEqual(0);
  expect(ours.segments[ours.segments.length - 1]!.end).toBeLessThanOrEqual(11.1);
});

test('VAD thresholds and padding reach whisper.cpp (parity with the CLI flags)', async () => {
  const ours = await model.transcribe(jfk(), {
    vad: true,
    vadModel: SILERO,
    vadThreshold: 0.6,
    vadMinSilenceMs: 300,
    vadSpeechPadMs: 100,
    temperatureIncrement: 0,
    threads: 2,
  });
  const reference = await runWhisperCli(modelPath(MODELS.micro), JFK_WAV, 2, ['--vad', '-vm', SILERO, '-vt', '0.6', '-vsd', '300', '-vp', '100']);
  expect(ours.segments.map((s) => ({ t0: Math.round(s.start * 100), t1: Math.round(s.end * 100), text: s.text }))).toEqual(reference);
});

test('vad without vadModel is an option error', async () => {
  await expect(model.transcribe(jfk(), { vad: true })).rejects.toBeInstanceOf(InvalidOptionError);
});

test('a missing VAD model file: ModelNotFoundError', async () => {
  await expect(model.transcribe(jfk(), { vad: true, vadModel: path.join(dir, 'nope.bin') })).rejects.toBeInstanceOf(ModelNotFoundError);
});

describe('a VAD model that is not one', () => {
  const silero = () => fs.readFileSync(SILERO);
  const write = (name: string, bytes: Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };
  test.each([
    ['a whisper model', () => modelPath(MODELS.micro), /not a Silero VAD|model type/],
    ['a text file', () => write('text.bin', Buffer.from('not a model at all, not even close\n'.repeat(20))), /wrong magic/],
    ['a file truncated in its header', () => write('cut-header.bin', silero().subarray(0, 30)), /truncated/],
    ['a file truncated in a tensor', () => write('cut-tensor.bin', silero().subarray(0, 400_000)), /truncated/],
    ['a file with a lying layer count', () => {
      const bytes = Buffer.from(silero());
      const typeLength = bytes.readInt32LE(4);
      bytes.writeInt32LE(2, 8 + typeLength + 20); // n_encoder_layers
      return write('two-layers.bin', bytes);
    }, /encoder layer count/],
  ])('%s', async (_name, file, message) => {
    const error = await model.transcribe(jfk(), { vad: true, vadModel: file() }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidModelError);
    expect((error as Error).message).toMatch(message);
  });

  test('and the model still works afterwards', async () => {
    expect((await model.transcribe(jfk(), { vad: true, vadModel: SILERO })).segments.length).toBeGreaterThan(0);
  });
});

test('with vad, token times are in original-audio time too', async () => {
  const t = await model.transcribe(jfk(), { vad: true, vadModel: SILERO, tokenTimestamps: true, temperatureIncrement: 0 });
  for (const segment of t.segments) {
    for (const token of segment.tokens!) {
      expect(token.start).toBeGreaterThanOrEqual(segment.start - 0.01);
      expect(token.end).toBeLessThanOrEqual(segment.end + 0.01);
    }
  }
});
