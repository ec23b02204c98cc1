/**
 * Option types, their documented defaults, validation, and the mapping to the addon's
 * parameter object. Defaults follow whisper.cpp's library defaults
 * (`whisper_full_default_params(WHISPER_SAMPLING_GREEDY)`, flash attention on), not
 * whisper-cli's: the CLI decodes with a 5-beam search by default.
 */
import * as os from 'node:os';

import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from './audio/pcm';
import { InvalidOptionError } from './errors';
import { LANGUAGES, languageCount } from './languages';
import type { ModelInfo } from './model-info';
import type { WhisperModel } from './model';
import type { Segment } from './transcript';
import type { NativeLoadOptions, NativeTranscribeParams } from './native';
import { validateDtwOption, type DtwOption } from './word-timing';

/** whisper.cpp's default thread count: min(4, hardware threads). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export interface LoadModelOptions {
  /** Use a GPU backend (Metal, CUDA) when the build has one. Default `true`. */
  useGpu?: boolean;
  /** Which GPU, when there are several. Default `0`. */
  gpuDevice?: number;
  /**
   * Flash attention. Default `true`, as in whisper.cpp 1.9.1. With it on, results depend
   * on the thread count; pin `threads` when comparing runs.
   */
  flashAttention?: boolean;
  /**
   * Hold an f16 or f32 model's weight matrices as bf16, converted while loading (quantized
   * models load as they are). On CPUs with AVX-512 BF16 (AMD zen4 and later, Intel Sapphire
   * Rapids and later) ggml's bf16 matrix products are faster than f16: base's encoder took
   * 797 ms per 30-s window against 1009 ms on zen4 with 2 threads. Elsewhere ggml emulates
   * bf16 and it is slower: leave it off. bf16 keeps f16's range but 3 fewer bits of
   * precision, so transcripts can differ slightly (README: Benchmarks). Default `false`.
   */
  bf16Weights?: boolean;
  /** Default thread count for this model's transcriptions. Default min(4, CPU threads). */
  threads?: number;
  /**
   * How many transcriptions may run at once on this model (each with its own decoding
   * state; the weights are shared). Further calls wait in a FIFO queue without holding a
   * libuv thread-pool thread. Default `1`.
   */
  maxConcurrency?: number;
  /**
   * Time tokens and words by dynamic time warping on the cross-attention of the model's
   * alignment heads (whisper.cpp's DTW) instead of its timestamp-token heuristic: token
   * and word times (`tokens: true`, `tokenTimestamps: true`, `segmentWords()`) then come
   * from it, and `transcript.wordTiming` says `'dtw'`. Default `false`.
   * - `true`: the heads of whisper.cpp's preset for the model's type (tiny.en ... large-v3,
   *   large-v3-turbo; a 51865-token large model is taken for large-v2: name `'large-v1'`
   *   for that one), else the `alignmentHeads` of the `<model>.json` that `convertModel()`
   *   writes beside a converted model, else an `InvalidOptionError`.
   * - `'auto'`: the same, but a model without known heads loads without DTW.
   * - `{ heads, snapToPauses }`: these heads (`[layer, head]` pairs, a preset name, or
   *   `{ topLayers: n }`); `snapToPauses` (default `true`) moves word boundaries to the
   *   pauses in the audio, which the alignment alone gives wholly to one of the two words.
   *
   * DTW reads attention weights that flash attention never forms, so it turns flash
   * attention off (`flashAttention: true` with it is an error), and it adds a decoder pass
   * and the alignment per 30-s window: see the README for what that costs.
   */
  dtw?: DtwOption;
}

