/**
 * Every option in one place: its type, limits, default and where it goes in the addon's
 * parameters. Validation (./validate.ts), the mapping to the addon (./native-params.ts)
 * and the code that needs a default all read this table; the documentation
 * (src/types/options.ts) is checked against it by test/options.test.ts.
 *
 * The defaults are whisper.cpp 1.9.1's library defaults (`whisper_full_default_params`,
 * `whisper_vad_default_params`), sent explicitly so that no default is left to the C side:
 * a newer whisper.cpp that changed one would not change our behaviour unnoticed. The
 * native side (binding/transcribe/transcribe_params.cc) checks only what memory safety
 * needs.
 */
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../audio/pcm';
import type { NativeTranscribeParams } from '../native';
import type { LoadModelOptions, TranscribeOptions } from '../types/options';

export interface OptionSpec {
  kind: 'boolean' | 'integer' | 'number' | 'string';
  min?: number;
  max?: number;
  /** Strings: maximum length in UTF-16 code units. */
  maxLength?: number;
  /** Strings with a closed set of values. */
  values?: readonly string[];
  /**
   * The documented default. `undefined`: none, or one that depends on something else
   * (the model, another option), which the option's documentation explains.
   */
  default?: boolean | number | string;
  /**
   * The NativeTranscribeParams field that takes the value as it is (the default when the
   * option is not given), or `null`: the option is used in JavaScript (long-form planning,
   * callbacks) or mapped by hand in ./native-params.ts (`mapped`).
   */
  native: keyof NativeTranscribeParams | null;
  /** Mapped by hand in ./native-params.ts: the value changes form on the way. */
  mapped?: true;
}

// Past these whisper.cpp misbehaves or allocates without bound: more than 8 decoders
// (WHISPER_MAX_DECODERS), temperatures above 1, huge prompts.
const MAX_THREADS = 64;
const MAX_DECODERS = 8;
export const MAX_PROMPT_LENGTH = 1024;

/** Options whose values are functions or objects: checked by hand in ./validate.ts. */
export type ObjectOption = 'signal' | 'onSegment' | 'onProgress' | 'assistantModel';

const LONG_FORM_MODES = ['auto', 'native', 'smart', 'chunked'] as const;

