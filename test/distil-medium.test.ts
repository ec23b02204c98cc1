/**
 * The default model's exact shape (distil-medium.en: 24 encoder layers, 2 decoder layers,
 * d=1024, English only), with random weights. One 30-s window takes ~20 s here.
 */
import { loadModel, type WhisperModel } from '../src';
import { jfk } from './support/audio';
import { JFK_WAV, MODELS, modelPath } from './support/paths';
import { runWhisperCli } from './support/whisper-cli';

const file = modelPath(MODELS.distilMedium);
let model: WhisperModel;

beforeAll(async () => {
  model = await loadModel(file, { threads: 2 });
});
afterAll(() => model.dispose());

test('loads and reports type distil-medium.en', () => {
  expect(model.info).toMatchObject({
    type: 'distil-medium.en',
    multilingual: false,
    distilled: true,
    forcedNoTimestamps: true,
    nAudioLayer: 24,
    nTextLayer: 2,
    nAudioState: 1024,
    nVocab: 51864,
    weightType: 'f16',
  });
  expect(model.info.tensorBytes).toBeGreaterThan(750e6);
});

// whisper-cli built from OUR PATCHED tree: upstream's segment times for no-timestamp models
// are wrong (patch no-timestamps-segment-times, docs/upstream.md; test/parity.test.ts checks
// the patch against the pristine CLI on a smaller model of the same kind).
test('transcribes jfk.wav exactly as whisper-cli built from our patched tree does (no-timestamp segment times need the patch on both sides)', async () => {
  const ours = await model.transcribe(jfk(), { temperatureIncrement: 0 });
  const reference = await runWhisperCli(file, JFK_WAV, 2, [], { patched: true });
  expect(ours.segments.length).toBeGreaterThan(0);
  expect(ours.text.length).toBeGreaterThan(0);
  expect(ours.timings.encoderRuns).toBe(1);
  // whisper.cpp forces no_timestamps for this shape: one segment spanning the window.
  expect(ours.segments.map((s) => ({ t0: Math.round(s.start * 100), t1: Math.round(s.end * 100), text: s.text }))).toEqual(reference);
});
