// What `npm run prebuild` (scripts/prebuild.js, scripts/prebuild-node-gyp.js) checks and
// where it builds: the BLAS its build links, looked for before anything is compiled, and a
// build directory of its own (build-prebuild/, ignored by git as build-*/), so a failed or
// finished prebuild never touches the development build in build/.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');

/** The prebuild's own tree: prebuildify runs there and finds the addon in <dir>/build/Release. */
const PREBUILD_DIR = path.join(ROOT, 'build-prebuild');

/** CMake's WHISPER_NAPI_BLAS for a prebuild: Linux x64 prebuilds carry OpenBLAS (DYNAMIC_ARCH) unless told otherwise. */
function blasMode(env = process.env, platform = process.platform, arch = process.arch) {
  return env.WHISPER_NAPI_BLAS || (platform === 'linux' && arch === 'x64' ? 'openblas-static' : 'OFF');
}

/** Where the system's OpenBLAS lives on the distributions we know (multiarch and plain). */
const LIBRARY_DIRS = ['/usr/lib/x86_64-linux-gnu/openblas-pthread', '/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu/openblas-pthread', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib', '/opt/homebrew/opt/openblas/lib', '/usr/local/opt/openblas/lib'];

/** Looks for a file in the library directories (the default probe). */
function findLibrary(names) {
  for (const dir of LIBRARY_DIRS) for (const name of names) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  return undefined;
}

/** How to install OpenBLAS's development files here, per OS (os-release's ID and ID_LIKE on Linux). */
function installHint(platform = process.platform, osRelease = readOsRelease()) {
  if (platform === 'darwin') return 'brew install openblas';
  if (platform === 'win32') return 'vcpkg install openblas (or set WHISPER_NAPI_BLAS=OFF)';
  const ids = `${osRelease.ID ?? ''} ${osRelease.ID_LIKE ?? ''}`;
  if (/\b(fedora|rhel|centos)\b/.test(ids)) return 'dnf install openblas-devel openblas-static';
  if (/\balpine\b/.test(ids)) return 'apk add openblas-dev';
  if (/\b(arch)\b/.test(ids)) return 'pacman -S openblas';
  if (/\b(suse|opensuse)\b/.test(ids)) return 'zypper install openblas-devel';
  return 'apt-get install libopenblas-dev';
}

function readOsRelease() {
  try {
    return Object.fromEntries(
      fs
        .readFileSync('/etc/os-release', 'utf8')
        .split('\n')
        .map((line) => /^([A-Z_]+)=("?)(.*)\2$/.exec(line))
        .filter(Boolean)
        .map((m) => [m[1], m[3]]),
    );
  } catch {
    return {};
  }
}

/**
 * null when the build's BLAS is there (or none is linked), else what to do: the library it
 * needs, the command that installs it, and how to build without it. `probe(names)` returns
 * the path of the first library found, or undefined.
 */
function checkBlas({ mode = blasMode(), probe = findLibrary, hint = installHint() } = {}) {
  if (mode !== 'openblas' && mode !== 'openblas-static') return null;
  const names = mode === 'openblas-static' ? ['libopenblas.a'] : ['libopenblas.so', 'libopenblas.dylib', 'libopenblas.a'];
  if (probe(names)) return null;
  return (
    `the prebuild links OpenBLAS (WHISPER_NAPI_BLAS=${mode}) and ${names.join(' / ')} was not found. ` +
    `Install it (${hint}), or build without BLAS: WHISPER_NAPI_BLAS=OFF npm run prebuild. Nothing was built; build/ is untouched.`
  );
}

module.exports = { PREBUILD_DIR, blasMode, checkBlas, installHint, findLibrary };
