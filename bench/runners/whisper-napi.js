// whisper-napi, this repository's build (dist/ and the addon node-gyp-build finds).
'use strict';
const { execFile } = require('node:child_process');
const path = require('node:path');

module.exports = {
  name: 'whisper-napi',
  available: () => true,
  /** One measurement; `jobs` transcriptions at once share the threads. */
  run({ model, audio, threads, jobs = 1 }) {
    const perJob = Math.max(1, Math.floor(threads / jobs));
    return new Promise((resolve, reject) => {
      execFile(process.execPath, [path.join(__dirname, 'whisper-napi-child.js'), model, audio, String(perJob), String(jobs)], { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
        if (error) return reject(new Error(`whisper-napi run failed: ${stderr || error.message}`));
        resolve(JSON.parse(stdout.trim().split('\n').pop()));
      });
    });
  },
};
