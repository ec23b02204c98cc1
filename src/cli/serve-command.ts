/**
 * `whisper-napi serve`: the OpenAI-compatible server on one model, until SIGTERM or
 * SIGINT (Ctrl-C): then it stops taking requests, lets running jobs finish for up to
 * --shutdown-timeout seconds, aborts the rest, and exits. A second signal exits at once.
 */
import { InvalidOptionError } from '../errors';
import { checkModelPrecision } from '../models/precision';
import { SERVER_DEFAULTS, createServer } from '../server';
import { DEFAULT_QUEUE_NAME } from '../workers/job-data';
import { redactUrl } from '../workers/redis-connection';
import { checkInteger } from './flags';
import { ensureModel, type CliContext } from './model-choice';
import { untilSignal } from './signals';

export interface ServeFlags {
  model?: string;
  precision?: string;
  host?: string;
  port?: string;
  apiKey?: string;
  maxConcurrency?: string;
  maxQueue?: string;
  maxUploadMb?: string;
  cors?: string[];
  shutdownTimeout?: string;
  maxLiveSessions?: string;
  maxLiveSeconds?: string;
  liveIdleTimeout?: string;
  threads?: string;
  redis?: string;
  queue?: string;
}

export async function serveCommand(args: string[], flags: ServeFlags, context: CliContext, signals: NodeJS.EventEmitter = process): Promise<void> {
  if (args.length > 0) throw new InvalidOptionError(`serve takes no arguments, got '${args[0]}'`);
  const port = checkInteger('--port', flags.port, 0, 65535) ?? SERVER_DEFAULTS.port;
  const maxConcurrency = checkInteger('--max-concurrency', flags.maxConcurrency, 1, 64);
  const maxQueue = checkInteger('--max-queue', flags.maxQueue, 0, 10_000);
  const maxUploadMb = checkInteger('--max-upload-mb', flags.maxUploadMb, 1, 4096);
  const shutdownSeconds = checkInteger('--shutdown-timeout', flags.shutdownTimeout, 0, 3600);
  const maxLiveSessions = checkInteger('--max-live-sessions', flags.maxLiveSessions, 0, 1000);
  const maxLiveSeconds = checkInteger('--max-live-seconds', flags.maxLiveSeconds, 1, 86_400);
  const liveIdleSeconds = checkInteger('--live-idle-timeout', flags.liveIdleTimeout, 1, 3600);
  const threads = checkInteger('--threads', flags.threads, 1, 64);
  // The key may come from the environment, out of sight of `ps`.
  const apiKey = flags.apiKey ?? (process.env.WHISPER_NAPI_API_KEY || undefined);
  const redis = flags.redis ?? (process.env.WHISPER_NAPI_REDIS || undefined);
  if (flags.queue !== undefined && redis === undefined) throw new InvalidOptionError('--queue needs --redis');
  const precision = checkModelPrecision(flags.precision, '--precision');
  const modelPath = await ensureModel(flags.model, context, precision);

  const server = await createServer({
    model: modelPath,
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    port,
    ...(apiKey !== undefined ? { apiKey } : {}),
    ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
    ...(maxQueue !== undefined ? { maxQueue } : {}),
    ...(maxUploadMb !== undefined ? { maxUploadBytes: maxUploadMb * 1024 * 1024 } : {}),
    ...(flags.cors !== undefined && flags.cors.length > 0 ? { cors: flags.cors } : {}),
    ...(shutdownSeconds !== undefined ? { shutdownTimeoutMs: shutdownSeconds * 1000 } : {}),
    ...(maxLiveSessions !== undefined ? { maxLiveSessions } : {}),
    ...(maxLiveSeconds !== undefined ? { maxLiveSeconds } : {}),
    ...(liveIdleSeconds !== undefined ? { liveIdleTimeoutMs: liveIdleSeconds * 1000 } : {}),
    ...(threads !== undefined ? { load: { threads } } : {}),
    ...(redis !== undefined ? { queue: { redis, ...(flags.queue !== undefined ? { name: flags.queue } : {}) } } : {}),
    ...(context.quiet ? {} : { log: (line: string) => context.say(line) }),
  });
  const liveUrl = maxLiveSessions === 0 ? '' : `, live: ${server.url.replace(/^http/, 'ws')}/v1/audio/live`;
  context.say(`whisper-napi: serving ${server.model.info.path} at ${server.url} (web page: ${server.url}/, API: ${server.url}/v1/audio/transcriptions${liveUrl})`);
  if (redis !== undefined) {
    context.say(`whisper-napi: uploads go to the workers of queue '${flags.queue ?? DEFAULT_QUEUE_NAME}' at ${redactUrl(redis)} (whisper-napi worker); live sessions decode here`);
  }
  if (apiKey === undefined && !['127.0.0.1', '::1', 'localhost'].includes(server.host)) {
    context.say(`whisper-napi: warning: listening on ${server.host} without --api-key: anyone who can reach this port can use it`);
  }

  await untilSignal(signals, context, 'finishing running transcriptions, then exiting', () => server.close());
  context.say('whisper-napi: stopped');
}
