/**
 * Finds and loads the compiled addon with node-gyp-build (a local build/Release first,
 * then prebuilds/<platform>-<arch>/), once, on first use: importing whisper-napi never fails,
 * and a missing or broken build becomes one AddonLoadError that says what to do.
 */
import * as path from 'node:path';

import { AddonLoadError } from './errors';
import type { NativeAddon } from './native';
import { packageRoot } from './package-root';

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (addon) return addon;
  const root = packageRoot();
  // $WHISPER_NAPI_ADDON names a specific build (another backend's, a benchmark variant, a
  // file unpacked from an Electron asar) instead of the search below.
  const explicit = process.env.WHISPER_NAPI_ADDON;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const load = explicit ? () => require(path.resolve(explicit)) as unknown : (require('node-gyp-build') as (dir: string) => unknown);
    addon = load(root) as NativeAddon;
  } catch (cause) {
    throw new AddonLoadError(
      `whisper-napi's native addon could not be loaded for ${process.platform}-${process.arch} ` +
        `(Node ${process.versions.node}, N-API ${process.versions.napi}): ${(cause as Error).message}\n` +
        'No prebuilt binary matched and no local build was found. Build it from source with ' +
        '`npm rebuild whisper-napi` (needs CMake and a C++17 compiler).',
      { cause },
    );
  }
  return addon;
}
