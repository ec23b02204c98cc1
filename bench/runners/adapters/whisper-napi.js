// whisper-napi, this repository's build: greedy, no temperature fallback.
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const whisper = () => require(path.join(ROOT, 'dist', 'cjs'));

module.exports = {
  version: () => require(path.join(ROOT, 'package.json')).version,
  prepareInput: async (file) => file, // it reads the WAV itself
  load: (model, { threads, jobs }) => whisper().loadModel(model, { threads, maxConcurrency: jobs }),
  async transcribe(model, file, { threads }) {
    const t = await model.transcribe(file, { beamSize: 1, temperatureIncrement: 0, threads });
    return { text: t.text };
  },
  dispose: (model) => model.dispose(),
};
