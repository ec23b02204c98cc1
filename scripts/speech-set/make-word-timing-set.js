#!/usr/bin/env node
// Generates speech where every word's start and end are known, for measuring word timing
// (the `dtw` load option against whisper.cpp's timestamp heuristic): espeak-ng speaks each
// word of a public-domain text (scripts/speech-set/texts/) on its own, the silence espeak-ng
// puts around it is cut off (|sample| <= 32, about -60 dBFS, after resampling to 16 kHz),
// and the words are joined with seeded gaps of 80 to 400 ms into sentences of 8 to 20
// words, with 600 to 1000 ms between sentences. A word's start and end are then exactly
// where its first and last non-silent samples were put. Seeded white noise at -50 dBFS RMS
// runs under the whole clip (a quiet room: the gaps are not digital silence, which would
// make timing by signal energy too easy).
//
// Out (never committed; .cache/ is git-ignored): <out>/<clip>.wav, 16 kHz mono 16-bit PCM,
// and <out>/manifest.json: per clip its voice, duration, reference text and every word
// { text, startS, endS }, plus the cache key. About two minutes of audio and 200 words.
//
// Cheap to rerun: the manifest keeps a hash of this script, the texts and the espeak-ng and
// sox versions; when it matches nothing is done. Written into a temporary folder that
// replaces the old one only once complete.
//
//   node scripts/speech-set/make-word-timing-set.js [--out DIR] [--quiet]
//        (default DIR: <repo>/.cache/word-timing-set)
//
// Needs espeak-ng and sox (Debian packages espeak-ng, sox).
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const { run, parseEspeakWav, seededUniform, resample, writeWithNoise, makeSetOnce, setCommandLine } = require('./espeak-tools.js');

const ROOT = path.resolve(__dirname, '..', '..');
const TEXTS = path.join(__dirname, 'texts');
const DEFAULT_OUT = path.join(ROOT, '.cache', 'word-timing-set');
const MANIFEST_VERSION = 1;
const RATE = 16000;
const TRIM_LEVEL = 32; // |sample| at or below this at a word's ends is espeak-ng's silence
const AMPLITUDE = 70; // espeak-ng -a: keeps every voice clear of clipping after resampling
const LEAD_S = 0.3;
const TAIL_S = 0.5;
const WORD_GAP_S = [0.08, 0.4];
const SENTENCE_GAP_S = [0.6, 1.0];
const SENTENCE_WORDS = [8, 20];
const NOISE_DBFS = -50;

/** The clips: a text, how many of its words, and a voice and speed for espeak-ng. */
const CLIPS = [
  { id: 'words-01-north-wind', text: 'en-aesop-north-wind', words: 128, voice: 'en-us', speed: 160 },
  { id: 'words-02-tortoise', text: 'en-aesop-tortoise', words: 72, voice: 'en-gb', speed: 150 },
];

/** Whole samples of a 10-ms grid, uniform in [min, max] seconds. */
function drawSamples(uniform, [min, max]) {
  const steps = Math.round((max - min) * 100);
  return (Math.round(min * 100) + Math.floor(uniform() * (steps + 1))) * (RATE / 100);
}

/** One word, spoken alone, resampled to 16 kHz, without the silence around it. */
function speakWord(word, voice, speed) {
  const wav = run('espeak-ng', ['-a', String(AMPLITUDE), '-v', voice, '-s', String(speed), '--stdout', '--stdin'], Buffer.from(word, 'utf8'));
  const { rate, pcm } = parseEspeakWav(wav);
  const samples = resample(pcm, rate, RATE);
  let start = 0;
  let end = samples.length;
  while (start < end && Math.abs(samples[start]) <= TRIM_LEVEL) start++;
  while (end > start && Math.abs(samples[end - 1]) <= TRIM_LEVEL) end--;
  if (end - start < RATE / 50) throw new Error(`espeak-ng (${voice}) gave no speech for "${word}"`);
  return samples.slice(start, end);
}

/** The text's words, punctuation kept as written (it is what a transcript shows). */
function textWords(name, count) {
  const words = fs.readFileSync(path.join(TEXTS, `${name}.txt`), 'utf8').split(/\s+/).filter((w) => /[\p{L}\p{N}]/u.test(w));
  if (words.length < count) throw new Error(`${name}.txt has ${words.length} words, fewer than ${count}`);
  return words.slice(0, count);
}

/** What espeak-ng is given: the word without the punctuation around it. */
const spoken = (word) => word.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');

function makeClip(clip, dir, cache) {
  const uniform = seededUniform(clip.id);
  const words = textWords(clip.text, clip.words);
  const parts = [new Int16Array(Math.round(LEAD_S * RATE))];
  let at = parts[0].length;
  const timed = [];
  let left = 0; // words left in the current sentence
  for (const [i, word] of words.entries()) {
    if (i > 0) {
      const gap = new Int16Array(drawSamples(uniform, left === 0 ? SENTENCE_GAP_S : WORD_GAP_S));
      parts.push(gap);
      at += gap.length;
    }
    if (left === 0) left = SENTENCE_WORDS[0] + Math.floor(uniform() * (SENTENCE_WORDS[1] - SENTENCE_WORDS[0] + 1));
    left--;
    const key = `${clip.voice}/${clip.speed}/${spoken(word).toLowerCase()}`;
    if (!cache.has(key)) cache.set(key, speakWord(spoken(word), clip.voice, clip.speed));
    const speech = cache.get(key);
    timed.push({ text: word, startS: at / RATE, endS: (at + speech.length) / RATE });
    parts.push(speech);
    at += speech.length;
  }
  parts.push(new Int16Array(Math.round(TAIL_S * RATE)));
  const samples = new Int16Array(at + parts[parts.length - 1].length);
  let offset = 0;
  for (const part of parts) {
    samples.set(part, offset);
    offset += part.length;
  }
  const file = `${clip.id}.wav`;
  writeWithNoise(path.join(dir, file), samples, RATE, `${clip.id}/noise`, NOISE_DBFS);
  return {
    id: clip.id,
    file,
    voice: clip.voice,
    espeakSpeed: clip.speed,
    source: `texts/${clip.text}.txt, its first ${clip.words} words`,
    durationS: samples.length / RATE,
    reference: words.join(' '),
    words: timed,
  };
}

/** Makes the set in `out` unless it is there and current; returns the manifest's path. */
function makeWordTimingSet({ out = DEFAULT_OUT, quiet = false } = {}) {
  const files = [__filename, ...CLIPS.map((clip) => path.join(TEXTS, `${clip.text}.txt`))];
  return makeSetOnce({
    out,
    version: MANIFEST_VERSION,
    files,
    build(dir) {
      const cache = new Map();
      const clips = CLIPS.map((clip) => {
        if (!quiet) process.stderr.write(`make-word-timing-set: ${clip.id}\n`);
        return makeClip(clip, dir, cache);
      });
      return {
        wordGapS: WORD_GAP_S,
        sentenceGapS: SENTENCE_GAP_S,
        sentenceWords: SENTENCE_WORDS,
        trimLevel: TRIM_LEVEL,
        noiseDbfs: NOISE_DBFS,
        clips,
      };
    },
  });
}

module.exports = { makeWordTimingSet, DEFAULT_OUT };

if (require.main === module) setCommandLine('make-word-timing-set', makeWordTimingSet, DEFAULT_OUT);
