#!/usr/bin/env node
// npm "install" step: use a prebuilt binary when one loads on this machine, otherwise
// build from source with cmake-js. (node-gyp-build's own CLI always ends in `node-gyp
// rebuild`, which needs a binding.gyp we don't have, so this does its job for cmake-js.)
//
//   npm install --build-from-source   (or npm_config_build_from_source=true) forces a build.
//
// In a git checkout (development, CI) it always builds: cmake-js rebuilds only what
// changed, and a binary left from an older checkout must never be mistaken for current.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function loadableBinary() {
  try {
    const file = require('node-gyp-build').resolve(root);
    // Loading it in a child process proves it works here (ABI, CPU features, libc)
    // without keeping it loaded in this process.
    execFileSync(process.execPath, ['-e', `require(${JSON.stringify(file)})`], { stdio: 'ignore' });
    return file;
  } catch {
    return undefined;
  }
}

function main() {
  const fromSource = process.env.npm_config_build_from_source === 'true' || fs.existsSync(path.join(root, '.git'));
  const existing = fromSource ? undefined : loadableBinary();
  if (existing) {
    console.log(`whisper-napi: using ${path.relative(root, existing)}`);
    return;
  }
  execFileSync(process.execPath, [path.join(__dirname, 'prepare-whisper-cpp.js')], { stdio: 'inherit' });
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  execFileSync(process.execPath, [cmakeJs, 'compile', '--CDCMAKE_BUILD_TYPE=Release'], { stdio: 'inherit', cwd: root });
}

try {
  main();
} catch (error) {
  console.error(`whisper-napi: native build failed: ${error.message}`);
  console.error('whisper-napi: building from source needs CMake >= 3.18 and a C++17 compiler.');
  process.exit(1);
}
