#!/usr/bin/env node
// npm run bench:long-form: the long-form modes side by side on one model and one input, in
// one process per measurement: whisper.cpp's own loop ('native'), smart windows ('smart',
// with the Silero VAD from the fixtures) and chunked ('chunked') with 1, 2 and 4 chunks at
// once on their own decoding states. Same total thread count everywhere; greedy, no
// temperature fallback. Writes docs/long-form.md.
//
//   npm run bench:long-form -- [--model distil-medium.en] [--input 5min] [--threads 2]
//                              [--parallel 1,2,4] [--modes native,smart,chunked] [--out docs/long-form.md]
//
// WHISPER_TEST_MODEL=<real model> runs that model instead of a generated one.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const { input } = require('./inputs');

const ROOT = path.resolve(__dirname, '..');
const { generatedModel } = require(path.join(ROOT, 'scripts', 'generate-model.js'));
const VAD_MODEL = path.resolve(ROOT, '..', 'shared', 'fixtures', 'for-tests-silero-v6.2.0-ggml.bin');

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'distil-medium.en' },
    input: { type: 'string', default: '5min' },
    threads: { type: 'string', default: '2' },
    parallel: { type: 'string', default: '1,2,4' },
    modes: { type: 'string', default: 'native,smart,chunked' },
    out: { type: 'string', default: path.join('docs', 'long-form.md') },
    child: { type: 'string' },
  },
});

// One measurement, in this process (spawned by the parent): prints JSON.
async function measure({ model: file, audio, threads, mode, parallel }) {
  const { loadModel } = require(path.join(ROOT, 'dist', 'cjs'));
  const model = await loadModel(file, { threads, maxConcurrency: Math.max(1, parallel) });
  const options = { temperatureIncrement: 0, longForm: mode };
  if (mode === 'smart') options.vadModel = VAD_MODEL;
  if (mode === 'chunked') options.parallelChunks = parallel;
  const started = performance.now();
  const t = await model.transcribe(audio, options);
  const ms = performance.now() - started;
  await model.dispose();
  return {
    ms,
    segments: t.segments.length,
    chars: t.text.length,
    encoderRuns: t.timings.encoderRuns,
    spans: (t.longForm.windows ?? t.longForm.chunks ?? []).length,
    reason: t.longForm.reason,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

// What the encoder-pass counts say: whisper.cpp pads every input to one 30-s window, so a
// chunk costs a full encoder pass however short it is.
function encoderNote(runs) {
  const smart = runs.find((r) => r.mode === 'smart');
  const chunked = runs.find((r) => r.mode === 'chunked');
  if (!smart || !chunked) return [];
  return [
    `Encoder passes: ${chunked.encoderRuns} for chunked against ${smart.encoderRuns} for smart windows. whisper.cpp pads every`,
    'input to one 30-s window, so each chunk costs a full encoder pass however short it is;',
    'parallel states can only win that back on cores that would otherwise sit idle.',
    '',
  ];
}

async function main() {
  if (values.child) {
    console.log(JSON.stringify(await measure(JSON.parse(values.child))));
    return;
  }
  const real = process.env.WHISPER_TEST_MODEL;
  const modelFile = real ?? generatedModel(values.model, path.join(ROOT, '.cache', 'bench', 'models', `${values.model}-generated.bin`));
  const modelName = real ? path.basename(real) : `${values.model} (generated)`;
  const audio = input(values.input);
  const threads = Number(values.threads);
  const runs = [];
  for (const mode of values.modes.split(',')) {
    for (const parallel of mode === 'chunked' ? values.parallel.split(',').map(Number) : [1]) {
      const label = mode === 'chunked' ? `chunked, ${parallel} at once` : mode;
      process.stderr.write(`long-form bench: ${label}…\n`);
      const out = execFileSync(process.execPath, [__filename, '--child', JSON.stringify({ model: modelFile, audio: audio.file, threads, mode, parallel })], {
        encoding: 'utf8',
        maxBuffer: 16 << 20,
      });
      const r = { label, mode, parallel, ...JSON.parse(out.trim().split('\n').pop()) };
      process.stderr.write(`  ${(r.ms / 1000).toFixed(1)} s, ${r.spans} windows/chunks, ${r.encoderRuns} encoder runs\n`);
      runs.push(r);
    }
  }
  const base = runs.find((r) => r.mode === 'smart') ?? runs[0];
  const lines = [
    '# Long-form modes',
    '',
    `Written by \`node bench/long-form.js --model ${values.model} --input ${values.input} --threads ${threads} --parallel ${values.parallel}\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU threads, Node ${process.version}.`,
    '',
    `Model: ${modelName}. Input: ${audio.name} (${audio.seconds} s: jfk.wav repeated with 0.5 s of silence between copies). ${threads} threads in total for every run (chunked: shared among the chunks running at once); greedy decoding, no temperature fallback; one fresh process per run.`,
    '',
    '| mode | wall time | vs smart | windows / chunks | encoder runs | segments | peak RSS |',
    '|---|---|---|---|---|---|---|',
    ...runs.map((r) => `| ${r.label} | ${(r.ms / 1000).toFixed(1)} s | ${(r.ms / base.ms).toFixed(2)} | ${r.spans || '–'} | ${r.encoderRuns} | ${r.segments} | ${r.peakRssMb.toFixed(0)} MB |`),
    '',
    ...encoderNote(runs),
  ];
  fs.writeFileSync(path.resolve(ROOT, values.out), lines.join('\n'));
  process.stderr.write(`long-form bench: wrote ${values.out}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