export const TRANSCRIBE_OPTIONS = {
  sampleRate: { kind: 'integer', min: MIN_SAMPLE_RATE, max: MAX_SAMPLE_RATE, native: null },
  threads: { kind: 'integer', min: 1, max: MAX_THREADS, native: 'threads', mapped: true },
  language: { kind: 'string', default: 'en', native: 'language', mapped: true },
  translate: { kind: 'boolean', default: false, native: 'translate' },
  beamSize: { kind: 'integer', min: 1, max: MAX_DECODERS, default: 1, native: 'beamSize', mapped: true },
  loopRepeats: { kind: 'integer', min: 0, max: 100, default: 0, native: 'loopRepeats' },
  groupedAttention: { kind: 'boolean', default: false, native: 'groupedAttention' },
  // whisper.cpp's beam-search defaults leave best_of at -1, which its fallback then uses:
  // always sent.
  bestOf: { kind: 'integer', min: 1, max: MAX_DECODERS, default: 5, native: 'bestOf' },
  seed: { kind: 'integer', min: 0, max: 0xffff_ffff, default: 0, native: 'seed' },
  temperature: { kind: 'number', min: 0, max: 1, default: 0, native: 'temperature' },
  temperatureIncrement: { kind: 'number', min: 0, max: 1, default: 0.2, native: 'temperatureIncrement' },
  entropyThreshold: { kind: 'number', default: 2.4, native: 'entropyThreshold' },
  logprobThreshold: { kind: 'number', default: -1, native: 'logprobThreshold' },
  noSpeechThreshold: { kind: 'number', min: 0, max: 1, default: 0.6, native: 'noSpeechThreshold' },
  noContext: { kind: 'boolean', default: false, native: 'windowContext', mapped: true },
  initialPrompt: { kind: 'string', maxLength: MAX_PROMPT_LENGTH, native: 'initialPrompt' },
  noTimestamps: { kind: 'boolean', default: false, native: 'noTimestamps' },
  singleSegment: { kind: 'boolean', default: false, native: 'singleSegment' },
  tokenTimestamps: { kind: 'boolean', default: false, native: 'tokenTimestamps' },
  tokens: { kind: 'boolean', default: false, native: 'tokenDetails', mapped: true },
  maxSegmentLength: { kind: 'integer', min: 0, max: 1_000_000, default: 0, native: 'maxSegmentLength' },
  splitOnWord: { kind: 'boolean', default: false, native: 'splitOnWord' },
  maxTokensPerSegment: { kind: 'integer', min: 0, max: 1_000_000, default: 0, native: 'maxTokensPerSegment' },
  offset: { kind: 'number', min: 0, max: 2_000_000, default: 0, native: 'offsetMs', mapped: true },
  duration: { kind: 'number', min: 0, max: 2_000_000, default: 0, native: 'durationMs', mapped: true },
  suppressBlank: { kind: 'boolean', default: true, native: 'suppressBlank' },
  suppressNonSpeech: { kind: 'boolean', default: false, native: 'suppressNonSpeech' },
  suppressRegex: { kind: 'string', maxLength: 256, native: 'suppressRegex' },
  audioContext: { kind: 'integer', min: 0, max: 1500, default: 0, native: 'audioContext' },
  carryInitialPrompt: { kind: 'boolean', default: false, native: 'carryInitialPrompt' },
  vad: { kind: 'boolean', default: false, native: 'vad' },
  vadModel: { kind: 'string', maxLength: 4096, native: 'vadModel' },
  vadThreshold: { kind: 'number', min: 0, max: 1, default: 0.5, native: 'vadThreshold' },
  vadMinSpeechMs: { kind: 'integer', min: 0, max: 120_000, default: 250, native: 'vadMinSpeechMs' },
  vadMinSilenceMs: { kind: 'integer', min: 0, max: 120_000, default: 100, native: 'vadMinSilenceMs' },
  // whisper.cpp's default is FLT_MAX: no limit, so nothing is sent.
  vadMaxSpeechSeconds: { kind: 'number', min: 0.1, max: 1e30, native: 'vadMaxSpeechSeconds' },
  vadSpeechPadMs: { kind: 'integer', min: 0, max: 60_000, default: 30, native: 'vadSpeechPadMs' },
  vadSamplesOverlap: { kind: 'number', min: 0, max: 10, default: 0.1, native: 'vadSamplesOverlap' },
  longForm: { kind: 'string', values: LONG_FORM_MODES, default: 'auto', native: null },
  chunkLength: { kind: 'number', min: 1, max: 30, native: null },
  chunkStride: { kind: 'number', min: 0, max: 14.5, native: null },
  parallelChunks: { kind: 'integer', min: 1, max: 64, native: null },
} as const satisfies Record<Exclude<keyof TranscribeOptions, ObjectOption>, OptionSpec>;

/** Load options; `dtw` (an object or a flag) is checked by src/word-timing.ts. */
export const LOAD_OPTIONS = {
  useGpu: { kind: 'boolean', default: true, native: null },
  gpuDevice: { kind: 'integer', min: 0, max: 64, default: 0, native: null },
  flashAttention: { kind: 'boolean', default: true, native: null },
  bf16Weights: { kind: 'boolean', default: false, native: null },
  threads: { kind: 'integer', min: 1, max: MAX_THREADS, native: null },
  maxConcurrency: { kind: 'integer', min: 1, max: 64, default: 1, native: null },
} as const satisfies Record<Exclude<keyof LoadModelOptions, 'dtw'>, OptionSpec>;

/** The documented default of a transcribe option that has one. */
export function transcribeDefault<K extends keyof typeof TRANSCRIBE_OPTIONS>(key: K): (typeof TRANSCRIBE_OPTIONS)[K] extends { default: infer D } ? D : undefined {
  const spec: OptionSpec = TRANSCRIBE_OPTIONS[key];
  return spec.default as (typeof TRANSCRIBE_OPTIONS)[K] extends { default: infer D } ? D : undefined;
}
