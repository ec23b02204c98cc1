#!/usr/bin/env node
// Load test of the transcription server (issue 20): N clients post jfk.wav to
// POST /v1/audio/transcriptions back to back for a fixed time (autocannon, loopback only), and
// the report says whether every request was answered (200 or 429: none lost, none hung), the
// p50/p90/p99 latency of the 200s, of the 429s and of all answers, and whether the process's
// RSS stayed flat after a warm-up run.
//
//   node bench/serve-load.js [--clients 16] [--seconds 30] [--warmup 5] [--model file]
//                            [--max-concurrency 1] [--max-queue 4] [--timeout 60] [--json]
//
// The server runs in this process (createServer from dist/cjs: npm run build:ts first), so the
// RSS measured is the server's plus the load generator's (a few MB: one copy of the body per
// client). The model is the real tiny.en when the real tier is prepared
// (node scripts/prepare-real-tier.js), else a generated tiny.en; --model names another file.
//
// The clients do not wait for Retry-After: each posts again the moment it has its answer, so
// a full queue means a storm of 429s (hundreds to thousands a second), each costing the server
// an upload to read and discard on the same CPUs that transcribe. That is the worst case, and
// why transcriptions/s here is below what the model does alone.
//
// When the time is up no client starts another request, and the run ends once every request
// sent has its answer: "lost" counts those that never got one (a hang, cut off after
// --timeout seconds and counted as a timeout; or a connection the server dropped).
// test/serve-load.test.ts runs measureServer on a small model for a few seconds and asserts
// on its report.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const ROOT = path.resolve(__dirname, '..');
const JFK = path.resolve(ROOT, '..', 'shared', 'fixtures', 'jfk.wav');
const ROUTE = '/v1/audio/transcriptions';
const RSS_INTERVAL_MS = 250;
const MB = 1024 * 1024;

