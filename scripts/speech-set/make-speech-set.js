#!/usr/bin/env node
// Generates a speech test set with known transcripts: real weights cannot be downloaded
// here and whisper.cpp's fixtures hold only a few seconds of speech, so word-error-rate and
// long-form tests need audio of their own. espeak-ng reads public-domain texts
// (scripts/speech-set/texts/, sources in its README.md) sentence by sentence, sox resamples
// each sentence to 16 kHz, and the sentences are joined here with pauses of known length
// (0.3 to 3 s, drawn from a seeded generator: the same set every run).
//
// Out (never committed; .cache/ is git-ignored), all 16 kHz mono 16-bit PCM WAV:
//   en-*.wav        English clips of 20 to 60 s, one voice and speed each (over 5 min in all)
//   en-long.wav     every English clip in a row, with en-long.txt, for long-form tests
//   de-, fr-, es-*  a shorter set per language
//   silence-30s.wav digital zero; noise-30s.wav seeded white noise at about -30 dBFS RMS
//   human-*.wav     recordings with transcripts from Debian's pocketsphinx-testdata, when
//                   it is installed (the manifest says whether it was)
//   manifest.json   every item: file, kind, language, reference, voice, wordsPerMinute,
//                   durationS, pauses (and for speech the timed sentences, for en-long
//                   the clips it is made of); the tool versions and the cache key
//
// Cheap to rerun: the manifest keeps a hash of this script, the texts, the espeak-ng and sox
// versions and the human recordings found; when it matches nothing is done. The set is
// written into a temporary folder that replaces the old one only once it is complete.
//
//   node scripts/speech-set/make-speech-set.js [--out DIR] [--quiet]
//        (default DIR: <repo>/.cache/speech-set)
//
// Needs espeak-ng and sox (Debian packages espeak-ng, sox; optionally pocketsphinx-testdata).
'use strict';

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const { pcm16WavHeader } = require('../wav-header.js');
const { mulberry32 } = require('../generate-model.js');
const { run, toolEnv, parseEspeakWav, seededUniform } = require('./espeak-tools.js');

const ROOT = path.resolve(__dirname, '..', '..');
const TEXTS = path.join(__dirname, 'texts');
const DEFAULT_OUT = path.join(ROOT, '.cache', 'speech-set');
const MANIFEST_VERSION = 1;
const RATE = 16000;

/** Commands the generator runs, and the Debian package each comes from. */
const TOOLS = [
  { command: 'espeak-ng', args: ['--version'], aptPackage: 'espeak-ng' },
  { command: 'sox', args: ['--version'], aptPackage: 'sox' },
];

/** Where Debian's pocketsphinx-testdata puts its recordings (override for tests/debugging). */
const HUMAN_DIR = process.env.POCKETSPHINX_TESTDATA_DIR || '/usr/share/pocketsphinx/test/data';

// Silence around the speech of each clip (not counted as pauses) and the pause range.
const LEAD_S = 0.2;
const TAIL_S = 0.4;
const PAUSE_MIN_S = 0.3;
const PAUSE_MAX_S = 3.0;
// |sample| at or below this (about -60 dBFS) at a sentence's ends is espeak-ng's own
// lead-in and trail; it is cut so that each pause is exactly the digital silence we insert.
const TRIM_LEVEL = 32;
// espeak-ng's amplitude (-a, default 100): at 100 some voices (klatt) reach full scale and
// resampling would clip; 70 leaves them 1.5 dB or more below it.
const AMPLITUDE = 70;

/**
 * The clips: a text file, a range of its lines (one sentence per line, 1-based, inclusive),
 * an espeak-ng voice (language[+variant]) and espeak-ng's speed setting (-s). espeak-ng
 * speaks faster than -s says, by 1.1 to 1.3 times depending on the voice and the text; the
 * manifest's wordsPerMinute is measured: words over the time the sentences take (espeak-ng's
 * own pauses at commas included, the pauses between sentences not).
 */
