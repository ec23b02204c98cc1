/**
 * OpenAI's request fields (`/v1/audio/transcriptions` and `/translations`) as
 * transcription options. Unknown fields are ignored, as OpenAI's own clients send some
 * (`include[]`, `chunking_strategy`) that have no meaning here; known ones are checked.
 */
import { LANGUAGES, languageCount } from '../languages';
import { MAX_PROMPT_LENGTH } from '../options/table';
import type { ModelInfo } from '../types/model-info';
import type { TranscribeOptions } from '../types/options';
import { badRequest } from './http-errors';

export type Task = 'transcribe' | 'translate';
export type ResponseFormat = 'json' | 'text' | 'srt' | 'vtt' | 'verbose_json';
export const RESPONSE_FORMATS: readonly ResponseFormat[] = ['json', 'text', 'srt', 'vtt', 'verbose_json'];

export interface AudioRequest {
  task: Task;
  responseFormat: ResponseFormat;
  stream: boolean;
  words: boolean;
  segments: boolean;
  options: TranscribeOptions;
}

function single(fields: Map<string, string[]>, name: string): string | undefined {
  const values = fields.get(name);
  if (values === undefined) return undefined;
  if (values.length > 1) throw badRequest(`field '${name}' was sent ${values.length} times; send it once`, name);
  return values[0];
}

/** OpenAI's clients send booleans as 'true' / 'false'. */
function booleanField(fields: Map<string, string[]>, name: string): boolean {
  const value = single(fields, name);
  if (value === undefined || value === 'false' || value === '0' || value === '') return false;
  if (value === 'true' || value === '1') return true;
  throw badRequest(`field '${name}' must be true or false, got ${JSON.stringify(value)}`, name);
}

/**
 * A `language` field: an ISO-639-1 code the model knows, or undefined when not given (or
 * empty). Shared by the upload routes and the live WebSocket's query.
 */
export function checkLanguage(language: string | undefined, info: ModelInfo): string | undefined {
  if (language === undefined || language === '') return undefined;
  const index = (LANGUAGES as readonly string[]).indexOf(language);
  if (index < 0) throw badRequest(`language must be an ISO-639-1 code such as 'en' or 'de', got ${JSON.stringify(language)}`, 'language');
  if (!info.multilingual && language !== 'en') throw badRequest(`this server's model is English-only: language must be 'en', got '${language}'`, 'language');
  if (info.multilingual && index >= languageCount(info.nVocab)) throw badRequest(`this server's model does not know language '${language}'`, 'language');
  return language;
}

export function parseAudioRequest(fields: Map<string, string[]>, task: Task, info: ModelInfo): AudioRequest {
  const format = single(fields, 'response_format') ?? 'json';
  if (!(RESPONSE_FORMATS as readonly string[]).includes(format)) {
    throw badRequest(`response_format must be one of ${RESPONSE_FORMATS.join(', ')}; got ${JSON.stringify(format)}`, 'response_format');
  }
  const responseFormat = format as ResponseFormat;

  // `timestamp_granularities[]` (OpenAI's client) or `timestamp_granularities` (curl users).
  const granularities = [...(fields.get('timestamp_granularities[]') ?? []), ...(fields.get('timestamp_granularities') ?? [])];
  for (const g of granularities) {
    if (g !== 'word' && g !== 'segment') throw badRequest(`timestamp_granularities must be word and/or segment, got ${JSON.stringify(g)}`, 'timestamp_granularities');
  }
  if (granularities.length > 0 && responseFormat !== 'verbose_json') {
    throw badRequest('timestamp_granularities needs response_format=verbose_json', 'timestamp_granularities');
  }
  const words = granularities.includes('word');
  // OpenAI gives segments unless only words were asked for.
  const segments = granularities.length === 0 || granularities.includes('segment');

  const options: TranscribeOptions = {};
  if (task === 'translate') options.translate = true;

  // Translation takes no language (the source is detected; the output is English).
  const language = task === 'transcribe' ? checkLanguage(single(fields, 'language'), info) : undefined;
  options.language = language ?? (info.multilingual ? 'auto' : 'en');

  const prompt = single(fields, 'prompt');
  if (prompt !== undefined && prompt.length > MAX_PROMPT_LENGTH) {
    throw badRequest(`prompt is ${prompt.length} characters long; at most ${MAX_PROMPT_LENGTH} are accepted`, 'prompt');
  }
  if (prompt !== undefined && prompt !== '') options.initialPrompt = prompt;

  const temperature = single(fields, 'temperature');
  if (temperature !== undefined && temperature !== '') {
    const t = Number(temperature);
    if (!Number.isFinite(t) || t < 0 || t > 1) throw badRequest(`temperature must be a number from 0 to 1, got ${JSON.stringify(temperature)}`, 'temperature');
    // OpenAI: 0 lets the model raise the temperature when a window fails (our default
    // fallback); above 0 starts there.
    if (t > 0) options.temperature = t;
  }

  if (responseFormat === 'verbose_json') options.tokens = true;
  if (words) options.tokenTimestamps = true;

  return { task, responseFormat, stream: booleanField(fields, 'stream'), words, segments, options };
}
