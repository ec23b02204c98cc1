#!/usr/bin/env node
// npm run bench: whisper-napi against whisper.cpp's own whisper-cli (and the peer bindings
// installed in bench/node_modules), in one run, on the same model files, the same inputs,
// the same thread count and the same decoding (greedy, no temperature fallback). Writes
// docs/benchmarks.md and docs/benchmarks.svg.
//
//   npm run bench -- [--models tiny.en,distil-medium.en] [--inputs jfk,5min] [--reps 3]
//                    [--threads 2] [--jobs 1,2,4] [--smoke]
//
// --smoke: one tiny input, one repetition, tiny.en only (CI keeps the harness working).
// WHISPER_TEST_MODEL=<real model> adds that model.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { input } = require('./inputs');
const { writeReport } = require('./report');

const ROOT = path.resolve(__dirname, '..');
const { buildWhisperCli } = require(path.join(ROOT, 'scripts', 'build-whisper-cli.js'));
const { generateModel } = require(path.join(ROOT, 'scripts', 'generate-model.js'));

const nodeBinding = require('./runners/node-binding');
const adapters = path.join(__dirname, 'runners', 'adapters');
// whisper-napi first (the concurrency runs use it), whisper-cli (the reference), then the
// peers installed in bench/node_modules by `cd bench && npm install`.
const RUNNERS = [
  nodeBinding('whisper-napi', path.join(adapters, 'whisper-napi.js')),
  require('./runners/whisper-cli'),
  nodeBinding('smart-whisper', path.join(adapters, 'smart-whisper.js')),
  nodeBinding('@fugood/whisper.node', path.join(adapters, 'fugood-whisper-node.js')),
];

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'tiny.en,distil-medium.en' },
    inputs: { type: 'string', default: 'jfk,5min' },
    reps: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(Math.min(4, os.availableParallelism())) },
    jobs: { type: 'string', default: '1,2,4' },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(ROOT, 'docs', 'benchmarks.md') },
  },
});
const smoke = values.smoke;
const threads = Number(values.threads);
const reps = smoke ? 1 : Number(values.reps);
const modelIds = smoke ? ['tiny.en'] : values.models.split(',');
const inputNames = smoke ? ['jfk'] : values.inputs.split(',');
const jobCounts = smoke ? [1, 2] : values.jobs.split(',').map(Number);

/** Generated f16 models with the shapes of the real ones (seeded random weights). */
function modelFile(id) {
  const file = path.join(ROOT, '.cache', 'bench', 'models', `${id}-generated.bin`);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    generateModel({ preset: id, out: file, seed: 1 });
  }
  return { id: `${id} (generated)`, file };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(samples, key) {
  const values = samples.map((s) => s[key]).filter((v) => typeof v === 'number');
  if (values.length === 0) return undefined;
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

async function main() {
  buildWhisperCli({ quiet: true });
  const models = modelIds.map(modelFile);
  if (process.env.WHISPER_TEST_MODEL) models.push({ id: path.basename(process.env.WHISPER_TEST_MODEL), file: process.env.WHISPER_TEST_MODEL });
  const inputs = inputNames.map(input);
  const rows = [];
  for (const model of models) {
    for (const audio of inputs) {
      for (const runner of RUNNERS.filter((r) => !r.unavailable())) {
        const samples = [];
        for (let rep = 0; rep < reps; rep++) {
          process.stderr.write(`bench: ${runner.name} · ${model.id} · ${audio.name} · run ${rep + 1}/${reps}\n`);
          samples.push(await runner.run({ model: model.file, audio: audio.file, threads }));
        }
        rows.push({
          model: model.id,
          input: audio.name,
          seconds: audio.seconds,
          runner: runner.name,
          load: summarize(samples, 'loadMs'),
          transcribe: summarize(samples, 'transcribeMs'),
          encode: summarize(samples, 'encodeMs'),
          decode: summarize(samples, 'decodeMs'),
          peakRss: summarize(samples, 'peakRss'),
          // The same work shows as the same transcript: its length, for the reader to compare.
          textLength: (samples[0].text ?? '').trim().length,
          eventLoop: samples[0].eventLoop ? { p50: median(samples.map((s) => s.eventLoop.p50)), p99: median(samples.map((s) => s.eventLoop.p99)), max: Math.max(...samples.map((s) => s.eventLoop.max)) } : undefined,
        });
      }
    }
  }
  // Concurrency: jobs at once on one model (its weights loaded once), the first model and input.
  const napi = RUNNERS[0];
  const concurrency = [];
  for (const jobs of jobCounts) {
    const samples = [];
    for (let rep = 0; rep < reps; rep++) {
      process.stderr.write(`bench: whisper-napi · ${jobs} concurrent job(s) · run ${rep + 1}/${reps}\n`);
      samples.push(await napi.run({ model: models[0].file, audio: inputs[0].file, threads, jobs }));
    }
    const wall = median(samples.map((s) => s.transcribeMs));
    concurrency.push({ jobs, model: models[0].id, input: inputs[0].name, wallMs: wall, throughput: (jobs * inputs[0].seconds) / (wall / 1000), peakRss: median(samples.map((s) => s.peakRss)) });
  }
  const skipped = RUNNERS.filter((r) => r.unavailable()).map((r) => ({ name: r.name, reason: r.unavailable() }));
  for (const s of skipped) process.stderr.write(`bench: !! SKIPPED ${s.name}: ${s.reason}\n`);
  const versions = Object.fromEntries(RUNNERS.filter((r) => !r.unavailable()).map((r) => [r.name, r.version()]));
  writeReport(values.out, { rows, concurrency, reps, threads, smoke, skipped, versions, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim() });
  process.stderr.write(`bench: wrote ${path.relative(ROOT, values.out)}\n`);
}

main().catch((error) => {
  console.error(`bench: ${error.stack || error}`);
  process.exit(1);
});
