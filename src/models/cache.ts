/** The directory downloaded models live in. */
import * as os from 'node:os';
import * as path from 'node:path';

/** $WHISPER_NAPI_CACHE, else the platform's user cache directory + /whisper-napi. */
export function cacheDirectory(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.WHISPER_NAPI_CACHE) return path.resolve(env.WHISPER_NAPI_CACHE);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'whisper-napi');
  if (platform === 'win32') return path.join(env.LOCALAPPDATA ?? path.join(home, 'AppData', 'Local'), 'whisper-napi', 'Cache');
  return path.join(env.XDG_CACHE_HOME ?? path.join(home, '.cache'), 'whisper-napi');
}
