// The shared libraries a native file links from its own folder (ldd; Linux only, [] elsewhere):
// the parts of a runner's native code that its vector-instruction count must include.
'use strict';
const { spawnSync } = require('node:child_process');
const path = require('node:path');

function librariesBeside(file) {
  const ldd = spawnSync('ldd', [file], { encoding: 'utf8' });
  const dir = path.dirname(file);
  return [...(ldd.stdout ?? '').matchAll(/=> (\S+)/g)].map((m) => m[1]).filter((f) => path.dirname(f) === dir);
}

module.exports = { librariesBeside };
