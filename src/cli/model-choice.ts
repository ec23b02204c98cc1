/** Which model a CLI command uses, downloading a known model or URL the first time. */
import { ModelNotFoundError } from '../errors';
import { cacheDirectory } from '../models/cache';
import { downloadModel, isOffline, isUrl } from '../models/download';
import { DEFAULT_MODEL_ID, findKnownModel, formatBytes, knownModelUrl } from '../models/registry';
import { DEFAULT_MODEL_PRECISION, modelAtPrecision, type ModelPrecision } from '../models/precision';
import { resolveModel } from '../models/resolve';
import { ProgressBar, QUIET } from './progress';

export interface CliContext {
  cacheDir: string | undefined;
  quiet: boolean;
  /** Messages for the user (stderr). */
  say(message: string): void;
}

/**
 * The model the user named, else $WHISPER_NAPI_MODEL, else distil-medium.en; fetched if
 * needed, and a known id at `precision` (its quantized copy made the first time).
 */
export async function ensureModel(requested: string | undefined, context: CliContext, precision: ModelPrecision = DEFAULT_MODEL_PRECISION): Promise<string> {
  const chosen = requested ?? (process.env.WHISPER_NAPI_MODEL || undefined) ?? DEFAULT_MODEL_ID;
  const cacheDir = context.cacheDir ?? cacheDirectory();
  try {
    return await resolveModel(chosen, { cacheDir, precision });
  } catch (error) {
    const downloadable = findKnownModel(chosen) !== undefined || isUrl(chosen);
    if (!(error instanceof ModelNotFoundError) || !downloadable) throw error;
  }
  const downloaded = await fetchModel(chosen, context);
  return findKnownModel(chosen) ? modelAtPrecision(downloaded, precision) : downloaded;
}

/** Downloads a known model or a URL, saying what and how big first. */
export async function fetchModel(idOrUrl: string, context: CliContext, sha256?: string): Promise<string> {
  const known = findKnownModel(idOrUrl);
  const what = known
    ? `${known.id} (${known.exactSize ? '' : 'about '}${formatBytes(known.bytes)}) from ${knownModelUrl(known)}`
    : `${idOrUrl.replace(/#.*$/, '')} (size as the server reports it)`;
  // Offline, downloadModel either finds the file in the cache or refuses: nothing is
  // downloaded, so announcing a download would be false.
  if (!isOffline()) context.say(`Downloading ${what} into ${context.cacheDir ?? cacheDirectory()}`);
  const bar = new ProgressBar('download', context.quiet ? QUIET : process.stderr);
  try {
    return await downloadModel(idOrUrl, {
      ...(context.cacheDir ? { cacheDir: context.cacheDir } : {}),
      ...(sha256 ? { sha256 } : {}),
      onProgress: ({ downloaded, total }) => bar.bytes(downloaded, total ?? (known?.exactSize ? known.bytes : undefined)),
    });
  } finally {
    bar.done();
  }
}