const CLIPS = [
  { id: 'en-01-gettysburg', text: 'en-gettysburg', lines: [1, 5], voice: 'en-us', speed: 150 },
  { id: 'en-02-gettysburg', text: 'en-gettysburg', lines: [6, 8], voice: 'en-gb-scotland', speed: 115 },
  { id: 'en-03-gettysburg', text: 'en-gettysburg', lines: [9, 10], voice: 'en-us+f3', speed: 165 },
  { id: 'en-04-declaration', text: 'en-declaration', lines: [1, 2], voice: 'en-gb', speed: 180 },
  { id: 'en-05-declaration', text: 'en-declaration', lines: [3, 5], voice: 'en-gb+m3', speed: 135 },
  { id: 'en-06-north-wind', text: 'en-aesop-north-wind', lines: [1, 6], voice: 'en-us+klatt', speed: 155 },
  { id: 'en-07-tortoise', text: 'en-aesop-tortoise', lines: [1, 8], voice: 'en-gb-x-rp+f2', speed: 140 },
  { id: 'en-08-lion-mouse', text: 'en-aesop-lion-mouse', lines: [1, 5], voice: 'en-029', speed: 158 },
  { id: 'en-09-lion-mouse', text: 'en-aesop-lion-mouse', lines: [6, 9], voice: 'en-us-nyc+m7', speed: 125 },
  { id: 'de-01-sterntaler', text: 'de-sterntaler', lines: [1, 5], voice: 'de', speed: 140 },
  { id: 'de-02-sterntaler', text: 'de-sterntaler', lines: [6, 9], voice: 'de+f2', speed: 165 },
  { id: 'fr-01-corbeau', text: 'fr-la-fontaine', lines: [1, 8], voice: 'fr-fr', speed: 150 },
  { id: 'fr-02-cigale', text: 'fr-la-fontaine', lines: [9, 13], voice: 'fr+m3', speed: 160 },
  { id: 'es-01-quijote', text: 'es-quijote', lines: [1, 3], voice: 'es', speed: 145 },
  { id: 'es-02-quijote', text: 'es-quijote', lines: [4, 5], voice: 'es+f3', speed: 170 },
];

/**
 * Recordings in pocketsphinx-testdata with the transcripts it ships (or, for goforward.raw,
 * the sentence its grammar and pocketsphinx's own decoder tests expect). Notes say where a
 * transcript's conventions differ from what a transcriber like Whisper writes.
 */
const HUMAN = {
  transcriptFiles: ['librivox/transcription', 'cards/cards.transcription'],
  audio: { librivox: (id) => `librivox/${id}.wav`, cards: (id) => `cards/${id}.wav` },
  extra: [{ id: 'goforward', file: 'goforward.raw', raw: true, reference: 'go forward ten meters', source: 'goforward.gram and pocketsphinx decoder tests' }],
  notes: {
    'sense_and_sensibility_01_austen_64kb-0870': "the transcript spells 'mister' (transcribers write 'Mr.')",
    'sense_and_sensibility_01_austen_64kb-0920': "the transcript has 'a more a amiable' (the book: 'a more amiable')",
    '001': 'number words (transcribers may write digits)',
    '002': 'number words (transcribers may write digits)',
    '003': 'number words (transcribers may write digits)',
    '004': 'number words (transcribers may write digits)',
    '005': 'number words (transcribers may write digits)',
    goforward: 'number words (transcribers may write digits)',
  },
};

// --- tools ----------------------------------------------------------------------------

/** Which of espeak-ng and sox are missing: `missing` commands, `aptPackages` that hold them. */
function speechSetTools() {
  const missing = TOOLS.filter((tool) => {
    const result = spawnSync(tool.command, tool.args, { encoding: 'utf8', env: toolEnv() });
    return result.error !== undefined || result.status !== 0;
  });
  const commands = missing.map((tool) => tool.command);
  const aptPackages = missing.map((tool) => tool.aptPackage);
  return {
    missing: commands,
    aptPackages,
    message: missing.length === 0 ? '' : `the speech set needs ${commands.join(' and ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed: apt-get install ${aptPackages.join(' ')}`,
  };
}

function toolVersions() {
  const espeak = String(run('espeak-ng', ['--version'])).trim();
  const sox = String(run('sox', ['--version'])).trim();
  return {
    espeak: (/text-to-speech:\s*(\S+)/.exec(espeak) || [null, espeak])[1],
    sox: (/v(\d[\w.]*)/.exec(sox) || [null, sox])[1],
  };
}

/** espeak-ng ignores a variant it does not have (en+nonesuch is plain en): say so instead. */
function checkVariants() {
  const listing = String(run('espeak-ng', ['--voices=variant']));
  const known = new Set([...listing.matchAll(/!v\/(\S+)/g)].map((match) => match[1]));
  const unknown = [...new Set(CLIPS.map((clip) => clip.voice.split('+')[1]).filter((variant) => variant && !known.has(variant)))];
  if (unknown.length > 0) throw new Error(`espeak-ng has no voice variant ${unknown.join(', ')} (see espeak-ng --voices=variant)`);
}

// --- audio ----------------------------------------------------------------------------

