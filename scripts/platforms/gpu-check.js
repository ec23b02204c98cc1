#!/usr/bin/env node
// The checks of scripts/platforms/gpu-check.sh once the CUDA build exists (run by it; also
// runnable alone): node scripts/platforms/gpu-check.js [build-cuda/Release/whisper_napi.node]
//
//  1. `whisper-napi --version` under that build: the CUDA backend and a GPU device listed.
//  2. Transcripts with useGpu true and false, same build, generated micro and tiny.en-shape
//     models, jfk.wav, greedy (temperatureIncrement 0): printed side by side and compared.
//  3. A benchmark, CPU (all cores) against CUDA: the generated distil-medium.en-shape model and,
//     if real weights are in .cache/real-tier/ggml/tiny.en.bin, tiny.en: load time, then the
//     median of 3 transcriptions of jfk.wav after a warm-up.
// Prints a summary and writes it as JSON to $OUT/gpu-check.json when $OUT is set.
// Exit status: 0 all checks passed, 1 a check failed, 2 no GPU device under this build.
// GPU_CHECK_DRY=1 goes on without a GPU (small models only): a trial of this script itself.
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const addon = path.resolve(process.argv[2] || path.join(root, 'build-cuda', 'Release', 'whisper_napi.node'));
process.env.WHISPER_NAPI_ADDON = addon; // src/binding.ts: this build, not build/ or prebuilds/
const fixtures = process.env.WHISPER_NAPI_FIXTURES || path.resolve(root, '..', 'shared', 'fixtures');
const jfkWav = path.join(fixtures, 'jfk.wav');
const models = path.join(root, '.cache', 'models');
const THREADS_CPU = os.cpus().length;

const { loadModel } = require(path.join(root, 'dist', 'cjs', 'index.js'));
const { native } = require(path.join(root, 'dist', 'cjs', 'binding.js'));
const { generateModel } = require(path.join(root, 'scripts', 'generate-model.js'));
const { pcmOf } = require(path.join(root, 'bench', 'inputs.js'));

