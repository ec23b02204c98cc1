// Benchmark inputs: jfk.wav as it is, and longer inputs made by repeating it with half a
// second of silence between copies, written as 16 kHz mono 16-bit WAV (what every runner
// reads) into .cache/bench/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { pcm16WavHeader } = require('../scripts/wav-header.js');

const ROOT = path.resolve(__dirname, '..');
const JFK = path.resolve(ROOT, '..', 'shared', 'fixtures', 'jfk.wav');
const DIR = path.join(ROOT, '.cache', 'bench');

function pcmOf(wav) {
  const data = fs.readFileSync(wav);
  let offset = 12;
  while (offset + 8 <= data.length) {
    const id = data.toString('ascii', offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    if (id === 'data') return data.subarray(offset + 8, offset + 8 + size);
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${wav}: no data chunk`);
}

function writeWav(file, pcm) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, Buffer.concat([pcm16WavHeader(pcm.length), pcm]));
  fs.renameSync(tmp, file);
}

/** { name, file, seconds } for 'jfk', '5min', '30min' (or '<n>s'). */
function input(name) {
  if (name === 'jfk') return { name, file: JFK, seconds: 11 };
  const seconds = name === '5min' ? 300 : name === '30min' ? 1800 : Number(/^(\d+)s$/.exec(name)?.[1]);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error(`unknown input '${name}' (jfk, 5min, 30min or <n>s)`);
  const file = path.join(DIR, `jfk-repeated-${seconds}s.wav`);
  if (!fs.existsSync(file)) {
    const speech = pcmOf(JFK);
    const gap = Buffer.alloc(16000); // 0.5 s of 16-bit silence
    const total = seconds * 32000;
    const out = Buffer.alloc(total);
    for (let at = 0; at < total; at += speech.length + gap.length) speech.copy(out, at, 0, Math.min(speech.length, total - at));
    writeWav(file, out);
  }
  return { name, file, seconds };
}

module.exports = { input, JFK, pcmOf, writeWav };
