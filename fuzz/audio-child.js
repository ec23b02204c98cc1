// Fuzz child for audio (see driver.js): decode each damaged file from memory with
// decodeAudio(), as transcribe() would, and check what comes out is finite 16 kHz samples.
//   node fuzz/audio-child.js <first> <last> <seed> <seed files JSON>
'use strict';
const fs = require('node:fs');

const { childLoop } = require('./driver');
const { audioCase } = require('./audio-mutations');
const { decodeAudio, WhisperError } = require('../dist/cjs');

const [seedText, seedFiles] = process.argv.slice(4);
const seeds = JSON.parse(seedFiles).map(({ format, file }) => ({ format, bytes: fs.readFileSync(file) }));
const seed = Number(seedText);

childLoop({
  WhisperError,
  prepare(index) {
    const { bytes, what } = audioCase(seeds, seed, index);
    return { what, input: bytes };
  },
  async run(bytes) {
    const samples = await decodeAudio(bytes);
    for (let i = 0; i < samples.length; i++) {
      if (!Number.isFinite(samples[i])) return { outcome: 'untyped', error: 'NotFinite', message: `sample ${i} of ${samples.length} is ${samples[i]}` };
    }
    return { outcome: 'ok' };
  },
});
