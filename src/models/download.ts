/**
 * Model downloads that never leave a half-written or unverified file where a model is
 * expected. Bytes stream into `<file>.part` while they are hashed; an interrupted transfer
 * resumes with an HTTP Range request (in this call after a network failure, or in a later
 * one); only a file whose checksum matches is renamed into place. A lock file created
 * exclusively (`<file>.lock`) makes a second process wait for the first instead of writing
 * the same file; its owner refreshes it, and a lock whose owner died is taken over.
 *
 * HTTP goes through undici, through the proxy that HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 * name (./proxy.ts; Node 20's own fetch ignores them).
 */
import { createHash, type Hash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Dispatcher } from 'undici';

import { AbortError, ChecksumMismatchError, InvalidOptionError, ModelDownloadError, OfflineError } from '../errors';
import { cacheDirectory } from './cache';
import { dispatcherFor } from './proxy';
import { KNOWN_MODELS, findKnownModel, formatBytes, knownModelUrl } from './registry';

export interface DownloadProgress {
  /** The file being written (its final path). */
  file: string;
  /** Bytes on disk so far, resumed bytes included. */
  downloaded: number;
  /** The full size, once the server has said it. */
  total?: number;
}

export interface DownloadModelOptions {
  /** Default: $WHISPER_NAPI_CACHE, else the platform's user cache directory. */
  cacheDir?: string;
  /** Called as bytes arrive (at most every 100 ms, and at the end). */
  onProgress?: (progress: DownloadProgress) => void;
  /** Stops the download; the `.part` file is kept so the next attempt resumes. */
  signal?: AbortSignal;
  /** For a URL: the SHA-256 the file must have (or end the URL with `#sha256=<hex>`). */
  sha256?: string;
  /** Attempts after a network failure, a stall or a 5xx answer, each resuming. Default 3. */
  retries?: number;
  /** A transfer that receives nothing for this long fails (and is retried). Default 30000 ms. */
  idleTimeoutMs?: number;
}

/** What to fetch, and how to check it. */
export interface DownloadSpec {
  /** The known id, or the URL without its fragment. */
  name: string;
  file: string;
  url: string;
  algorithm: 'sha256' | 'sha1';
  digest: string;
  /** The size for messages ("794 MB"), when known. */
  size?: string;
}

const SHA256 = /^[0-9a-f]{64}$/i;
const LOCK_REFRESH_MS = 5_000;
const LOCK_STALE_MS = 60_000;
const LOCK_POLL_MS = 200;
const PROGRESS_INTERVAL_MS = 100;

export function isOffline(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.WHISPER_NAPI_OFFLINE ?? '');
}

export function isUrl(id: string): boolean {
  return /^https?:\/\//i.test(id);
}

/** The name a known model or a URL has in the cache directory. */
export function cacheFileFor(id: string): string {
  const known = findKnownModel(id);
  if (known) return known.file;
  const file = path.posix.basename(decodeURIComponent(new URL(id).pathname));
  if (!/^[\w][\w.+-]*$/.test(file)) throw new InvalidOptionError(`cannot name a cache file after the URL ${id}`);
  return file;
}

/** A known id, or an http(s) URL with its SHA-256 (option or `#sha256=` fragment). */
export function downloadSpec(id: string, sha256?: string, env: NodeJS.ProcessEnv = process.env): DownloadSpec {
  const known = findKnownModel(id);
  if (known) {
    return {
      name: known.id,
      file: known.file,
      url: knownModelUrl(known, env),
      algorithm: known.sha256 ? 'sha256' : 'sha1',
      digest: (known.sha256 ?? known.sha1)!,
      size: `${known.exactSize ? '' : 'about '}${formatBytes(known.bytes)}`,
    };
  }
  if (!isUrl(id)) {
    throw new InvalidOptionError(`unknown model '${id}': known models are ${KNOWN_MODELS.map((m) => m.id).join(', ')}, or pass an http(s) URL with its SHA-256`);
  }
  const url = new URL(id);
  const fragment = /^#sha256=([0-9a-f]{64})$/i.exec(url.hash)?.[1];
  const digest = sha256 ?? fragment;
  if (digest === undefined) {
    throw new InvalidOptionError(`downloading ${id} needs its SHA-256, to verify it: pass { sha256 } or end the URL with #sha256=<64 hex digits>`);
  }
  if (!SHA256.test(digest)) throw new InvalidOptionError(`sha256 must be 64 hex digits, got ${JSON.stringify(digest)}`);
  url.hash = '';
  return { name: url.href, file: cacheFileFor(url.href), url: url.href, algorithm: 'sha256', digest: digest.toLowerCase() };
}

async function exists(file: string): Promise<boolean> {
  return fs.promises.access(file).then(
    () => true,
    () => false,
  );
}

