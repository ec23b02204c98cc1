/**
 * whisper.cpp 1.9.1 read the no-speech probability from a logits row it never filled, so the
 * value was left over from the state's previous job (our patch no-speech-at-sot). On a
 * pooled state, the same input must now give the same value whatever ran before it.
 */
import { loadModel } from '../src';
import { jfk } from './support/audio';
import { MODELS, modelPath } from './support/paths';

test('the no-speech probability of an input does not depend on the jobs before it', async () => {
  await using model = await loadModel(modelPath(MODELS.tiny), { maxConcurrency: 1 });
  const speech = jfk();
  const options = { temperatureIncrement: 0, threads: 2, noTimestamps: true, singleSegment: true } as const;
  const first = await model.transcribe(speech, options);
  const noise = Float32Array.from({ length: 16000 * 5 }, (_, i) => Math.sin(i * 0.37) * 0.3);
  const between = await model.transcribe(noise, options);
  const again = await model.transcribe(speech, options);
  const p = (t: typeof first) => t.segments[0]!.noSpeechProbability;
  console.log(`no-speech probability: jfk ${p(first)}, tone ${p(between)}, jfk again ${p(again)}`);
  expect(p(again)).toBe(p(first));
  expect(p(between)).not.toBe(p(first));
  // Not the uniform 1/n_vocab of an unfilled (zeroed) row.
  expect(Math.abs(p(first) - 1 / model.info.nVocab)).toBeGreaterThan(1e-9);
});
