/**
 * Where the default model lives: `options.model`, else $WHISPER_NAPI_MODEL, else
 * distil-medium.en (`ggml-medium-32-2.en.bin`) in the cache directory.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ModelNotFoundError } from './errors';

export const DEFAULT_MODEL = {
  id: 'distil-medium.en',
  file: 'ggml-medium-32-2.en.bin',
  url: 'https://huggingface.co/distil-whisper/distil-medium.en/resolve/main/ggml-medium-32-2.en.bin',
  sizeDescription: 'about 794 MB',
} as const;

/** $WHISPER_NAPI_CACHE, else the platform's user cache directory + /whisper-napi. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WHISPER_NAPI_CACHE) return path.resolve(env.WHISPER_NAPI_CACHE);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'whisper-napi');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'whisper-napi', 'Cache');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'whisper-napi');
}

/** The model path to use, checked to exist; throws ModelNotFoundError with instructions. */
export async function resolveDefaultModelPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  const chosen = explicit ?? env.WHISPER_NAPI_MODEL;
  if (chosen !== undefined && chosen !== '') {
    if (!(await exists(chosen))) {
      const source = explicit !== undefined ? 'options.model' : 'WHISPER_NAPI_MODEL';
      throw new ModelNotFoundError(`model file not found: '${chosen}' (from ${source})`);
    }
    return chosen;
  }
  const file = path.join(cacheDirectory(env), DEFAULT_MODEL.file);
  if (!(await exists(file))) {
    throw new ModelNotFoundError(
      `the default model ${DEFAULT_MODEL.id} is not in the cache: ${file} does not exist.\n` +
        `Download it (${DEFAULT_MODEL.sizeDescription}) with:\n` +
        `  mkdir -p "${path.dirname(file)}" && curl -L -o "${file}" ${DEFAULT_MODEL.url}\n` +
        'or pass { model: "/path/to/ggml-model.bin" }, or set WHISPER_NAPI_MODEL to a model file ' +
        '(WHISPER_NAPI_CACHE moves the cache directory).',
    );
  }
  return file;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.access(file);
    return true;
  } catch {
    return false;
  }
}
