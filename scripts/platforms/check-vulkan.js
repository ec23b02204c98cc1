#!/usr/bin/env node
// Checks the addon built with ggml's Vulkan backend (docs/platforms/vulkan.md), on Mesa's
// software Vulkan driver (lavapipe, "llvmpipe"), so that no GPU is needed:
//
//   1. builds build-vulkan/ (portable: ggml-vulkan is a backend module beside the .node)
//      unless it is up to date (ninja decides);
//   2. `whisper-napi --version` run with that build lists the Vulkan backend and device;
//   3. on each model, greedy transcripts of jfk.wav with the Vulkan device (useGpu: true)
//      and on the CPU (useGpu: false) have the same tokens, with probabilities that differ
//      by floating-point order only; and the log shows where the weights were (Vulkan0 or CPU);
//   4. with no Vulkan driver (VK_ICD_FILENAMES / VK_DRIVER_FILES pointing at nothing), and
//      with no Vulkan loader library at all (hidden in a private mount namespace, where
//      `unshare` is allowed), the same build falls back to the CPU and transcribes the same.
//
//   npm run check:vulkan [-- --no-build] [--models micro,tiny.en,real:tiny.en,real:base,distil-medium.en] [--minutes 30]
//
// Exit status: 0 all checks passed; 1 a check failed; 2 a prerequisite is missing (nothing
// was checked). Every child process runs under a time limit (10 min, and all of them 30 min).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..', '..');
const buildDir = path.join(root, 'build-vulkan');
const addon = path.join(buildDir, 'Release', 'whisper_napi.node');
const jfk = path.join(root, '..', 'shared', 'fixtures', 'jfk.wav');
const lavapipe = '/usr/share/vulkan/icd.d/lvp_icd.x86_64.json';
/** What the build needs besides the project's own: cmake-js's defines. */
const DEFINES = ['WHISPER_NAPI_PORTABLE=ON', 'WHISPER_NAPI_BLAS=OFF', 'GGML_VULKAN=ON'];
const CHILD_TIMEOUT_MS = 10 * 60_000;
/** Largest |p(Vulkan) - p(CPU)| of one token accepted as floating-point noise. */
const MAX_PROBABILITY_DELTA = 0.02;

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
};
// All the transcriptions together (not the build): --minutes, default 30; a run cut short fails.
let deadline = Infinity; // set when the build is done
const childTimeout = () => Math.max(1000, Math.min(CHILD_TIMEOUT_MS, deadline - Date.now()));

function fail(status, message) {
  console.error(`check-vulkan: ${message}`);
  process.exit(status);
}

// --- 1. the build ------------------------------------------------------------------------
/**
 * Vulkan headers new enough for ggml-vulkan (it uses VK_EXT_layer_settings, public in the
 * headers from 1.3.272 on): the system's where they are (Ubuntu 24.04: 1.3.275; not Debian
 * 12's 1.3.239 nor Ubuntu 22.04's 1.3.204), else Debian trixie's
 * libvulkan-dev (1.4.309, headers only) unpacked into .cache/vulkan/headers by apt-get
 * download with a private source list: the system's apt configuration is not touched.
 */
