// @fugood/whisper.node (its linux-x64 prebuilt binary): greedy, temperature 0 without
// fallback, flash attention on as whisper.cpp's default.
'use strict';
const path = require('node:path');

const NAME = '@fugood/whisper.node';
const binding = () => require(NAME);

module.exports = {
  version: () => require(`${NAME}/package.json`).version,
  packageName: NAME,
  importPackage: () => binding(),
  nativeFiles: () => [require.resolve(`@fugood/node-whisper-${process.platform}-${process.arch}/index.node`)],
  prepareInput: async (file) => path.resolve(file),
  load: (model) => binding().initWhisper({ filePath: model, useGpu: false, useFlashAttn: true }),
  async transcribe(context, file, { threads }) {
    const { promise } = context.transcribeFile(file, { language: 'en', maxThreads: threads, temperature: 0, temperatureInc: 0, beamSize: 1, bestOf: 1 });
    const result = await promise;
    return { text: result.result, segments: result.segments?.length };
  },
  dispose: (context) => context.release(),
};
