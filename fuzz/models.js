#!/usr/bin/env node
// Model-file fuzzing: damaged variants of a generated model (fuzz/model-mutations.js), each
// loaded in a child process and, when it loads, used for a transcription. Every case must end
// as a success or a typed error: no abort, segfault, hang or untyped error.
//
//   node fuzz/models.js [--cases 10000] [--seed 1] [--parallel 2] [--first 0] [--timeout 60]
//   node fuzz/models.js --case N [--seed 1]     one case, with what it did
//
// The base model is the micro shape (1 encoder and 1 decoder layer, the real vocabulary):
// 8 MB, fast to load, with every kind of region a real model has.
'use strict';
const path = require('node:path');

const { fuzzCommand } = require('./command');
const { generatedModel } = require('../scripts/generate-model.js');

const ROOT = path.resolve(__dirname, '..');
const JFK = path.resolve(ROOT, '..', 'shared', 'fixtures', 'jfk.wav');

fuzzCommand({
  name: 'models',
  child: path.join(__dirname, 'model-child.js'),
  args: (seed) => [generatedModel('micro', path.join(ROOT, '.cache', 'fuzz', 'micro-base.bin')), seed, JFK],
}).catch((error) => {
  console.error(error);
  process.exit(2);
});