function abortError(signal: AbortSignal | undefined, what: string): AbortError {
  return new AbortError(`${what} was aborted`, { cause: signal?.reason });
}

// --- the lock ------------------------------------------------------------------------------

interface LockOwner {
  pid: number;
  host: string;
}

async function lockIsStale(lock: string): Promise<boolean> {
  let stat: fs.Stats;
  let owner: Partial<LockOwner> = {};
  try {
    stat = await fs.promises.stat(lock);
    owner = JSON.parse(await fs.promises.readFile(lock, 'utf8')) as LockOwner;
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return false; // gone: just retry
    owner = {}; // unreadable or half-written: judged by age alone
    stat = await fs.promises.stat(lock).catch(() => undefined as unknown as fs.Stats);
    if (!stat) return false;
  }
  if (owner.host === os.hostname() && typeof owner.pid === 'number') {
    try {
      process.kill(owner.pid, 0);
    } catch (error) {
      if ((error as { code?: string }).code === 'ESRCH') return true; // its owner has died
    }
  }
  return Date.now() - stat.mtimeMs > LOCK_STALE_MS; // its owner stopped refreshing it
}

/**
 * Takes `<dest>.lock`, waiting while another live process holds it. Resolves to a release
 * function, or to 'done' when the other process has finished the file meanwhile.
 */
async function acquireLock(dest: string, signal: AbortSignal | undefined): Promise<(() => Promise<void>) | 'done'> {
  const lock = `${dest}.lock`;
  for (;;) {
    if (signal?.aborted) throw abortError(signal, 'the download');
    try {
      await fs.promises.writeFile(lock, JSON.stringify({ pid: process.pid, host: os.hostname() }), { flag: 'wx' });
      const refresh = setInterval(() => {
        const now = new Date();
        fs.promises.utimes(lock, now, now).catch(() => undefined);
      }, LOCK_REFRESH_MS);
      refresh.unref();
      return async () => {
        clearInterval(refresh);
        await fs.promises.rm(lock, { force: true });
      };
    } catch (error) {
      if ((error as { code?: string }).code !== 'EEXIST') throw error;
    }
    if (await exists(dest)) return 'done';
    if (await lockIsStale(lock)) {
      await fs.promises.rm(lock, { force: true });
      continue;
    }
    try {
      await sleep(LOCK_POLL_MS, undefined, { signal });
    } catch {
      throw abortError(signal, 'waiting for another process to finish the download');
    }
  }
}

// --- the transfer ----------------------------------------------------------------------------

/** A failure worth another attempt: the network, a stall, a 5xx. */
class TransientError extends Error {
  constructor(
    message: string,
    options?: { cause?: unknown },
    readonly status?: number,
  ) {
    super(message, options);
  }
}

interface PartState {
  hash: Hash;
  bytes: number;
  total?: number;
}

/** Hashes what an earlier attempt left in the .part file, to continue from there. */
async function resumeState(part: string, algorithm: string): Promise<PartState> {
  const hash = createHash(algorithm);
  let bytes = 0;
  try {
    for await (const chunk of fs.createReadStream(part)) {
      hash.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
    }
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
  }
  return { hash, bytes };
}

async function restart(part: string, state: PartState, algorithm: string): Promise<void> {
  await fs.promises.writeFile(part, '');
  state.hash = createHash(algorithm);
  state.bytes = 0;
}

/** One HTTP request, appending to the .part file from state.bytes on. */
async function transfer(spec: DownloadSpec, part: string, state: PartState, options: DownloadModelOptions, dispatcher: Dispatcher, report: () => void): Promise<void> {
  const timeout = options.idleTimeoutMs ?? 30_000;
  const headers: Record<string, string> = { 'user-agent': 'whisper-napi' };
  if (state.bytes > 0) headers.range = `bytes=${state.bytes}-`;
  let response: Dispatcher.ResponseData;
  try {
    const { request } = await import('undici'); // loaded on first use (see dispatcherFor)
    response = await request(spec.url, { headers, maxRedirections: 5, signal: options.signal, headersTimeout: timeout, bodyTimeout: timeout, dispatcher });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new TransientError(`cannot reach ${new URL(spec.url).host}: ${(error as Error).message}`, { cause: error });
  }
  const { statusCode, body } = response;
  if (statusCode === 416 && state.bytes > 0) {
    await body.dump();
    return; // the .part already holds everything: the checksum decides
  }
  if (statusCode >= 400) {
    await body.dump().catch(() => undefined);
    const message = `downloading ${spec.name} failed: HTTP ${statusCode} from ${spec.url}`;
    if (statusCode >= 500 || statusCode === 429) throw new TransientError(message, undefined, statusCode);
    throw new ModelDownloadError(message, { status: statusCode });
  }
  if (statusCode !== 200 && statusCode !== 206) {
    await body.dump().catch(() => undefined);
    throw new ModelDownloadError(`downloading ${spec.name} failed: unexpected HTTP ${statusCode} from ${spec.url}`, { status: statusCode });
  }
  const range = /^bytes (\d+)-\d+\/(\d+|\*)$/.exec(String(response.headers['content-range'] ?? ''));
  if (statusCode === 200 || !range || Number(range[1]) !== state.bytes) {
    await restart(part, state, spec.algorithm); // the server sent the whole file (no range support)
  }
  const length = Number(response.headers['content-length']);
  state.total = range && range[2] !== '*' ? Number(range[2]) : Number.isFinite(length) ? state.bytes + length : undefined;

  const file = await fs.promises.open(part, 'a');
  try {
    for await (const chunk of body) {
      const bytes = chunk as Buffer;
      await file.write(bytes);
      state.hash.update(bytes);
      state.bytes += bytes.length;
      report();
    }
    await file.datasync();
  } catch (error) {
    if (options.signal?.aborted || error instanceof ModelDownloadError) throw error;
    throw new TransientError(`the connection to ${new URL(spec.url).host} failed after ${state.bytes} bytes: ${(error as Error).message}`, { cause: error });
  } finally {
    await file.close();
  }
  if (state.total !== undefined && state.bytes < state.total) {
    throw new TransientError(`the connection to ${new URL(spec.url).host} closed after ${state.bytes} of ${state.total} bytes`);
  }
}

