#!/usr/bin/env node
// npm "install" step: use a prebuilt binary when one loads on this machine, otherwise
// build from source with cmake-js. (node-gyp-build's own CLI always ends in `node-gyp
// rebuild`, which needs a binding.gyp we don't have, so this does its job for cmake-js.)
//
//   npm install --build-from-source   (or npm_config_build_from_source=true, or
//                                      WHISPER_NAPI_BUILD_FROM_SOURCE=1) forces a build.
//   WHISPER_NAPI_SKIP_BUILD=1          never builds: uses a prebuilt binary if one loads,
//                                      else only says so (for images that bring their own).
//
// In a git checkout (development, CI) it always builds: cmake-js rebuilds only what
// changed, and a binary left from an older checkout must never be mistaken for current.
// A source build is the machine's own: static, tuned for this CPU (GGML_NATIVE); set
// WHISPER_NAPI_BLAS=openblas|openblas-static or WHISPER_NAPI_PORTABLE=1 to change that.
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

const truthy = (value) => /^(1|true|yes)$/i.test(value ?? '');

/** The first of `names` found on PATH, or undefined. */
function onPath(names) {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const extensions = process.platform === 'win32' ? ['.exe', '.cmd', ''] : [''];
  for (const name of names) {
    for (const dir of dirs) {
      if (extensions.some((ext) => fs.existsSync(path.join(dir, name + ext)))) return name;
    }
  }
  return undefined;
}

/** Says what is missing before a build that could not work. */
function checkBuildTools(forced) {
  const missing = [];
  if (!onPath(['cmake'])) missing.push('cmake (>= 3.18)');
  if (process.platform !== 'win32' && !onPath(['c++', 'g++', 'clang++'])) missing.push('a C++17 compiler (c++, g++ or clang++)');
  if (missing.length > 0) {
    throw new Error(
      `${forced ? 'building from source was asked for' : `no prebuilt binary loads on ${process.platform}-${process.arch}`}, and building from source needs ${missing.join(' and ')}, ` +
        'which are not on PATH. Install them (Debian/Ubuntu: apt-get install cmake g++; macOS: xcode-select --install and brew install cmake) and run npm install again.',
    );
  }
}

function main() {
  const forced = process.env.npm_config_build_from_source === 'true' || truthy(process.env.WHISPER_NAPI_BUILD_FROM_SOURCE);
  const fromSource = forced || fs.existsSync(path.join(root, '.git'));
  const existing = fromSource ? undefined : loadableBinary();
  if (existing) {
    console.log(`whisper-napi: using ${path.relative(root, existing)}`);
    return;
  }
  if (truthy(process.env.WHISPER_NAPI_SKIP_BUILD)) {
    console.log('whisper-napi: WHISPER_NAPI_SKIP_BUILD is set and no prebuilt binary loads here: nothing built (set WHISPER_NAPI_ADDON to a binary at run time).');
    return;
  }
  checkBuildTools(forced);
  execFileSync(process.execPath, [path.join(__dirname, 'prepare-whisper-cpp.js')], { stdio: 'inherit' });
  const cmakeJs = require.resolve('cmake-js/bin/cmake-js', { paths: [root] });
  const defaults = [`--CDWHISPER_NAPI_PORTABLE=${truthy(process.env.WHISPER_NAPI_PORTABLE) ? 'ON' : 'OFF'}`, `--CDWHISPER_NAPI_BLAS=${process.env.WHISPER_NAPI_BLAS || 'OFF'}`];
  // configure every time (a few seconds): `compile` keeps an existing configuration, which
  // would ignore changed switches (and a build dir left by `npm run prebuild`).
  execFileSync(process.execPath, [cmakeJs, 'configure', '--CDCMAKE_BUILD_TYPE=Release', ...defaults], { stdio: 'inherit', cwd: root });
  execFileSync(process.execPath, [cmakeJs, 'build'], { stdio: 'inherit', cwd: root });
}

try {
  main();
} catch (error) {
  console.error(`whisper-napi: ${error.message}`);
  process.exit(1);
}
