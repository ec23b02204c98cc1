#!/usr/bin/env node
// The `whisper-napi` command (src/cli/main.ts).
require('../dist/cjs/cli/main.js')
  .main(process.argv.slice(2))
  .then((status) => {
    process.exitCode = status;
  });