function int16FromBuffer(buffer) {
  const samples = new Int16Array(buffer.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = buffer.readInt16LE(2 * i);
  return samples;
}

function writeWav(file, samples) {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i], 2 * i);
  fs.writeFileSync(file, Buffer.concat([pcm16WavHeader(data.length, RATE, 1), data]));
}

/** One sentence, spoken and resampled to 16 kHz mono, with espeak-ng's own silence cut off. */
function speak(text, voice, speed) {
  const wav = run('espeak-ng', ['-a', String(AMPLITUDE), '-v', voice, '-s', String(speed), '--stdout', '--stdin'], Buffer.from(text, 'utf8'));
  const { rate, pcm } = parseEspeakWav(wav);
  const raw = ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-L'];
  // -D: no dither, so the output is a pure function of the input; -V1: errors only.
  const resampled = run('sox', ['-D', '-V1', ...raw, '-r', String(rate), '-', ...raw, '-r', String(RATE), '-'], pcm);
  const samples = int16FromBuffer(resampled);
  let start = 0;
  let end = samples.length;
  while (start < end && Math.abs(samples[start]) <= TRIM_LEVEL) start++;
  while (end > start && Math.abs(samples[end - 1]) <= TRIM_LEVEL) end--;
  if (end - start < RATE / 10) throw new Error(`espeak-ng (${voice}) gave no speech for: ${text}`);
  return samples.subarray(start, end);
}