export interface TranscribeOptions {
  /**
   * Sample rate of Float32Array / Int16Array audio, in Hz (1000 to 768000). Default 16000
   * for Float32Array; required for Int16Array. Other inputs carry their own rate.
   */
  sampleRate?: number;
  /** CPU threads for this job. Default: the model's `threads`, else min(4, CPU threads). */
  threads?: number;
  /** Spoken language code (`'en'`, `'de'`, ...) or `'auto'` to detect it. Default `'en'`. */
  language?: string;
  /** Translate to English. Default `false`. */
  translate?: boolean;
  /**
   * Beam width. `1` (the default) decodes greedily, as whisper.cpp's library does;
   * whisper-cli's default is 5.
   */
  beamSize?: number;
  /**
   * Candidates sampled per temperature step when `temperature > 0`, also when beam search
   * falls back to sampling. Default `5`.
   */
  bestOf?: number;
  /**
   * Seed of the samplers (0 to 2^32 − 1). Sampling happens in windows decoded at a
   * temperature above 0 (`temperature`, or the fallback of `temperatureIncrement`) and
   * in beam search, which draws its candidates. Each job starts its samplers from this
   * seed, so the same audio and options give the same transcript whatever ran before or
   * beside it; change it to get another sample. Default `0` (what whisper-cli draws).
   */
  seed?: number;
  /** Initial sampling temperature. Default `0`. */
  temperature?: number;
  /**
   * Step added to the temperature when a window fails the entropy/log-probability checks.
   * Default `0.2`; `0` disables the fallback (whisper-cli's `-nf`).
   */
  temperatureIncrement?: number;
  /** Entropy threshold for the fallback. Default `2.4`. */
  entropyThreshold?: number;
  /** Average log-probability threshold for the fallback. Default `-1`. */
  logprobThreshold?: number;
  /**
   * No-speech probability threshold. A window above it whose average log-probability is
   * also below `logprobThreshold` is dropped (whisper.cpp's rule); a segment that is only a
   * bracketed annotation (`[BLANK_AUDIO]`, `[MUSIC]`) in a window above it is left out too,
   * since models write those confidently over silence. `1` keeps everything. Default `0.6`.
   */
  noSpeechThreshold?: number;
  /**
   * Decode each 30-s window without the text of the windows before it (OpenAI's
   * `condition_on_previous_text: false`): a window that went wrong (a repetition loop, a
   * hallucination) then cannot prime the next ones, at the cost of context for names and
   * style; `initialPrompt` then primes only the first window unless `carryInitialPrompt`.
   * Applies to whisper.cpp's loop and to `longForm: 'smart'`; `'chunked'` decodes every
   * chunk on its own anyway. Default `false`: each window is conditioned on the text before
   * it, as in whisper.cpp and OpenAI's Whisper. A job never sees the text of another job.
   */
  noContext?: boolean;
  /** Text that primes the decoder (vocabulary, spelling, style). Default none. */
  initialPrompt?: string;
  /** Do not predict timestamps; segments then span whole windows. Default `false`. */
  noTimestamps?: boolean;
  /** Force one segment per window. Default `false`. */
  singleSegment?: boolean;
  /** Compute per-token start/end times (implies `tokens`). Default `false`. */
  tokenTimestamps?: boolean;
  /** Include per-token detail (id, text, probability) in each segment. Default `false`. */
  tokens?: boolean;
  /** Maximum segment length in characters; `0` = no limit. Default `0`. */
  maxSegmentLength?: number;
  /** With `maxSegmentLength`, split at word boundaries. Default `false`. */
  splitOnWord?: boolean;
  /** Maximum tokens per segment; `0` = no limit. Default `0`. */
  maxTokensPerSegment?: number;
  /** Start this many seconds into the audio. Default `0`. */
  offset?: number;
  /** Transcribe only this many seconds; `0` = to the end. Default `0`. */
  duration?: number;
  /** Suppress blank outputs at the start of a window. Default `true`. */
  suppressBlank?: boolean;
  /** Suppress non-speech tokens (music notes, brackets...). Default `false`. */
  suppressNonSpeech?: boolean;
  /**
   * Tokens whose text matches this regular expression (ECMAScript syntax, as C++'s
   * std::regex reads it) are never produced. At most 256 characters. Default none.
   */
  suppressRegex?: string;
  /**
   * Encoder context in 20-ms frames, 1..1500 (1500 = a full 30-s window); smaller is faster
   * and less accurate. `0` (the default) means 1500.
   */
  audioContext?: number;
  /** Keep `initialPrompt` in front of every window, not only the first. Default `false`. */
  carryInitialPrompt?: boolean;
  /**
   * Transcribe only the speech found by whisper.cpp's built-in Silero VAD (needs
   * `vadModel`); timestamps still refer to the original audio. Default `false`.
   */
  vad?: boolean;
  /** Path of a Silero VAD model in ggml form (e.g. ggml-silero-v6.2.0.bin). */
  vadModel?: string;
  /** Speech probability threshold. Default `0.5`. */
  vadThreshold?: number;
  /** Shortest speech kept, in ms. Default `250`. */
  vadMinSpeechMs?: number;
  /** Silence that ends a speech segment, in ms. Default `100`. */
  vadMinSilenceMs?: number;
  /** Longest speech segment before it is split, in seconds. Default: no limit. */
  vadMaxSpeechSeconds?: number;
  /** Padding added around each speech segment, in ms. Default `30`. */
  vadSpeechPadMs?: number;
  /** Overlap between speech segments when they are joined, in seconds. Default `0.1`. */
  vadSamplesOverlap?: number;
  /**
   * How audio longer than one 30-s window is transcribed (`transcript.longForm` says which
   * mode ran and why). Default `'auto'`:
   * - `'native'`: whisper.cpp's own sequential loop (each window starts after the last
   *   complete segment), as whisper-cli runs it. The default for audio up to 60 s (two
   *   windows; models that predict timestamps), and with `vad: true`.
   * - `'smart'`: sequential windows of at most 30 s cut in silences found by the Silero VAD
   *   (`vadModel`), or at the quietest moment when speech runs on or no VAD model is given;
   *   each window is conditioned on the text before it. The default for longer audio (it
   *   lost fewer words than whisper.cpp's loop on 6 minutes of real speech with every model
   *   measured: see the README) and for distilled models (distil-medium.en, distil-small.en,
   *   distil-large-v2/v3), which whisper.cpp would otherwise advance in blind 30-s hops.
   * - `'chunked'`: Distil-Whisper's chunked algorithm: overlapping chunks (`chunkLength`,
   *   `chunkStride`) transcribed in parallel (`parallelChunks`) and merged where their
   *   token sequences agree.
   */
  longForm?: 'auto' | 'native' | 'smart' | 'chunked';
  /** `'chunked'`: chunk length in seconds (1–30). Default `15` for distilled models, else `30`. */
  chunkLength?: number;
  /** `'chunked'`: overlap on each side of a chunk, in seconds. Default `chunkLength / 6`. */
  chunkStride?: number;
  /**
   * `'chunked'`: chunks transcribed at once, each on its own decoding state; `threads` is
   * shared among them. Default: the model's `maxConcurrency`. The transcription still
   * counts as one job of the model's queue.
   */
  parallelChunks?: number;
  /**
   * Speculative decoding: a smaller model with the same vocabulary and audio encoder shape
   * (distil-medium.en for medium.en) drafts tokens, and this model checks each draft in one
   * decoder pass, keeping the part it agrees with and its own next token. The result is
   * token for token what this model gives alone (on the CPU backend with flash attention;
   * `transcript.speculative.exact` says whether that held), with fewer of its decoder
   * passes (`transcript.speculative` reports how many). When the two encoders hold the same
   * weights the assistant reuses this model's encoder output; otherwise it encodes each
   * window itself and a warning says so. Greedy decoding only: `beamSize > 1` and
   * `temperature > 0` are refused; windows that fall back to a higher temperature
   * (`temperatureIncrement`) are decoded without drafts. Default none.
   */
  assistantModel?: WhisperModel;
  /** Abort the job. The promise rejects with an `AbortError`. */
  signal?: AbortSignal;
  /**
   * Called with each segment, in order, as soon as whisper.cpp has finished the window
   * holding it (long before the whole transcript is ready). Every segment of the result is
   * delivered exactly once, before the promise resolves. If it throws, the job is aborted
   * and the promise rejects with that error.
   */
  onSegment?: (segment: Segment, index: number) => void;
  /** Called with progress in percent (0–100, increasing), ending with 100. Errors as above. */
  onProgress?: (percent: number) => void;
}

