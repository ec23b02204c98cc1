#!/usr/bin/env node
// Makes the pinned whisper.cpp source available at deps/whisper.cpp.
//
// The source comes from the npm package `nodejs-whisper` at exactly 0.3.1, whose
// cpp/whisper.cpp/ is the unmodified upstream v1.9.1 tree. npm verifies the tarball
// against the SHA-512 recorded in package-lock.json when it installs it, so this
// script only has to check that the package on disk is the pinned one and copy the tree.
//
// The copy then gets our patches (scripts/patches/*.patch, each with its reason, applied all
// or nothing by scripts/whisper-cpp-patches.js, which stamps the tree; CMakeLists.txt
// refuses a tree whose stamp does not match the patches and files).
//
// Set WHISPER_CPP_DIR to build against another whisper.cpp checkout instead; then
// nothing is copied or patched and CMakeLists.txt reads the source from there.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const { PatchError, applyPatches, patchProblems } = require('./whisper-cpp-patches.js');

const PINNED_PACKAGE = 'nodejs-whisper';
const PINNED_PACKAGE_VERSION = '0.3.1';
const PINNED_WHISPER_VERSION = '1.9.1';

const root = path.resolve(__dirname, '..');
const target = path.join(root, 'deps', 'whisper.cpp');
const stamp = path.join(root, 'deps', 'whisper.cpp.source.json');

function fail(message) {
  console.error(`whisper-napi: ${message}`);
  process.exit(1);
}

function whisperVersionOf(dir) {
  const cmake = fs.readFileSync(path.join(dir, 'CMakeLists.txt'), 'utf8');
  const match = /project\("whisper\.cpp" VERSION ([0-9.]+)\)/.exec(cmake);
  return match ? match[1] : undefined;
}

function main() {
  if (process.env.WHISPER_CPP_DIR) {
    console.log(`whisper-napi: using whisper.cpp from WHISPER_CPP_DIR=${process.env.WHISPER_CPP_DIR}`);
    return;
  }
  if (fs.existsSync(stamp) && fs.existsSync(path.join(target, 'CMakeLists.txt'))) {
    // Already prepared (or shipped inside the published package): keep it only if it is
    // the pinned source.
    const prepared = JSON.parse(fs.readFileSync(stamp, 'utf8'));
    const problems = patchProblems(target);
    if (prepared.package === `${PINNED_PACKAGE}@${PINNED_PACKAGE_VERSION}` && whisperVersionOf(target) === PINNED_WHISPER_VERSION && problems.length === 0) {
      return;
    }
    if (problems.length > 0) console.log(`whisper-napi: deps/whisper.cpp: ${problems.join('; ')}`);
    console.log('whisper-napi: deps/whisper.cpp is not the pinned, patched source; replacing it');
  }

  let pkgJsonPath;
  try {
    pkgJsonPath = require.resolve(`${PINNED_PACKAGE}/package.json`, { paths: [root] });
  } catch {
    fail(
      `deps/whisper.cpp is missing and the npm package ${PINNED_PACKAGE}@${PINNED_PACKAGE_VERSION} ` +
        'that carries it is not installed. Run `npm install` in the repository (it is a devDependency), ' +
        'or set WHISPER_CPP_DIR to a whisper.cpp v1.9.1 checkout.',
    );
  }
  const pkg = JSON.parse(fs.readFileSync(pkgJsonPath, 'utf8'));
  if (pkg.version !== PINNED_PACKAGE_VERSION) {
    fail(`expected ${PINNED_PACKAGE}@${PINNED_PACKAGE_VERSION}, found ${pkg.version}`);
  }
  const source = path.join(path.dirname(pkgJsonPath), 'cpp', 'whisper.cpp');
  const version = whisperVersionOf(source);
  if (version !== PINNED_WHISPER_VERSION) {
    fail(`expected whisper.cpp ${PINNED_WHISPER_VERSION} in ${source}, found ${version ?? 'no version'}`);
  }

  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.cpSync(source, target, { recursive: true });
  let patches;
  try {
    patches = applyPatches(target);
  } catch (error) {
    // Nothing was written: the copy stays pristine, and unstamped, so CMake refuses it.
    if (error instanceof PatchError) fail(error.message);
    throw error;
  }
  fs.writeFileSync(stamp, JSON.stringify({ package: `${PINNED_PACKAGE}@${PINNED_PACKAGE_VERSION}`, whisperCpp: version, patches }, null, 2) + '\n');
  console.log(
    `whisper-napi: whisper.cpp ${version} copied from ${PINNED_PACKAGE}@${PINNED_PACKAGE_VERSION} to deps/whisper.cpp, patched: ${patches.join(', ')}`,
  );
}

main();
