/**
 * The addon must produce exactly what whisper.cpp's own CLI produces from the same source,
 * model, audio and decoding settings: same segment texts, same timestamps.
 */
import { loadModel, type Transcript } from '../src';
import { jfk, longSpeech } from './support/audio';
import { JFK_WAV, MODELS, modelPath, type ModelSpec } from './support/paths';
import { runWhisperCli, type CliSegment } from './support/whisper-cli';

const THREADS = 2;

function asCentiseconds(t: Transcript): CliSegment[] {
  return t.segments.map((s) => ({ t0: Math.round(s.start * 100), t1: Math.round(s.end * 100), text: s.text }));
}

describe.each([
  ['micro', MODELS.micro],
  ['tiny.en', MODELS.tiny],
] as const)('parity with whisper-cli: %s preset', (_name, spec) => {
  const model = modelPath(spec);

  test('jfk.wav', async () => {
    await using whisper = await loadModel(model);
    const [ours, reference] = await Promise.all([
      whisper.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0 }),
      runWhisperCli(model, JFK_WAV, THREADS),
    ]);
    expect(reference.length).toBeGreaterThan(0);
    expect(asCentiseconds(ours)).toEqual(reference);
  });

  test('a 2-minute input (sequential long-form over several 30-s windows)', async () => {
    const { file, samples } = longSpeech(120);
    await using whisper = await loadModel(model);
    // whisper-cli runs whisper.cpp's own loop; past 60 s our default is smart windows.
    const ours = await whisper.transcribe(samples, { threads: THREADS, temperatureIncrement: 0, longForm: 'native' });
    const reference = await runWhisperCli(model, file, THREADS);
    expect(ours.timings.encoderRuns).toBeGreaterThanOrEqual(4);
    expect(asCentiseconds(ours)).toEqual(reference);
    // Segments are in order and reach the last window; random weights may stretch the last
    // segment to the end of its 30-s window, never further.
    const starts = ours.segments.map((s) => s.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
    const last = ours.segments[ours.segments.length - 1]!;
    expect(last.start).toBeGreaterThanOrEqual(90);
    expect(last.end).toBeLessThanOrEqual(150);
  });
});

describe('options that change decoding match the same whisper-cli flags', () => {
  // [name, preset, options, flags]
  const cases: [string, ModelSpec, Record<string, unknown>, string[]][] = [
    ['suppressRegex', MODELS.micro, { suppressRegex: '.*coll.*' }, ['--suppress-regex', '.*coll.*']],
    ['audioContext', MODELS.micro, { audioContext: 750 }, ['-ac', '750']],
  ];
  test.each(cases)('%s', async (_name, spec, options, flags) => {
    const model = modelPath(spec);
    await using whisper = await loadModel(model);
    const plain = await whisper.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0 });
    const ours = await whisper.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0, ...options });
    const reference = await runWhisperCli(model, JFK_WAV, THREADS, flags);
    expect(reference.length).toBeGreaterThan(0);
    expect(asCentiseconds(ours)).toEqual(reference);
    // The option really changed the decoding.
    expect(asCentiseconds(ours)).not.toEqual(asCentiseconds(plain));
  });
});
