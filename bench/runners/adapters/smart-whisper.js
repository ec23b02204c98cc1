// smart-whisper (built from source by its install script, with the whisper.cpp it
// bundles): greedy, temperature 0 without fallback. It takes 16 kHz Float32 PCM, read here
// outside the timings.
'use strict';
const fs = require('node:fs');

const NAME = 'smart-whisper';
const binding = () => require(NAME);

function readPcm16Wav(file) {
  const data = fs.readFileSync(file);
  let offset = 12;
  while (offset + 8 <= data.length) {
    const size = data.readUInt32LE(offset + 4);
    if (data.toString('ascii', offset, offset + 4) === 'data') {
      const out = new Float32Array(size >> 1);
      for (let i = 0; i < out.length; i++) out[i] = data.readInt16LE(offset + 8 + 2 * i) / 32768;
      return out;
    }
    offset += 8 + size + (size & 1);
  }
  throw new Error(`${file}: no data chunk`);
}

module.exports = {
  version: () => require(`${NAME}/package.json`).version,
  packageName: NAME,
  importPackage: () => binding(),
  nativeFiles: () => [require.resolve(`${NAME}/build/Release/smart-whisper.node`)],
  prepareInput: async (file) => readPcm16Wav(file),
  async load(model) {
    const whisper = new (binding().Whisper)(model, { gpu: false });
    await whisper.load(); // it would otherwise load on the first transcription
    return whisper;
  },
  async transcribe(whisper, pcm, { threads }) {
    const task = await whisper.transcribe(pcm, { language: 'en', n_threads: threads, temperature: 0, temperature_inc: 0, beam_size: 1, best_of: 1 });
    const results = await task.result;
    return { text: results.map((r) => r.text).join(''), segments: results.length };
  },
  dispose: (whisper) => whisper.free(),
};
