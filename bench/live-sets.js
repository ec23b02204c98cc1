// The audio of live runs, with reference texts and reference word end times:
//
// - 'five-minute': the speech set's English recording (en-long: 9 voices, pauses of
//   0.3-3 s) up to the end of its seventh part, 297.5 s. Word times are estimates: each
//   sentence's span (from the generator) shared among its words by their lengths.
// - 'connected': the connected-timing set (2 clips, 65 s), whose word times are espeak-ng's
//   own word events: exact.
// - 'jfk': whisper.cpp's jfk.wav (11 s), its words timed like 'five-minute' (one sentence).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { normalizeWords } = require('../scripts/wer.js');
const { JFK, pcmOf } = require('./inputs');
const { JFK_REFERENCE, loadRealTier } = require('./real-tier');

const SAMPLE_RATE = 16000;
const FIVE_MINUTE_PARTS = 7;
/** Silence kept after the last part's end (s). */
const TAIL_SECONDS = 0.5;

function floatPcm(bytes) {
  const out = new Float32Array(bytes.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readInt16LE(2 * i) / 32768;
  return out;
}

/** Words of `text` spread over [start, end] by their lengths: [{ word, end }]. */
function spread(text, start, end) {
  const words = normalizeWords(text);
  const letters = words.reduce((n, w) => n + w.length + 1, 0);
  const perLetter = (end - start) / letters;
  let at = start;
  return words.map((word) => {
    at += (word.length + 1) * perLetter;
    return { word, end: at - perLetter };
  });
}

function fiveMinute() {
  const tier = loadRealTier();
  if (!tier?.speechSet) throw new Error('no speech set: run node scripts/prepare-real-tier.js');
  const manifest = JSON.parse(fs.readFileSync(path.join(tier.speechSet, 'manifest.json'), 'utf8'));
  const long = manifest.items.find((i) => i.id === 'en-long');
  const parts = long.parts.slice(0, FIVE_MINUTE_PARTS);
  const words = [];
  for (const part of parts) {
    const clip = manifest.items.find((i) => i.id === part.id);
    for (const s of clip.sentences) words.push(...spread(s.text, part.startS + s.startS, part.startS + s.endS));
  }
  const seconds = parts[parts.length - 1].endS + TAIL_SECONDS;
  const pcm = floatPcm(pcmOf(path.join(tier.speechSet, long.file))).subarray(0, Math.round(seconds * SAMPLE_RATE));
  const reference = parts.map((p) => manifest.items.find((i) => i.id === p.id).reference).join(' ');
  return { name: 'five-minute', pcm, reference, words, exactTimes: false };
}

function connected() {
  const tier = loadRealTier();
  if (!tier?.connectedTimingSet) throw new Error('no connected-timing set: run node scripts/prepare-real-tier.js');
  const manifest = JSON.parse(fs.readFileSync(tier.connectedTimingSet, 'utf8'));
  const dir = path.dirname(tier.connectedTimingSet);
  const gap = new Float32Array(SAMPLE_RATE); // 1 s between the clips
  const pieces = [];
  const words = [];
  let offset = 0;
  for (const clip of manifest.clips) {
    const pcm = floatPcm(pcmOf(path.join(dir, clip.file)));
    for (const w of clip.words) for (const word of normalizeWords(w.text)) words.push({ word, end: offset + w.endS });
    pieces.push(pcm, gap);
    offset += (pcm.length + gap.length) / SAMPLE_RATE;
  }
  const pcm = new Float32Array(pieces.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of pieces) {
    pcm.set(p, at);
    at += p.length;
  }
  return { name: 'connected', pcm, reference: manifest.clips.map((c) => c.reference).join(' '), words, exactTimes: true };
}

function jfk() {
  return { name: 'jfk', pcm: floatPcm(pcmOf(JFK)), reference: JFK_REFERENCE, words: spread(JFK_REFERENCE, 0.3, 10.6), exactTimes: false };
}

const SETS = { 'five-minute': fiveMinute, connected, jfk };

/** { name, pcm, reference, words: [{ word, end }], exactTimes } */
function liveSet(name) {
  const make = SETS[name];
  if (!make) throw new Error(`unknown live set '${name}' (${Object.keys(SETS).join(', ')})`);
  return make();
}

module.exports = { liveSet, LIVE_SETS: Object.keys(SETS) };
