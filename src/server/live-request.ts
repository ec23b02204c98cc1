/**
 * The query of `GET /v1/audio/live` as live options: `sample_rate` (of the PCM16 frames the
 * client sends; default 16000), `language`, `commit`, `chunk_seconds` and `prompt`. Checked before the
 * upgrade, so a bad value is a plain 400 in OpenAI's shape rather than a WebSocket that
 * opens only to close. Unknown parameters are ignored, as the upload routes ignore unknown
 * fields.
 */
import { WhisperError } from '../errors';
import { checkLiveOptions } from '../live';
import type { LiveOptions } from '../types/live';
import type { ModelInfo } from '../types/model-info';
import { badRequest } from './http-errors';
import { checkLanguage } from './openai-request';

/** Fastify's parsed query: a value per name, an array when a name is repeated. */
export type Query = Record<string, string | string[] | undefined>;

/** The query parameter of each live option it sets. */
const PARAMS = { sampleRate: 'sample_rate', chunkSeconds: 'chunk_seconds', language: 'language', commit: 'commit', initialPrompt: 'prompt' } as const;

function single(query: Query, name: string): string | undefined {
  const value = query[name];
  if (Array.isArray(value)) throw badRequest(`query parameter '${name}' was sent ${value.length} times; send it once`, name);
  return value === '' ? undefined : value;
}

function numeric(query: Query, name: string): number | undefined {
  const value = single(query, name);
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value)) throw badRequest(`query parameter '${name}' must be a number, got ${JSON.stringify(value)}`, name);
  return Number(value);
}

/**
 * Each value is checked on its own by the live transcriber's own rules (so the limits and
 * messages are the core's), which lets the error name the parameter.
 */
function checkEach(options: LiveOptions, english: boolean): void {
  for (const [key, value] of Object.entries(options)) {
    try {
      checkLiveOptions({ [key]: value }, english);
    } catch (error) {
      if (error instanceof WhisperError) throw badRequest(error.message, PARAMS[key as keyof typeof PARAMS], 'invalid_value');
      throw error;
    }
  }
}

export function parseLiveQuery(query: Query, info: ModelInfo): LiveOptions {
  const options: LiveOptions = {};
  const sampleRate = numeric(query, 'sample_rate');
  if (sampleRate !== undefined) options.sampleRate = sampleRate;
  const chunkSeconds = numeric(query, 'chunk_seconds');
  if (chunkSeconds !== undefined) options.chunkSeconds = chunkSeconds;
  const language = checkLanguage(single(query, 'language'), info);
  if (language !== undefined) options.language = language;
  const commit = single(query, 'commit');
  // The core checks the value; the cast only names the type it will check against.
  if (commit !== undefined) options.commit = commit as LiveOptions['commit'];
  const prompt = single(query, 'prompt');
  if (prompt !== undefined) options.initialPrompt = prompt;
  checkEach(options, !info.multilingual);
  return options;
}
