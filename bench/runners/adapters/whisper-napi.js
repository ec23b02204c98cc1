// whisper-napi, this repository's build: greedy, no temperature fallback, whisper.cpp's own
// long-form loop. WHISPER_NAPI_BENCH_OPTIONS (JSON) replaces those transcribe options (e.g.
// {} for the library's defaults, or {"beamSize":5,"longForm":"native"}); threads is always added.
// WHISPER_NAPI_BENCH_LOAD_OPTIONS (JSON) adds load options (e.g. {"bf16Weights":true}).
'use strict';
const path = require('node:path');

const { librariesBeside } = require('../native-files');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const whisper = () => require(path.join(ROOT, 'dist', 'cjs'));
const addon = () => require(path.join(ROOT, 'dist', 'cjs', 'binding')).native();

module.exports = {
  version: () => require(path.join(ROOT, 'package.json')).version,
  // The JS modules and the native library (which whisper-napi loads on first use).
  importPackage: () => addon() && whisper(),
  /** The addon, the libraries beside it (portable builds) and the CPU variant ggml chose. */
  nativeFiles() {
    const file = process.env.WHISPER_NAPI_ADDON ? path.resolve(process.env.WHISPER_NAPI_ADDON) : require(path.join(ROOT, 'node_modules', 'node-gyp-build')).resolve(ROOT);
    const cpu = addon().backends().cpuBackendFile;
    return [file, ...librariesBeside(file), ...(cpu ? [cpu] : [])];
  },
  prepareInput: async (file) => file, // it reads the WAV itself
  load: (model, { threads, jobs }) => {
    const extra = process.env.WHISPER_NAPI_BENCH_LOAD_OPTIONS ? JSON.parse(process.env.WHISPER_NAPI_BENCH_LOAD_OPTIONS) : {};
    return whisper().loadModel(model, { ...extra, threads, maxConcurrency: jobs });
  },
  async transcribe(model, file, { threads }) {
    // whisper.cpp's own loop, as whisper-cli runs it: the same work on both sides (the
    // default for audio past 30 s is smart windows; bench/long-form.js compares the modes).
    const options = process.env.WHISPER_NAPI_BENCH_OPTIONS ? JSON.parse(process.env.WHISPER_NAPI_BENCH_OPTIONS) : { beamSize: 1, temperatureIncrement: 0, longForm: 'native' };
    const t = await model.transcribe(file, { ...options, threads });
    return { text: t.text, segments: t.segments.length, longForm: t.longForm?.mode };
  },
  dispose: (model) => model.dispose(),
};
