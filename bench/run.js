#!/usr/bin/env node
// npm run bench: whisper-napi against whisper.cpp's own whisper-cli (and the peer bindings
// installed in bench/node_modules), in one run, on the same model files, the same inputs,
// the same thread count and the same decoding (greedy, no temperature fallback). Writes
// docs/benchmarks.md and docs/benchmarks.svg.
//
//   npm run bench -- [--models tiny.en,distil-medium.en] [--inputs jfk,5min] [--reps 3]
//                    [--threads 2] [--jobs 1,2,4] [--smoke]
//                    [--peers <model:input+input,...>|none] [--peer-reps N]
//                    [--addon name=path/to/whisper_napi.node ...]
//
// --models id:input+input  gives one model its own inputs (e.g. the 30-min input only on
//                          tiny.en, where it takes a minute rather than twenty);
// --peers                  which model:input pairs the peer bindings run (default: all);
//                          they are 10-20x slower here, so a full matrix can take hours;
// --addon                  another build of whisper-napi as one more runner (e.g. the
//                          portable prebuild against the native build), repeatable;
// --smoke                  one tiny input, one repetition, tiny.en only (CI keeps the
//                          harness working).
// WHISPER_TEST_MODEL=<real model> adds that model.
//
// --real: real weights and real speech (the real tier of scripts/prepare-real-tier.js), three
// engines: whisper-napi, whisper-cli (our patched build and the pristine upstream v1.9.1 one)
// and faster-whisper (CTranslate2, float32 and int8), each measurement a fresh process, with
// each row's WER against the input's reference and its normalized transcript compared with
// whisper-cli's. Writes docs/benchmarks-real.md and docs/benchmarks-real.svg by default.
//
//   node bench/run.js --real [--models tiny.en,base] [--inputs jfk,6min-speech,30min-speech,english-clips]
//                     [--reps 3] [--threads 2] [--decoding greedy|greedy-fallback|default]
//                     [--runners napi,napi-bf16,napi-q8_0,napi-defaults,cli,cli-pristine,fw-float32,fw-int8]
//                     [--addon name=path ...] [--out FILE.md]
//
// --decoding greedy   (the default) greedy without temperature fallback everywhere:
//                     whisper-cli -bs 1 -nf, faster-whisper beam_size 1 best_of 1 temperature 0,
//                     whisper-napi beamSize 1 temperatureIncrement 0;
// --decoding greedy-fallback  greedy, with each engine's temperature fallback (best-of 5 at
//                     temperatures above 0), as whisper-napi decodes by default: whisper-cli
//                     -bs 1, faster-whisper beam_size 1 best_of 5, whisper-napi beamSize 1;
// --decoding default  each engine's own default decoding: whisper-cli beam 5, best-of 5 with
//                     its fallback; faster-whisper beam_size 5, best_of 5 with its fallback;
//                     whisper-napi beamSize 5 (bestOf 5, fallback 0.2: its defaults).
// whisper-napi runs whisper.cpp's own long-form loop (longForm 'native'), as whisper-cli does;
// the 'napi-defaults' row runs the library's defaults (no options but threads: greedy with
// fallback, longForm 'auto', i.e. smart windows past 60 s) whatever --decoding says;
// 'napi-q8_0' is 'napi' on a q8_0 copy of the weights (precision 'q8_0'); 'napi-bf16' is
// 'napi' with the load option bf16Weights (fast only where the CPU has AVX-512 BF16).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const { input } = require('./inputs');
const { writeReport } = require('./report');
const { normalizeWords, normalizedHash } = require('./wer');

const ROOT = path.resolve(__dirname, '..');
const { buildWhisperCli } = require(path.join(ROOT, 'scripts', 'build-whisper-cli.js'));
const { generatedModel } = require(path.join(ROOT, 'scripts', 'generate-model.js'));

