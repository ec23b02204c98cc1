/**
 * The `seed` option: with the temperature fallback on, a sampled window used to depend on
 * the random-number history of the decoding state it ran on (whisper.cpp seeded decoder
 * 0's generator once per state), so a pooled state, a job before it or a job beside it
 * changed the transcript. Generated random-weight models fail the fallback's checks in
 * every window, so here every window is sampled.
 */
import { loadModel } from '../src';
import { jfk, longSpeech } from './support/audio';
import { MODELS, modelPath } from './support/paths';

// The fallback stays on (the default); only the thread count is pinned (flash attention).
const sampled = { threads: 1 } as const;

test('the same audio and options give the same transcript after and beside other jobs', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny), { maxConcurrency: 2 });
  const audio = jfk();
  const other = longSpeech(20).samples;
  const first = await model.transcribe(audio, sampled);
  await model.transcribe(other, sampled); // draws from the pooled state's generators
  const after = await model.transcribe(audio, sampled);
  const [beside] = await Promise.all([model.transcribe(audio, sampled), model.transcribe(other, sampled)]);
  expect(after.segments).toEqual(first.segments);
  expect(beside!.segments).toEqual(first.segments);
  // A fresh model gives it too.
  await using fresh = await loadModel(modelPath(MODELS.tiny));
  expect((await fresh.transcribe(audio, sampled)).segments).toEqual(first.segments);
});

test('another seed draws another sample; the seed is checked', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny));
  const audio = jfk();
  const seed0 = await model.transcribe(audio, sampled);
  const seed0Explicit = await model.transcribe(audio, { ...sampled, seed: 0 });
  const seed7 = await model.transcribe(audio, { ...sampled, seed: 7 });
  expect(seed0Explicit.segments).toEqual(seed0.segments);
  // Proof that this audio is sampled at all: otherwise the first test shows nothing.
  expect(seed7.text).not.toEqual(seed0.text);
  expect((await model.transcribe(audio, { ...sampled, seed: 7 })).segments).toEqual(seed7.segments);
  for (const seed of [-1, 1.5, 2 ** 32, Number.NaN, '1']) {
    await expect(model.transcribe(audio, { seed: seed as number })).rejects.toThrow(/option 'seed'/);
  }
});

test('beam search draws its candidates from the seeded generators too, and its fallback uses bestOf 5', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny));
  const audio = jfk().subarray(0, 16000 * 5);
  // beamSize alone used to fail natively ("'bestOf' is out of range: -1").
  const first = await model.transcribe(audio, { ...sampled, beamSize: 2 });
  await model.transcribe(audio, { ...sampled, beamSize: 2, seed: 3 });
  expect((await model.transcribe(audio, { ...sampled, beamSize: 2 })).segments).toEqual(first.segments);
});
