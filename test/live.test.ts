/**
 * model.live() on a generated model (random weights: the words are gibberish, the
 * behaviour is what is checked): options, bad chunks, events and iterators, end(), abort(),
 * dispose() mid-utterance, a disposed model, bounded memory when audio comes faster than it
 * is decoded, and an event loop that stays free. Real speech is test/live-real.test.ts.
 */
import { AbortError, DisposedError, InvalidAudioError, InvalidOptionError, LiveClosedError, loadModel, type LiveEvent, type WhisperModel } from '../src';
import { jfk } from './support/audio';
import { startStallMeter } from './support/loop-stalls';
import { MODELS, modelPath } from './support/paths';

let micro: WhisperModel;
beforeAll(async () => {
  micro = await loadModel(modelPath(MODELS.micro), { threads: 2 });
});
afterAll(() => micro.dispose());

const second = (k = 1) => jfk().subarray(16000 * k, 16000 * (k + 1));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

test('options are checked when the session starts', () => {
  expect(() => micro.live({ chunkSeconds: 0 })).toThrow(InvalidOptionError);
  expect(() => micro.live({ chunkSeconds: 30 })).toThrow(/chunkSeconds/);
  expect(() => micro.live({ maxBufferSeconds: 31 })).toThrow(/maxBufferSeconds/);
  expect(() => micro.live({ maxHeldSeconds: 10 })).toThrow(/maxHeldSeconds/);
  expect(() => micro.live({ sampleRate: 12.5 })).toThrow(InvalidOptionError);
  expect(() => micro.live({ audioContext: 'half' as 'auto' })).toThrow(/audioContext/);
  expect(() => micro.live({ commit: 'sometimes' as 'agreement' })).toThrow(/'commit' must be 'utterance' or 'agreement'/);
  expect(() => micro.live({ language: 'de' })).toThrow(/English-only/);
  expect(() => micro.live({ decoding: { tokenTimestamps: true } as object })).toThrow(/cannot set 'tokenTimestamps'/);
  expect(() => micro.live({ chunk: 1 } as object)).toThrow(/unknown live option 'chunk'/);
  expect(() => micro.live({ decoding: { beamSize: -1 } })).toThrow(InvalidOptionError);
});

test('a bad chunk is a typed error that takes nothing; the session goes on', async () => {
  const live = micro.live({ endpointSilenceMs: 0 });
  live.push(second(1));
  for (const bad of [[0.1], new Uint8Array(8), 'pcm', null, new Float64Array(4)]) {
    expect(() => live.push(bad as unknown as Float32Array)).toThrow(InvalidAudioError);
  }
  expect(() => live.push(Float32Array.of(0, NaN))).toThrow(/NaN/);
  expect(() => live.push(Float32Array.of(-Infinity))).toThrow(/-Infinity/);
  expect(() => live.push(second(2), 48000)).toThrow(/rate cannot change mid-stream/);
  expect(live.stats.pushedSeconds).toBe(1);
  live.push(Int16Array.from(second(2), (x) => x * 32767));
  expect(live.stats.pushedSeconds).toBe(2);
  const result = await live.end();
  expect(result.audioSeconds).toBe(2);
  expect(result.decodes).toBeGreaterThan(0);
  expect(() => live.push(second())).toThrow(LiveClosedError);
});

test.each(['utterance', 'agreement'] as const)('commit %s: events reach listeners and iterators in order; finals add up to the result; end() after the last final', async (commit) => {
  const live = micro.live({ endpointSilenceMs: 0, chunkSeconds: 1, commit });
  const seen: LiveEvent[] = [];
  const iterated: LiveEvent[] = [];
  live.on('final', (e) => seen.push(e)).on('partial', (e) => seen.push(e));
  const reading = (async () => {
    for await (const event of live) iterated.push(event);
  })();
  const audio = jfk();
  for (let i = 0; i < audio.length; i += 8000) {
    live.push(audio.subarray(i, i + 8000));
    await sleep(20);
  }
  const result = await live.end();
  await reading;
  expect(iterated.filter((e) => e.type !== 'lagging')).toEqual(seen);
  const finals = seen.filter((e) => e.type === 'final');
  expect(finals.length).toBeGreaterThan(0);
  expect(finals.flatMap((e) => e.words)).toEqual(result.words);
  expect(result.text).toBe(result.words.map((w) => w.text).join(' '));
  expect(finals[finals.length - 1]!.type === 'final' && finals[finals.length - 1]).toMatchObject({ endOfUtterance: true });
  // Word times are in the stream's clock and never go back.
  for (let i = 1; i < result.words.length; i++) expect(result.words[i]!.start).toBeGreaterThanOrEqual(result.words[i - 1]!.start - 1);
  for (const w of result.words) expect(w.end).toBeLessThanOrEqual(result.audioSeconds + 0.01);
  expect(await live.end()).toBe(result); // the same promise
});

