#!/usr/bin/env node
// Checks the portable build (WHISPER_NAPI_PORTABLE) on a CPU without AVX, emulated by
// qemu-user (Debian: apt-get install qemu-user): the machine-tuned build is expected to die
// with an illegal instruction there, the portable one to pick a baseline CPU variant and
// transcribe.
//
//   node scripts/check-portable.js [--build]     (--build: cmake-js into build-portable/ first)
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const portable = path.join(root, 'build-portable', 'Release', 'whisper_napi.node');
const native = path.join(root, 'build', 'Release', 'whisper_napi.node');
const model = path.join(root, '.cache', 'models', 'micro-s1-4f567e2d.bin');
const cpu = process.env.QEMU_CPU_MODEL || 'Nehalem'; // SSE4.2, no AVX

if (process.argv.includes('--build')) {
  execFileSync(process.execPath, [require.resolve('cmake-js/bin/cmake-js'), 'compile', '-O', 'build-portable', '--CDWHISPER_NAPI_PORTABLE=ON'], { cwd: root, stdio: 'inherit' });
}

const probe = `
const w = require(${JSON.stringify(path.join(root, 'dist', 'cjs'))});
const file = require(${JSON.stringify(path.join(root, 'dist', 'cjs', 'binding'))}).native().backends().cpuBackendFile;
w.loadModel(${JSON.stringify(model)}, { threads: 1 }).then(async (m) => {
  const t = await m.transcribe(${JSON.stringify(path.join(root, '..', 'shared', 'fixtures', 'jfk.wav'))}, { temperatureIncrement: 0 });
  console.log(JSON.stringify({ cpuBackendFile: file && require('node:path').basename(file), seconds: t.timings.audioSeconds }));
  await m.dispose();
});`;

function underQemu(addon) {
  const run = spawnSync('qemu-x86_64', ['-cpu', cpu, process.execPath, '-e', probe], { env: { ...process.env, WHISPER_NAPI_ADDON: addon }, encoding: 'utf8', timeout: 600_000 });
  if (run.error) throw run.error;
  return { status: run.status, signal: run.signal, stdout: run.stdout.trim(), stderr: run.stderr.trim().split('\n').pop() };
}

const results = { cpu, native: underQemu(native), portable: underQemu(portable) };
console.log(JSON.stringify(results, null, 2));
// The tuned build must fail by an illegal instruction (not, say, by being missing).
const ok = results.native.signal === 'SIGILL' && results.portable.status === 0 && /"cpuBackendFile":"libggml-cpu-(x64|sse42)\.so"/.test(results.portable.stdout);
console.log(ok ? 'OK: the machine-tuned build fails on this CPU, the portable build runs on its baseline variant' : 'FAILED');
process.exitCode = ok ? 0 : 1;
