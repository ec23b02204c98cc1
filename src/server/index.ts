/**
 * `createServer()`: an OpenAI-compatible transcription server on one shared model.
 *
 *   const server = await createServer({ model: 'tiny.en', port: 8080 });
 *   // POST server.url + '/v1/audio/transcriptions' (multipart: file, response_format, ...)
 *   await server.close();
 */
import * as path from 'node:path';

import type { FastifyInstance } from 'fastify';

import { DisposedError, InvalidOptionError } from '../errors';
import { WhisperModel, loadModel } from '../model';
import { findKnownModel } from '../models/registry';
import { resolveDefaultModelPath } from '../models/resolve';
import { validateLoadOptions } from '../options';
import { MAX_INLINE_BYTES_LIMIT } from '../workers/job-data';
import { Admission } from './admission';
import { buildApp } from './app';
import type { ServerContext } from './context';
import { ShuttingDownError } from './http-errors';
import { ServerMetrics } from './metrics';
import { openQueuedTranscriber } from './queued-transcriber';
import type { ServerOptions, ServerStats, TranscriptionServer } from './types';

export type { ServerOptions, ServerStats, TranscriptionServer } from './types';

export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  maxConcurrency: 1,
  maxQueue: 8,
  maxUploadBytes: 25 * 1024 * 1024,
  shutdownTimeoutMs: 10_000,
  uploadIdleTimeoutMs: 30_000,
  maxLiveSessions: 2,
  maxLiveSeconds: 3600,
  liveIdleTimeoutMs: 30_000,
  maxLiveFrameBytes: 1024 * 1024,
} as const;

function integer(name: string, value: number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(`server option '${name}' must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}

function corsOrigins(value: ServerOptions['cors']): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((o) => typeof o !== 'string' || !(o === '*' || /^https?:\/\/[^/\s]+$/.test(o)))) {
    throw new InvalidOptionError("server option 'cors' must be '*' or origins such as 'https://example.com' (scheme and host, no path)");
  }
  return list;
}

/** What /v1/models calls the model: the known id it was asked by, else the file's name. */
function modelName(requested: string | undefined, file: string): string {
  if (requested !== undefined && findKnownModel(requested)) return requested;
  return path.basename(file).replace(/\.bin$/, '');
}

export async function createServer(options: ServerOptions = {}): Promise<TranscriptionServer> {
  const host = options.host ?? SERVER_DEFAULTS.host;
  if (typeof host !== 'string' || host === '') throw new InvalidOptionError("server option 'host' must be a host name or address");
  const port = integer('port', options.port, SERVER_DEFAULTS.port, 0, 65535);
  const given = options.model instanceof WhisperModel ? options.model : undefined;
  const queueOption = checkQueueOption(options.queue);
  // A model passed in decodes as many jobs at once as it was loaded for; with a queue, the
  // jobs run at the workers, and the bound is how many this server has there at once.
  const maxConcurrency = integer('maxConcurrency', options.maxConcurrency, queueOption ? SERVER_DEFAULTS.maxConcurrency : (given?.maxConcurrency ?? SERVER_DEFAULTS.maxConcurrency), 1, queueOption ? 10_000 : 64);
  if (given !== undefined && queueOption === undefined && maxConcurrency !== given.maxConcurrency) {
    throw new InvalidOptionError(`server option 'maxConcurrency' (${maxConcurrency}) differs from the model's (${given.maxConcurrency}): set it in loadModel's options`);
  }
  const maxQueue = integer('maxQueue', options.maxQueue, SERVER_DEFAULTS.maxQueue, 0, 10_000);
  // With a queue the upload travels inside its job, whose size is bounded.
  const maxUploadBytes = integer('maxUploadBytes', options.maxUploadBytes, SERVER_DEFAULTS.maxUploadBytes, 1, queueOption ? MAX_INLINE_BYTES_LIMIT : 2 ** 32);
  const uploadIdleTimeoutMs = integer('uploadIdleTimeoutMs', options.uploadIdleTimeoutMs, SERVER_DEFAULTS.uploadIdleTimeoutMs, 1, 3_600_000);
  const shutdownTimeoutMs = integer('shutdownTimeoutMs', options.shutdownTimeoutMs, SERVER_DEFAULTS.shutdownTimeoutMs, 0, 3_600_000);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey.length === 0)) {
    throw new InvalidOptionError("server option 'apiKey' must be a non-empty string");
  }
  const cors = corsOrigins(options.cors);
  const maxLiveSessions = integer('maxLiveSessions', options.maxLiveSessions, SERVER_DEFAULTS.maxLiveSessions, 0, 1000);
  const liveLimits = {
    maxSeconds: integer('maxLiveSeconds', options.maxLiveSeconds, SERVER_DEFAULTS.maxLiveSeconds, 1, 86_400),
    idleTimeoutMs: integer('liveIdleTimeoutMs', options.liveIdleTimeoutMs, SERVER_DEFAULTS.liveIdleTimeoutMs, 1, 3_600_000),
    maxFrameBytes: integer('maxLiveFrameBytes', options.maxLiveFrameBytes, SERVER_DEFAULTS.maxLiveFrameBytes, 2, 64 * 1024 * 1024),
  };

  // Before the model: no model load for a queue that cannot be reached.
  const queue = queueOption ? await openQueuedTranscriber(queueOption.redis, queueOption.name, maxUploadBytes) : undefined;
  let model: WhisperModel;
  let name: string;
  const ownsModel = given === undefined;
  if (given !== undefined) {
    if (given.disposed) throw new DisposedError('createServer() was given a model that is already disposed');
    model = given;
    name = modelName(undefined, model.info.path);
  } else {
    const requested = options.model as string | undefined;
    try {
      const file = await resolveDefaultModelPath(requested);
      // With a queue only the live sessions decode here.
      model = await loadModel(file, { ...validateLoadOptions(options.load), maxConcurrency: queue ? 1 : maxConcurrency });
      name = modelName(requested ?? process.env.WHISPER_NAPI_MODEL, file);
    } catch (error) {
      await queue?.close();
      throw error;
    }
  }

  const context: ServerContext = {
    model,
    modelName: name,
    admission: new Admission(maxConcurrency + maxQueue),
    metrics: new ServerMetrics(),
    maxUploadBytes,
    uploadIdleTimeoutMs,
    live: maxLiveSessions > 0 ? { sessions: new Admission(maxLiveSessions), limits: liveLimits } : undefined,
    queue,
    maxConcurrency,
    closing: false,
  };
  let app;
  try {
    app = await buildApp(context, { apiKey: options.apiKey, cors, loopback: isLoopback(host), webPage: options.webPage ?? true, log: options.log });
    await app.listen({ host, port });
  } catch (error) {
    if (ownsModel) await model.dispose();
    await queue?.close();
    throw error;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closed: Promise<void> | undefined;
  const close = (closeOptions: { timeoutMs?: number } = {}): Promise<void> => {
    if (closed !== undefined) return closed;
    let timeoutMs: number;
    try {
      timeoutMs = integer('timeoutMs', closeOptions.timeoutMs, shutdownTimeoutMs, 0, 3_600_000);
    } catch (error) {
      return Promise.reject(error); // and a later close() with a good value still works
    }
    closed = shutDown(app, context, timeoutMs).then(async () => {
      await queue?.close();
      if (ownsModel) await model.dispose();
    });
    return closed;
  };

  return {
    url: `http://${urlHost}:${boundPort}`,
    host,
    port: boundPort,
    model,
    stats: (): ServerStats => ({
      inFlight: context.admission.size,
      running: model.jobs.running,
      waiting: model.jobs.waiting,
      completed: context.metrics.completedJobs,
      liveSessions: context.live?.sessions.size ?? 0,
    }),
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}

function checkQueueOption(value: ServerOptions['queue']): { redis: string; name?: string } | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || typeof value.redis !== 'string') {
    throw new InvalidOptionError("server option 'queue' must be { redis: 'redis://host:6379', name?: string }");
  }
  return value;
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Time aborted requests get to write their 503 before the connections are cut. */
const ABORT_GRACE_MS = 2_000;

