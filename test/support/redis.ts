/** A real Redis for the job-queue tests (scripts/redis-server.js, shared with bench/workers.js). */
import { warnSkipped } from './skip-banner';

export interface TestRedis {
  /** `redis://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /** Stops Redis (SIGTERM: it flushes its append-only file) and starts it again on the same port and files. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const launcher = require('../../scripts/redis-server.js') as { redisServerMissing(): string | undefined; startRedis(): Promise<TestRedis> };

/** Why redis-server cannot run here, or undefined when it can. */
export const redisServerMissing = launcher.redisServerMissing;
/** redis-server on a free loopback port, in a temporary directory, with an append-only file. */
export const startRedis = launcher.startRedis;

/**
 * `describe` for tests that need redis-server, or `describe.skip` without it: under CI
 * (.ci/run installs it) a missing redis-server is a failing test, elsewhere a loud banner.
 */
export function describeIfRedis(file: string, what: string): jest.Describe {
  const missing = redisServerMissing();
  if (missing && process.env.CI) {
    test('redis-server is installed', () => {
      throw new Error(`${missing}. .ci/run must install redis-server for ${what} (${file}).`);
    });
  } else if (missing) {
    warnSkipped([`SKIPPED: ${what} (${file}): ${missing}.`]);
  }
  return missing ? describe.skip : describe;
}
