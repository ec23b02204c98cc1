#!/usr/bin/env node
// Compiles src/ to CommonJS (dist/cjs) and writes a thin ES module entry (dist/esm) that
// re-exports it. One implementation serves both `require` and `import`, so there is a
// single module instance (one model cache, one addon load) whichever way it is loaded.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const tsc = require.resolve('typescript/bin/tsc', { paths: [root] });
fs.rmSync(path.join(root, 'dist'), { recursive: true, force: true });
execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

// The package root's "type" is commonjs; say so inside dist/cjs too, for tools that look.
fs.writeFileSync(path.join(root, 'dist', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');

// Loading the CJS build does not load the addon (src/binding.ts loads it lazily), so the
// export list can be read from it safely.
const names = Object.keys(require(path.join(root, 'dist', 'cjs', 'index.js'))).filter((n) => n !== 'default' && n !== '__esModule');
const esmDir = path.join(root, 'dist', 'esm');
fs.mkdirSync(esmDir, { recursive: true });
fs.writeFileSync(
  path.join(esmDir, 'index.mjs'),
  `import cjs from '../cjs/index.js';\n\nexport const { ${names.join(', ')} } = cjs;\nexport default cjs;\n`,
);
fs.writeFileSync(
  path.join(esmDir, 'index.d.mts'),
  `export * from '../cjs/index.js';\ndeclare const cjs: typeof import('../cjs/index.js');\nexport default cjs;\n`,
);
console.log(`whisper-napi: built dist/cjs and dist/esm (${names.length} exports)`);
