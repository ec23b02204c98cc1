/**
 * Option validation, driven by the table of ./table.ts: unknown names (with a "did you
 * mean"), types, limits, and the rules that tie options together or to the model.
 */
import { InvalidOptionError } from '../errors';
import { LANGUAGES, languageCount } from '../languages';
import type { ModelInfo } from '../types/model-info';
import type { DetectLanguageOptions, LoadModelOptions, TranscribeOptions } from '../types/options';
import { validateDtwOption } from '../word-timing';
import { LOAD_OPTIONS, TRANSCRIBE_OPTIONS, type ObjectOption, type OptionSpec } from './table';

const OBJECT_OPTIONS: readonly ObjectOption[] = ['signal', 'onSegment', 'onProgress', 'assistantModel'];

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

function checkValue(where: string, key: string, value: unknown, rule: OptionSpec): void {
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
      if (rule.values !== undefined && !rule.values.includes(value)) {
        throw new InvalidOptionError(`${name} must be one of ${rule.values.map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(value)}`);
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

function checkObject<T extends object>(where: string, options: unknown, rules: Readonly<Record<string, OptionSpec>>, extra: readonly string[] = []): T {
  if (options === undefined) return {} as T;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new InvalidOptionError(`${where} options must be an object, got ${describe(options)}`);
  }
  const known = [...Object.keys(rules), ...extra];
  // A copy of what was checked, each value read once: a getter (or a Proxy) cannot hand the
  // model a value other than the one checked here.
  const checked: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (!known.includes(key)) {
      const best = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
      const hint = best && best[1] <= Math.max(2, Math.floor(key.length / 3)) ? ` Did you mean '${best[0]}'?` : '';
      throw new InvalidOptionError(`unknown ${where} option '${key}'.${hint}`);
    }
    if (value === undefined) continue;
    const rule = rules[key];
    if (rule) checkValue(where, key, value, rule);
    checked[key] = value;
  }
  return checked as T;
}

export function validateLoadOptions(options: unknown): LoadModelOptions {
  const checked = checkObject<LoadModelOptions>('loadModel', options, LOAD_OPTIONS, ['dtw']);
  validateDtwOption(checked.dtw);
  if (checked.dtw !== undefined && checked.dtw !== false && checked.flashAttention === true) {
    throw new InvalidOptionError(
      "loadModel options 'dtw' and 'flashAttention: true' cannot be combined: DTW aligns with attention weights that flash attention never forms; leave flashAttention out (dtw turns it off)",
    );
  }
  return checked;
}

export function validateTranscribeOptions(options: unknown, extraKeys: readonly string[] = []): TranscribeOptions {
  const checked = checkObject<TranscribeOptions>('transcribe', options, TRANSCRIBE_OPTIONS, [...OBJECT_OPTIONS, ...extraKeys]);
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
  if (checked.vad && (checked.longForm === 'smart' || checked.longForm === 'chunked')) {
    throw new InvalidOptionError(
      `transcribe option 'vad: true' (whisper.cpp's VAD, which removes silences before its own loop) cannot be combined with longForm '${checked.longForm}'; give only 'vadModel' to place ${checked.longForm === 'smart' ? 'windows' : 'chunks'} with the VAD`,
    );
  }
  if (checked.chunkLength !== undefined && checked.chunkStride !== undefined && checked.chunkLength - 2 * checked.chunkStride <= 0) {
    throw new InvalidOptionError(`transcribe option 'chunkStride' (${checked.chunkStride} s on each side) must leave room in a ${checked.chunkLength}-s chunk: less than ${checked.chunkLength / 2} s`);
  }
  if (checked.loopRepeats === 1) {
    throw new InvalidOptionError("transcribe option 'loopRepeats' must be 0 (off) or at least 2: every phrase is said once, so 1 would stop every decoder at its first token");
  }
  if (checked.assistantModel !== undefined) {
    if (checked.groupedAttention === true) {
      throw new InvalidOptionError("transcribe option 'assistantModel' cannot be combined with 'groupedAttention': speculative decoding is checked to give exactly the main model's tokens, computed by one kernel for drafts and checks alike; drop one of the two");
    }
    if ((checked.loopRepeats ?? 0) > 0) {
      throw new InvalidOptionError("transcribe option 'assistantModel' cannot be combined with 'loopRepeats': speculative decoding is checked to give exactly the main model's tokens, and a decoder stopped mid-draft is not; drop one of the two");
    }
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

export function validateDetectLanguageOptions(options: unknown): DetectLanguageOptions {
  const checked = checkObject<DetectLanguageOptions>(
    'detectLanguage',
    options,
    { threads: TRANSCRIBE_OPTIONS.threads, sampleRate: TRANSCRIBE_OPTIONS.sampleRate },
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