function vulkanIncludeDir() {
  const has = (dir) => fs.existsSync(path.join(dir, 'vulkan', 'vulkan_core.h')) && fs.readFileSync(path.join(dir, 'vulkan', 'vulkan_core.h'), 'utf8').includes('VK_EXT_layer_settings');
  if (has('/usr/include')) return null;
  const cache = path.join(root, '.cache', 'vulkan');
  const include = path.join(cache, 'headers', 'usr', 'include');
  if (has(include)) return include;
  console.log('check-vulkan: /usr/include/vulkan lacks VK_EXT_layer_settings (headers < 1.3.272); fetching Debian trixie\'s libvulkan-dev headers into .cache/vulkan/headers');
  const apt = path.join(cache, 'apt');
  for (const dir of ['lists/partial', 'archives/partial', 'etc', 'deb']) fs.mkdirSync(path.join(apt, dir), { recursive: true });
  fs.writeFileSync(path.join(apt, 'etc', 'trixie.sources'), 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n');
  const options = [`Dir::Etc::SourceList=/dev/null`, `Dir::Etc::SourceParts=${apt}/etc`, `Dir::State::Lists=${apt}/lists`, `Dir::Cache=${apt}`, `Dir::Cache::Archives=${apt}/archives`, 'Debug::NoLocking=1'].flatMap((o) => ['-o', o]);
  const step = (argv, cwd) => {
    const r = spawnSync(argv[0], argv.slice(1), { cwd, stdio: 'inherit', timeout: 600_000 });
    if (r.status !== 0) fail(2, `SKIPPED, not checked: ${argv.join(' ')} failed; install Vulkan headers >= 1.3.272 or set Vulkan_INCLUDE_DIR`);
  };
  step(['apt-get', ...options, 'update'], cache);
  step(['apt-get', ...options, 'download', 'libvulkan-dev/trixie'], path.join(apt, 'deb'));
  const deb = fs.readdirSync(path.join(apt, 'deb')).find((f) => f.startsWith('libvulkan-dev_'));
  step(['dpkg-deb', '-x', path.join(apt, 'deb', deb), path.join(cache, 'headers')], cache);
  return include;
}

function build() {
  const started = Date.now();
  const nice = fs.existsSync('/usr/bin/nice') ? ['nice', '-n', '19'] : [];
  const run = (argv) => {
    const r = spawnSync(argv[0], argv.slice(1), { cwd: root, stdio: 'inherit', timeout: 3 * 3600_000 });
    if (r.status !== 0) fail(1, `build step failed (${r.error?.message ?? `status ${r.status}`}): ${argv.join(' ')}`);
  };
  const include = vulkanIncludeDir();
  const defines = [...DEFINES, ...(include ? [`Vulkan_INCLUDE_DIR=${include}`] : [])];
  if (!fs.existsSync(path.join(buildDir, 'CMakeCache.txt'))) {
    run([...nice, process.execPath, require.resolve('cmake-js/bin/cmake-js', { paths: [root] }), 'configure', '--out', buildDir, ...defines.map((d) => `--CD${d}`)]);
  }
  // Shader generation and ggml-vulkan.cpp are the slow part; ninja skips all of it when nothing changed.
  run([...nice, 'cmake', '--build', buildDir, '--target', 'whisper_napi', '-j', process.env.CHECK_VULKAN_JOBS || '2']);
  console.log(`build: done in ${((Date.now() - started) / 1000).toFixed(1)} s (${path.relative(root, addon)})`);
}

// --- the package the checks load ------------------------------------------------------------
/**
 * package.json, bin/ and dist/ compiled from src/ into .cache/vulkan/pkg (when src/ is newer):
 * the checks do not depend on the repository's dist/, which other work rebuilds and removes.
 * The addon is this build's, named by $WHISPER_NAPI_ADDON (src/binding.ts).
 */
const pkg = path.join(root, '.cache', 'vulkan', 'pkg');
function stagePackage() {
  const newest = (dir) => Math.max(...fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newest(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)));
  const built = path.join(pkg, 'dist', 'cjs', 'index.js');
  if (!fs.existsSync(built) || fs.statSync(built).mtimeMs < newest(path.join(root, 'src'))) {
    fs.rmSync(path.join(pkg, 'dist'), { recursive: true, force: true });
    const tsc = spawnSync(process.execPath, [require.resolve('typescript/bin/tsc', { paths: [root] }), '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(pkg, 'dist', 'cjs'), '--sourceMap', 'false'], { cwd: root, stdio: 'inherit', timeout: 600_000 });
    if (tsc.status !== 0) fail(1, 'tsc failed');
  }
  fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  fs.cpSync(path.join(root, 'bin'), path.join(pkg, 'bin'), { recursive: true });
}

// --- models --------------------------------------------------------------------------------
/** The test suite's generated models (test/support/paths.ts names them after the generator's hash). */
function generatedModel(preset) {
  const hash = require('node:crypto').createHash('sha256').update(fs.readFileSync(path.join(root, 'scripts', 'generate-model.js'))).digest('hex').slice(0, 8);
  const name = `${preset}-s1-${hash}.bin`;
  const shared = path.join(root, '.cache', 'models', name);
  if (fs.existsSync(shared)) return shared;
  // Not in the suite's folder (its global setup deletes files it does not know): our own.
  const own = path.join(root, '.cache', 'vulkan', 'models', name);
  if (!fs.existsSync(own)) {
    fs.mkdirSync(path.dirname(own), { recursive: true });
    require(path.join(root, 'scripts', 'generate-model.js')).generateModel({ preset, out: own, seed: 1 });
  }
  return own;
}

function modelFile(id) {
  // real:<name>: OpenAI's weights converted by scripts/prepare-real-tier.js, where present.
  if (id.startsWith('real:')) {
    const file = path.join(root, '.cache', 'real-tier', 'ggml', `${id.slice(5)}.bin`);
    return fs.existsSync(file) ? file : null;
  }
  return generatedModel(id);
}

// --- one transcription in a child process ----------------------------------------------------
const PROBE = `
const path = require('node:path');
const [dist, model, audio, useGpu, suppressRegex] = process.argv.slice(1);
const w = require(path.join(dist, 'cjs'));
const { backends, devices, cpuBackendFile } = require(path.join(dist, 'cjs', 'binding')).native().backends();
(async () => {
  const started = Date.now();
  const m = await w.loadModel(model, { useGpu: useGpu === 'true', threads: 2 });
  const t = await m.transcribe(audio, { temperatureIncrement: 0, tokens: true, threads: 2, ...(suppressRegex ? { suppressRegex } : {}) });
  await m.dispose();
  const tokens = t.segments.flatMap((s) => s.tokens.map((k) => [k.id, k.probability, k.text]));
  console.log('PROBE ' + JSON.stringify({ backends, devices: devices.map((d) => d.name + ' (' + d.type + ': ' + d.description + ')'),
    cpuBackendFile: cpuBackendFile && path.basename(cpuBackendFile), text: t.text, tokens, ms: Date.now() - started }));
})().catch((e) => { console.error('PROBE-ERROR ' + (e.stack || e)); process.exit(3); });`;

/** The environments compared: lavapipe as the one Vulkan device; no driver. */
function vulkanEnv(icd) {
  // ggml-vulkan skips devices of type CPU (lavapipe is one) unless they are named.
  return { ...process.env, WHISPER_NAPI_ADDON: addon, WHISPER_NAPI_LOG: '2', VK_ICD_FILENAMES: icd, VK_DRIVER_FILES: icd, GGML_VK_VISIBLE_DEVICES: '0' };
}

function probe(label, model, useGpu, env, wrapper = [], suppressRegex = '') {
  const argv = [...wrapper, process.execPath, '-e', PROBE, path.join(pkg, 'dist'), model, jfk, String(useGpu), suppressRegex];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: root, env, encoding: 'utf8', timeout: childTimeout(), maxBuffer: 64 << 20 });
  const line = (r.stdout || '').split('\n').find((l) => l.startsWith('PROBE '));
  if (!line) {
    return { label, error: `${r.error?.message ?? `status ${r.status} signal ${r.signal}`}: ${(r.stderr || '').trim().split('\n').slice(-5).join(' | ')}` };
  }
  const result = JSON.parse(line.slice(6));
  const log = r.stderr || '';
  // whisper.cpp: "whisper_model_load:      Vulkan0 total size =    75.47 MB" (the weights' buffer)
  result.weights = [...log.matchAll(/whisper_model_load:\s+(\S+) total size/g)].map((m) => m[1]).join('+') || '?';
  result.gpuLine = /whisper_backend_init_gpu: (using \S+ backend|no GPU found)/.exec(log)?.[1] ?? (useGpu ? '?' : 'use_gpu = 0');
  return { label, ...result };
}