type Kind = 'boolean' | 'integer' | 'number' | 'string';
interface Rule {
  kind: Kind;
  min?: number;
  max?: number;
  /** strings: maximum length in UTF-16 code units */
  maxLength?: number;
}

// The same limits are enforced natively (binding/transcribe_params.cc): past them
// whisper.cpp misbehaves (more than 8 decoders, temperatures above 1, huge prompts).
const MAX_THREADS = 64;
const MAX_DECODERS = 8;
const MAX_PROMPT_LENGTH = 1024;

const LOAD_RULES: Record<Exclude<keyof LoadModelOptions, 'dtw'>, Rule> = {
  useGpu: { kind: 'boolean' },
  gpuDevice: { kind: 'integer', min: 0, max: 64 },
  flashAttention: { kind: 'boolean' },
  bf16Weights: { kind: 'boolean' },
  threads: { kind: 'integer', min: 1, max: MAX_THREADS },
  maxConcurrency: { kind: 'integer', min: 1, max: 64 },
};

// Options whose values are functions or objects, checked by hand below or in model.ts.
type CallbackOption = 'signal' | 'onSegment' | 'onProgress' | 'assistantModel';

const TRANSCRIBE_RULES: Record<Exclude<keyof TranscribeOptions, CallbackOption>, Rule> = {
  sampleRate: { kind: 'integer', min: MIN_SAMPLE_RATE, max: MAX_SAMPLE_RATE },
  threads: { kind: 'integer', min: 1, max: MAX_THREADS },
  language: { kind: 'string' },
  translate: { kind: 'boolean' },
  beamSize: { kind: 'integer', min: 1, max: MAX_DECODERS },
  bestOf: { kind: 'integer', min: 1, max: MAX_DECODERS },
  seed: { kind: 'integer', min: 0, max: 0xffff_ffff },
  temperature: { kind: 'number', min: 0, max: 1 },
  temperatureIncrement: { kind: 'number', min: 0, max: 1 },
  entropyThreshold: { kind: 'number' },
  logprobThreshold: { kind: 'number' },
  noSpeechThreshold: { kind: 'number', min: 0, max: 1 },
  noContext: { kind: 'boolean' },
  initialPrompt: { kind: 'string', maxLength: MAX_PROMPT_LENGTH },
  noTimestamps: { kind: 'boolean' },
  singleSegment: { kind: 'boolean' },
  tokenTimestamps: { kind: 'boolean' },
  tokens: { kind: 'boolean' },
  maxSegmentLength: { kind: 'integer', min: 0, max: 1_000_000 },
  splitOnWord: { kind: 'boolean' },
  maxTokensPerSegment: { kind: 'integer', min: 0, max: 1_000_000 },
  offset: { kind: 'number', min: 0, max: 2_000_000 },
  duration: { kind: 'number', min: 0, max: 2_000_000 },
  suppressBlank: { kind: 'boolean' },
  suppressNonSpeech: { kind: 'boolean' },
  carryInitialPrompt: { kind: 'boolean' },
  suppressRegex: { kind: 'string', maxLength: 256 },
  audioContext: { kind: 'integer', min: 0, max: 1500 },
  vad: { kind: 'boolean' },
  vadModel: { kind: 'string', maxLength: 4096 },
  vadThreshold: { kind: 'number', min: 0, max: 1 },
  vadMinSpeechMs: { kind: 'integer', min: 0, max: 120_000 },
  vadMinSilenceMs: { kind: 'integer', min: 0, max: 120_000 },
  vadMaxSpeechSeconds: { kind: 'number', min: 0.1, max: 1e30 },
  vadSpeechPadMs: { kind: 'integer', min: 0, max: 60_000 },
  vadSamplesOverlap: { kind: 'number', min: 0, max: 10 },
  longForm: { kind: 'string' },
  chunkLength: { kind: 'number', min: 1, max: 30 },
  chunkStride: { kind: 'number', min: 0, max: 14.5 },
  parallelChunks: { kind: 'integer', min: 1, max: 64 },
};

