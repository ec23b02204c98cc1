#!/usr/bin/env node
// npm run prebuild: prebuildify (--napi --strip) with scripts/prebuild-node-gyp.js in place
// of node-gyp. Through prebuildify's API rather than its CLI because on Windows it starts
// the "node-gyp" command through cmd.exe, which cannot run a .js path by itself.
'use strict';
const path = require('node:path');
const prebuildify = require('prebuildify');

const shim = path.join(__dirname, 'prebuild-node-gyp.js');
prebuildify(
  {
    cwd: path.resolve(__dirname, '..'),
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