/**
 * Where the two runs pick different tokens, whether it is a near-tie: the CPU run again with
 * its own choice suppressed (suppressRegex, the token's exact text) picks its runner-up; if
 * that is the Vulkan run's token, its probability before the suppression renormalized is
 * p_supp * (1 - p_cpu's choice). A difference between the two candidates no larger than the
 * probability noise allowed between backends is a tie that floating-point order decides.
 */
function nearTie(model, gpu, cpu, i) {
  if (!gpu.tokens[i] || !cpu.tokens[i]) return { explained: false, detail: 'one transcript is a prefix of the other' };
  const [vulkanId, vulkanP] = gpu.tokens[i];
  const [cpuId, cpuP, cpuText] = cpu.tokens[i];
  const escaped = cpuText.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
  const again = probe('cpu, own choice suppressed', model, false, vulkanEnv(lavapipe), [], `^${escaped}$`);
  if (again.error) return { explained: false, detail: `runner-up run failed: ${again.error}` };
  const same = again.tokens.slice(0, i).every((t, k) => t[0] === cpu.tokens[k][0]);
  const [upId, upP] = again.tokens[i] ?? [];
  if (!same || upId !== vulkanId) return { explained: false, detail: `the CPU's runner-up at token ${i} is ${upId}, not the Vulkan run's ${vulkanId}` };
  const raw = upP * (1 - cpuP);
  const margin = cpuP - raw;
  return {
    explained: margin <= MAX_PROBABILITY_DELTA,
    margin,
    detail: `a near-tie: on the CPU p(${cpuId} ${JSON.stringify(cpuText)}) = ${cpuP.toFixed(4)} and p(${vulkanId}) = ${raw.toFixed(4)} (margin ${margin.toExponential(2)}); on Vulkan p(${vulkanId}) = ${vulkanP.toFixed(4)}`,
  };
}

