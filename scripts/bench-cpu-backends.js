#!/usr/bin/env node
// Wall time of whisper-napi builds against whisper.cpp's own whisper-cli on one model and
// one input, in one run, each in a fresh process, with the same threads and the same
// decoding (greedy, no temperature fallback):
//
//   node scripts/bench-cpu-backends.js --model M.bin --audio A.wav --threads 2 \
//     --addon default=build/Release/whisper_napi.node --addon blas=build-blas/Release/whisper_napi.node \
//     --cli .cache/whisper-cli/bin/whisper-cli
//
// Prints one line per runner and each addon's speed-up over whisper-cli (time ratio).
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    audio: { type: 'string' },
    threads: { type: 'string', default: '2' },
    addon: { type: 'string', multiple: true, default: [] },
    cli: { type: 'string' },
  },
});
if (!values.model || !values.audio) throw new Error('--model and --audio are required');
const threads = Number(values.threads);

// One transcription in a child process: load, transcribe, report.
const CHILD = `
const started = performance.now();
const w = require(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'cjs'))});
(async () => {
  const model = await w.loadModel(process.argv[1], { threads: ${threads} });
  const loaded = performance.now();
  const t = await model.transcribe(process.argv[2], { beamSize: 1, temperatureIncrement: 0, threads: ${threads} });
  const done = performance.now();
  const b = require(${JSON.stringify(path.resolve(__dirname, '..', 'dist', 'cjs', 'binding'))}).native().backends().backends;
  await model.dispose();
  console.log(JSON.stringify({ loadMs: loaded - started, transcribeMs: done - loaded, totalMs: done - started, windows: t.timings.encoderRuns, backends: b, chars: t.text.length }));
})();`;

const results = [];
if (values.cli) {
  const started = performance.now();
  const run = spawnSync(values.cli, ['-m', values.model, '-f', values.audio, '-t', String(threads), '-bs', '1', '-nf', '-np', '-nt'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (run.status !== 0) throw new Error(`whisper-cli failed: ${run.stderr}`);
  results.push({ name: 'whisper-cli', totalMs: performance.now() - started });
}
for (const spec of values.addon) {
  const [name, file] = spec.includes('=') ? spec.split('=') : [spec, spec];
  const out = execFileSync(process.execPath, ['-e', CHILD, values.model, values.audio], {
    encoding: 'utf8',
    env: { ...process.env, WHISPER_NAPI_ADDON: path.resolve(file) },
    maxBuffer: 64 << 20,
  });
  results.push({ name, ...JSON.parse(out) });
}
const reference = results.find((r) => r.name === 'whisper-cli');
for (const r of results) {
  const ratio = reference && r !== reference ? `  ${(reference.totalMs / r.totalMs).toFixed(2)}x faster than whisper-cli` : '';
  const detail = r.loadMs !== undefined ? ` (load ${(r.loadMs / 1000).toFixed(1)} s, transcribe ${(r.transcribeMs / 1000).toFixed(1)} s, ${r.windows} windows, backends ${r.backends.join('+')})` : '';
  console.log(`${r.name.padEnd(12)} ${(r.totalMs / 1000).toFixed(1).padStart(7)} s${detail}${ratio}`);
}
