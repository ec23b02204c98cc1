/**
 * The queue's packages and its Redis connection. BullMQ and ioredis are optional
 * dependencies: they are imported here, lazily, by the worker, the producer and
 * `serve --redis` alone, so a program that only uses the library never loads them and an
 * install without them still works (until a queue is asked for: `QueueUnavailableError`).
 */
import { InvalidOptionError, QueueUnavailableError } from '../errors';

export type BullMQ = typeof import('bullmq');

let loading: Promise<BullMQ> | undefined;

/** BullMQ, imported once; it loads ioredis itself when it first connects. */
export function loadBullMQ(): Promise<BullMQ> {
  loading ??= import('bullmq').then(
    (bullmq) => {
      // BullMQ finds ioredis only when it connects; a missing one is better said now.
      require.resolve('ioredis');
      return bullmq;
    },
  ).catch((error: unknown) => {
    loading = undefined;
    throw new QueueUnavailableError(
      "the job queue needs the optional packages 'bullmq' and 'ioredis' (npm install bullmq ioredis): " + (error as Error).message.split('\n')[0],
      { cause: error },
    );
  });
  return loading;
}

/**
 * How a BullMQ class connects: a `redis://` (or `rediss://`, TLS) URL, with a reconnect
 * delay that stays short (at most 5 s) so that workers resume soon after Redis comes back,
 * where BullMQ's own default backs off to 20 s.
 */
export interface ConnectionOptions {
  url: string;
  retryStrategy: (times: number) => number;
  connectionName: string;
}

export function redisConnection(url: unknown, role: string): ConnectionOptions {
  if (typeof url !== 'string' || !/^rediss?:\/\/[^\s]+$/.test(url)) {
    throw new InvalidOptionError(`the Redis URL must look like redis://host:6379 (or rediss:// for TLS), got ${typeof url === 'string' ? `'${redactUrl(url)}'` : typeof url}`);
  }
  try {
    new URL(url);
  } catch {
    throw new InvalidOptionError(`the Redis URL '${redactUrl(url)}' is not a valid URL`);
  }
  return { url, retryStrategy: (times) => Math.min(250 * times, 5000), connectionName: `whisper-napi:${role}` };
}

/** The URL without its password, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^(rediss?:\/\/)([^@/]*:)?[^@/]*@/, (_m, scheme: string, user: string | undefined) => `${scheme}${user ?? ''}***@`);
}

export function checkQueueName(name: unknown): string {
  // BullMQ joins names into keys with ':'.
  if (typeof name !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(name)) {
    throw new InvalidOptionError(`the queue name must be 1 to 100 letters, digits, '_', '.' or '-', got ${JSON.stringify(name)}`);
  }
  return name;
}