const LONG_FORM_MODES = ['auto', 'native', 'smart', 'chunked'] as const;

/** Levenshtein distance, for "did you mean" on misspelled option names. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

function checkValue(where: string, key: string, value: unknown, rule: Rule): void {
  const name = `${where} option '${key}'`;
  switch (rule.kind) {
    case 'boolean':
      if (typeof value !== 'boolean') throw new InvalidOptionError(`${name} must be a boolean, got ${describe(value)}`);
      return;
    case 'string':
      if (typeof value !== 'string') throw new InvalidOptionError(`${name} must be a string, got ${describe(value)}`);
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        throw new InvalidOptionError(`${name} is ${value.length} characters long; at most ${rule.maxLength} are accepted`);
      }
      return;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new InvalidOptionError(`${name} must be a finite number, got ${describe(value)}`);
      }
      if (rule.kind === 'integer' && !Number.isInteger(value)) {
        throw new InvalidOptionError(`${name} must be an integer, got ${value}`);
      }
      if ((rule.min !== undefined && value < rule.min) || (rule.max !== undefined && value > rule.max)) {
        throw new InvalidOptionError(`${name} must be between ${rule.min ?? '-∞'} and ${rule.max ?? '∞'}, got ${value}`);
      }
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  if (typeof value === 'object') return `an object (${Object.prototype.toString.call(value).slice(8, -1)})`;
  return `${typeof value} ${String(value)}`;
}

function checkObject<T extends object>(where: string, options: unknown, rules: Record<string, Rule>, extra: string[] = []): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionError(`${where} options must be an object, got ${describe(options)}`);
  }
  const known = [...Object.keys(rules), ...extra];
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      const best = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
      const hint = best && best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean '${best[0]}'?` : '';
      throw new InvalidOptionError(`unknown ${where} option '${key}'.${hint}`);
    }
    if (value === undefined) continue;
    const rule = rules[key];
    if (rule) checkValue(where, key, value, rule);
  }
  return options as T;
}

export function validateLoadOptions(options: unknown): LoadModelOptions {
  const checked = checkObject<LoadModelOptions>('loadModel', options, LOAD_RULES, ['dtw']);
  validateDtwOption(checked.dtw);
  if (checked.dtw !== undefined && checked.dtw !== false && checked.flashAttention === true) {
    throw new InvalidOptionError(
      "loadModel options 'dtw' and 'flashAttention: true' cannot be combined: DTW aligns with attention weights that flash attention never forms; leave flashAttention out (dtw turns it off)",
    );
  }
  return checked;
}

export function validateTranscribeOptions(options: unknown, extraKeys: string[] = []): TranscribeOptions {
  const checked = checkObject<TranscribeOptions>('transcribe', options, TRANSCRIBE_RULES, ['signal', 'onSegment', 'onProgress', 'assistantModel', ...extraKeys]);
  for (const key of ['onSegment', 'onProgress'] as const) {
    const value: unknown = checked[key];
    if (value !== undefined && typeof value !== 'function') {
      throw new InvalidOptionError(`transcribe option '${key}' must be a function, got ${describe(value)}`);
    }
  }
  const signal: unknown = checked.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal && 'addEventListener' in signal)) {
    throw new InvalidOptionError(`transcribe option 'signal' must be an AbortSignal, got ${describe(signal)}`);
  }
  if (checked.language !== undefined && checked.language !== 'auto' && !(LANGUAGES as readonly string[]).includes(checked.language)) {
    throw new InvalidOptionError(`transcribe option 'language' must be 'auto' or one of whisper's language codes (${LANGUAGES.slice(0, 6).join(', ')}, ...), got ${JSON.stringify(checked.language)}`);
  }
  if (checked.suppressRegex !== undefined) {
    try {
      new RegExp(checked.suppressRegex);
    } catch (error) {
      throw new InvalidOptionError(`transcribe option 'suppressRegex' is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  if (checked.vad && !checked.vadModel) {
    throw new InvalidOptionError("transcribe option 'vad' needs 'vadModel': the path of a Silero VAD model in ggml form");
  }
  if (checked.longForm !== undefined && !(LONG_FORM_MODES as readonly string[]).includes(checked.longForm)) {
    throw new InvalidOptionError(`transcribe option 'longForm' must be one of ${LONG_FORM_MODES.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(checked.longForm)}`);
  }
  if (checked.vad && (checked.longForm === 'smart' || checked.longForm === 'chunked')) {
    throw new InvalidOptionError(
      `transcribe option 'vad: true' (whisper.cpp's VAD, which removes silences before its own loop) cannot be combined with longForm '${checked.longForm}'; give only 'vadModel' to place ${checked.longForm === 'smart' ? 'windows' : 'chunks'} with the VAD`,
    );
  }
  if (checked.chunkLength !== undefined && checked.chunkStride !== undefined && checked.chunkLength - 2 * checked.chunkStride <= 0) {
    throw new InvalidOptionError(`transcribe option 'chunkStride' (${checked.chunkStride} s on each side) must leave room in a ${checked.chunkLength}-s chunk: less than ${checked.chunkLength / 2} s`);
  }
  if (checked.assistantModel !== undefined) {
    // A draft is checked against one greedy continuation.
    if ((checked.beamSize ?? 1) > 1) {
      throw new InvalidOptionError(`transcribe option 'assistantModel' needs greedy decoding: speculative decoding checks drafts against the single most likely token, which beam search (beamSize ${checked.beamSize}) does not follow; drop one of the two`);
    }
    if ((checked.temperature ?? 0) > 0) {
      throw new InvalidOptionError(`transcribe option 'assistantModel' needs temperature 0: a sampled token (temperature ${checked.temperature}) cannot be checked against a draft exactly; drop one of the two`);
    }
  }
  const increment = checked.temperatureIncrement;
  if (increment !== undefined && increment !== 0 && increment < 0.01) {
    // whisper.cpp steps from `temperature` to 1 by this increment: a tiny step never ends.
    throw new InvalidOptionError(`transcribe option 'temperatureIncrement' must be 0 (no fallback) or at least 0.01, got ${increment}`);
  }
  return checked;
}

export function validateDetectLanguageOptions(options: unknown): { threads?: number; sampleRate?: number; signal?: AbortSignal } {
  const checked = checkObject<{ threads?: number; sampleRate?: number; signal?: AbortSignal }>(
    'detectLanguage',
    options,
    { threads: TRANSCRIBE_RULES.threads, sampleRate: TRANSCRIBE_RULES.sampleRate },
    ['signal'],
  );
  const signal: unknown = checked.signal;
  if (signal !== undefined && !(typeof signal === 'object' && signal !== null && 'aborted' in signal && 'addEventListener' in signal)) {
    throw new InvalidOptionError(`detectLanguage option 'signal' must be an AbortSignal, got ${describe(signal)}`);
  }
  return checked;
}

/** Checks that depend on the model: languages it knows, translation for .en models. */
export function checkOptionsForModel(options: TranscribeOptions, info: ModelInfo): void {
  const language = options.language;
  if (!info.multilingual) {
    // 'auto' is fine: an English-only model can only answer English.
    if (language !== undefined && language !== 'en' && language !== 'auto') {
      throw new InvalidOptionError(`model ${info.type} is English-only: language must be 'en', got ${JSON.stringify(language)}`);
    }
    if (options.translate) throw new InvalidOptionError(`model ${info.type} is English-only and cannot translate`);
    return;
  }
  if (language !== undefined && language !== 'auto') {
    const index = (LANGUAGES as readonly string[]).indexOf(language);
    if (index >= languageCount(info.nVocab)) {
      throw new InvalidOptionError(`model ${info.type} does not know language '${language}' (it has ${languageCount(info.nVocab)} languages)`);
    }
  }
}

