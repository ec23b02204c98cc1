/**
 * From what a user names (a known id, a URL, a path) to a model file on disk, or a
 * ModelNotFoundError that says how to get it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ModelNotFoundError } from '../errors';
import { cacheDirectory } from './cache';
import { cacheFileFor, isUrl } from './download';
import { checkModelPrecision, modelAtPrecision, type ModelPrecision } from './precision';
import { DEFAULT_MODEL_ID, findKnownModel, formatBytes, knownModelUrl } from './registry';

async function exists(file: string): Promise<boolean> {
  return fs.promises.access(file).then(
    () => true,
    () => false,
  );
}

export interface ResolveModelOptions {
  /** Default: the platform's cache directory, or $WHISPER_NAPI_CACHE. */
  cacheDir?: string;
  /**
   * The precision a known model id is used at: 'original' (the default) is the downloaded
   * f16 file; 'q8_0' (or another quantization type) a copy of it made once in the cache, with
   * half the memory and a small accuracy cost (README, Models). URLs and paths are used as
   * they are.
   */
  precision?: ModelPrecision;
}

/**
 * The path of a model: a known id or a URL that has been downloaded into the cache, or an
 * existing file. Never downloads (see `downloadModel`); a known id's quantized copy is made
 * here the first time (see `precision`).
 */
export async function resolveModel(idOrPath: string, options: ResolveModelOptions = {}): Promise<string> {
  const precision = checkModelPrecision(options.precision);
  const dir = path.resolve(options.cacheDir ?? cacheDirectory());
  const known = findKnownModel(idOrPath);
  if (known || isUrl(idOrPath)) {
    const file = path.join(dir, cacheFileFor(idOrPath));
    if (await exists(file)) return known ? modelAtPrecision(file, precision) : file;
    const size = known ? ` (${known.exactSize ? '' : 'about '}${formatBytes(known.bytes)})` : '';
    throw new ModelNotFoundError(
      `model ${idOrPath} is not downloaded yet (run: npx whisper-napi download ${idOrPath}); ${file} does not exist.\n` +
        `Download it${size} with:\n  npx whisper-napi download ${idOrPath}\n` +
        `or from code: await downloadModel('${idOrPath}')` +
        (known ? `\nor by hand: curl -L --create-dirs -o "${file}" ${knownModelUrl(known)}\n(WHISPER_NAPI_CACHE moves the cache directory; WHISPER_NAPI_MODEL or { model } picks another model)` : ''),
    );
  }
  if (await exists(idOrPath)) return idOrPath;
  throw new ModelNotFoundError(`model file not found: '${idOrPath}' (neither a file nor a known model id; see \`npx whisper-napi models\`)`);
}

/** `options.model`, else $WHISPER_NAPI_MODEL, else distil-medium.en, resolved at `precision`. */
export async function resolveDefaultModelPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env, precision?: ModelPrecision): Promise<string> {
  const fromEnv = env.WHISPER_NAPI_MODEL || undefined;
  const chosen = explicit ?? fromEnv ?? DEFAULT_MODEL_ID;
  try {
    return await resolveModel(chosen, { cacheDir: cacheDirectory(env), ...(precision !== undefined ? { precision } : {}) });
  } catch (error) {
    const source = explicit !== undefined ? 'options.model' : fromEnv !== undefined ? 'WHISPER_NAPI_MODEL' : undefined;
    if (error instanceof ModelNotFoundError && source) throw new ModelNotFoundError(`${error.message} (from ${source})`);
    throw error;
  }
}
