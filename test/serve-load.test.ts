/**
 * Load test of the transcription server (issue 20), bounded: 8 autocannon clients post jfk.wav
 * back to back for 15 s to a server that admits 3 requests (maxConcurrency 1, maxQueue 2), on
 * the generated micro model so that the queue turns over many times. Every request sent must
 * get an answer, 200 or 429 (none lost, none timed out, no connection error), both must occur
 * (the queue really was full), RSS must stay flat after a warm-up run, and once the load stops
 * nothing may be left in flight, in the server's stats or in its metrics.
 *
 * The driver is bench/serve-load.js (node bench/serve-load.js runs the same measurement for
 * longer on tiny.en); its report is printed so that CI logs carry p50/p99 and the counts.
 */
import { createServer } from '../src/server';
import { JFK_WAV, MODELS, modelPath } from './support/paths';
import { rssTest } from './support/sanitized';

interface Latency {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}
interface Run {
  sent: number;
  answered: number;
  lost: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  byStatus: Record<string, number>;
  latency: Record<'ok' | 'rejected' | 'other' | 'all', Latency>;
}
interface Report {
  warmup: Run;
  run: Run;
  rss: { start: number; afterWarmup: number; min: number; max: number; end: number; samples: number };
  end: { stats: Record<string, number>; metricsStatus: number; metrics: Record<string, number | undefined> };
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { measureServer, formatReport } = require('../bench/serve-load.js') as {
  measureServer: (server: unknown, options: { clients: number; seconds: number; warmupSeconds: number; file: string; timeoutS: number }) => Promise<Report>;
  formatReport: (report: Report, title: string) => string;
};

const MB = 1024 * 1024;
const LOAD = { clients: 8, seconds: 15, warmupSeconds: 3, file: JFK_WAV, timeoutS: 20 };
const ADMITTED = { maxConcurrency: 1, maxQueue: 2 };
// RSS may grow this much from the end of the warm-up run to any 250-ms sample of the measured
// run and to its end. Measured (2 shared cores): 17 and 30 MB here (16,700 and 19,300 requests in 15 s), 18 MB
// with the real tiny.en for 30 s, and a sawtooth of 189-209 MB over 90 s of this load
// (126,000 requests, at most 30 MB above the warm-up's end) that does not climb: V8's heap
// between collections. 64 MB is twice that swing, and is passed by a leak of 4 KB a request,
// let alone an upload (350 KB) kept per 429.
const RSS_GROWTH_BOUND = 64 * MB;

let report: Report | undefined;

test(`${LOAD.clients} clients for ${LOAD.seconds} s, ${ADMITTED.maxConcurrency} running + ${ADMITTED.maxQueue} queued: every request answered 200 or 429, nothing left in flight`, async () => {
  const server = await createServer({ model: modelPath(MODELS.micro), port: 0, ...ADMITTED });
  try {
    report = await measureServer(server, LOAD);
  } finally {
    await server.close({ timeoutMs: 10_000 });
  }
  console.log(formatReport(report, `serve-load test: ${LOAD.clients} clients x ${LOAD.seconds} s (warm-up ${LOAD.warmupSeconds} s), generated micro model, maxConcurrency ${ADMITTED.maxConcurrency}, maxQueue ${ADMITTED.maxQueue}`));
  const { warmup, run, end } = report;

  for (const r of [warmup, run]) {
    expect({ lost: r.lost, errors: r.errors, timeouts: r.timeouts }).toEqual({ lost: 0, errors: 0, timeouts: 0 });
    expect(r.answered).toBe(r.sent);
    expect(Object.keys(r.byStatus).sort()).toEqual(['200', '429']);
    expect(r.non2xx).toBe(r.byStatus['429']); // autocannon's own count agrees
  }
  expect(run.byStatus['200']).toBeGreaterThanOrEqual(10);
  expect(run.byStatus['429']).toBeGreaterThanOrEqual(10);

  expect(end.stats).toMatchObject({ inFlight: 0, running: 0, waiting: 0 });
  expect(end.metricsStatus).toBe(200);
  expect(end.metrics).toMatchObject({ queue_depth: 0, jobs_running: 0, requests_in_flight: 0 });
  // Every 200 was a transcription, and no transcription went unanswered.
  expect(end.metrics.transcriptions_total).toBe(warmup.byStatus['200']! + run.byStatus['200']!);
}, 90_000);

// Under the sanitizers RSS means nothing (test/support/sanitized.ts): skipped there, and only there.
rssTest('RSS stays flat under that load: no sample of the measured run, nor its end, far above the warm-up', () => {
  if (report === undefined) throw new Error('the load run above did not finish');
  const { rss } = report;
  expect(rss.max - rss.afterWarmup).toBeLessThan(RSS_GROWTH_BOUND);
  expect(rss.end - rss.afterWarmup).toBeLessThan(RSS_GROWTH_BOUND);
});
