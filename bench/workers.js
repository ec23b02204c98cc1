#!/usr/bin/env node
// Throughput of the job queue (issue 22): 1, 2 and 3 `whisper-napi worker` processes on one
// throwaway Redis (redis-server on a loopback port, scripts/redis-server.js), each job jfk.wav
// (11 s) by path, against the same jobs run back to back in one process without a queue.
//
//   node bench/workers.js [--workers 1,2,3] [--jobs 16] [--threads 1] [--model file] [--json]
//
// Every worker decodes with --threads threads (default 1), so N workers ask for N x threads
// cores: on a 2-core machine the third worker adds no core, only contention. The model is the
// real tiny.en when the real tier is prepared (node scripts/prepare-real-tier.js), else a
// generated tiny.en (random weights: the time is realistic, the text is not); --model names
// another file. Needs dist/ (npm run build:ts) and redis-server.
//
// Each run starts its workers and waits until each says it takes jobs (model loaded), then
// enqueues every job at once and times until the last one completes: the figure is jobs per
// minute and seconds of audio per second of wall time, with the queue's cost included (job
// data to Redis, the worker's fetch, the result back) and the model load excluded.
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { startRedis } = require('../scripts/redis-server.js');

const ROOT = path.resolve(__dirname, '..');
const JFK = path.resolve(ROOT, '..', 'shared', 'fixtures', 'jfk.wav');
const AUDIO_SECONDS = 11;

function defaultModel() {
  const manifest = process.env.WHISPER_REAL_TIER || path.join(ROOT, '.cache', 'real-tier', 'manifest.json');
  try {
    const file = JSON.parse(fs.readFileSync(manifest, 'utf8')).models['tiny.en'].ggml;
    if (fs.existsSync(file)) return { file, real: true };
  } catch {
    // no real tier
  }
  const dir = path.join(ROOT, '.cache', 'models');
  const generated = fs.existsSync(dir) ? fs.readdirSync(dir).find((f) => /^tiny\.en-s1-[0-9a-f]+\.bin$/.test(f)) : undefined;
  if (!generated) throw new Error('no model: prepare the real tier, run the tests once (they generate tiny.en), or pass --model');
  return { file: path.join(dir, generated), real: false };
}

