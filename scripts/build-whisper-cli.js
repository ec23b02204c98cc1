#!/usr/bin/env node
// Builds (or reuses) whisper.cpp's own `whisper-cli`, in one of three builds:
//   reference (--reference)  the unmodified v1.9.1 tree that nodejs-whisper@0.3.1 carries,
//                            built as the addon is: the parity tests' reference, so that a
//                            broken patch of ours cannot appear on both sides, and a
//                            difference can only come from our patches or our code;
//   pristine (--pristine)    the same tree with whisper.cpp's own default build (the one
//                            its users get): benchmarks and the real-weights tier;
//   patched (no flag)        the patched tree the addon is built from (deps/whisper.cpp or
//                            WHISPER_CPP_DIR), for the comparisons that need our patches on
//                            both sides (segment times of no-timestamp models) and the bench.
// Prints the path of the executable.
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

const BUILDS = {
  patched: { dir: 'whisper-cli', pristineSource: false, llamafile: true },
  pristine: { dir: 'whisper-cli-pristine', pristineSource: true, llamafile: false },
  reference: { dir: 'whisper-cli-reference', pristineSource: true, llamafile: true },
};

function buildOf({ pristine = false, reference = false } = {}) {
  return BUILDS[reference ? 'reference' : pristine ? 'pristine' : 'patched'];
}

function whisperCliPath(options = {}) {
  const buildDir = path.join(root, '.cache', buildOf(options).dir);
  const exe = path.join(buildDir, 'bin', process.platform === 'win32' ? 'Release/whisper-cli.exe' : 'whisper-cli');
  return { buildDir, exe };
}

/** The source tree `buildDir` was configured from (its CMake cache says), if it was. */
function configuredSource(buildDir) {
  const cache = path.join(buildDir, 'CMakeCache.txt');
  if (!fs.existsSync(cache)) return undefined;
  const line = /^CMAKE_HOME_DIRECTORY:INTERNAL=(.*)$/m.exec(fs.readFileSync(cache, 'utf8'));
  if (!line) return undefined;
  return fs.existsSync(line[1]) ? fs.realpathSync(line[1]) : line[1];
}

function buildWhisperCli({ quiet = false, pristine = false, reference = false } = {}) {
  const build = buildOf({ pristine, reference });
  const { buildDir, exe } = whisperCliPath({ pristine, reference });
  const source = build.pristineSource ? pristineWhisperCppDir() : whisperCppDir();
  if (!fs.existsSync(path.join(source, 'CMakeLists.txt'))) {
    throw new Error(`no whisper.cpp source at ${source}; run \`npm install\` first`);
  }
  // A build directory configured from another source tree (WHISPER_CPP_DIR changed, or
  // deps/whisper.cpp moved) is started afresh: CMake would refuse it, and its objects are
  // not those of this source.
  const configuredFrom = configuredSource(buildDir);
  if (configuredFrom !== undefined && configuredFrom !== fs.realpathSync(source)) {
    if (!quiet) console.log(`whisper-cli: ${buildDir} was configured from ${configuredFrom}; rebuilding from ${source}`);
    fs.rmSync(buildDir, { recursive: true, force: true });
  }
  const stdio = quiet ? ['ignore', 'ignore', 'inherit'] : 'inherit';
  // cmake and the compilers are not instrumented: under `npm run test:sanitized` the ASan
  // runtime preloaded into node would be inherited, and a forking cmake can hang in the
  // sanitizer's exit path (test/support/sanitized.ts). Run them without it.
  const env = { ...process.env };
  for (const key of ['LD_PRELOAD', 'ASAN_OPTIONS', 'LSAN_OPTIONS', 'UBSAN_OPTIONS']) delete env[key];
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
      // The patched and reference builds are built as the addon is (CMakeLists.txt turns
      // llamafile's matrix kernels on), so that comparisons with them are on identical work
      // and build (with the kernels off, a near tie can pick another token). The pristine
      // one keeps whisper.cpp's default build: the one its users get.
      `-DGGML_LLAMAFILE=${build.llamafile ? 'ON' : 'OFF'}`,
    ],
    { stdio: quiet ? ['ignore', 'ignore', 'inherit'] : stdio, env },
  );
  // Always run the build: it is a no-op when up to date and picks up source changes.
  const jobs = String(Math.max(1, require('node:os').availableParallelism()));
  execFileSync('cmake', ['--build', buildDir, '--config', 'Release', '--target', 'whisper-cli', '-j', jobs], { stdio, env });
  if (!fs.existsSync(exe)) throw new Error(`whisper-cli was built but not found at ${exe}`);
  return exe;
}

module.exports = { buildWhisperCli, configuredSource, whisperCliPath };

if (require.main === module) {
  const exe = buildWhisperCli({ quiet: process.argv.includes('--quiet'), pristine: process.argv.includes('--pristine'), reference: process.argv.includes('--reference') });
  console.log(exe);
}
