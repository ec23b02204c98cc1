#!/usr/bin/env node
// npm run bench:speculative: what speculative decoding (option assistantModel) costs and
// saves on the medium.en shape, each run in a fresh process, same threads, greedy decoding
// without temperature fallback:
//   alone      medium.en decoding by itself;
//   self       medium.en drafting for itself: every draft is accepted, but each drafted
//              token costs a full medium.en decoder pass (the bound on the overhead when
//              acceptance is 100%);
//   unrelated  a distil-medium.en-shaped assistant with medium.en's encoder and an unrelated
//              decoder: acceptance near 0 (the bound on the overhead of a useless assistant);
//   distil     a distil-medium.en-shaped assistant with medium.en's encoder and medium.en's
//              first two decoder blocks (random weights: agreement is partial, not what a
//              trained distil-medium.en would give).
// With WHISPER_TEST_MODEL and WHISPER_TEST_ASSISTANT (real weights, e.g. medium.en and
// distil-medium.en) it runs that pair instead: alone and with the assistant.
//
// Random-weight decoders that predict timestamps end a window after a token or two; so that
// the decoder does real work, the generated runs decode without timestamps (to the 220-token
// limit per window, as distil-medium.en, which never predicts timestamps, decodes real
// speech). --timestamps keeps them.
//
//   npm run bench:speculative -- [--input jfk] [--threads 2] [--runs alone,self,unrelated,distil] [--timestamps] [--out docs/speculative.md]
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { parseArgs } = require('node:util');

const { input } = require('./inputs');

const ROOT = path.resolve(__dirname, '..');
const { generatedModel } = require(path.join(ROOT, 'scripts', 'generate-model.js'));
const MODELS = path.join(ROOT, '.cache', 'bench', 'models');

const { values } = parseArgs({
  options: {
    input: { type: 'string', default: 'jfk' },
    threads: { type: 'string', default: '2' },
    runs: { type: 'string', default: 'alone,self,unrelated,distil' },
    timestamps: { type: 'boolean', default: false },
    out: { type: 'string', default: path.join('docs', 'speculative.md') },
    child: { type: 'string' },
  },
});

// One measurement, in this process (spawned by the parent): prints JSON.
async function measure({ main, assistant, audio, threads, timestamps }) {
  const { loadModel } = require(path.join(ROOT, 'dist', 'cjs'));
  const model = await loadModel(main, { threads });
  const helper = assistant === undefined ? undefined : assistant === main ? model : await loadModel(assistant, { threads });
  const options = { temperatureIncrement: 0, tokens: true, noTimestamps: !timestamps, ...(helper && { assistantModel: helper }) };
  const started = performance.now();
  const t = await model.transcribe(audio, options);
  const ms = performance.now() - started;
  if (helper && helper !== model) await helper.dispose();
  await model.dispose();
  return {
    ms,
    tokens: t.segments.flatMap((s) => s.tokens.map((token) => token.id)),
    encoderRuns: t.timings.encoderRuns,
    speculative: t.speculative ?? null,
    peakRssMb: process.resourceUsage().maxRSS / 1024,
  };
}

function plan() {
  const realMain = process.env.WHISPER_TEST_MODEL;
  const realAssistant = process.env.WHISPER_TEST_ASSISTANT;
  if (realMain && realAssistant) {
    return {
      description: `Models: ${path.basename(realMain)} with ${path.basename(realAssistant)} as the assistant (real weights).`,
      runs: [
        { label: 'alone', main: realMain },
        { label: `assistant ${path.basename(realAssistant)}`, main: realMain, assistant: realAssistant },
      ],
    };
  }
  const main = generatedModel('medium.en', path.join(MODELS, 'medium.en-generated.bin'), 1);
  const all = {
    alone: { label: 'alone', main },
    self: { label: 'self (medium.en drafts)', main, assistant: main },
    unrelated: {
      label: 'unrelated (distil-medium.en shape, other decoder)',
      main,
      assistant: generatedModel('distil-medium.en', path.join(MODELS, 'distil-medium.en-other-decoder.bin'), 1, 7),
    },
    distil: {
      label: 'distil (distil-medium.en shape, medium.en\'s first 2 blocks)',
      main,
      assistant: generatedModel('distil-medium.en', path.join(MODELS, 'distil-medium.en-generated.bin'), 1),
    },
  };
  return {
    description:
      'Models: medium.en shape (generated, seed 1) as the main model; the assistants share its encoder weights ' +
      '(drawn first from the same seed), so no encoder work is repeated. Random weights: the acceptance rates are ' +
      'those of these weights, not of a trained pair; the self and unrelated runs bound the overhead.',
    runs: values.runs.split(',').map((name) => {
      if (!all[name]) throw new Error(`unknown run '${name}'; known: ${Object.keys(all).join(', ')}`);
      return all[name];
    }),
  };
}