function startWorker(redis, queue, model, threads) {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'whisper-napi.js'), 'worker', '--redis', redis, '--queue', queue, '--model', model, '--threads', String(threads)], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start: ${stderr}`)), 120_000);
    child.on('exit', (code) => reject(new Error(`worker exited (${code}): ${stderr}`)));
    const check = () => {
      if (/taking jobs from queue/.test(stderr)) {
        clearTimeout(timer);
        child.stderr.off('data', check);
        child.log = () => stderr;
        resolve(child);
      }
    };
    child.stderr.on('data', check);
  });
}

/** Redis's own counters: commands run, bytes in and out (for the per-job cost on Redis). */
async function redisStats(redis) {
  const Redis = require('ioredis');
  const client = new Redis(redis);
  try {
    const info = await client.info('stats');
    const field = (name) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)[1]);
    return { commands: field('total_commands_processed'), bytesIn: field('total_net_input_bytes'), bytesOut: field('total_net_output_bytes') };
  } finally {
    client.disconnect();
  }
}

async function runQueue(lib, redis, workers, jobs, model, threads, cost, spread) {
  const queueName = `bench-${workers}-${Date.now()}`;
  const children = await Promise.all(Array.from({ length: workers }, () => startWorker(redis, queueName, model, threads)));
  const queue = await lib.openTranscriptionQueue({ redis, name: queueName });
  try {
    const before = await redisStats(redis);
    const started = process.hrtime.bigint();
    const handles = await Promise.all(Array.from({ length: jobs }, () => queue.enqueue(JFK, { transcribe: { temperatureIncrement: 0 } })));
    await Promise.all(handles.map((h) => h.result()));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // How the jobs spread over the workers (each logs one line per job done).
    spread.push({ workers, jobsPerWorker: children.map((c) => (c.log().match(/job \S+ done/g) ?? []).length) });
    const after = await redisStats(redis);
    // Includes the idle workers' polling and the lock renewals over the run.
    cost.push({ workers, commandsPerJob: (after.commands - before.commands) / jobs, bytesPerJob: (after.bytesIn + after.bytesOut - before.bytesIn - before.bytesOut) / jobs });
    const counts = await queue.counts();
    if (counts.completed !== jobs || counts.failed !== 0) throw new Error(`expected ${jobs} completed, got ${JSON.stringify(counts)}`);
    return seconds;
  } finally {
    await queue.close();
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r() : c.once('exit', r)))));
  }
}

async function runInProcess(lib, jobs, model, threads) {
  const m = await lib.loadModel(model, { threads });
  try {
    const started = process.hrtime.bigint();
    for (let i = 0; i < jobs; i++) await m.transcribe(JFK, { threads, temperatureIncrement: 0 });
    return Number(process.hrtime.bigint() - started) / 1e9;
  } finally {
    await m.dispose();
  }
}

async function main() {
  const { values } = parseArgs({
    options: { workers: { type: 'string', default: '1,2,3' }, jobs: { type: 'string', default: '16' }, threads: { type: 'string', default: '1' }, model: { type: 'string' }, json: { type: 'boolean' } },
  });
  const lib = require(path.join(ROOT, 'dist', 'cjs', 'index.js'));
  const model = values.model ? { file: values.model, real: false } : defaultModel();
  const jobs = Number(values.jobs);
  const threads = Number(values.threads);
  const counts = values.workers.split(',').map(Number);
  const redis = await startRedis();
  const rows = [];
  const cost = [];
  const spread = [];
  const row = (setup, workers, seconds) => {
    const r = { setup, workers, jobs, seconds: Number(seconds.toFixed(2)), jobsPerMinute: Number(((60 * jobs) / seconds).toFixed(1)), audioSecondsPerSecond: Number(((AUDIO_SECONDS * jobs) / seconds).toFixed(1)) };
    rows.push(r);
    if (!values.json) console.error(`${setup}: ${r.seconds} s, ${r.jobsPerMinute} jobs/min, ${r.audioSecondsPerSecond} s of audio per s`);
  };
  try {
    row('in-process, no queue', 1, await runInProcess(lib, jobs, model.file, threads));
    for (const n of counts) row(`${n} worker${n > 1 ? 's' : ''}`, n, await runQueue(lib, redis.url, n, jobs, model.file, threads, cost, spread));
  } finally {
    await redis.stop();
  }
  const report = { model: path.basename(model.file), realWeights: model.real, threadsPerWorker: threads, cpus: os.cpus().length, cpu: os.cpus()[0]?.model, rows, redisCost: cost, spread };
  if (values.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  const base = rows[1]?.seconds;
  console.log(`\n${report.model} (${model.real ? 'real weights' : 'generated'}), ${jobs} jobs of jfk.wav (11 s), ${threads} thread(s) per worker, ${report.cpus} CPUs (${report.cpu})\n`);
  console.log('| setup | wall s | jobs/min | audio s per s | vs 1 worker |');
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.setup} | ${r.seconds} | ${r.jobsPerMinute} | ${r.audioSecondsPerSecond} | ${r.setup.includes('worker') && base ? `${(base / r.seconds).toFixed(2)}x` : ''} |`);
  console.log('\nRedis per job (every command and byte Redis handled during the run, divided by the jobs):');
  for (const c of cost) console.log(`- ${c.workers} worker(s): ${c.commandsPerJob.toFixed(0)} commands, ${(c.bytesPerJob / 1024).toFixed(1)} KiB in+out`);
  console.log(`\nJobs per worker: ${spread.map((s) => `${s.workers}: ${s.jobsPerWorker.join('/')}`).join('; ')}`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
