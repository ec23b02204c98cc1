#!/usr/bin/env node
// Builds (or reuses) whisper.cpp's own `whisper-cli` with whisper.cpp's own CMake defaults:
// by default from the same (patched) source tree the addon is built from, which tests
// compare our output against; with `pristine` (--pristine) from the unmodified v1.9.1 tree
// that nodejs-whisper@0.3.1 carries, for claims of parity with upstream whisper.cpp and
// for benchmarks. Prints the path of the executable.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

function whisperCppDir() {
  return process.env.WHISPER_CPP_DIR ? path.resolve(process.env.WHISPER_CPP_DIR) : path.join(root, 'deps', 'whisper.cpp');
}

/** The unmodified upstream tree (scripts/prepare-whisper-cpp.js copies and patches it). */
function pristineWhisperCppDir() {
  const pkg = require.resolve('nodejs-whisper/package.json', { paths: [root] });
  return path.join(path.dirname(pkg), 'cpp', 'whisper.cpp');
}

function whisperCliPath({ pristine = false } = {}) {
  const buildDir = path.join(root, '.cache', pristine ? 'whisper-cli-pristine' : 'whisper-cli');
  const exe = path.join(buildDir, 'bin', process.platform === 'win32' ? 'Release/whisper-cli.exe' : 'whisper-cli');
  return { buildDir, exe };
}

function buildWhisperCli({ quiet = false, pristine = false } = {}) {
  const { buildDir, exe } = whisperCliPath({ pristine });
  const source = pristine ? pristineWhisperCppDir() : whisperCppDir();
  if (!fs.existsSync(path.join(source, 'CMakeLists.txt'))) {
    throw new Error(`no whisper.cpp source at ${source}; run \`npm install\` first`);
  }
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';
  // Configured every time (a no-op when nothing changed), so that a build directory made
  // before a flag changed here picks the flag up.
  execFileSync(
    'cmake',
    [
      '-S', source, '-B', buildDir,
      '-DCMAKE_BUILD_TYPE=Release',
      '-DWHISPER_BUILD_TESTS=OFF',
      '-DWHISPER_BUILD_SERVER=OFF',
      '-DWHISPER_SDL2=OFF',
      '-DWHISPER_CURL=OFF',
      // Our whisper-cli is built as the addon is (CMakeLists.txt turns llamafile's matrix
      // kernels on), so that comparisons with it are on identical work and build. The
      // pristine one keeps whisper.cpp's default build: the one its users get.
      `-DGGML_LLAMAFILE=${pristine ? 'OFF' : 'ON'}`,
    ],
    { stdio: quiet ? ['ignore', 'ignore', 'inherit'] : stdio },
  );
  // Always run the build: it is a no-op when up to date and picks up source changes.
  const jobs = String(Math.max(1, require('node:os').availableParallelism()));
  execFileSync('cmake', ['--build', buildDir, '--config', 'Release', '--target', 'whisper-cli', '-j', jobs], { stdio });
  if (!fs.existsSync(exe)) throw new Error(`whisper-cli was built but not found at ${exe}`);
  return exe;
}

module.exports = { buildWhisperCli, whisperCliPath };

if (require.main === module) {
  const exe = buildWhisperCli({ quiet: process.argv.includes('--quiet'), pristine: process.argv.includes('--pristine') });
  console.log(exe);
}
