#!/usr/bin/env node
// Audio fuzzing: damaged WAV, MP3, FLAC and Ogg Vorbis files (fuzz/audio-mutations.js),
// seeded from the fixtures, each decoded in a child process. Every case must end as decoded
// finite samples or a typed error: no abort, segfault, hang or untyped error.
//
//   node fuzz/audio.js [--cases 10000] [--seed 1] [--parallel 2] [--first 0] [--timeout 60]
//   node fuzz/audio.js --case N [--seed 1]
//
// FLAC, Ogg and the 24-bit 44.1 kHz stereo WAV are made from jfk.wav with sox; without sox
// only jfk.wav and jfk.mp3 are used, and the run says so.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { fuzzCommand } = require('./command');

const ROOT = path.resolve(__dirname, '..');
const FIXTURES = path.resolve(ROOT, '..', 'shared', 'fixtures');
const CACHE = path.join(ROOT, '.cache', 'fuzz');

function seedFiles() {
  const jfk = path.join(FIXTURES, 'jfk.wav');
  const seeds = [
    { format: 'wav', file: jfk },
    { format: 'mp3', file: path.join(FIXTURES, 'jfk.mp3') },
  ];
  const made = [
    ['flac', 'jfk.flac', []],
    ['ogg', 'jfk.ogg', []],
    ['wav', 'jfk-44k-stereo-24bit.wav', ['-b', '24', '-c', '2', '-r', '44100']],
    ['wav', 'jfk-float.wav', ['-e', 'floating-point', '-b', '32']],
  ];
  fs.mkdirSync(CACHE, { recursive: true });
  for (const [format, name, options] of made) {
    const file = path.join(CACHE, name);
    try {
      if (!fs.existsSync(file)) execFileSync('sox', [jfk, ...options, file], { stdio: 'pipe' });
      seeds.push({ format, file });
    } catch (error) {
      console.error(`fuzz audio: !! no ${name} (sox failed or is missing: ${error.message.split('\n')[0]}); fuzzing without it`);
    }
  }
  return seeds;
}

const seeds = seedFiles();
console.log(`seeds: ${seeds.map((s) => path.basename(s.file)).join(', ')}`);
fuzzCommand({
  name: 'audio',
  child: path.join(__dirname, 'audio-child.js'),
  args: (seed) => [seed, JSON.stringify(seeds)],
}).catch((error) => {
  console.error(error);
  process.exit(2);
});
