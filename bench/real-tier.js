// The real-weights tier for `bench/run.js --real`: the manifest written by
// scripts/prepare-real-tier.js (WHISPER_REAL_TIER names it, else .cache/real-tier/manifest.json,
// as in test/support/real-tier.ts), its models and the inputs with their reference texts.
//
// A real model row is { id, key, ggml, ct2 }: runners that read ggml files (whisper-napi,
// whisper-cli) take `ggml`, faster-whisper takes the CTranslate2 directory `ct2` (a runner's
// `modelFormat` says which; bench/run.js passes that one as `model`).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { JFK, pcmOf, writeWav } = require('./inputs');

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(ROOT, '.cache', 'bench');

const JFK_REFERENCE = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
/** Copies of the 6-minute recording in '30min-speech', and the silence between them. */
const LONG_COPIES = 5;
const LONG_GAP_SECONDS = 2;

function manifestFile() {
  return process.env.WHISPER_REAL_TIER ? path.resolve(process.env.WHISPER_REAL_TIER) : path.join(ROOT, '.cache', 'real-tier', 'manifest.json');
}

/** The parsed manifest, or undefined when the real tier has not been prepared. */
function loadRealTier() {
  const file = manifestFile();
  if (!fs.existsSync(file)) return undefined;
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** Why the real tier cannot be used here (undefined when it can). */
function realTierMissing() {
  const file = manifestFile();
  if (!fs.existsSync(file)) return `no real tier (${file} is absent: run node scripts/prepare-real-tier.js)`;
  return undefined;
}

/** [{ id, key, ggml, ct2 }] for the ids asked; throws naming what is missing. */
function realModels(tier, ids) {
  return ids.map((id) => {
    const entry = tier.models[id];
    if (!entry) {
      const skipped = (tier.skipped ?? []).find((s) => s.model === id);
      throw new Error(`real model '${id}' is not in the real tier (has: ${Object.keys(tier.models).join(', ')})${skipped ? `; skipped when it was prepared: ${skipped.reason}` : ''}`);
    }
    for (const key of ['ggml', 'ct2']) {
      if (!entry[key] || !fs.existsSync(entry[key])) throw new Error(`real model '${id}': its ${key} (${entry[key]}) does not exist; rerun node scripts/prepare-real-tier.js`);
    }
    return { id, key: id, ggml: entry.ggml, ct2: entry.ct2 };
  });
}

function speechManifest(tier) {
  return JSON.parse(fs.readFileSync(path.join(tier.speechSet, 'manifest.json'), 'utf8'));
}

/** The speech set's 'long' item: { file, reference, seconds, language, cacheKey }. */
function longItem(tier) {
  const manifest = speechManifest(tier);
  const item = manifest.items.find((i) => i.kind === 'long');
  if (!item) throw new Error(`${tier.speechSet}/manifest.json has no item of kind 'long'`);
  return { file: path.resolve(tier.speechSet, item.file), reference: item.reference, seconds: item.durationS, language: item.language, cacheKey: manifest.cacheKey ?? 'nokey' };
}

/**
 * { name, file, seconds, reference, language } for 'jfk' (jfk.wav, 11 s), '6min-speech' (the
 * speech set's long recording, about 6 min) and '30min-speech' (that recording five times with
 * 2 s of silence between the copies, about 31 min, written once into .cache/bench/; its
 * reference is the recording's five times) and 'english-clips' (the speech set's 20 English
 * clips, 398 s, each its own transcription: `clips` lists them).
 */
function realInput(tier, name) {
  if (name === 'jfk') return { name, file: JFK, seconds: 11, reference: JFK_REFERENCE, language: 'en' };
  if (name === '6min-speech') {
    const long = longItem(tier);
    return { name, file: long.file, seconds: Number(long.seconds.toFixed(1)), reference: long.reference, language: long.language };
  }
  if (name === '30min-speech') {
    const long = longItem(tier);
    // The speech set's cache key in the name: a regenerated set gives a new file.
    const file = path.join(DIR, `en-long-x${LONG_COPIES}-${String(long.cacheKey).slice(0, 12)}.wav`);
    if (!fs.existsSync(file)) {
      const speech = pcmOf(long.file);
      const gap = Buffer.alloc(LONG_GAP_SECONDS * 32000); // 16 kHz, 16-bit silence
      const parts = [];
      for (let i = 0; i < LONG_COPIES; i++) parts.push(...(i ? [gap, speech] : [speech]));
      writeWav(file, Buffer.concat(parts));
    }
    const seconds = LONG_COPIES * long.seconds + (LONG_COPIES - 1) * LONG_GAP_SECONDS;
    return { name, file, seconds: Number(seconds.toFixed(1)), reference: Array(LONG_COPIES).fill(long.reference).join(' '), language: long.language };
  }
  if (name === 'english-clips') {
    // The English clips of the speech set (9 espeak-ng voices, 26-58 s, and 11 human
    // recordings, 1-7 s), each transcribed on its own: a fixed amount of work (one or two
    // windows a clip), where long-form decoding cannot run away into repetition loops.
    const clips = speechManifest(tier).items.filter((i) => (i.kind === 'speech' || i.kind === 'human') && i.language === 'en');
    const seconds = clips.reduce((sum, i) => sum + i.durationS, 0);
    return {
      name,
      file: `${tier.speechSet} (${clips.length} clips)`,
      clips: clips.map((i) => ({ file: path.resolve(tier.speechSet, i.file), reference: i.reference })),
      seconds: Number(seconds.toFixed(1)),
      reference: clips.map((i) => i.reference).join(' '),
      language: 'en',
    };
  }
  throw new Error(`unknown real-mode input '${name}' (jfk, 6min-speech, 30min-speech, english-clips)`);
}

module.exports = { loadRealTier, realTierMissing, realModels, realInput, JFK_REFERENCE };
