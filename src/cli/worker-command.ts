/**
 * `whisper-napi worker --redis URL`: takes transcription jobs from a BullMQ queue until
 * SIGTERM or SIGINT; then it stops taking jobs, lets the running ones finish for up to
 * --shutdown-timeout seconds, puts the rest back in the queue, and exits. A second signal
 * exits at once (the job's lock then runs out and another worker takes it).
 */
import { InvalidOptionError } from '../errors';
import { checkModelPrecision } from '../models/precision';
import { WORKER_DEFAULTS, createWorker } from '../workers/worker';
import { redactUrl } from '../workers/redis-connection';
import { checkInteger } from './flags';
import { ensureModel, type CliContext } from './model-choice';
import { untilSignal } from './signals';

export interface WorkerFlags {
  redis?: string;
  queue?: string;
  concurrency?: string;
  model?: string;
  precision?: string;
  threads?: string;
  shutdownTimeout?: string;
  lockDuration?: string;
  stalledInterval?: string;
}

export async function workerCommand(args: string[], flags: WorkerFlags, context: CliContext, signals: NodeJS.EventEmitter = process): Promise<void> {
  if (args.length > 0) throw new InvalidOptionError(`worker takes no arguments, got '${args[0]}'`);
  // The URL may come from the environment, out of sight of `ps` (it can hold a password).
  const redis = flags.redis ?? (process.env.WHISPER_NAPI_REDIS || undefined);
  if (redis === undefined) throw new InvalidOptionError('worker needs --redis redis://host:6379 (or $WHISPER_NAPI_REDIS)');
  const concurrency = checkInteger('--concurrency', flags.concurrency, 1, 64);
  const threads = checkInteger('--threads', flags.threads, 1, 64);
  const shutdownSeconds = checkInteger('--shutdown-timeout', flags.shutdownTimeout, 0, 3600);
  const lockSeconds = checkInteger('--lock-duration', flags.lockDuration, 1, 3600);
  const stalledSeconds = checkInteger('--stalled-interval', flags.stalledInterval, 1, 3600);
  const precision = checkModelPrecision(flags.precision, '--precision');
  const modelPath = await ensureModel(flags.model, context, precision);

  const worker = await createWorker({
    redis,
    ...(flags.queue !== undefined ? { queue: flags.queue } : {}),
    model: modelPath,
    ...(concurrency !== undefined ? { concurrency } : {}),
    ...(threads !== undefined ? { load: { threads } } : {}),
    ...(shutdownSeconds !== undefined ? { shutdownTimeoutMs: shutdownSeconds * 1000 } : {}),
    ...(lockSeconds !== undefined ? { lockDurationMs: lockSeconds * 1000 } : {}),
    ...(stalledSeconds !== undefined ? { stalledIntervalMs: stalledSeconds * 1000 } : {}),
    ...(context.quiet ? {} : { log: (line: string) => context.say(`whisper-napi: ${line}`) }),
  });
  context.say(
    `whisper-napi: worker ${process.pid} taking jobs from queue '${worker.queueName}' at ${redactUrl(redis)} with ${worker.model.info.path} (concurrency ${concurrency ?? WORKER_DEFAULTS.concurrency})`,
  );

  await untilSignal(signals, context, 'finishing running jobs, then exiting', () => worker.close());
  const { completed, failed } = worker.stats();
  context.say(`whisper-napi: worker stopped (${completed} jobs completed, ${failed} failed)`);
}
