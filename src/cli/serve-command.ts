/**
 * `whisper-napi serve`: the OpenAI-compatible server on one model, until SIGTERM or
 * SIGINT (Ctrl-C): then it stops taking requests, lets running jobs finish for up to
 * --shutdown-timeout seconds, aborts the rest, and exits. A second signal exits at once.
 */
import { InvalidOptionError } from '../errors';
import { checkModelPrecision } from '../models/precision';
import { SERVER_DEFAULTS, createServer } from '../server';
import { checkInteger } from './flags';
import { ensureModel, type CliContext } from './model-choice';

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
    ...(context.quiet ? {} : { log: (line: string) => context.say(line) }),
  });
  const liveUrl = maxLiveSessions === 0 ? '' : `, live: ${server.url.replace(/^http/, 'ws')}/v1/audio/live`;
  context.say(`whisper-napi: serving ${server.model.info.path} at ${server.url} (web page: ${server.url}/, API: ${server.url}/v1/audio/transcriptions${liveUrl})`);
  if (apiKey === undefined && !['127.0.0.1', '::1', 'localhost'].includes(server.host)) {
    context.say(`whisper-napi: warning: listening on ${server.host} without --api-key: anyone who can reach this port can use it`);
  }

  await new Promise<void>((resolve, reject) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        context.say(`whisper-napi: ${signal} again: exiting without waiting`);
        // 128 + the signal's number, as a shell reports a process killed by it.
        process.exit(signal === 'SIGINT' ? 130 : 143);
      }
      stopping = true;
      context.say(`whisper-napi: ${signal}: finishing running transcriptions, then exiting`);
      server.close().then(resolve, reject);
    };
    signals.on('SIGTERM', () => stop('SIGTERM'));
    signals.on('SIGINT', () => stop('SIGINT'));
  });
  context.say('whisper-napi: stopped');
}
