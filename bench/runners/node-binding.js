// A benchmark runner for a Node binding, given its adapter (./adapters/*.js): each
// measurement is a fresh process running ./node-child.js. `env` is added to the child's
// environment (e.g. WHISPER_NAPI_ADDON to measure another build of whisper-napi).
'use strict';
const { execFile } = require('node:child_process');
const path = require('node:path');

module.exports = function nodeBinding(name, adapterFile, { env = {} } = {}) {
  const adapter = require(adapterFile);
  return {
    name,
    /** Another project's binding (true), or a build of this one. */
    peer: Boolean(adapter.packageName),
    version() {
      try {
        return adapter.version();
      } catch {
        return undefined;
      }
    },
    /** Undefined when installed and loadable here; else the reason. */
    unavailable() {
      if (!adapter.packageName) return undefined; // this repository's own build
      try {
        require(adapter.packageName);
        return undefined;
      } catch (error) {
        return `not installed or not built (cd bench && npm install): ${error.message.split('\n')[0]}`;
      }
    },
    run({ model, audio, threads, jobs = 1 }) {
      const perJob = Math.max(1, Math.floor(threads / jobs));
      return new Promise((resolve, reject) => {
        execFile(process.execPath, [path.join(__dirname, 'node-child.js'), adapterFile, model, audio, String(perJob), String(jobs)], { maxBuffer: 64 << 20, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
          if (error) return reject(new Error(`${name} run failed: ${stderr || error.message}`));
          resolve(JSON.parse(stdout.trim().split('\n').pop()));
        });
      });
    },
  };
};