async function main() {
  if (values.child) {
    console.log(JSON.stringify(await measure(JSON.parse(values.child))));
    return;
  }
  const audio = input(values.input);
  const threads = Number(values.threads);
  const { description, runs: planned } = plan();
  const runs = [];
  for (const run of planned) {
    process.stderr.write(`speculative bench: ${run.label}…\n`);
    const out = execFileSync(process.execPath, [__filename, '--child', JSON.stringify({ main: run.main, assistant: run.assistant, audio: audio.file, threads, timestamps: values.timestamps })], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const r = { ...run, ...JSON.parse(out.trim().split('\n').pop()) };
    process.stderr.write(`  ${(r.ms / 1000).toFixed(1)} s${r.speculative ? `, acceptance ${(100 * r.speculative.acceptanceRate).toFixed(1)}%` : ''}\n`);
    runs.push(r);
  }
  const alone = runs.find((r) => r.assistant === undefined);
  const same = (r) => (alone ? (JSON.stringify(r.tokens) === JSON.stringify(alone.tokens) ? 'yes' : '**no**') : '–');
  const lines = [
    '# Speculative decoding',
    '',
    `Written by \`node bench/speculative.js --input ${values.input} --threads ${threads} --runs ${values.runs}${values.timestamps ? ' --timestamps' : ''}\` on ${new Date().toISOString().slice(0, 10)}: ${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.availableParallelism()} CPU threads, Node ${process.version}.`,
    '',
    `${description} Input: ${audio.name} (${audio.seconds} s). ${threads} threads; greedy decoding, ${values.timestamps ? 'with' : 'without'} timestamps, no temperature fallback; one fresh process per run; the time is the transcription call, which for the first use of a pair includes comparing the two encoders' weights (a memcmp of a few hundred MB).`,
    '',
    '| run | wall time | vs alone | tokens | same tokens as alone | drafted | accepted | acceptance | decoder passes | saved | encoder runs (main / assistant) | assistant time |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...runs.map((r) => {
      const s = r.speculative;
      const cells = s
        ? [s.draftedTokens, s.acceptedTokens, `${(100 * s.acceptanceRate).toFixed(1)}%`, s.decoderPasses, s.decoderPassesSaved, `${r.encoderRuns} / ${s.assistantEncoderRuns}`, `${(s.assistantMs / 1000).toFixed(1)} s`]
        : ['–', '–', '–', '–', '–', `${r.encoderRuns} / –`, '–'];
      return `| ${r.label} | ${(r.ms / 1000).toFixed(1)} s | ${alone ? (r.ms / alone.ms).toFixed(2) : '–'} | ${r.tokens.length} | ${same(r)} | ${cells.join(' | ')} |`;
    }),
    '',
    ...(process.env.WHISPER_TEST_ASSISTANT
      ? []
      : [
          'Reading the table: every run spends the same encoder pass (most of the time on a CPU for one',
          'window); only the decoding differs. "decoder passes" are the main model\'s after the prompt;',
          'each accepted token is one pass saved. With itself as the assistant the main model checks',
          'nearly every token in batches of up to 16, but each drafted token costs a full main-model pass',
          'in the assistant: that is the most a perfect but equally large assistant can cost. An assistant',
          'that never agrees stops being asked after a few misses (drafting pauses), which bounds the',
          'other extreme. A trained distil-medium.en, whose decoder has 2 layers instead of 24, would pair',
          'the batched checks with a small fraction of that assistant time; its acceptance rate on real',
          'speech needs real weights (WHISPER_TEST_MODEL and WHISPER_TEST_ASSISTANT).',
          '',
        ]),
  ];
  fs.writeFileSync(path.resolve(ROOT, values.out), lines.join('\n'));
  process.stderr.write(`speculative bench: wrote ${values.out}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
