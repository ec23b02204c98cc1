#!/usr/bin/env node
// Live transcription benchmark (docs/live.md): for each model, offline transcription of the
// set once, then one live session per chunk size and variant, the audio pushed at
// wall-clock pace (bench/live-session.js). Reports WER against the reference, WER against
// offline, and word latency (median, p90) from the end of each word in the audio to the
// moment it became final. Runs take as long as the audio: 5 minutes each on the default set.
//
//   npm run bench:live -- [--models tiny.en,base] [--chunks 0.5,1,2] [--set five-minute]
//                         [--variants utterance,agreement] [--threads 2] [--speed 1]
//                         [--pace wall|stepped] [--options '<live options as JSON>'] [--decodes]
//
// --decodes times every decode (bench/decode-timer.js) and prints the slowest: which
// decodes keep a session from keeping up.
//
// --pace stepped pushes each chunk once the previous decodes have finished (a CPU that
// always keeps up): the same decodes and text as a wall-clock run that never lags, in the
// time the decodes take. Its latencies are in the audio's clock, without decode time: a
// floor, not a measurement. For accuracy experiments.
//
// Variants: utterance (the default: final at the end of each utterance), agreement
// (LocalAgreement-2 with this library's changes), agreement-no-endpoints (LocalAgreement-2
// alone, as the paper's system), no-prompt (committed text not carried as the prompt),
// auto-context (encoder context sized to the buffer). Needs the real tier
// (scripts/prepare-real-tier.js).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { wordErrorRate } = require('../scripts/wer.js');
const { timeDecodes } = require('./decode-timer');
const { describeLiveLosses } = require('./live-compare');
const { liveSet } = require('./live-sets');
const { percentile, runPaced, runStepped, wordLatencies } = require('./live-session');
const { loadRealTier, realTierMissing } = require('./real-tier');

const VARIANTS = {
  utterance: { commit: 'utterance' },
  agreement: { commit: 'agreement' },
  'agreement-no-endpoints': { commit: 'agreement', endpointSilenceMs: 0 },
  'no-prompt': { promptCommitted: false },
  'auto-context': { audioContext: 'auto' },
  'utterance-greedy': { commit: 'utterance', decoding: { beamSize: 1 } },
  'agreement-greedy': { commit: 'agreement', decoding: { beamSize: 1 } },
};

function parseArgs(argv) {
  const args = { models: ['tiny.en', 'base'], chunks: [0.5, 1, 2], set: 'five-minute', variants: ['utterance', 'agreement'], threads: 2, speed: 1, pace: 'wall', decodes: false };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--decodes') {
      args.decodes = true;
      continue;
    }
    if (flag === '--models') args.models = value.split(',');
    else if (flag === '--chunks') args.chunks = value.split(',').map(Number);
    else if (flag === '--set') args.set = value;
    else if (flag === '--variants') args.variants = value.split(',');
    else if (flag === '--threads') args.threads = Number(value);
    else if (flag === '--speed') args.speed = Number(value);
    else if (flag === '--pace') args.pace = value;
    else if (flag === '--options') {
      // An ad-hoc variant: live options as JSON, e.g. '{"commit":"agreement","decoding":{"beamSize":5}}'.
      VARIANTS[value] = JSON.parse(value);
      args.variants = [value];
    }
    else throw new Error(`unknown flag ${flag}`);
    i++;
  }
  if (args.pace !== 'wall' && args.pace !== 'stepped') throw new Error(`--pace is wall or stepped, got ${args.pace}`);
  for (const v of args.variants) if (!VARIANTS[v]) throw new Error(`unknown variant ${v} (${Object.keys(VARIANTS).join(', ')})`);
  return args;
}

const pct = (x) => `${(x * 100).toFixed(1)} %`;
const sec = (x) => `${x.toFixed(2)} s`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const missing = realTierMissing();
  if (missing) throw new Error(missing);
  const tier = loadRealTier();
  const { loadModel } = require('..');
  const set = liveSet(args.set);
  const rows = [];
  const pace = args.pace === 'stepped' ? 'stepped (latency in the audio clock, no decode time)' : `${args.speed}x real time`;
  console.log(`live benchmark: set ${set.name} (${(set.pcm.length / 16000).toFixed(1)} s), ${args.threads} threads, ${pace}, ${os.cpus()[0]?.model ?? 'cpu'}`);
  for (const id of args.models) {
    const file = tier.models[id]?.ggml;
    if (!file) throw new Error(`the real tier has no ${id}`);
    const model = await loadModel(file, { threads: args.threads });
    const started = Date.now();
    const offline = await model.transcribe(set.pcm, { threads: args.threads });
    const offlineWer = wordErrorRate(set.reference, offline.text);
    console.log(`${id}: offline WER ${pct(offlineWer)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const variant of args.variants) {
      for (const chunkSeconds of args.chunks) {
        const options = { chunkSeconds, threads: args.threads, ...VARIANTS[variant] };
        const timer = args.decodes ? timeDecodes(model) : undefined;
        const run =
          args.pace === 'stepped'
            ? await runStepped(model, () => model.live(options), set.pcm, { chunkSeconds })
            : await runPaced(model.live(options), set.pcm, { chunkSeconds, speed: args.speed });
        timer?.restore();
        const { latencies, matched } = wordLatencies(set.words, run.finals, args.pace === 'stepped' ? 1 : args.speed);
        const row = {
          model: id,
          variant,
          chunkSeconds,
          wer: wordErrorRate(set.reference, run.result.text),
          offlineWer,
          werAgainstOffline: wordErrorRate(offline.text, run.result.text),
          latencyP50: percentile(latencies, 50),
          latencyP90: percentile(latencies, 90),
          wordsTimed: matched,
          referenceWords: set.words.length,
          decodes: run.result.decodes,
          lagging: run.lagging?.length ?? 0,
          maxHeldSeconds: run.maxHeldSeconds,
          endAfterLastChunk: run.wallSeconds === undefined ? undefined : run.wallSeconds - run.pushedAt,
          text: run.result.text,
          offlineText: offline.text,
        };
        rows.push(row);
        console.log(
          `  ${variant}, ${chunkSeconds}-s chunks: WER ${pct(row.wer)} (offline ${pct(offlineWer)}, against offline ${pct(row.werAgainstOffline)}), ` +
            `latency median ${sec(row.latencyP50)}, p90 ${sec(row.latencyP90)} (${matched} words), ${row.decodes} decodes, ${row.lagging} lagging`,
        );
        if (timer) console.log(timer.summary().join('\n'));
        const losses = describeLiveLosses(set.reference, row.text, row.offlineText, { words: set.words, limit: 5 });
        if (losses.length > 0) console.log(`  where live erred more than offline (reference words):\n${losses.join('\n')}`);
      }
    }
    await model.dispose();
  }
  console.log('\n| model | variant | chunk | WER | offline WER | live vs offline | latency median | latency p90 | decodes | lagging events |');
  console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    console.log(`| ${r.model} | ${r.variant} | ${r.chunkSeconds} s | ${pct(r.wer)} | ${pct(r.offlineWer)} | ${pct(r.werAgainstOffline)} | ${sec(r.latencyP50)} | ${sec(r.latencyP90)} | ${r.decodes} | ${r.lagging} |`);
  }
  const dir = path.join(__dirname, '..', '.cache', 'bench', 'live');
  fs.mkdirSync(dir, { recursive: true });
  const out = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(out, JSON.stringify({ args, set: set.name, exactTimes: set.exactTimes, cpu: os.cpus()[0]?.model, rows }, null, 2));
  console.log(`\nwrote ${out}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
