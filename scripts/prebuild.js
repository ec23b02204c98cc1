#!/usr/bin/env node
// npm run prebuild: prebuildify (--napi --strip) with scripts/prebuild-node-gyp.js in place
// of node-gyp. Through prebuildify's API rather than its CLI because on Windows it starts
// the "node-gyp" command through cmd.exe, which cannot run a .js path by itself.
//
// The build's prerequisite (OpenBLAS on Linux x64) is checked first, and the build runs in
// build-prebuild/ (scripts/prebuild-prerequisites.js): prebuildify looks for the addon in
// <cwd>/build/Release, so it runs there, with a copy of package.json, and writes prebuilds/
// in the repository root. build/, the development build, is never cleaned or replaced.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const prebuildify = require('prebuildify');

const { PREBUILD_DIR, blasMode, checkBlas } = require('./prebuild-prerequisites');

const root = path.resolve(__dirname, '..');
const missing = checkBlas();
if (missing) {
  console.error(`prebuild: ${missing}`);
  process.exit(1);
}
process.env.WHISPER_NAPI_BLAS = blasMode(); // the mode just checked is the one built
fs.mkdirSync(PREBUILD_DIR, { recursive: true });
fs.copyFileSync(path.join(root, 'package.json'), path.join(PREBUILD_DIR, 'package.json'));

const shim = path.join(__dirname, 'prebuild-node-gyp.js');
prebuildify(
  {
    cwd: PREBUILD_DIR,
    out: root,
    napi: true,
    strip: true,
    targets: [],
    nodeGyp: process.platform === 'win32' ? `"${process.execPath}" "${shim}"` : shim,
  },
  (error) => {
    if (error) {
      console.error(`prebuild: ${error.message || error}`);
      process.exit(1);
    }
  },
);