/**
 * Stops listening (requests still arriving on open connections get 503 from the guard),
 * ends the live sessions (an open-ended stream has nothing to finish), waits for the
 * admitted requests for up to `timeoutMs`, aborts what is left (a job, or an upload, whose
 * connection is then ended), and closes every connection.
 */
async function shutDown(app: FastifyInstance, context: ServerContext, timeoutMs: number): Promise<void> {
  context.closing = true;
  // Before app.close(), whose WebSocket plugin would close the sockets without a word.
  context.live?.sessions.abortAll(new ShuttingDownError('the server is shutting down: the live session was ended'));
  // Stop listening now: app.close() does it only after the plugins' preClose hooks (the
  // WebSocket plugin's), a few turns later, and connections that reach the backlog
  // meanwhile are reset rather than refused. Resolves once every connection has ended.
  const stopped = new Promise<void>((resolve) => app.server.close(() => resolve()));
  const listening = app.close();
  let grace: NodeJS.Timeout | undefined;
  const deadline = setTimeout(() => {
    context.admission.abortAll(new ShuttingDownError('the server shut down before this transcription finished'));
    grace = setTimeout(() => app.server.closeAllConnections(), ABORT_GRACE_MS);
  }, timeoutMs);
  // A live session gives its place back once its socket has closed (or been cut, 2 s after
  // the close frame) and its decode has stopped.
  await Promise.all([context.admission.idle(), context.live?.sessions.idle()]);
  clearTimeout(deadline);
  clearTimeout(grace);
  // Every admitted request is answered: connections left open are idle or dead.
  app.server.closeAllConnections();
  await Promise.all([listening, stopped]);
}
