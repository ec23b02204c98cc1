// Fuzz child for model files (see driver.js): for each case, write the damaged file, load it,
// and when it loads, transcribe two seconds of speech with it and free it.
//   node fuzz/model-child.js <first> <last> <model> <seed> <jfk.wav>
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { childLoop } = require('./driver');
const { modelLayout } = require('./model-layout');
const { modelCase } = require('./model-mutations');
const { decodeAudio, loadModel, WhisperError } = require('../dist/cjs');

const [model, seedText, wav] = process.argv.slice(4);
const original = fs.readFileSync(model);
const layout = modelLayout(original);
const seed = Number(seedText);
const scratch = fs.mkdtempSync(path.join(fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir(), 'whisper-napi-fuzz-'));
const file = path.join(scratch, 'case.bin');
process.on('exit', () => fs.rmSync(scratch, { recursive: true, force: true }));
// The first 2 s of jfk.wav: enough for one window of encoder and decoder work.
let speech;

childLoop({
  WhisperError,
  prepare(index) {
    const { bytes, what } = modelCase(original, layout, seed, index);
    fs.writeFileSync(file, bytes);
    // Odd cases decode with the library defaults (temperature fallback on, which samples from
    // the damaged model's probabilities), even ones greedily without fallback.
    return { what, input: { file, fallback: index % 2 === 1 } };
  },
  async run({ file: modelFile, fallback }) {
    speech ??= (await decodeAudio(wav)).subarray(0, 32000);
    const m = await loadModel(modelFile, { threads: 1 });
    try {
      await m.transcribe(speech, { ...(fallback ? {} : { temperatureIncrement: 0 }), threads: 1, maxTokensPerSegment: 32 });
    } finally {
      await m.dispose();
    }
  },
});