/** 16-kHz mono PCM16 WAV -> float32 (sample / 32768, as test/support/audio.ts reads it). */
function readPcm16Wav(file) {
  const pcm = pcmOf(file);
  const out = new Float32Array(pcm.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = pcm.readInt16LE(2 * i) / 32768;
  return out;
}

/** The suite's generated model of a preset (test/support/paths.ts names it), made if missing. */
function generated(preset) {
  const hash = require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(root, 'scripts', 'generate-model.js'))).digest('hex').slice(0, 8);
  const out = path.join(models, `${preset}-s1-${hash}.bin`);
  if (!fs.existsSync(out)) {
    fs.mkdirSync(models, { recursive: true });
    const started = Date.now();
    generateModel({ preset, out, seed: 1, vocabFrom: path.join(fixtures, 'for-tests-ggml-tiny.en.bin') });
    console.log(`generated ${path.relative(root, out)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function timed(model, useGpu, audio, runs) {
  const started = process.hrtime.bigint();
  const whisper = await loadModel(model, { useGpu });
  const loadMs = Number(process.hrtime.bigint() - started) / 1e6;
  const threads = useGpu ? 4 : THREADS_CPU;
  try {
    const first = await whisper.transcribe(audio, { threads, temperatureIncrement: 0 });
    const walls = [];
    for (let i = 0; i < runs; i++) {
      const t0 = process.hrtime.bigint();
      await whisper.transcribe(audio, { threads, temperatureIncrement: 0 });
      walls.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    return { text: first.text, loadMs, medianMs: runs ? median(walls) : first.timings.totalMs, walls, threads };
  } finally {
    await whisper.dispose();
  }
}

async function main() {
  const summary = { addon, checks: [], bench: [] };
  const check = (name, ok, detail) => {
    summary.checks.push({ name, ok, detail });
    console.log(`${ok ? 'PASS' : 'FAIL'}  ${name}${detail ? `: ${detail}` : ''}`);
  };

  const version = spawnSync(process.execPath, [path.join(root, 'bin', 'whisper-napi.js'), '--version'], { encoding: 'utf8', timeout: 60_000 });
  console.log(`\n== whisper-napi --version (WHISPER_NAPI_ADDON=${addon})\n${version.stdout}${version.stderr}`);
  summary.version = version.stdout;
  const { backends, devices } = native().backends();
  const gpus = devices.filter((d) => d.type === 'gpu');
  check('the CUDA backend loaded', backends.includes('CUDA'), `backends: ${backends.join(', ')}`);
  check('a GPU device', gpus.length > 0, devices.map((d) => `${d.name} (${d.type}: ${d.description})`).join(', '));
  // GPU_CHECK_DRY=1: go on without a GPU (useGpu then falls back to the CPU) with the small
  // models only, to try this script itself on a machine without one.
  const dry = process.env.GPU_CHECK_DRY === '1';
  if (gpus.length === 0 && !dry) {
    finish(summary);
    return 2;
  }

  const audio = readPcm16Wav(jfkWav);
  console.log('\n== transcripts, useGpu true vs false (same build, greedy, jfk.wav)');
  for (const preset of ['micro', 'tiny.en']) {
    const model = generated(preset);
    const cpu = await timed(model, false, audio, 0);
    const gpu = await timed(model, true, audio, 0);
    console.log(`${preset} CPU : ${JSON.stringify(cpu.text)}\n${preset} CUDA: ${JSON.stringify(gpu.text)}`);
    // Random weights make near-ties between tokens common: a different floating-point order
    // (cuBLAS, fused kernels) may flip one; reported, not hidden.
    check(`${preset} (generated): CUDA text equals CPU text`, cpu.text === gpu.text, cpu.text === gpu.text ? '' : 'texts differ (see above)');
  }

  console.log(`\n== benchmark: load, then median of 3 transcriptions of jfk.wav after a warm-up (CPU ${THREADS_CPU} threads)`);
  const benchModels = [dry ? ['micro (generated; dry run)', () => generated('micro')] : ['distil-medium.en shape (generated)', () => generated('distil-medium.en')]];
  const realTiny = path.join(root, '.cache', 'real-tier', 'ggml', 'tiny.en.bin');
  if (fs.existsSync(realTiny) && !dry) benchModels.push(['tiny.en (real weights)', () => realTiny]);
  else if (!dry) console.log(`(no ${path.relative(root, realTiny)}: the real tiny.en benchmark is skipped)`);
  for (const [name, file] of benchModels) {
    const model = file();
    const cpu = await timed(model, false, audio, 3);
    const gpu = await timed(model, true, audio, 3);
    const row = { model: name, cpuMs: cpu.medianMs, cudaMs: gpu.medianMs, speedup: cpu.medianMs / gpu.medianMs, cpuLoadMs: cpu.loadMs, cudaLoadMs: gpu.loadMs, sameText: cpu.text === gpu.text };
    summary.bench.push(row);
    console.log(`${name}: CPU ${cpu.medianMs.toFixed(0)} ms, CUDA ${gpu.medianMs.toFixed(0)} ms (x${row.speedup.toFixed(1)}); load CPU ${cpu.loadMs.toFixed(0)} ms, CUDA ${gpu.loadMs.toFixed(0)} ms; same text: ${row.sameText}`);
    if (name.includes('real')) {
      console.log(`  CPU : ${JSON.stringify(cpu.text)}\n  CUDA: ${JSON.stringify(gpu.text)}`);
      check('tiny.en (real weights): CUDA text equals CPU text', row.sameText, '');
    }
  }
  finish(summary);
  return summary.checks.every((c) => c.ok) ? 0 : 1;
}

function finish(summary) {
  console.log('\n== summary');
  for (const c of summary.checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}`);
  for (const b of summary.bench) console.log(`bench ${b.model}: CPU ${b.cpuMs.toFixed(0)} ms, CUDA ${b.cudaMs.toFixed(0)} ms, x${b.speedup.toFixed(1)}`);
  if (process.env.OUT) fs.writeFileSync(path.join(process.env.OUT, 'gpu-check.json'), JSON.stringify(summary, null, 2));
}

main().then(
  (status) => process.exit(status),
  (error) => {
    console.error(`gpu-check: ${error.stack || error}`);
    process.exit(1);
  },
);