const nodeBinding = require('./runners/node-binding');
const adapters = path.join(__dirname, 'runners', 'adapters');
// whisper-napi first (the concurrency runs use it), whisper-cli (the reference), then the
// peers installed in bench/node_modules by `cd bench && npm install`.
const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    inputs: { type: 'string' },
    reps: { type: 'string', default: '3' },
    threads: { type: 'string', default: String(Math.min(4, os.availableParallelism())) },
    jobs: { type: 'string', default: '1,2,4' },
    peers: { type: 'string' },
    'peer-reps': { type: 'string' },
    addon: { type: 'string', multiple: true, default: [] },
    smoke: { type: 'boolean', default: false },
    real: { type: 'boolean', default: false },
    decoding: { type: 'string', default: 'greedy' },
    runners: { type: 'string' },
    out: { type: 'string' },
  },
});
const smoke = values.smoke;
const real = values.real;
function usage(message) {
  console.error(`bench: ${message}`);
  process.exit(2);
}
if (real && smoke) usage('--real and --smoke cannot be combined');
if (!['greedy', 'greedy-fallback', 'default'].includes(values.decoding)) usage(`--decoding must be greedy, greedy-fallback or default, got '${values.decoding}'`);
if (!real && values.decoding !== 'greedy') usage('--decoding greedy-fallback or default needs --real (the generated-model benchmark decodes greedily)');
if (!real && values.runners) usage('--runners needs --real');
values.models ??= real ? 'tiny.en,base' : 'tiny.en,distil-medium.en';
values.inputs ??= real ? 'jfk,6min-speech' : 'jfk,5min';
values.out ??= path.join(ROOT, 'docs', real ? 'benchmarks-real.md' : 'benchmarks.md');
const threads = Number(values.threads);
const reps = smoke ? 1 : Number(values.reps);
const peerReps = smoke ? 1 : Number(values['peer-reps'] ?? reps);
const inputNames = smoke ? ['jfk'] : values.inputs.split(',');
const jobCounts = smoke ? [1, 2] : values.jobs.split(',').map(Number);
/** [{ id, inputs }] from 'a,b:jfk+5min': a model without its own list gets --inputs. */
const modelPlan = (smoke ? ['tiny.en'] : values.models.split(',')).map((spec) => {
  const [id, own] = spec.split(':');
  return { id, inputs: own ? own.split('+') : inputNames };
});
/** Whether peers run `modelId` on `inputName` (--peers; all by default). */
function peersRun(modelId, inputName) {
  if (values.peers === undefined) return true;
  if (values.peers === 'none') return false;
  return values.peers.split(',').some((spec) => {
    const [id, own] = spec.split(':');
    return id === modelId && (!own || own.split('+').includes(inputName));
  });
}

const RUNNERS = [
  nodeBinding('whisper-napi', path.join(adapters, 'whisper-napi.js')),
  require('./runners/whisper-cli'),
  ...values.addon.map((spec) => {
    const [name, file] = spec.includes('=') ? spec.split('=') : [path.basename(spec), spec];
    return nodeBinding(`whisper-napi (${name})`, path.join(adapters, 'whisper-napi.js'), { env: { WHISPER_NAPI_ADDON: path.resolve(file) } });
  }),
  nodeBinding('smart-whisper', path.join(adapters, 'smart-whisper.js')),
  nodeBinding('@fugood/whisper.node', path.join(adapters, 'fugood-whisper-node.js')),
];

/** Generated f16 models with the shapes of the real ones (seeded random weights). */
function modelFile(id) {
  return { id: `${id} (generated)`, file: generatedModel(id, path.join(ROOT, '.cache', 'bench', 'models', `${id}-generated.bin`)) };
}

