/**
 * The addon must produce exactly what whisper.cpp's own CLI produces from the same model,
 * audio and decoding settings: same segment texts, same timestamps. The reference is
 * whisper-cli built from the unmodified upstream v1.9.1 tree, as the addon is built
 * (scripts/build-whisper-cli.js --reference), so that a patch of ours that changed what
 * these settings compute would show here instead of appearing on both sides. Only
 * comparisons that need a patch on both sides use the CLI built from our patched tree, and
 * their titles say so.
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
    // The CLI's -bs 1 (runWhisperCli's greedy default) is overridden by the later flag.
    ['beam search (beamSize 5)', MODELS.tiny, { beamSize: 5 }, ['-bs', '5']],
    ['initialPrompt', MODELS.micro, { initialPrompt: 'And so my fellow Americans' }, ['--prompt', 'And so my fellow Americans']],
    ['translate (multilingual model, German to English)', MODELS.microMultilingual, { language: 'de', translate: true }, ['-l', 'de', '-tr']],
    ['offset and duration (2 s to 8 s)', MODELS.micro, { offset: 2, duration: 6 }, ['-ot', '2000', '-d', '6000']],
    // Sampling at temperature 0.5 with 5 decoders (bestOf 5, the CLI's default too):
    // whisper.cpp's decoder j samples from std::mt19937(j) on a fresh state, which is what
    // our seed 0 (the default) gives every call (patch sampler-seed).
    ['temperature 0.5 (sampled, seed 0)', MODELS.tiny, { temperature: 0.5 }, ['-tp', '0.5']],
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

describe('a model whisper.cpp forces to no timestamps (distil-tiny.en shape)', () => {
  const model = modelPath(MODELS.distilTiny);

  test('matches whisper-cli built from OUR PATCHED tree: the segment times need patch no-timestamps-segment-times on both sides', async () => {
    await using whisper = await loadModel(model);
    const ours = await whisper.transcribe(jfk(), { threads: THREADS, temperatureIncrement: 0, longForm: 'native' });
    const [patched, pristine] = await Promise.all([runWhisperCli(model, JFK_WAV, THREADS, [], { patched: true }), runWhisperCli(model, JFK_WAV, THREADS)]);
    expect(ours.segments.length).toBeGreaterThan(0);
    expect(asCentiseconds(ours)).toEqual(patched);
    // The patch's own behaviour, checked on its own: the segment opens at the window's start
    // and ends with the audio (jfk.wav: 11.0 s), not 30 s after the start.
    expect(ours.segments[0]!.start).toBe(0);
    expect(ours.segments[ours.segments.length - 1]!.end).toBeLessThanOrEqual(11);
    // Upstream decodes the same text and gets those times wrong (docs/upstream.md).
    expect(pristine.map((s) => s.text)).toEqual(patched.map((s) => s.text));
    expect(pristine).not.toEqual(patched);
  }, 300_000);
});