export function toNativeLoadOptions(options: LoadModelOptions): NativeLoadOptions {
  return {
    useGpu: options.useGpu ?? true,
    gpuDevice: options.gpuDevice ?? 0,
    flashAttention: options.flashAttention ?? true,
    bf16Weights: options.bf16Weights ?? false,
    maxConcurrency: options.maxConcurrency ?? 1,
  };
}

/** Maps user options onto whisper_full_params fields; unset fields keep the library default. */
export function toNativeParams(options: TranscribeOptions, modelThreads: number | undefined, multilingual = true): NativeTranscribeParams {
  const beamSize = options.beamSize ?? 1;
  const params: NativeTranscribeParams = {
    strategy: beamSize > 1 ? 'beam' : 'greedy',
    threads: options.threads ?? modelThreads ?? defaultThreads(),
    // English-only models have no language tokens to detect with.
    language: options.language === 'auto' && !multilingual ? 'en' : (options.language ?? 'en'),
  };
  if (beamSize > 1) params.beamSize = beamSize;
  // whisper.cpp's beam-search defaults leave best_of at -1, which its fallback then uses.
  params.bestOf = options.bestOf ?? 5;
  params.seed = options.seed ?? 0;
  const copy = <K extends keyof NativeTranscribeParams>(key: K, value: NativeTranscribeParams[K] | undefined) => {
    if (value !== undefined) params[key] = value;
  };
  copy('translate', options.translate);
  copy('temperature', options.temperature);
  copy('temperatureIncrement', options.temperatureIncrement);
  copy('entropyThreshold', options.entropyThreshold);
  copy('logprobThreshold', options.logprobThreshold);
  copy('noSpeechThreshold', options.noSpeechThreshold);
  // whisper.cpp's own no_context is never sent: its default (true) drops text an earlier call
  // left in the decoding state, which pooled states rely on. This is the window-to-window
  // context within a job.
  if (options.noContext) params.windowContext = false;
  copy('initialPrompt', options.initialPrompt);
  copy('noTimestamps', options.noTimestamps);
  copy('singleSegment', options.singleSegment);
  copy('tokenTimestamps', options.tokenTimestamps);
  copy('maxSegmentLength', options.maxSegmentLength);
  copy('splitOnWord', options.splitOnWord);
  copy('maxTokensPerSegment', options.maxTokensPerSegment);
  copy('suppressBlank', options.suppressBlank);
  copy('suppressNonSpeech', options.suppressNonSpeech);
  copy('carryInitialPrompt', options.carryInitialPrompt);
  copy('suppressRegex', options.suppressRegex);
  copy('audioContext', options.audioContext);
  copy('vad', options.vad);
  copy('vadModel', options.vadModel);
  copy('vadThreshold', options.vadThreshold);
  copy('vadMinSpeechMs', options.vadMinSpeechMs);
  copy('vadMinSilenceMs', options.vadMinSilenceMs);
  copy('vadMaxSpeechSeconds', options.vadMaxSpeechSeconds);
  copy('vadSpeechPadMs', options.vadSpeechPadMs);
  copy('vadSamplesOverlap', options.vadSamplesOverlap);
  if (options.offset !== undefined) params.offsetMs = Math.round(options.offset * 1000);
  if (options.duration !== undefined) params.durationMs = Math.round(options.duration * 1000);
  if (options.tokens || options.tokenTimestamps) params.tokenDetails = true;
  return params;
}
