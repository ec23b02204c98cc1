#!/usr/bin/env node
// What prebuildify runs instead of node-gyp (`prebuildify --node-gyp scripts/prebuild-node-gyp.js`):
// prebuildify only knows how to call `node-gyp rebuild --target=… --arch=… --release`, and
// this project builds with cmake-js. The arguments are translated, the build is the
// portable one (runtime CPU dispatch, OpenBLAS linked in where available), and prebuildify
// then collects <cwd>/build/Release/*.node and the shared libraries beside it into prebuilds/.
//
// N-API builds do not depend on the Node version, so --target only reaches cmake-js for
// the record; headers come from node-api-headers (no download).
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const cmakeJs = path.join(root, 'node_modules', 'cmake-js', 'bin', 'cmake-js');

/** cmake-js's arguments for node-gyp's `args`, run from `cwd` (prebuildify's cwd). */
function cmakeArguments(args, cwd, env = process.env) {
  const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const defines = [
    `--CDWHISPER_NAPI_PORTABLE=${env.WHISPER_NAPI_PORTABLE ?? 'ON'}`,
    // Linux x64 prebuilds carry OpenBLAS (DYNAMIC_ARCH) unless told otherwise.
    `--CDWHISPER_NAPI_BLAS=${env.WHISPER_NAPI_BLAS ?? (process.platform === 'linux' && process.arch === 'x64' ? 'openblas-static' : 'OFF')}`,
  ];
  // More switches for the release matrix, space-separated (a value may be a CMake list):
  // WHISPER_NAPI_CMAKE_DEFINES="GGML_CUDA=ON CMAKE_CUDA_ARCHITECTURES=75;80;86;89;90".
  for (const define of (env.WHISPER_NAPI_CMAKE_DEFINES ?? '').split(/\s+/).filter(Boolean)) defines.push(`--CD${define}`);
  // The build goes to <cwd>/build, where prebuildify looks: build-prebuild/build when
  // scripts/prebuild.js runs it, so the development build in build/ is left alone.
  return [cmakeJs, 'rebuild', '--out', path.join(cwd, 'build'), ...(option('arch') ? ['--arch', option('arch')] : []), ...(args.includes('--debug') ? ['--debug'] : []), ...defines];
}

if (require.main === module) {
  const args = process.argv.slice(2);
  if (args[0] !== 'rebuild') {
    console.error(`prebuild-node-gyp: only 'rebuild' is supported, got: ${args.join(' ')}`);
    process.exit(2);
  }
  const cmakeArgs = cmakeArguments(args, process.cwd());
  console.error(`prebuild-node-gyp: ${process.execPath} ${cmakeArgs.map((a) => path.relative(root, a) || a).join(' ')}`);
  const run = spawnSync(process.execPath, cmakeArgs, { cwd: root, stdio: 'inherit' });
  process.exit(run.status ?? 1);
}

module.exports = { cmakeArguments };