async function fetchVerified(spec: DownloadSpec, dest: string, options: DownloadModelOptions): Promise<void> {
  const part = `${dest}.part`;
  const state = await resumeState(part, spec.algorithm);
  const dispatcher = await dispatcherFor(new URL(spec.url));
  let lastReport = 0;
  const report = (force = false) => {
    const now = Date.now();
    if (!options.onProgress || (!force && now - lastReport < PROGRESS_INTERVAL_MS)) return;
    lastReport = now;
    options.onProgress({ file: dest, downloaded: state.bytes, ...(state.total !== undefined ? { total: state.total } : {}) });
  };
  const retries = options.retries ?? 3;
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        await transfer(spec, part, state, options, dispatcher, report);
        break;
      } catch (error) {
        if (options.signal?.aborted) throw abortError(options.signal, `downloading ${spec.name}`);
        if (!(error instanceof TransientError)) throw error;
        if (attempt >= retries) {
          throw new ModelDownloadError(`${error.message} (gave up after ${attempt + 1} attempts; the next call resumes)`, {
            cause: error,
            ...(error.status !== undefined ? { status: error.status } : {}),
          });
        }
        try {
          await sleep(Math.min(8000, 500 * 2 ** attempt), undefined, { signal: options.signal });
        } catch {
          throw abortError(options.signal, `downloading ${spec.name}`);
        }
      }
    }
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
  report(true);
  const digest = state.hash.digest('hex');
  if (digest !== spec.digest.toLowerCase()) {
    await fs.promises.rm(part, { force: true });
    throw new ChecksumMismatchError(
      `downloaded ${spec.name} (${state.bytes} bytes from ${spec.url}) has ${spec.algorithm.toUpperCase()} ${digest}, expected ${spec.digest}; the file was deleted`,
    );
  }
  await fs.promises.rename(part, dest);
}

/**
 * Downloads a known model (`'distil-medium.en'`, `'tiny.en'`, ...) or an http(s) URL with its
 * SHA-256 into the cache directory and resolves to its path. A model already there is not
 * fetched again.
 */
export async function downloadModel(id: string, options: DownloadModelOptions = {}): Promise<string> {
  if (typeof id !== 'string' || id === '') throw new InvalidOptionError('downloadModel(id): id must be a model id or a URL');
  if (!isUrl(id) && !findKnownModel(id) && (await exists(id))) return path.resolve(id); // a local file: nothing to fetch
  const spec = downloadSpec(id, options.sha256);
  const dir = path.resolve(options.cacheDir ?? cacheDirectory());
  const dest = path.join(dir, spec.file);
  if (await exists(dest)) return dest;
  if (isOffline()) {
    throw new OfflineError(
      `WHISPER_NAPI_OFFLINE=1 forbids network access, and ${spec.name} is not in the cache (${dest}). ` +
        `Unset WHISPER_NAPI_OFFLINE to download it${spec.size ? ` (${spec.size})` : ''}, or copy the file there.`,
    );
  }
  if (options.signal?.aborted) throw abortError(options.signal, `downloading ${spec.name}`);
  await fs.promises.mkdir(dir, { recursive: true });
  const release = await acquireLock(dest, options.signal);
  if (release === 'done') return dest;
  try {
    if (!(await exists(dest))) await fetchVerified(spec, dest, options);
    return dest;
  } finally {
    await release();
  }
}

