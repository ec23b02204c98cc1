/**
 * Scale-out on a job queue (issue 22): a real Redis (redis-server on a loopback port, in a
 * temporary directory, started here) and `whisper-napi worker` processes.
 * - 50 jobs (paths, inline bytes and URLs) over 3 workers: each completed exactly once
 *   (one `completed` event per job id), with the transcript the library gives in-process;
 * - a worker SIGKILLed mid-job: its job is taken up by another worker through BullMQ's
 *   stalled-job check and completed once, nothing lost or duplicated;
 * - Redis restarted mid-run: the workers reconnect and finish every job, once;
 * - SIGTERM: a worker finishes its running job, then exits 0.
 *
 * redis-server missing: this file fails under CI (.ci/run installs it) and is skipped,
 * loudly, elsewhere.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';

import type { QueueEvents as QueueEventsType } from 'bullmq';

import { loadModel, openTranscriptionQueue, type Transcript, type TranscriptionQueue } from '../src';
import { longSpeech } from './support/audio';
import { JFK_WAV, MODELS, ROOT, modelPath } from './support/paths';
import { describeIfRedis, startRedis, type TestRedis } from './support/redis';

jest.setTimeout(180_000);

const MODEL = modelPath(MODELS.micro);
/** What every job asks for: no temperature fallback. The workers decode on one thread each (3 share 2 cores), as the reference does. */
const OPTIONS = { temperatureIncrement: 0 } as const;
const describeWithRedis = describeIfRedis('test/queue-workers.test.ts', 'the job-queue tests with worker processes');

interface WorkerProcess {
  child: ChildProcess;
  pid: number;
  /** Everything it wrote to stderr so far. */
  log(): string;
  exited: Promise<number | null>;
}

