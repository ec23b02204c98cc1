/**
 * `createServer()`: an OpenAI-compatible transcription server on one shared model.
 *
 *   const server = await createServer({ model: 'tiny.en', port: 8080 });
 *   // POST server.url + '/v1/audio/transcriptions' (multipart: file, response_format, ...)
 *   await server.close();
 */
import * as path from 'node:path';

import { InvalidOptionError } from '../errors';
import { WhisperModel, loadModel } from '../model';
import { findKnownModel } from '../models/registry';
import { resolveDefaultModelPath } from '../models/resolve';
import { validateLoadOptions } from '../options';
import { Admission } from './admission';
import { buildApp } from './app';
import type { ServerContext } from './context';
import { ShuttingDownError } from './http-errors';
import { ServerMetrics } from './metrics';
import type { ServerOptions, ServerStats, TranscriptionServer } from './types';

export type { ServerOptions, ServerStats, TranscriptionServer } from './types';

export const SERVER_DEFAULTS = {
  host: '127.0.0.1',
  port: 8080,
  maxConcurrency: 1,
  maxQueue: 8,
  maxUploadBytes: 25 * 1024 * 1024,
  shutdownTimeoutMs: 10_000,
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
  // A model passed in decodes as many jobs at once as it was loaded for.
  const maxConcurrency = integer('maxConcurrency', options.maxConcurrency, given?.maxConcurrency ?? SERVER_DEFAULTS.maxConcurrency, 1, 64);
  if (given !== undefined && maxConcurrency !== given.maxConcurrency) {
    throw new InvalidOptionError(`server option 'maxConcurrency' (${maxConcurrency}) differs from the model's (${given.maxConcurrency}): set it in loadModel's options`);
  }
  const maxQueue = integer('maxQueue', options.maxQueue, SERVER_DEFAULTS.maxQueue, 0, 10_000);
  const maxUploadBytes = integer('maxUploadBytes', options.maxUploadBytes, SERVER_DEFAULTS.maxUploadBytes, 1, 2 ** 32);
  const shutdownTimeoutMs = integer('shutdownTimeoutMs', options.shutdownTimeoutMs, SERVER_DEFAULTS.shutdownTimeoutMs, 0, 3_600_000);
  if (options.apiKey !== undefined && (typeof options.apiKey !== 'string' || options.apiKey.length === 0)) {
    throw new InvalidOptionError("server option 'apiKey' must be a non-empty string");
  }
  const cors = corsOrigins(options.cors);

  let model: WhisperModel;
  let name: string;
  const ownsModel = given === undefined;
  if (given !== undefined) {
    model = given;
    name = modelName(undefined, model.info.path);
  } else {
    const requested = options.model as string | undefined;
    const file = await resolveDefaultModelPath(requested);
    model = await loadModel(file, { ...validateLoadOptions(options.load), maxConcurrency });
    name = modelName(requested ?? process.env.WHISPER_NAPI_MODEL, file);
  }

  const context: ServerContext = {
    model,
    modelName: name,
    admission: new Admission(maxConcurrency + maxQueue),
    metrics: new ServerMetrics(),
    maxUploadBytes,
    maxConcurrency,
    closing: false,
  };
  let app;
  try {
    app = await buildApp(context, { apiKey: options.apiKey, cors, webPage: options.webPage ?? true, log: options.log });
    await app.listen({ host, port });
  } catch (error) {
    if (ownsModel) await model.dispose();
    throw error;
  }
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  const close = (closeOptions: { timeoutMs?: number } = {}): Promise<void> => {
    closing ??= (async () => {
      const timeoutMs = integer('timeoutMs', closeOptions.timeoutMs, shutdownTimeoutMs, 0, 3_600_000);
      context.closing = true;
      // Past the deadline, jobs still running are aborted; their clients get 503.
      const deadline = setTimeout(() => context.admission.abortAll(new ShuttingDownError('the server shut down before this transcription finished')), timeoutMs);
      const closed = app.close(); // stops listening; new requests on open connections get 503
      await context.admission.idle();
      clearTimeout(deadline);
      // Every answer is written: connections left open are idle or dead.
      setImmediate(() => app.server.closeAllConnections());
      await closed;
      if (ownsModel) await model.dispose();
    })();
    return closing;
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
    }),
    close,
    [Symbol.asyncDispose]: () => close(),
  };
}
