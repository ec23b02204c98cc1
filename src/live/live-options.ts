/** `model.live()` options, checked, with their defaults filled in (documented in src/types/live.ts). */
import { checkSampleRate } from '../audio/pcm';
import { InvalidOptionError } from '../errors';
import { validateTranscribeOptions } from '../options';
import type { LiveDecodingOptions, LiveOptions } from '../types/live';

export interface CheckedLiveOptions {
  sampleRate: number;
  commit: 'utterance' | 'agreement';
  language: string;
  threads: number | undefined;
  chunkSeconds: number;
  endpointSilenceMs: number;
  speechThresholdDb: number;
  maxBufferSeconds: number;
  lagSeconds: number;
  maxHeldSeconds: number;
  audioContext: 'auto' | 'full';
  promptCommitted: boolean;
  initialPrompt: string | undefined;
  decoding: LiveDecodingOptions;
  signal: AbortSignal | undefined;
}

/** Beam width of live decodes unless `decoding.beamSize` says otherwise (whisper_streaming's too). */
export const LIVE_BEAM_SIZE = 5;
/**
 * Live decodes stop a beam search once every beam still going has said a phrase four times
 * in a row (patch loop-stop): whisper.cpp would fail those beams at its token limit anyway,
 * and meanwhile they held up the whole decode, 5 s for a 1.5-s buffer (docs/live.md).
 */
export const LIVE_LOOP_REPEATS = 4;
/**
 * Live decodes compute the decoder's attention with the grouped kernel (patch
 * grouped-decoder-attention): 5-beam decodes are about a quarter faster on the CPU, and the
 * attention is exact to F32 where ggml's kernel accumulates in F16 (docs/live.md).
 */
export const LIVE_GROUPED_ATTENTION = true;

const DECODING_KEYS: readonly (keyof LiveDecodingOptions)[] = [
  'beamSize',
  'loopRepeats',
  'groupedAttention',
  'bestOf',
  'temperature',
  'temperatureIncrement',
  'suppressBlank',
  'suppressNonSpeech',
  'suppressRegex',
  'noSpeechThreshold',
  'seed',
  'entropyThreshold',
  'logprobThreshold',
];

const KNOWN = new Set<string>([
  'sampleRate',
  'commit',
  'language',
  'threads',
  'chunkSeconds',
  'endpointSilenceMs',
  'speechThresholdDb',
  'maxBufferSeconds',
  'lagSeconds',
  'maxHeldSeconds',
  'audioContext',
  'promptCommitted',
  'initialPrompt',
  'decoding',
  'signal',
]);

function number(options: LiveOptions, key: keyof LiveOptions, fallback: number, min: number, max: number, integer = false): number {
  const value: unknown = options[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    throw new InvalidOptionError(`live option '${key}' must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

export function checkLiveOptions(input: unknown, english: boolean): CheckedLiveOptions {
  if (input !== undefined && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new InvalidOptionError(`live(options): options must be an object, got ${input === null ? 'null' : Array.isArray(input) ? 'an array' : typeof input}`);
  }
  const options = (input ?? {}) as LiveOptions;
  for (const key of Object.keys(options)) {
    if (!KNOWN.has(key)) throw new InvalidOptionError(`unknown live option '${key}' (decoding options go in 'decoding')`);
  }
  let sampleRate = 16000;
  if (options.sampleRate !== undefined) {
    try {
      sampleRate = checkSampleRate(options.sampleRate, "live option 'sampleRate'");
    } catch (error) {
      throw new InvalidOptionError((error as Error).message); // an option, not audio
    }
  }
  const maxBufferSeconds = number(options, 'maxBufferSeconds', 25, 5, 30);
  const chunkSeconds = number(options, 'chunkSeconds', 1, 0.1, 10);
  if (chunkSeconds >= maxBufferSeconds) throw new InvalidOptionError(`live option 'chunkSeconds' (${chunkSeconds}) must be below 'maxBufferSeconds' (${maxBufferSeconds})`);
  const maxHeldSeconds = number(options, 'maxHeldSeconds', 60, maxBufferSeconds, 3600);
  if (options.commit !== undefined && options.commit !== 'utterance' && options.commit !== 'agreement') {
    throw new InvalidOptionError(`live option 'commit' must be 'utterance' or 'agreement', got ${String(options.commit)}`);
  }
  if (options.audioContext !== undefined && options.audioContext !== 'auto' && options.audioContext !== 'full') {
    throw new InvalidOptionError(`live option 'audioContext' must be 'auto' or 'full', got ${String(options.audioContext)}`);
  }
  for (const key of ['promptCommitted'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'boolean') throw new InvalidOptionError(`live option '${key}' must be a boolean, got ${typeof options[key]}`);
  }
  const decoding = (options.decoding ?? {}) as Record<string, unknown>;
  if (typeof decoding !== 'object' || decoding === null || Array.isArray(decoding)) throw new InvalidOptionError("live option 'decoding' must be an object");
  for (const key of Object.keys(decoding)) {
    if (!(DECODING_KEYS as readonly string[]).includes(key)) {
      throw new InvalidOptionError(`live option 'decoding' cannot set '${key}': the live transcriber sets audio, timing, prompt and callback options itself (it takes ${DECODING_KEYS.join(', ')})`);
    }
  }
  // Language, threads, prompt, signal and the decoding options are checked by the rules of
  // transcribe(), so the messages and limits are the same.
  const checked = validateTranscribeOptions({
    ...decoding,
    language: options.language,
    threads: options.threads,
    initialPrompt: options.initialPrompt,
    signal: options.signal,
  });
  const language = checked.language ?? 'en';
  if (english && language !== 'en') throw new InvalidOptionError(`live option 'language': this model is English-only, got ${JSON.stringify(language)}`);
  return {
    sampleRate,
    commit: options.commit ?? 'agreement',
    language,
    threads: checked.threads,
    chunkSeconds,
    endpointSilenceMs: number(options, 'endpointSilenceMs', 600, 0, 10_000, true),
    speechThresholdDb: number(options, 'speechThresholdDb', 10, 1, 60),
    maxBufferSeconds,
    lagSeconds: number(options, 'lagSeconds', 3, 0.5, 600),
    maxHeldSeconds,
    audioContext: options.audioContext ?? 'full',
    promptCommitted: options.promptCommitted ?? true,
    initialPrompt: checked.initialPrompt,
    // Beam search unless the caller says otherwise: on the five-minute set it took 5 points of
    // WER off LocalAgreement's commits (two greedy decodes of a partial sentence agree on the
    // same mistake far more often) and 3 off the utterance policy (docs/live.md).
    decoding: { beamSize: LIVE_BEAM_SIZE, loopRepeats: LIVE_LOOP_REPEATS, groupedAttention: LIVE_GROUPED_ATTENTION, ...(decoding as LiveDecodingOptions) },
    signal: checked.signal,
  };
}