/** Token-level comparison: identical ids, and the largest probability difference. */
function compare(a, b) {
  const n = Math.min(a.tokens.length, b.tokens.length);
  let first = -1;
  let maxDelta = 0;
  let sumDelta = 0;
  for (let i = 0; i < n; i++) {
    if (a.tokens[i][0] !== b.tokens[i][0]) {
      first = i;
      break;
    }
    maxDelta = Math.max(maxDelta, Math.abs(a.tokens[i][1] - b.tokens[i][1]));
    sumDelta += Math.abs(a.tokens[i][1] - b.tokens[i][1]);
  }
  if (first < 0 && a.tokens.length !== b.tokens.length) first = n;
  return { sameTokens: first < 0, firstDivergence: first, maxDelta, meanDelta: sumDelta / Math.max(1, first < 0 ? n : first), count: a.tokens.length };
}

// --- main ------------------------------------------------------------------------------------
function main() {
  const missing = [];
  if (!fs.existsSync(lavapipe)) missing.push(`${lavapipe} (apt-get install mesa-vulkan-drivers)`);
  if (!fs.existsSync('/usr/include/vulkan/vulkan.h')) missing.push('Vulkan headers (apt-get install libvulkan-dev)');
  if (spawnSync('glslc', ['--version']).status !== 0) missing.push('glslc (apt-get install glslc)');
  if (!fs.existsSync(jfk)) missing.push(jfk);
  if (missing.length) fail(2, `SKIPPED, not checked: missing ${missing.join('; ')}`);

  if (!args.includes('--no-build')) build();
  if (!fs.existsSync(addon)) fail(2, `SKIPPED, not checked: no build at ${addon} (run without --no-build)`);
  stagePackage();
  deadline = Date.now() + Number(option('minutes') || 30) * 60_000;
  const failures = [];
  const check = (ok, what) => {
    console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures.push(what);
  };

  // 2. whisper-napi --version with this build, on lavapipe and with no driver.
  const version = (env) => spawnSync(process.execPath, [path.join(pkg, 'bin', 'whisper-napi.js'), '--version'], { cwd: root, env, encoding: 'utf8', timeout: 60_000 });
  const withDriver = version(vulkanEnv(lavapipe));
  console.log(`\n$ WHISPER_NAPI_ADDON=${path.relative(root, addon)} VK_ICD_FILENAMES=${lavapipe} GGML_VK_VISIBLE_DEVICES=0 whisper-napi --version\n${withDriver.stdout.trim()}`);
  check(/^backends .*\bVulkan\b/m.test(withDriver.stdout) && /^devices .*Vulkan0 \(\w+: .*llvmpipe/m.test(withDriver.stdout), '--version lists the Vulkan backend and the lavapipe device (Vulkan0)');
  const noDriver = version(vulkanEnv('/nonexistent/icd.json'));
  console.log(`\n$ ... VK_ICD_FILENAMES=/nonexistent/icd.json whisper-napi --version\n${noDriver.stdout.trim()}`);
  check(noDriver.status === 0 && !/Vulkan/.test(noDriver.stdout) && /^devices .*CPU/m.test(noDriver.stdout), '--version with no Vulkan driver: no Vulkan backend, the CPU device only');

  // 3 and 4, per model.
  const ids = (option('models') || 'micro,tiny.en,real:tiny.en,real:base').split(',').filter(Boolean);
  const canUnshare = os.platform() === 'linux' && spawnSync('unshare', ['-m', '--propagation', 'private', 'true']).status === 0;
  const loader = '/usr/lib/x86_64-linux-gnu/libvulkan.so.1';
  const rows = [];
  for (const id of ids) {
    const model = modelFile(id);
    if (!model) {
      console.log(`\n(${id}: no such model here, not checked)`);
      continue;
    }
    console.log(`\n== ${id}: ${path.relative(root, model)}`);
    const runs = [
      probe('vulkan', model, true, vulkanEnv(lavapipe)),
      probe('cpu (useGpu: false)', model, false, vulkanEnv(lavapipe)),
      probe('no driver', model, true, vulkanEnv('/nonexistent/icd.json')),
    ];
    if (canUnshare && fs.existsSync(loader)) {
      // The loader library replaced by an empty file: dlopen of libggml-vulkan.so fails.
      runs.push(probe('no loader', model, true, vulkanEnv(lavapipe), ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `mount --bind /dev/null ${loader} && exec "$@"`, 'sh']));
    } else {
      console.log(`  (no loader: not checked, needs ${loader} and permission for unshare -m)`);
    }
    for (const r of runs) {
      if (r.error) console.log(`  ${r.label}: ERROR ${r.error}`);
      else console.log(`  ${r.label.padEnd(20)} weights in ${r.weights.padEnd(8)} ${r.gpuLine.padEnd(22)} ${String(r.ms).padStart(6)} ms  ${JSON.stringify(r.text.slice(0, 70))}`);
    }
    const [gpu, cpu, ...fallbacks] = runs;
    if (gpu.error || cpu.error) {
      check(false, `${id}: both runs finished (${gpu.error || cpu.error})`);
      continue;
    }
    check(gpu.weights === 'Vulkan0' && gpu.gpuLine === 'using Vulkan0 backend', `${id}: useGpu: true puts the weights on Vulkan0`);
    check(cpu.weights === 'CPU' && !/Vulkan/.test(cpu.gpuLine), `${id}: useGpu: false keeps the weights on the CPU`);
    const c = compare(gpu, cpu);
    const where = c.sameTokens ? `${c.count} tokens identical, max |dp| = ${c.maxDelta.toExponential(2)}` : `first divergence at token ${c.firstDivergence} of ${c.count}: Vulkan ${JSON.stringify(gpu.tokens[c.firstDivergence])} vs CPU ${JSON.stringify(cpu.tokens[c.firstDivergence])}, max |dp| before it = ${c.maxDelta.toExponential(2)}`;
    if (c.sameTokens) {
      check(c.maxDelta <= MAX_PROBABILITY_DELTA, `${id}: Vulkan vs CPU: ${where}`);
    } else {
      c.tie = nearTie(model, gpu, cpu, c.firstDivergence);
      check(c.tie.explained, `${id}: Vulkan vs CPU: ${where}; ${c.tie.detail}`);
    }
    rows.push({ id, gpu, cpu, c });
    for (const f of fallbacks) {
      if (f.error) {
        check(false, `${id}: ${f.label}: transcribes on the CPU (${f.error})`);
        continue;
      }
      const same = compare(f, cpu);
      check(f.weights === 'CPU' && !f.backends.includes('Vulkan') && same.sameTokens && same.maxDelta === 0, `${id}: ${f.label}: falls back to the CPU (backends ${f.backends.join(', ')}), transcript identical to useGpu: false`);
    }
  }

  console.log('\n| model | tokens | Vulkan = CPU | max abs(dp) | mean abs(dp) | Vulkan ms | CPU ms | text (Vulkan) |');
  console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
  for (const { id, gpu, cpu, c } of rows) {
    console.log(`| ${id} | ${c.count} | ${c.sameTokens ? 'yes' : `no, from token ${c.firstDivergence} (near-tie, margin ${c.tie.margin?.toExponential(2) ?? '?'})`} | ${c.maxDelta.toExponential(2)} | ${c.meanDelta.toExponential(2)} | ${gpu.ms} | ${cpu.ms} | ${gpu.text.trim().slice(0, 60)} |`);
  }
  if (rows.length === 0) fail(1, 'no model was compared');
  console.log(failures.length ? `\nFAILED: ${failures.length} check(s)` : '\nOK: all Vulkan checks passed');
  process.exitCode = failures.length ? 1 : 0;
}

main();