function concatenate(parts) {
  const out = new Int16Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

// --- seeded numbers -------------------------------------------------------------------

/** Pause lengths in whole samples of 10 ms steps, uniform in [PAUSE_MIN_S, PAUSE_MAX_S]. */
function pauseDrawer(name, min = PAUSE_MIN_S, max = PAUSE_MAX_S) {
  const uniform = seededUniform(name);
  const steps = Math.round((max - min) * 100);
  return () => Math.round(min * 100 + Math.floor(uniform() * (steps + 1))) * (RATE / 100);
}

// --- the set --------------------------------------------------------------------------

const seconds = (samples) => samples / RATE;
const round3 = (value) => Math.round(value * 1000) / 1000;
const countWords = (text) => text.split(/\s+/).filter((word) => /[\p{L}\p{N}]/u.test(word)).length;

function readLines(name) {
  return fs
    .readFileSync(path.join(TEXTS, `${name}.txt`), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

/** A clip: its sentences joined by seeded pauses, LEAD_S before and TAIL_S after. */
function makeClip(clip, dir) {
  const sentences = readLines(clip.text).slice(clip.lines[0] - 1, clip.lines[1]);
  if (sentences.length !== clip.lines[1] - clip.lines[0] + 1) throw new Error(`${clip.text}.txt has no lines ${clip.lines.join(' to ')}`);
  const drawPause = pauseDrawer(clip.id);
  const parts = [new Int16Array(Math.round(LEAD_S * RATE))];
  const timed = [];
  const pauses = [];
  let at = parts[0].length;
  let speechSamples = 0;
  sentences.forEach((text, i) => {
    if (i > 0) {
      const pause = new Int16Array(drawPause());
      pauses.push({ atS: seconds(at), lengthS: seconds(pause.length) });
      parts.push(pause);
      at += pause.length;
    }
    const speech = speak(text, clip.voice, clip.speed);
    timed.push({ startS: seconds(at), endS: seconds(at + speech.length), text });
    parts.push(speech);
    at += speech.length;
    speechSamples += speech.length;
  });
  parts.push(new Int16Array(Math.round(TAIL_S * RATE)));
  const samples = concatenate(parts);
  const file = `${clip.id}.wav`;
  writeWav(path.join(dir, file), samples);
  const reference = sentences.join(' ');
  return {
    item: {
      id: clip.id,
      file,
      kind: 'speech',
      language: clip.id.slice(0, 2),
      reference,
      voice: clip.voice,
      // Measured: words over the time spent speaking (the sentences, without our pauses).
      wordsPerMinute: Math.round(countWords(reference) / (seconds(speechSamples) / 60)),
      espeakSpeed: clip.speed,
      source: `texts/${clip.text}.txt lines ${clip.lines[0]}-${clip.lines[1]}`,
      durationS: seconds(samples.length),
      pauses,
      sentences: timed,
    },
    samples,
  };
}

/** Every English clip in a row; between clips a seeded gap makes 1 to 3 s without speech. */
function makeLong(clips, dir) {
  const drawGap = pauseDrawer('en-long', 1.0, PAUSE_MAX_S);
  const parts = [];
  const pauses = [];
  const clipParts = [];
  let at = 0;
  clips.forEach(({ item, samples }, i) => {
    if (i > 0) {
      const silent = drawGap();
      const gap = new Int16Array(silent - Math.round((LEAD_S + TAIL_S) * RATE));
      pauses.push({ atS: seconds(at - Math.round(TAIL_S * RATE)), lengthS: seconds(silent) });
      parts.push(gap);
      at += gap.length;
    }
    for (const pause of item.pauses) pauses.push({ atS: seconds(at + Math.round(pause.atS * RATE)), lengthS: pause.lengthS });
    clipParts.push({ id: item.id, startS: seconds(at), endS: seconds(at + samples.length), voice: item.voice });
    parts.push(samples);
    at += samples.length;
  });
  const samples = concatenate(parts);
  const reference = clips.map(({ item }) => item.reference).join(' ');
  writeWav(path.join(dir, 'en-long.wav'), samples);
  fs.writeFileSync(path.join(dir, 'en-long.txt'), `${reference}\n`);
  const words = countWords(reference);
  const speaking = clips.reduce((sum, { item }) => sum + item.sentences.reduce((s, t) => s + t.endS - t.startS, 0), 0);
  return {
    id: 'en-long',
    file: 'en-long.wav',
    kind: 'long',
    language: 'en',
    reference,
    voice: 'mixed',
    wordsPerMinute: Math.round(words / (speaking / 60)),
    durationS: seconds(samples.length),
    pauses,
    parts: clipParts,
  };
}

function makeSilence(dir) {
  const samples = new Int16Array(30 * RATE);
  writeWav(path.join(dir, 'silence-30s.wav'), samples);
  return { id: 'silence-30s', file: 'silence-30s.wav', kind: 'silence', language: null, reference: '', voice: null, wordsPerMinute: null, durationS: seconds(samples.length) };
}

/** Gaussian white noise (Box-Muller over mulberry32, seed 1) at -30 dBFS RMS. */
function makeNoise(dir) {
  const uniform = mulberry32(1);
  const sigma = 32768 * 10 ** (-30 / 20);
  const samples = new Int16Array(30 * RATE);
  let sumSquares = 0;
  for (let i = 0; i < samples.length; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - uniform())) * sigma;
    const angle = 2 * Math.PI * uniform();
    for (const [k, value] of [[i, radius * Math.cos(angle)], [i + 1, radius * Math.sin(angle)]]) {
      samples[k] = Math.max(-32768, Math.min(32767, Math.round(value)));
      sumSquares += samples[k] * samples[k];
    }
  }
  writeWav(path.join(dir, 'noise-30s.wav'), samples);
  const rmsDbfs = round3(20 * Math.log10(Math.sqrt(sumSquares / samples.length) / 32768));
  return { id: 'noise-30s', file: 'noise-30s.wav', kind: 'noise', language: null, reference: '', voice: null, wordsPerMinute: null, durationS: seconds(samples.length), rmsDbfs, seed: 1 };
}

/** The recordings of pocketsphinx-testdata that have transcripts; [] when it is not installed. */
function humanSources() {
  const found = [];
  for (const list of HUMAN.transcriptFiles) {
    const listPath = path.join(HUMAN_DIR, list);
    if (!fs.existsSync(listPath)) continue;
    const corpus = list.split('/')[0];
    for (const line of fs.readFileSync(listPath, 'utf8').split('\n')) {
      const match = /^\s*(?:<s>)?\s*(.*?)\s*(?:<\/s>)?\s*\(([^()]+)\)\s*$/.exec(line);
      if (!match) continue;
      const [, reference, id] = match;
      const file = path.join(HUMAN_DIR, HUMAN.audio[corpus](id));
      if (fs.existsSync(file)) found.push({ id, corpus, file, raw: false, reference: reference.replace(/\s+/g, ' '), source: list });
    }
  }
  for (const extra of HUMAN.extra) {
    const file = path.join(HUMAN_DIR, extra.file);
    if (fs.existsSync(file)) found.push({ ...extra, corpus: 'pocketsphinx', file });
  }
  return found;
}

function makeHuman(source, dir) {
  const raw = ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-L'];
  const input = source.raw ? [...raw, '-r', String(RATE), source.file] : [source.file];
  const samples = int16FromBuffer(run('sox', ['-D', '-V1', ...input, ...raw, '-r', String(RATE), '-']));
  const id = `human-${source.corpus}-${source.id.replace(/^.*-(\d+)$/, '$1')}`;
  const file = `${id}.wav`;
  writeWav(path.join(dir, file), samples);
  const item = {
    id,
    file,
    kind: 'human',
    language: 'en',
    reference: source.reference,
    voice: `human (pocketsphinx-testdata ${source.corpus})`,
    wordsPerMinute: null,
    durationS: seconds(samples.length),
    source: `${path.relative(HUMAN_DIR, source.file)}; transcript: ${source.source}`,
  };
  if (HUMAN.notes[source.id]) item.note = HUMAN.notes[source.id];
  return item;
}

function cacheKey(versions, humans) {
  const hash = crypto.createHash('sha256');
  hash.update(fs.readFileSync(__filename));
  hash.update(fs.readFileSync(path.join(__dirname, '..', 'wav-header.js')));
  for (const name of fs.readdirSync(TEXTS).filter((file) => file.endsWith('.txt')).sort()) hash.update(`\0${name}\0`).update(fs.readFileSync(path.join(TEXTS, name)));
  hash.update(`\0espeak-ng ${versions.espeak}\0sox ${versions.sox}\0`);
  for (const human of humans) hash.update(`${human.file} ${fs.statSync(human.file).size} ${human.reference}\n`);
  return hash.digest('hex');
}

function readManifest(out) {
  try {
    return JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Generates the set into `out` (default .cache/speech-set) unless it is there already with
 * the same cache key. Returns { out, manifest, cached, seconds }.
 */
function makeSpeechSet({ out = DEFAULT_OUT, quiet = false } = {}) {
  const started = Date.now();
  // Progress goes to stderr: callers (scripts/prepare-real-tier.js) keep stdout for results.
  const log = quiet ? () => {} : (line) => console.error(line);
  const tools = speechSetTools();
  if (tools.missing.length > 0) throw new Error(tools.message);
  out = path.resolve(out);
  const versions = toolVersions();
  const humans = humanSources();
  const key = cacheKey(versions, humans);
  const existing = readManifest(out);
  if (existing && existing.cacheKey === key && existing.items.every((item) => fs.existsSync(path.join(out, item.file)))) {
    log(`speech set: ${out} is up to date`);
    return { out, manifest: existing, cached: true, seconds: (Date.now() - started) / 1000 };
  }

  checkVariants();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp);
  try {
    const clips = CLIPS.map((clip) => {
      const made = makeClip(clip, tmp);
      log(`speech set: ${made.item.file} ${made.item.durationS.toFixed(1)} s, ${made.item.voice}, ${made.item.wordsPerMinute} words/min`);
      return made;
    });
    const items = clips.map(({ item }) => item);
    const english = clips.filter(({ item }) => item.language === 'en');
    items.push(makeLong(english, tmp), makeSilence(tmp), makeNoise(tmp));
    for (const source of humans) items.push(makeHuman(source, tmp));
    const manifest = {
      version: MANIFEST_VERSION,
      generatedBy: 'scripts/speech-set/make-speech-set.js',
      espeakVersion: versions.espeak,
      soxVersion: versions.sox,
      cacheKey: key,
      sampleRate: RATE,
      human: {
        dir: HUMAN_DIR,
        found: humans.length > 0,
        items: humans.length,
        note: humans.length > 0
          ? 'recordings and transcripts from Debian package pocketsphinx-testdata (BSD-2, CMU Sphinx; the LibriVox reading is public domain)'
          : `no recordings: Debian package pocketsphinx-testdata is not installed (nothing at ${HUMAN_DIR})`,
      },
      items,
    };
    fs.writeFileSync(path.join(tmp, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    const old = `${out}.old-${process.pid}`;
    if (fs.existsSync(out)) fs.renameSync(out, old);
    fs.renameSync(tmp, out);
    fs.rmSync(old, { recursive: true, force: true });
    const englishS = english.reduce((sum, { item }) => sum + item.durationS, 0);
    const elapsed = (Date.now() - started) / 1000;
    log(`speech set: ${items.length} items, English ${englishS.toFixed(1)} s in ${english.length} clips, human ${humans.length}; ${out} in ${elapsed.toFixed(1)} s`);
    return { out, manifest, cached: false, seconds: elapsed };
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
}

module.exports = { makeSpeechSet, speechSetTools, DEFAULT_OUT };

if (require.main === module) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  try {
    if (outAt >= 0 && !args[outAt + 1]) throw new Error('--out needs a folder');
    makeSpeechSet({ out: outAt >= 0 ? args[outAt + 1] : DEFAULT_OUT, quiet: args.includes('--quiet') });
  } catch (error) {
    console.error(`make-speech-set: ${error.message}`);
    process.exit(1);
  }
}
