/** Where tests find fixtures, generated models and the reference whisper-cli. */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
export const FIXTURES = path.resolve(ROOT, '..', 'shared', 'fixtures');
export const JFK_WAV = path.join(FIXTURES, 'jfk.wav');
export const CACHE = path.join(ROOT, '.cache');

export type Preset = 'micro' | 'tiny.en' | 'distil-tiny.en' | 'distil-medium.en';

export interface ModelSpec {
  preset: Preset;
  f32?: boolean;
  seed?: number;
  /** The decoder drawn from a stream of its own (the encoder still from `seed`). */
  decoderSeed?: number;
  /** Mel filters and vocabulary made by the generator instead of copied from a fixture. */
  synthVocab?: boolean;
  /** n_vocab 51865 with language tokens (needs synthVocab). */
  multilingual?: boolean;
}

/** Generated files are named after the generator's own hash, so a change regenerates them. */
function generatorHash(): string {
  const source = fs.readFileSync(path.join(ROOT, 'scripts', 'generate-model.js'));
  return crypto.createHash('sha256').update(source).digest('hex').slice(0, 8);
}

export function modelPath({ preset, f32 = false, seed = 1, decoderSeed, synthVocab = false, multilingual = false }: ModelSpec): string {
  const flags = `${f32 ? '-f32' : ''}${synthVocab ? '-synth' : ''}${multilingual ? '-multilingual' : ''}${decoderSeed !== undefined ? `-d${decoderSeed}` : ''}`;
  return path.join(CACHE, 'models', `${preset}${flags}-s${seed}-${generatorHash()}.bin`);
}

/** The models the suite uses; global-setup generates whichever are missing. */
export const MODELS = {
  micro: { preset: 'micro' },
  microF32: { preset: 'micro', f32: true },
  microSynth: { preset: 'micro', synthVocab: true },
  microMultilingual: { preset: 'micro', synthVocab: true, multilingual: true },
  tiny: { preset: 'tiny.en' },
  distilTiny: { preset: 'distil-tiny.en' },
  // Assistants for tiny (speculative decoding): the same encoder weights and an unrelated
  // decoder; and other encoder weights.
  distilTinyOtherDecoder: { preset: 'distil-tiny.en', decoderSeed: 7 },
  distilTinyOtherEncoder: { preset: 'distil-tiny.en', seed: 2 },
  distilMedium: { preset: 'distil-medium.en' },
} as const satisfies Record<string, ModelSpec>;
