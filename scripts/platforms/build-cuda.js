#!/usr/bin/env node
// npm run build:cuda: the CUDA variant of the addon, compiled here against NVIDIA's toolkit
// from PyPI (no CUDA install, no GPU, no driver needed). Not part of CI.
//
//   1. the wheels pinned in scripts/platforms/cuda-requirements.txt (exact versions, SHA-256)
//      -> .cache/cuda/wheels/ (pip download --require-hashes; skipped when already there)
//   2. unpacked into a CUDA_TOOLKIT_ROOT-like tree, .cache/cuda/toolkit/ (bin/, nvvm/,
//      include/, lib64/ with the unversioned .so links a link needs, targets/x86_64-linux/)
//   3. the addon built as the release workflow builds linux-x64-cuda: portable
//      (WHISPER_NAPI_PORTABLE=ON: ggml-cuda is the backend module libggml-cuda.so beside the
//      .node), GGML_CUDA=ON, CMAKE_CUDA_ARCHITECTURES=$CUDA_ARCHS (default 75;80;86;89;90),
//      into build-cuda/ (or $CUDA_BUILD_DIR), verbose, log in .cache/cuda/build-build-cuda.log
//   4. the evidence: the link line of libggml-cuda.so, cuobjdump --list-elf, readelf -d, and
//      libggml-cuda.so dlopen'ed here without a driver (fails) and with the stub (no device)
//
// Environment: CUDA_ARCHS ("89" for a quick one-architecture build), CUDA_BUILD_DIR,
// CUDA_TARGETS (only ggml-cuda and these targets), CUDA_JOBS (default 2),
// CUDA_CMAKE_DEFINES (more -D, space-separated), WHISPER_NAPI_BLAS (default OFF here: the
// release build adds OpenBLAS for the CPU path), CUDA_TOOLKIT (use this toolkit instead of
// the wheels: /usr/local/cuda).
// The compile runs under `nice -n 19`.
'use strict';
const { spawnSync, execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { cmakeArguments } = require('../prebuild-node-gyp');

const root = path.resolve(__dirname, '..', '..');
const requirements = path.join(__dirname, 'cuda-requirements.txt');
const cache = path.join(root, '.cache', 'cuda');
const wheels = path.join(cache, 'wheels');
const toolkitDir = path.join(cache, 'toolkit');
const RELEASE_ARCHS = '75;80;86;89;90'; // .github/workflows/prebuilds.yml, linux-x64-cuda

function log(message) {
  console.error(`build-cuda: ${message}`);
}

function run(command, args, options = {}) {
  log(`$ ${[command, ...args].join(' ')}`);
  const result = spawnSync(command, args, { stdio: 'inherit', ...options });
  if (result.status !== 0) throw new Error(`${command} failed (status ${result.status}${result.signal ? `, ${result.signal}` : ''})`);
}

/** name==version and sha256 of each pinned wheel. */
function pinned() {
  return fs
    .readFileSync(requirements, 'utf8')
    .split('\n')
    .map((line) => line.match(/^([\w.-]+)==(\S+)\s+--hash=sha256:([0-9a-f]{64})/))
    .filter(Boolean)
    .map(([, name, version, sha256]) => ({ name, version, sha256 }));
}

function sha256(file) {
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** The wheel file of a pin in .cache/cuda/wheels whose hash matches, if there is one. */
function wheelOf(pin) {
  const prefix = `${pin.name.replace(/-/g, '_')}-${pin.version}-`;
  const file = fs.existsSync(wheels) ? fs.readdirSync(wheels).find((f) => f.startsWith(prefix) && f.endsWith('.whl')) : undefined;
  return file && sha256(path.join(wheels, file)) === pin.sha256 ? path.join(wheels, file) : undefined;
}

function fetchWheels() {
  const pins = pinned();
  if (pins.every(wheelOf)) return pins.map(wheelOf);
  fs.mkdirSync(wheels, { recursive: true });
  // The wheels are platform wheels for x86-64 Linux: asked for as such, whatever Python runs pip.
  const platforms = ['manylinux2010_x86_64', 'manylinux_2_12_x86_64', 'manylinux2014_x86_64', 'manylinux_2_17_x86_64', 'manylinux_2_27_x86_64'];
  run('python3', [
    '-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--require-hashes', '--python-version', '3.11',
    ...platforms.flatMap((p) => ['--platform', p]), '-r', requirements, '-d', wheels,
  ]);
  return pins.map((pin) => {
    const file = wheelOf(pin);
    if (!file) throw new Error(`${pin.name}==${pin.version}: no wheel with the pinned hash in ${wheels}`);
    return file;
  });
}

/** Unpacks every wheel's nvidia/cu13/ into one toolkit tree (again only when the pins change). */
function assembleToolkit(files) {
  const stamp = path.join(toolkitDir, '.whisper-napi-stamp');
  const wanted = crypto.createHash('sha256').update(fs.readFileSync(requirements)).digest('hex');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === wanted) return toolkitDir;
  const staging = `${toolkitDir}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.rmSync(toolkitDir, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  for (const file of files) run('unzip', ['-q', '-o', file, 'nvidia/cu13/*', '-d', staging]);
  fs.renameSync(path.join(staging, 'nvidia', 'cu13'), toolkitDir);
  fs.rmSync(staging, { recursive: true, force: true });
  const lib = path.join(toolkitDir, 'lib');
  // The layout of a CUDA install: lib64/, and targets/x86_64-linux/{include,lib} (nvcc.profile
  // looks there for headers and libraries).
  fs.symlinkSync('lib', path.join(toolkitDir, 'lib64'));
  fs.mkdirSync(path.join(toolkitDir, 'targets', 'x86_64-linux'), { recursive: true });
  fs.symlinkSync('../../include', path.join(toolkitDir, 'targets', 'x86_64-linux', 'include'));
  fs.symlinkSync('../../lib', path.join(toolkitDir, 'targets', 'x86_64-linux', 'lib'));
  // The linker wants libX.so; the wheels carry only the sonames (libX.so.13).
  for (const name of fs.readdirSync(lib)) {
    const m = name.match(/^(lib[\w]+\.so)\.\d+$/);
    if (m && !fs.existsSync(path.join(lib, m[1]))) fs.symlinkSync(name, path.join(lib, m[1]));
  }
  stubDriver(toolkitDir);
  fs.writeFileSync(stamp, wanted);
  return toolkitDir;
}

/**
 * lib64/stubs/libcuda.so, as a CUDA install has: ggml-cuda links the driver API (its VMM
 * memory pool calls cuMemCreate & co. unless GGML_CUDA_NO_VMM), and the driver is in no
 * wheel. The stub has the driver's soname (libcuda.so.1) and every cu* function of cuda.h,
 * each returning CUDA_ERROR_UNKNOWN; it is only linked against, never shipped nor loaded:
 * at run time the real libcuda.so.1 of the NVIDIA driver is found, or on a machine without
 * one libggml-cuda.so does not load and ggml skips the CUDA backend.
 */
function stubDriver(toolkit) {
  const include = path.join(toolkit, 'include');
  const stubs = path.join(toolkit, 'lib', 'stubs');
  fs.mkdirSync(stubs, { recursive: true });
  const names = [...new Set([...fs.readFileSync(path.join(include, 'cuda.h'), 'utf8').matchAll(/CUresult CUDAAPI (cu\w+)/g)].map((m) => m[1]))];
  // The versioned names the header maps them to (cuMemGetInfo -> cuMemGetInfo_v2), as code
  // compiled against cuda.h calls them: the C preprocessor's answer.
  const probe = path.join(stubs, 'names.h');
  fs.writeFileSync(probe, `#include <cuda.h>\n${names.map((n) => `whisper_napi_stub ${n}`).join('\n')}\n`);
  const expanded = execFileSync('cpp', ['-P', '-I', include, probe], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.match(/^whisper_napi_stub (\w+)$/)?.[1])
    .filter(Boolean);
  const symbols = [...new Set([...names, ...expanded])].sort();
  const assembly = symbols.map((s) => `.globl ${s}\n.type ${s}, @function\n${s}:\n  movl $999, %eax\n  ret\n`).join('');
  fs.writeFileSync(path.join(stubs, 'libcuda.S'), assembly);
  run('gcc', ['-shared', '-nostdlib', '-Wl,-soname,libcuda.so.1', '-o', path.join(stubs, 'libcuda.so'), path.join(stubs, 'libcuda.S')]);
  fs.rmSync(probe);
  log(`lib64/stubs/libcuda.so: ${symbols.length} driver API entry points, soname libcuda.so.1`);
}

/** nvcc compiles and links a kernel with the host's g++ (no driver needed to build). */
function checkToolkit(toolkit) {
  const nvcc = path.join(toolkit, 'bin', 'nvcc');
  log(execFileSync(nvcc, ['--version'], { encoding: 'utf8' }).trim().split('\n').pop());
  const dir = fs.mkdtempSync(path.join(cache, 'probe-'));
  try {
    fs.writeFileSync(path.join(dir, 'probe.cu'), '__global__ void k(float* x) { x[threadIdx.x] *= 2; }\nint main() { k<<<1, 1>>>(nullptr); return 0; }\n');
    run(nvcc, ['-ccbin', 'g++', '-arch=sm_89', '-o', path.join(dir, 'probe'), path.join(dir, 'probe.cu')], { cwd: dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const buildDir = path.resolve(root, process.env.CUDA_BUILD_DIR || 'build-cuda');
const logFile = path.join(cache, `build-${path.basename(buildDir)}.log`); // (outside buildDir, which cmake-js may wipe)

function build(toolkit) {
  const archs = process.env.CUDA_ARCHS || RELEASE_ARCHS;
  const jobs = process.env.CUDA_JOBS || '2';
  const env = {
    ...process.env,
    WHISPER_NAPI_PORTABLE: 'ON',
    WHISPER_NAPI_BLAS: process.env.WHISPER_NAPI_BLAS || 'OFF',
    // As the release workflow passes it (prebuilds.yml), with this toolkit's nvcc and the
    // host's g++ as its host compiler.
    WHISPER_NAPI_CMAKE_DEFINES: [
      'GGML_CUDA=ON', `CMAKE_CUDA_ARCHITECTURES=${archs}`,
      `CMAKE_CUDA_COMPILER=${path.join(toolkit, 'bin', 'nvcc')}`, `CUDAToolkit_ROOT=${toolkit}`,
      'CMAKE_CUDA_HOST_COMPILER=g++', 'CMAKE_VERBOSE_MAKEFILE=ON',
      // More, e.g. libraries by path for a toolkit without the unversioned links
      // (scripts/platforms/gpu-check.sh: "CUDA_cublas_LIBRARY=/.../libcublas.so.13 ...").
      process.env.CUDA_CMAKE_DEFINES ?? '',
    ].join(' '),
    PATH: `${path.join(toolkit, 'bin')}:${process.env.PATH}`,
    CUDA_PATH: toolkit,
  };
  // cmake-js's arguments as scripts/prebuild-node-gyp.js makes them for the release build,
  // but only `configure` into buildDir: the build itself is incremental (an architecture change
  // recompiles ggml-cuda only), libggml-cuda.so first (the part that needs CUDA), then the rest.
  const args = cmakeArguments(['rebuild'], root, env).map((a) => (a === 'rebuild' ? 'configure' : a));
  args[args.indexOf('--out') + 1] = buildDir;
  fs.mkdirSync(cache, { recursive: true });
  log(`CMAKE_CUDA_ARCHITECTURES=${archs}, ${jobs} jobs, log: ${path.relative(root, logFile)}`);
  const started = Date.now();
  const quote = (list) => list.map((a) => `'${a.replace(/'/g, "'\\''")}'`).join(' ');
  const step = (command) => run('bash', ['-o', 'pipefail', '-c', `${quote(['nice', '-n', '19', ...command])} 2>&1 | tee -a '${logFile}'`], { cwd: root, env });
  step([process.execPath, ...args]);
  // CUDA_TARGETS="whisper_napi ggml-cpu-x64 ggml-cpu-zen4": ggml-cuda and only those, in one
  // run (a quicker partial build: ggml loads the best CPU variant present), else everything.
  const targets = (process.env.CUDA_TARGETS ?? '').split(/\s+/).filter(Boolean);
  step(['cmake', '--build', buildDir, '--config', 'Release', '--parallel', jobs, '--verbose', '--target', 'ggml-cuda', ...targets]);
  log(`libggml-cuda.so built after ${((Date.now() - started) / 60000).toFixed(1)} min`);
  if (targets.length === 0) step(['cmake', '--build', buildDir, '--config', 'Release', '--parallel', jobs, '--verbose']);
  log(`built in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  return { buildDir, logFile };
}

function evidence(toolkit, { buildDir, logFile }) {
  const release = path.join(buildDir, 'Release');
  const cudaLib = path.join(release, 'libggml-cuda.so');
  if (!fs.existsSync(cudaLib)) throw new Error(`no ${cudaLib}`);
  const show = (title, text) => console.log(`\n== ${title}\n${text.trim()}`);
  const linkLine = fs.readFileSync(logFile, 'utf8').split('\n').filter((l) => / -o [^ ]*libggml-cuda\.so\b/.test(l)).pop();
  show('link line of libggml-cuda.so (from the verbose build log)', linkLine ?? '(not in this log: nothing was relinked)');
  const cuobjdump = fs.existsSync(path.join(toolkit, 'bin', 'cuobjdump')) ? path.join(toolkit, 'bin', 'cuobjdump') : 'cuobjdump';
  let elves;
  try {
    elves = execFileSync(cuobjdump, ['--list-elf', cudaLib], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch (error) {
    show('cuobjdump --list-elf libggml-cuda.so', `(not run: ${error.message})`);
    elves = '';
  }
  const archCounts = {};
  for (const m of elves.matchAll(/\.(sm_\d+\w*)\.cubin/g)) archCounts[m[1]] = (archCounts[m[1]] ?? 0) + 1;
  show('cuobjdump --list-elf libggml-cuda.so: cubins per architecture', Object.entries(archCounts).map(([a, n]) => `${a}: ${n}`).join('\n'));
  show('cuobjdump --list-elf libggml-cuda.so (first lines)', elves.split('\n').slice(0, 6).join('\n'));
  let ptx = '';
  try {
    ptx = execFileSync(cuobjdump, ['--list-ptx', cudaLib], { encoding: 'utf8', maxBuffer: 1 << 28 });
  } catch {
    // reported by --list-elf above
  }
  const ptxCounts = {};
  for (const m of ptx.matchAll(/\.(sm_\d+\w*)\.ptx/g)) ptxCounts[m[1]] = (ptxCounts[m[1]] ?? 0) + 1;
  show('cuobjdump --list-ptx libggml-cuda.so: PTX per architecture', Object.entries(ptxCounts).map(([a, n]) => `${a}: ${n}`).join('\n') || '(none)');
  show('readelf -d libggml-cuda.so (NEEDED, RUNPATH)', execFileSync('readelf', ['-d', cudaLib], { encoding: 'utf8' }).split('\n').filter((l) => /NEEDED|RUNPATH|RPATH|SONAME/.test(l)).join('\n'));
  show('files', execFileSync('ls', ['-la', release], { encoding: 'utf8' }));
  if (!process.env.CUDA_TOOLKIT) moduleLoads(toolkit, cudaLib);
}

/**
 * libggml-cuda.so opened as ggml's loader opens it (dlopen, then its ggml_backend_init), on
 * this machine: with no CUDA library, with the runtime and cuBLAS but no driver, and with the
 * stub as the driver (loads; the CUDA registry then finds no device).
 */
function moduleLoads(toolkit, cudaLib) {
  const stubDir = path.join(cache, 'stub-driver');
  fs.mkdirSync(stubDir, { recursive: true });
  if (!fs.existsSync(path.join(stubDir, 'libcuda.so.1'))) fs.symlinkSync(path.join(toolkit, 'lib', 'stubs', 'libcuda.so'), path.join(stubDir, 'libcuda.so.1'));
  const probe = [
    'import ctypes, sys',
    'try:',
    '    lib = ctypes.CDLL(sys.argv[1])',
    'except OSError as e:',
    '    print("dlopen failed:", e); sys.exit(0)',
    'base = ctypes.CDLL(sys.argv[2])',
    'lib.ggml_backend_init.restype = ctypes.c_void_p',
    'reg = lib.ggml_backend_init()',
    'base.ggml_backend_reg_name.restype = ctypes.c_char_p',
    'base.ggml_backend_reg_name.argtypes = [ctypes.c_void_p]',
    'base.ggml_backend_reg_dev_count.restype = ctypes.c_size_t',
    'base.ggml_backend_reg_dev_count.argtypes = [ctypes.c_void_p]',
    'print("loaded; registry", base.ggml_backend_reg_name(reg).decode(), "devices:", base.ggml_backend_reg_dev_count(reg))',
  ].join('\n');
  const base = path.join(path.dirname(cudaLib), 'libwhisper-napi-ggml-base.so');
  const lib = path.join(toolkit, 'lib');
  for (const [name, libraryPath] of [['no CUDA libraries', ''], ['runtime + cuBLAS, no driver', lib], ['runtime + cuBLAS + stub driver (no GPU)', `${lib}:${stubDir}`]]) {
    const run = spawnSync('python3', ['-c', probe, cudaLib, base], { encoding: 'utf8', env: { ...process.env, LD_LIBRARY_PATH: libraryPath } });
    console.log(`\n== dlopen libggml-cuda.so, ${name}\n${(run.stdout + run.stderr).trim()}`);
  }
}

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error('build-cuda: linux-x64 only (the wheels are x86-64 Linux ones)');
  const toolkit = process.env.CUDA_TOOLKIT ? path.resolve(process.env.CUDA_TOOLKIT) : assembleToolkit(fetchWheels());
  log(`toolkit: ${toolkit}`);
  checkToolkit(toolkit);
  if (process.argv.includes('--toolkit-only')) return;
  // --evidence: only the evidence of what is already built.
  const built = process.argv.includes('--evidence') ? { buildDir, logFile } : build(toolkit);
  evidence(toolkit, built);
}

if (require.main === module) {
  try {
    main();
  } catch (error) {
    console.error(`build-cuda: ${error.message}`);
    process.exit(1);
  }
}

module.exports = { pinned, wheelOf, assembleToolkit, fetchWheels, stubDriver };