test('abort() mid-utterance stops the running decode: end() and iterators reject with AbortError, push() is LiveClosedError', async () => {
  const controller = new AbortController();
  const live = micro.live({ endpointSilenceMs: 0, signal: controller.signal });
  const iterating = (async () => {
    for await (const _ of live) void _;
  })();
  live.push(jfk().subarray(0, 16000 * 8));
  await sleep(50); // a decode is under way
  const started = performance.now();
  controller.abort(new Error('user stopped'));
  await expect(live.end()).rejects.toThrow(AbortError);
  await expect(iterating).rejects.toThrow(AbortError);
  expect(performance.now() - started).toBeLessThan(2000);
  await expect(live.end()).rejects.toMatchObject({ cause: expect.objectContaining({ message: 'user stopped' }) });
  expect(() => live.push(second())).toThrow(LiveClosedError);
  expect(live.stats.state).toBe('aborted');
  // The model is free for the next job.
  await expect(micro.transcribe(second(), { temperatureIncrement: 0 })).resolves.toHaveProperty('text');
});

test('dispose() mid-utterance: iterators finish, nothing more is emitted, the model stays usable', async () => {
  const live = micro.live({ endpointSilenceMs: 0 });
  const events: LiveEvent[] = [];
  const iterating = (async () => {
    for await (const e of live) events.push(e);
  })();
  live.push(jfk().subarray(0, 16000 * 6));
  await sleep(50);
  await live.dispose();
  await expect(iterating).resolves.toBeUndefined();
  const count = events.length;
  await sleep(200);
  expect(events.length).toBe(count);
  expect(() => live.push(second())).toThrow(LiveClosedError);
  await expect(live.end()).rejects.toThrow(AbortError);
  await live.dispose(); // again: nothing
});

test('leaving a for-await loop early disposes of the session', async () => {
  const live = micro.live({ endpointSilenceMs: 0, chunkSeconds: 0.5 });
  live.push(jfk());
  for await (const event of live) {
    expect(['partial', 'final', 'lagging']).toContain(event.type);
    break;
  }
  await expect(live.end()).rejects.toThrow(AbortError);
});

test('a listener that throws fails the session with its error', async () => {
  const live = micro.live({ endpointSilenceMs: 0, chunkSeconds: 0.5 });
  const boom = new Error('listener failed');
  live.on('partial', () => {
    throw boom;
  });
  live.on('final', () => {
    throw boom;
  });
  live.push(jfk());
  await expect(live.end()).rejects.toBe(boom);
  expect(live.stats.state).toBe('failed');
  expect(() => live.push(second())).toThrow(expect.objectContaining({ cause: boom }));
});

test('disposing the model fails its live sessions with DisposedError; live() on a disposed model throws', async () => {
  const model = await loadModel(modelPath(MODELS.micro), { threads: 2 });
  const live = model.live({ endpointSilenceMs: 0 });
  live.push(jfk());
  await sleep(30);
  await model.dispose();
  await expect(live.end()).rejects.toThrow(DisposedError);
  expect(() => model.live()).toThrow(DisposedError);
});

test('audio pushed faster than it is decoded: lagging events, and held audio stays under maxHeldSeconds', async () => {
  const live = micro.live({ endpointSilenceMs: 0, maxBufferSeconds: 10, maxHeldSeconds: 20, lagSeconds: 2 });
  const lagging: { behindSeconds: number; droppedSeconds: number }[] = [];
  let maxHeld = 0;
  live.on('lagging', (e) => lagging.push(e));
  // 120 s of audio at once: far faster than any decode.
  const audio = jfk().subarray(0, 16000);
  for (let i = 0; i < 120; i++) {
    live.push(audio);
    maxHeld = Math.max(maxHeld, live.stats.heldSeconds);
  }
  expect(maxHeld).toBeLessThanOrEqual(20);
  expect(live.stats.droppedSeconds).toBeCloseTo(100, 0);
  expect(lagging).toEqual([expect.objectContaining({ droppedSeconds: expect.any(Number) })]);
  expect(lagging[0]!.behindSeconds).toBeGreaterThanOrEqual(20); // emitted when dropping began
  // Once the kept audio is decoded, audio is taken again, at its own place in the clock.
  // (Waited for, not slept: on a loaded machine the 20 s take longer than a fixed wait.)
  for (let waited = 0; live.stats.behindSeconds > 0 && waited < 30_000; waited += 50) await sleep(50);
  live.push(audio);
  const result = await live.end();
  expect(result.droppedSeconds).toBeCloseTo(100, 0);
  expect(result.audioSeconds).toBe(121);
  for (const w of result.words) expect(w.start < 20 || w.start >= 120).toBe(true);
});

test('resampled input: a 48-kHz session takes 48-kHz chunks', async () => {
  const live = micro.live({ sampleRate: 48000, endpointSilenceMs: 0 });
  const at48 = new Float32Array(48000 * 2);
  const audio = jfk();
  for (let i = 0; i < at48.length; i++) at48[i] = audio[Math.floor(i / 3)]!;
  live.push(at48, 48000);
  expect(live.stats.pushedSeconds).toBeCloseTo(2, 2);
  expect(() => live.push(audio.subarray(0, 100), 16000)).toThrow(InvalidAudioError);
  await expect(live.end()).resolves.toHaveProperty('audioSeconds');
});

test('the event loop stays free while a session decodes', async () => {
  const meter = await startStallMeter();
  const live = micro.live({ endpointSilenceMs: 0, chunkSeconds: 0.5 });
  const audio = jfk();
  for (let i = 0; i < audio.length; i += 1600) {
    live.push(audio.subarray(i, i + 1600));
    await sleep(10);
  }
  await live.end();
  const report = await meter.stop();
  expect(report.oursMaxMs).toBeLessThan(50);
});