function startWorker(redis: string, queue: string, extra: string[] = []): Promise<WorkerProcess> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'whisper-napi.js'), 'worker', '--redis', redis, '--queue', queue, '--model', MODEL, '--threads', '1', ...extra], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 60_000);
    const check = () => {
      if (/taking jobs from queue/.test(stderr)) {
        clearTimeout(timer);
        child.stderr!.off('data', check);
        resolve({ child, pid: child.pid!, log: () => stderr, exited });
      }
    };
    child.stderr!.on('data', check);
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it started: ${stderr}`)));
  });
}

async function stopWorkers(workers: WorkerProcess[]): Promise<void> {
  for (const w of workers) w.child.kill('SIGKILL');
  await Promise.all(workers.map((w) => w.exited));
}

/** Counts `completed` and `failed` events per job id, as any observer of the queue sees them. */
async function watchEvents(redis: string, queue: string): Promise<{ events: QueueEventsType; completed: Map<string, number>; failed: Map<string, string> }> {
  const { QueueEvents } = await import('bullmq');
  const events = new QueueEvents(queue, { connection: { url: redis } });
  events.on('error', () => {});
  const completed = new Map<string, number>();
  const failed = new Map<string, string>();
  events.on('completed', ({ jobId }) => completed.set(jobId, (completed.get(jobId) ?? 0) + 1));
  events.on('failed', ({ jobId, failedReason }) => failed.set(jobId, failedReason));
  await events.waitUntilReady();
  return { events, completed, failed };
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // A check that fails (Redis restarting) counts as not yet.
  while (!(await Promise.resolve().then(condition).catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describeWithRedis('job queue with real Redis and worker processes', () => {
  let redis: TestRedis;
  let expected: Transcript;
  let expectedLong: Transcript;
  const LONG = longSpeech(30).file;
  let audioServer: http.Server;
  let audioUrl: string;

  beforeAll(async () => {
    redis = await startRedis();
    // The reference: the same audio, model and options, transcribed in this process.
    const model = await loadModel(MODEL, { threads: 1 });
    try {
      expected = await model.transcribe(JFK_WAV, OPTIONS);
      expectedLong = await model.transcribe(LONG, OPTIONS);
    } finally {
      await model.dispose();
    }
    // A URL for the jobs that name their audio by URL.
    const bytes = fs.readFileSync(JFK_WAV);
    audioServer = http.createServer((_req, res) => res.writeHead(200, { 'content-type': 'audio/wav' }).end(bytes));
    await new Promise<void>((resolve) => audioServer.listen(0, '127.0.0.1', resolve));
    audioUrl = `http://127.0.0.1:${(audioServer.address() as { port: number }).port}/jfk.wav`;
  });

  afterAll(async () => {
    await redis?.stop();
    await new Promise((resolve) => audioServer?.close(resolve));
  });

  interface Fleet {
    workers: WorkerProcess[];
    observed: Awaited<ReturnType<typeof watchEvents>>;
    queue: TranscriptionQueue;
  }

  /** Worker processes on queue `name`, an observer of its events and a producer; all closed after `run`. */
  async function withFleet(name: string, count: number, extra: string[], run: (fleet: Fleet) => Promise<void>): Promise<void> {
    const workers = await Promise.all(Array.from({ length: count }, () => startWorker(redis.url, name, extra)));
    const observed = await watchEvents(redis.url, name);
    const queue = await openTranscriptionQueue({ redis: redis.url, name });
    try {
      await run({ workers, observed, queue });
    } finally {
      await queue.close();
      await observed.events.close();
      await stopWorkers(workers);
    }
  }

  /** Every job completed exactly once (one `completed` event each), none failed, nothing left. */
  async function expectEachCompletedOnce({ observed, queue }: Fleet, ids: string[]): Promise<void> {
    await until('the completed events', () => ids.every((id) => observed.completed.has(id)), 10_000);
    expect(ids.map((id) => observed.completed.get(id))).toEqual(ids.map(() => 1));
    expect(observed.failed.size).toBe(0);
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0, delayed: 0, completed: ids.length, failed: 0 });
  }

  test('50 jobs over 3 workers: each completed exactly once, with the in-process transcript', async () => {
    await withFleet('fifty', 3, [], async (fleet) => {
      const started = Date.now();
      const bytes = fs.readFileSync(JFK_WAV);
      // 40 by path (shared storage), 5 inline, 5 by URL.
      const inputs = Array.from({ length: 50 }, (_, i) => (i % 10 === 3 ? bytes : i % 10 === 7 ? new URL(audioUrl) : JFK_WAV));
      const jobs = await Promise.all(inputs.map((input) => fleet.queue.enqueue(input, { transcribe: OPTIONS })));
      expect(new Set(jobs.map((j) => j.id)).size).toBe(50);
      const results = await Promise.all(jobs.map((j) => j.result()));
      const seconds = (Date.now() - started) / 1000;
      for (const transcript of results) {
        expect(transcript.text).toBe(expected.text);
        expect(transcript.segments.map((s) => [s.start, s.end, s.text])).toEqual(expected.segments.map((s) => [s.start, s.end, s.text]));
      }
      await expectEachCompletedOnce(fleet, jobs.map((j) => j.id));
      // Each job was started once: no worker lost its lock and no job ran twice.
      expect(fleet.workers.flatMap((w) => w.log().match(/job \S+ started/g) ?? [])).toHaveLength(50);
      const perWorker = fleet.workers.map((w) => (w.log().match(/job \S+ done/g) ?? []).length);
      expect(perWorker.reduce((a, b) => a + b, 0)).toBe(50);
      expect(perWorker.every((n) => n > 0)).toBe(true);
      console.log(`50 jobs on 3 workers in ${seconds.toFixed(1)} s (per worker: ${perWorker.join(', ')})`);
    });
  });

  test('a worker SIGKILLed mid-job: another worker takes its job up and completes it once', async () => {
    // Short locks, so the dead worker's job is taken up within seconds rather than 30 s.
    await withFleet('sigkill', 3, ['--lock-duration', '2', '--stalled-interval', '1'], async (fleet) => {
      // The first worker to start a job is killed the moment it says so, mid-decode.
      let victim: WorkerProcess | undefined;
      let victimJob = '';
      const killed = new Promise<void>((resolve) => {
        for (const w of fleet.workers) {
          w.child.stderr!.on('data', () => {
            const m = /job (\S+) started/.exec(w.log());
            if (m && victim === undefined) {
              [victim, victimJob] = [w, m[1]!];
              w.child.kill('SIGKILL');
              void w.exited.then(() => resolve());
            }
          });
        }
      });
      const jobs = await Promise.all(Array.from({ length: 6 }, () => fleet.queue.enqueue(LONG, { transcribe: OPTIONS })));
      await killed;
      expect(victim!.log()).not.toContain(`job ${victimJob} done`);

      const results = await Promise.all(jobs.map((j) => j.result()));
      for (const t of results) expect(t.text).toBe(expectedLong.text);
      await expectEachCompletedOnce(fleet, jobs.map((j) => j.id));
      // A survivor finished it, having taken it back from the dead worker.
      const finisher = fleet.workers.find((w) => w !== victim && w.log().includes(`job ${victimJob} done`));
      expect(finisher?.log()).toContain(`job ${victimJob} started (attempt 2, stalled 1)`);
    });
  });

  test('Redis restarted mid-run: the workers reconnect and finish every job, once', async () => {
    await withFleet('restart', 3, [], async (fleet) => {
      const jobs = await Promise.all(Array.from({ length: 24 }, () => fleet.queue.enqueue(JFK_WAV, { transcribe: OPTIONS })));
      await until('a few completed jobs', () => fleet.observed.completed.size >= 4);
      await redis.restart(1000);
      // Results are stored in Redis: asked for after the restart, they are all there.
      await until('every job completed', async () => (await fleet.queue.counts()).completed === 24);
      const results = await Promise.all(jobs.map((j) => j.result()));
      for (const t of results) expect(t.text).toBe(expected.text);
      await expectEachCompletedOnce(fleet, jobs.map((j) => j.id));
      for (const w of fleet.workers) expect(w.child.exitCode).toBeNull();
      expect(fleet.workers.some((w) => /redis: .*reconnecting/.test(w.log()))).toBe(true);
    });
  });

  test('SIGTERM: the worker finishes its running job, takes no more, and exits 0', async () => {
    const name = 'sigterm';
    const worker = await startWorker(redis.url, name, ['--shutdown-timeout', '120']);
    const queue = await openTranscriptionQueue({ redis: redis.url, name });
    try {
      // 5 minutes of audio: still decoding when the signal comes, the moment it has started.
      const started = new Promise<void>((resolve) => worker.child.stderr!.on('data', () => /job \S+ started/.test(worker.log()) && resolve()));
      const first = await queue.enqueue(longSpeech(300).file, { transcribe: OPTIONS });
      await started;
      const second = await queue.enqueue(JFK_WAV, { transcribe: OPTIONS });
      worker.child.kill('SIGTERM');
      expect((await first.result()).timings.audioSeconds).toBeCloseTo(300, 0);
      expect(await worker.exited).toBe(0);
      expect(worker.log()).toMatch(/SIGTERM: finishing running jobs/);
      expect(worker.log()).toMatch(/worker stopped \(1 jobs completed, 0 failed\)/);
      // The job added meanwhile waits for the next worker.
      expect(await second.state()).toBe('waiting');
    } finally {
      await queue.close();
      worker.child.kill('SIGKILL');
    }
  });
});