/** A multipart/form-data body: the text fields, then `file` (audio/wav). */
function multipart(fields, file, filename = 'audio.wav') {
  const boundary = `----serve-load-${process.pid}-${Date.now().toString(36)}`;
  const part = (headers) => Buffer.from(`--${boundary}\r\n${headers}\r\n\r\n`);
  const chunks = Object.entries(fields).flatMap(([name, value]) => [
    part(`Content-Disposition: form-data; name="${name}"`),
    Buffer.from(`${value}\r\n`),
  ]);
  chunks.push(part(`Content-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: audio/wav`));
  chunks.push(file, Buffer.from(`\r\n--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** { count, p50, p90, p99, max } of a list of milliseconds (nearest rank); zeros when empty. */
function percentiles(values) {
  const sorted = Float64Array.from(values).sort();
  const rank = (p) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : 0);
  return { count: sorted.length, p50: rank(50), p90: rank(90), p99: rank(99), max: sorted.length ? sorted[sorted.length - 1] : 0 };
}

/** Samples process RSS every 250 ms until stop(), which returns { min, max, samples } in bytes. */
function sampleRss() {
  const samples = [process.memoryUsage.rss()];
  const timer = setInterval(() => samples.push(process.memoryUsage.rss()), RSS_INTERVAL_MS);
  return {
    stop() {
      clearInterval(timer);
      samples.push(process.memoryUsage.rss());
      return { min: Math.min(...samples), max: Math.max(...samples), samples: samples.length };
    },
  };
}

/**
 * `clients` connections post `body` back to back for `seconds`, then each finishes the request
 * it has under way and stops. Resolves with the counts and the latencies by status; a request
 * unanswered after `timeoutS` counts as a timeout (autocannon drops its connection and opens
 * another). `graceS` after the time is up, whatever is still out is abandoned (and lost).
 */
function runLoad({ url, clients, seconds, body, contentType, timeoutS = 60, graceS = timeoutS + 10 }) {
  const autocannon = require('autocannon');
  const connections = [];
  const byStatus = new Map();
  const started = performance.now();
  let stopped;
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: new URL(ROUTE, url).href,
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        connections: clients,
        duration: seconds + graceS,
        timeout: timeoutS,
        setupClient: (client) => connections.push(client),
      },
      (error, result) => {
        clearTimeout(deadline);
        if (error) return reject(error);
        const elapsedS = (performance.now() - started) / 1000;
        const latency = (codes) => percentiles(codes.flatMap((code) => byStatus.get(code) ?? []));
        const codes = [...byStatus.keys()];
        const answered = codes.reduce((n, code) => n + byStatus.get(code).length, 0);
        resolve({
          clients,
          seconds,
          elapsedS,
          drainS: stopped === undefined ? 0 : (performance.now() - stopped) / 1000,
          sent: result.requests.sent,
          answered,
          lost: result.requests.sent - answered,
          errors: result.errors,
          timeouts: result.timeouts,
          non2xx: result.non2xx,
          byStatus: Object.fromEntries(codes.map((code) => [code, byStatus.get(code).length])),
          latency: {
            ok: latency([200]),
            rejected: latency([429]),
            other: latency(codes.filter((code) => code !== 200 && code !== 429)),
            all: latency(codes),
          },
          answersPerSecond: answered / elapsedS,
          transcriptionsPerSecond: (byStatus.get(200)?.length ?? 0) / elapsedS,
        });
      },
    );
    instance.on('response', (_client, status, _bytes, ms) => {
      if (!byStatus.has(status)) byStatus.set(status, []);
      byStatus.get(status).push(ms);
    });
    // Time is up: a client whose answer is out sends nothing more once it has it (autocannon
    // ends the run when every client is done).
    const deadline = setTimeout(() => {
      stopped = performance.now();
      for (const client of connections) client.responseMax = client.reqsMade;
    }, seconds * 1000);
  });
}

/** The value of a Prometheus sample (`name` or `name{labels}` exactly as written), or undefined. */
function sample(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** What the server says once the load is over: its stats() and the gauges of GET /metrics. */
async function serverState(server) {
  const response = await fetch(new URL('/metrics', server.url));
  const text = await response.text();
  const gauges = ['whisper_napi_queue_depth', 'whisper_napi_jobs_running', 'whisper_napi_requests_in_flight', 'whisper_napi_transcriptions_total'];
  return {
    stats: server.stats(),
    metricsStatus: response.status,
    metrics: Object.fromEntries(gauges.map((name) => [name.replace('whisper_napi_', ''), sample(text, name)])),
    errorsTotal: text.split('\n').filter((l) => l.startsWith('whisper_napi_errors_total{') && !l.endsWith(' 0')),
  };
}

/**
 * The whole measurement on a started server: a warm-up run (`warmupSeconds`, same clients),
 * then the measured run with RSS sampled every 250 ms, then the server's state.
 */
async function measureServer(server, { clients, seconds, warmupSeconds, file = JFK, timeoutS }) {
  const { body, contentType } = multipart({ model: 'whisper-1', response_format: 'json' }, fs.readFileSync(file));
  const load = { url: server.url, clients, body, contentType, timeoutS };
  const rssStart = process.memoryUsage.rss();
  const warmup = await runLoad({ ...load, seconds: warmupSeconds });
  const rssAfterWarmup = process.memoryUsage.rss();
  const sampler = sampleRss();
  const run = await runLoad({ ...load, seconds });
  const rss = sampler.stop();
  return {
    warmup,
    run,
    rss: { start: rssStart, afterWarmup: rssAfterWarmup, min: rss.min, max: rss.max, end: process.memoryUsage.rss(), samples: rss.samples },
    end: await serverState(server),
  };
}

function formatReport(report, title) {
  const { run, rss, end } = report;
  const ms = (v) => v.toFixed(1).padStart(8);
  const row = (name, l) => `  ${name.padEnd(9)}${String(l.count).padStart(7)}${ms(l.p50)}${ms(l.p90)}${ms(l.p99)}${ms(l.max)}`;
  const mb = (v) => `${(v / MB).toFixed(1)}`;
  const statuses = Object.entries(run.byStatus).map(([code, n]) => `${code}: ${n}`).join('  ');
  return [
    title,
    `requests    sent ${run.sent}  answered ${run.answered}  lost ${run.lost}  errors ${run.errors}  timeouts ${run.timeouts}  (warm-up: ${report.warmup.answered} answered, ${report.warmup.lost} lost)`,
    `status      ${statuses || 'none'}`,
    `latency ms   status   count     p50     p90     p99     max`,
    row('200', run.latency.ok),
    row('429', run.latency.rejected),
    ...(run.latency.other.count ? [row('other', run.latency.other)] : []),
    row('all', run.latency.all),
    `throughput  ${run.answersPerSecond.toFixed(1)} answers/s, ${run.transcriptionsPerSecond.toFixed(2)} transcriptions/s over ${run.elapsedS.toFixed(1)} s (${run.drainS.toFixed(1)} s of it finishing the requests under way)`,
    `RSS MB      start ${mb(rss.start)}  after warm-up ${mb(rss.afterWarmup)}  run min ${mb(rss.min)}  max ${mb(rss.max)}  end ${mb(rss.end)}  (max - after warm-up: ${mb(rss.max - rss.afterWarmup)}; ${rss.samples} samples)`,
    `server end  stats ${JSON.stringify(end.stats)}`,
    `            metrics ${Object.entries(end.metrics).map(([k, v]) => `${k} ${v}`).join('  ')}`,
    ...(end.errorsTotal.length ? [`            ${end.errorsTotal.join('  ')}`] : []),
  ].join('\n');
}

function defaultModel() {
  const { loadRealTier } = require('./real-tier');
  const real = loadRealTier()?.models?.['tiny.en']?.ggml;
  if (real && fs.existsSync(real)) return { file: real, name: 'tiny.en (real)' };
  const { generatedModel } = require(path.join(ROOT, 'scripts', 'generate-model.js'));
  return { file: generatedModel('tiny.en', path.join(ROOT, '.cache', 'bench', 'models', 'tiny.en-generated.bin')), name: 'tiny.en (generated)' };
}

async function main() {
  const { values } = parseArgs({
    options: {
      clients: { type: 'string', default: '16' },
      seconds: { type: 'string', default: '30' },
      warmup: { type: 'string', default: '5' },
      model: { type: 'string' },
      'max-concurrency': { type: 'string', default: '1' },
      'max-queue': { type: 'string', default: '4' },
      timeout: { type: 'string', default: '60' },
      json: { type: 'boolean', default: false },
    },
  });
  const { createServer } = require(path.join(ROOT, 'dist', 'cjs', 'index.js'));
  const model = values.model ? { file: path.resolve(values.model), name: values.model } : defaultModel();
  const options = { maxConcurrency: Number(values['max-concurrency']), maxQueue: Number(values['max-queue']) };
  const server = await createServer({ model: model.file, port: 0, ...options });
  try {
    const report = await measureServer(server, {
      clients: Number(values.clients),
      seconds: Number(values.seconds),
      warmupSeconds: Number(values.warmup),
      timeoutS: Number(values.timeout),
    });
    const title = `serve-load: ${values.clients} clients x ${values.seconds} s (warm-up ${values.warmup} s), ${model.name}, maxConcurrency ${options.maxConcurrency}, maxQueue ${options.maxQueue}, jfk.wav`;
    console.log(values.json ? JSON.stringify({ model: model.name, ...options, ...report }, null, 2) : formatReport(report, title));
    const { stats, metrics } = report.end;
    const busy = stats.inFlight + stats.running + stats.waiting + metrics.queue_depth + metrics.jobs_running + metrics.requests_in_flight;
    if (report.run.lost || report.run.errors || busy) process.exitCode = 1;
  } finally {
    await server.close({ timeoutMs: 10_000 });
  }
}

module.exports = { multipart, percentiles, runLoad, measureServer, serverState, formatReport };

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exit(1);
  });
}