/** AVX/AVX-512/FMA instruction counts over a runner's native files (objdump; undefined without it). */
function simdFootprint(files) {
  const total = { files: files.map((f) => path.relative(ROOT, f)).join('<br>'), ymm: 0, zmm: 0, fma: 0 };
  for (const file of files) {
    const run = spawnSync('objdump', ['-d', '--no-show-raw-insn', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (run.status !== 0) return undefined;
    const count = (re) => (run.stdout.match(re) ?? []).length;
    total.ymm += count(/%ymm/g);
    total.zmm += count(/%zmm/g);
    total.fma += count(/\tvfn?m(add|sub)/g);
  }
  return total;
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
  if (real) return mainReal();
  const models = modelPlan.map(({ id, inputs }) => ({ ...modelFile(id), key: id, inputs: inputs.map(input) }));
  if (process.env.WHISPER_TEST_MODEL) {
    const key = path.basename(process.env.WHISPER_TEST_MODEL);
    models.push({ id: key, key, file: process.env.WHISPER_TEST_MODEL, inputs: inputNames.map(input) });
  }
  const rows = [];
  for (const model of models) {
    for (const audio of model.inputs) {
      for (const runner of RUNNERS.filter((r) => !r.unavailable() && (!r.peer || peersRun(model.key, audio.name)))) {
        const samples = [];
        const runs = runner.peer ? peerReps : reps;
        for (let rep = 0; rep < runs; rep++) {
          process.stderr.write(`bench: ${runner.name} · ${model.id} · ${audio.name} · run ${rep + 1}/${runs}\n`);
          samples.push(await runner.run({ model: model.file, audio: audio.file, threads }));
        }
        rows.push({
          model: model.id,
          input: audio.name,
          seconds: audio.seconds,
          runner: runner.name,
          reps: runs,
          import: summarize(samples, 'importMs'),
          load: summarize(samples, 'loadMs'),
          transcribe: summarize(samples, 'transcribeMs'),
          encode: summarize(samples, 'encodeMs'),
          decode: summarize(samples, 'decodeMs'),
          peakRss: summarize(samples, 'peakRss'),
          // The same work shows as the same transcript: the report compares the texts (sha256).
          text: samples[0].text ?? '',
          segments: samples[0].segments,
          nativeFiles: samples[0].nativeFiles,
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
      samples.push(await napi.run({ model: models[0].file, audio: models[0].inputs[0].file, threads, jobs }));
    }
    const wall = median(samples.map((s) => s.transcribeMs));
    const audio = models[0].inputs[0];
    concurrency.push({ jobs, model: models[0].id, input: audio.name, wallMs: wall, throughput: (jobs * audio.seconds) / (wall / 1000), peakRss: median(samples.map((s) => s.peakRss)) });
  }
  const skipped = RUNNERS.filter((r) => r.unavailable()).map((r) => ({ name: r.name, reason: r.unavailable() }));
  for (const s of skipped) process.stderr.write(`bench: !! SKIPPED ${s.name}: ${s.reason}\n`);
  const nativeFiles = (r) => r.nativeFiles?.() ?? rows.find((row) => row.runner === r.name && row.nativeFiles)?.nativeFiles;
  const simd = smoke
    ? []
    : RUNNERS.filter((r) => !r.unavailable() && nativeFiles(r))
        .map((r) => ({ runner: r.name, ...simdFootprint(nativeFiles(r)) }))
        .filter((x) => x.files);
  const versions = Object.fromEntries(RUNNERS.filter((r) => !r.unavailable()).map((r) => [r.name, r.version()]));
  writeReport(values.out, { rows, concurrency, reps, peerReps, simd, threads, smoke, skipped, versions, command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim() });
  process.stderr.write(`bench: wrote ${path.relative(ROOT, values.out)}\n`);
}

/** whisper-napi's transcribe options per --decoding (see the header). */
const NAPI_DECODING = {
  greedy: { beamSize: 1, temperatureIncrement: 0, longForm: 'native' },
  'greedy-fallback': { beamSize: 1, longForm: 'native' },
  default: { beamSize: 5, longForm: 'native' },
};

/** The --real runners, keyed for --runners, in report order. */
function realRunners(tier) {
  const decoding = values.decoding;
  const napiEnv = { WHISPER_NAPI_BENCH_OPTIONS: JSON.stringify(NAPI_DECODING[decoding]) };
  const { whisperCli, pristine } = require('./runners/whisper-cli');
  const fasterWhisper = require('./runners/faster-whisper');
  const runners = [
    ['napi', nodeBinding('whisper-napi', path.join(adapters, 'whisper-napi.js'), { env: napiEnv })],
    ['napi-bf16', nodeBinding('whisper-napi (bf16Weights)', path.join(adapters, 'whisper-napi.js'), { env: { ...napiEnv, WHISPER_NAPI_BENCH_LOAD_OPTIONS: '{"bf16Weights":true}' } })],
    ['napi-q8_0', Object.assign(nodeBinding('whisper-napi (q8_0 weights)', path.join(adapters, 'whisper-napi.js'), { env: napiEnv }), { modelFormat: 'ggmlQ8_0' })],
    ['napi-defaults', nodeBinding('whisper-napi (library defaults)', path.join(adapters, 'whisper-napi.js'), { env: { WHISPER_NAPI_BENCH_OPTIONS: '{}' } })],
    ...values.addon.map((spec, i) => {
      const [name, file] = spec.includes('=') ? spec.split('=') : [path.basename(spec), spec];
      return [`addon${i + 1}`, nodeBinding(`whisper-napi (${name})`, path.join(adapters, 'whisper-napi.js'), { env: { ...napiEnv, WHISPER_NAPI_ADDON: path.resolve(file) } })];
    }),
    ['cli', whisperCli({ decoding })],
    ['cli-pristine', pristine(tier?.whisperCliPristine, { decoding })],
    ['fw-float32', fasterWhisper('float32', { decoding })],
    ['fw-int8', fasterWhisper('int8', { decoding })],
  ];
  const keys = runners.map(([key]) => key);
  const wanted = values.runners ? values.runners.split(',') : keys;
  for (const key of wanted) if (!keys.includes(key)) usage(`unknown runner '${key}' in --runners (${keys.join(', ')})`);
  return runners.filter(([key]) => wanted.includes(key)).map(([key, runner]) => Object.assign(runner, { key }));
}

/**
 * A quantized copy of a real model in .cache/bench/, made once by whisper-napi's quantizer
 * (whisper.cpp's), keyed by the source's size and modification time.
 */
async function quantizedCopy(file, type) {
  const stat = fs.statSync(file);
  const out = path.join(ROOT, '.cache', 'bench', `${path.basename(file, '.bin')}-${stat.size}-${Math.round(stat.mtimeMs)}-${type}.bin`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(path.dirname(out), { recursive: true });
    process.stderr.write(`bench: quantizing ${path.relative(ROOT, file)} to ${type}\n`);
    await require(path.join(ROOT, 'dist', 'cjs')).quantizeModel(file, out, { type });
  }
  return out;
}

/**
 * An input of several clips: each a fresh run, as one sample. Transcription times add up
 * (encode and decode too, where reported); import and load are the first clip's; peak RSS
 * the largest; the text is the clips' joined and `pairs` keeps each clip's for corpus WER.
 */
async function runClips(runner, model, audio) {
  const runs = [];
  for (const clip of audio.clips) runs.push(await runner.run({ model, audio: clip.file, threads, language: audio.language }));
  const sum = (key) => (runs.every((r) => typeof r[key] === 'number') ? runs.reduce((total, r) => total + r[key], 0) : undefined);
  return {
    ...runs[0],
    transcribeMs: sum('transcribeMs'),
    encodeMs: sum('encodeMs'),
    decodeMs: sum('decodeMs'),
    peakRss: Math.max(...runs.map((r) => r.peakRss ?? 0)) || undefined,
    segments: sum('segments'),
    text: runs.map((r) => (r.text ?? '').trim()).join(' '),
    pairs: runs.map((r, i) => ({ reference: audio.clips[i].reference, hypothesis: r.text ?? '' })),
  };
}

/** The same normalized words in every repetition (a deterministic engine gives one transcript). */
function textsAgree(samples) {
  return new Set(samples.map((x) => normalizedHash(x.text ?? ''))).size === 1;
}

async function mainReal() {
  const { loadRealTier, realTierMissing, realModels, realInput } = require('./real-tier');
  const missing = realTierMissing();
  if (missing) usage(`--real needs the real tier: ${missing}`);
  const tier = loadRealTier();
  const runners = realRunners(tier);
  const models = realModels(tier, modelPlan.map((m) => m.id)).map((model, i) => ({ ...model, inputs: modelPlan[i].inputs.map((name) => realInput(tier, name)) }));
  if (runners.some((r) => r.modelFormat === 'ggmlQ8_0')) {
    for (const model of models) model.ggmlQ8_0 = await quantizedCopy(model.ggml, 'q8_0');
  }
  const available = runners.filter((r) => !r.unavailable());
  const skipped = runners.filter((r) => r.unavailable()).map((r) => ({ name: r.name, reason: r.unavailable() }));
  for (const s of skipped) process.stderr.write(`bench: !! SKIPPED ${s.name}: ${s.reason}\n`);
  const loadBefore = os.loadavg();
  const startedAt = new Date();
  const rows = [];
  // The raw rows (texts included) after every row, so a long run cut short keeps what it measured.
  const rawFile = path.join(ROOT, '.cache', 'bench', `${path.basename(values.out).replace(/\.md$/, '')}.json`);
  for (const model of models) {
    for (const audio of model.inputs) {
      for (const runner of available) {
        const samples = [];
        for (let rep = 0; rep < reps; rep++) {
          process.stderr.write(`bench: ${runner.name} · ${model.id} · ${audio.name} · run ${rep + 1}/${reps}\n`);
          const started = performance.now();
          const modelFile = model[runner.modelFormat ?? 'ggml'];
          samples.push(audio.clips ? await runClips(runner, modelFile, audio) : await runner.run({ model: modelFile, audio: audio.file, threads, language: audio.language }));
          process.stderr.write(`bench:   ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
        }
        rows.push({
          model: model.id,
          input: audio.name,
          seconds: audio.seconds,
          reference: audio.reference,
          runner: runner.name,
          runnerKey: runner.key,
          reps,
          import: summarize(samples, 'importMs'),
          load: summarize(samples, 'loadMs'),
          transcribe: summarize(samples, 'transcribeMs'),
          encode: summarize(samples, 'encodeMs'),
          decode: summarize(samples, 'decodeMs'),
          peakRss: summarize(samples, 'peakRss'),
          text: (samples[0].text ?? '').trim(),
          pairs: samples[0].pairs,
          textsAgree: textsAgree(samples),
          segments: samples[0].segments,
          computeType: samples[0].computeType,
          longForm: samples[0].longForm,
        });
        fs.mkdirSync(path.dirname(rawFile), { recursive: true });
        fs.writeFileSync(rawFile, `${JSON.stringify({ rows }, null, 1)}\n`);
      }
    }
  }
  const versions = Object.fromEntries(available.map((r) => [r.name, r.version()]));
  writeReport(values.out, {
    real: true,
    rows,
    concurrency: [],
    reps,
    peerReps: reps,
    simd: [],
    threads,
    smoke: false,
    skipped,
    versions,
    decoding: values.decoding,
    napiOptions: NAPI_DECODING[values.decoding],
    models: models.map(({ id, ggml, ct2 }) => ({ id, ggml, ct2 })),
    inputs: [...new Map(models.flatMap((m) => m.inputs).map((a) => [a.name, a])).values()].map(({ name, file, seconds, reference }) => ({ name, file, seconds, referenceWords: normalizeWords(reference).length })),
    load: { before: loadBefore, after: os.loadavg() },
    startedAt,
    finishedAt: new Date(),
    command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
  });
  process.stderr.write(`bench: wrote ${path.relative(ROOT, values.out)} (and ${path.relative(ROOT, rawFile)}, the raw rows)\n`);
}

main().catch((error) => {
  console.error(`bench: ${error.stack || error}`);
  process.exit(1);
});
