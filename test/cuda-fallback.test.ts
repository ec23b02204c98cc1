/**
 * The CUDA variant of the portable build (npm run build:cuda -> build-cuda/Release/) on a
 * machine where CUDA cannot run: ggml's CUDA backend module (libggml-cuda.so) does not load,
 * or loads and finds no device, and is skipped; the CPU does the work, with the same text as
 * the CPU-only build the rest of the suite loads (build/Release).
 *
 * The CUDA build is loaded in child processes through $WHISPER_NAPI_ADDON (src/binding.ts),
 * so build/ and prebuilds/ are never touched. Three machines are imitated:
 *  - nothing of CUDA installed: libcudart.so.13 / libcublas.so.13 are not found;
 *  - the CUDA runtime and cuBLAS installed (the toolkit from the wheels on the library path)
 *    but no NVIDIA driver: libcuda.so.1 is not found;
 *  - a "driver" that answers but has no GPU: the toolkit's stub libcuda.so.1 on the library
 *    path (every call returns CUDA_ERROR_UNKNOWN): the module loads and finds no device.
 * Runs in seconds; skipped with a banner when the CUDA build (or the toolkit) is absent.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadModel } from '../src';
import { jfk } from './support/audio';
import { MODELS, ROOT, modelPath } from './support/paths';
import { warnSkipped } from './support/skip-banner';

const CUDA_RELEASE = path.resolve(ROOT, process.env.CUDA_BUILD_DIR || 'build-cuda', 'Release');
const CUDA_ADDON = path.join(CUDA_RELEASE, 'whisper_napi.node');
const TOOLKIT_LIB = path.join(ROOT, '.cache', 'cuda', 'toolkit', 'lib');
const DIST = path.join(ROOT, 'dist', 'cjs', 'index.js');
const model = modelPath(MODELS.micro);

const missing = [CUDA_ADDON, path.join(CUDA_RELEASE, 'libggml-cuda.so'), DIST].filter((f) => !fs.existsSync(f));
if (missing.length > 0) {
  warnSkipped([
    'test/cuda-fallback.test.ts SKIPPED: no CUDA build to check.',
    ...missing.map((f) => `missing: ${path.relative(ROOT, f)}`),
    'Build it with `npm run build:cuda` (CUDA_ARCHS=89 for a quicker one-architecture build).',
  ]);
}
const describeIfBuilt = missing.length > 0 ? describe.skip : describe;

interface ChildResult {
  backends: string[];
  devices: { name: string; type: string }[];
  text: string;
  stderr: string;
}

/** Loads the CUDA build in a fresh process with `libraryPath` and transcribes jfk.wav. */
function runCudaBuild(libraryPath: string[]): ChildResult {
  const script = `
    const fs = require('node:fs');
    const { loadModel } = require(${JSON.stringify(DIST)});
    const { native } = require(${JSON.stringify(path.join(ROOT, 'dist', 'cjs', 'binding.js'))});
    (async () => {
      const { backends, devices } = native().backends();
      const whisper = await loadModel(${JSON.stringify(model)}, { useGpu: true });
      const bytes = fs.readFileSync(${JSON.stringify(samplesFile())});
      const audio = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
      const t = await whisper.transcribe(audio, { threads: 2, temperatureIncrement: 0 });
      await whisper.dispose();
      console.log(JSON.stringify({ backends, devices, text: t.text }));
    })().catch((e) => { console.error(e); process.exit(1); });`;
  const env = { ...process.env, WHISPER_NAPI_ADDON: CUDA_ADDON, LD_LIBRARY_PATH: libraryPath.join(':') };
  const run = spawnSync(process.execPath, ['-e', script], { env, encoding: 'utf8', timeout: 60_000 });
  if (run.status !== 0) throw new Error(`the CUDA build failed (status ${run.status}, ${run.signal}):\n${run.stderr}`);
  return { ...(JSON.parse(run.stdout.trim().split('\n').pop()!) as Omit<ChildResult, 'stderr'>), stderr: run.stderr };
}

describeIfBuilt('CUDA build without a usable GPU: the CPU backend is used', () => {
  let cpuText: string;

  beforeAll(async () => {
    // The CPU-only build the suite loads (build/Release), same model, audio and settings.
    await using whisper = await loadModel(model);
    cpuText = (await whisper.transcribe(jfk(), { threads: 2, temperatureIncrement: 0 })).text;
    expect(cpuText.length).toBeGreaterThan(0);
  });

  const cases: [string, () => string[] | undefined][] = [
    ['no CUDA libraries at all', () => []],
    ['CUDA runtime and cuBLAS, no driver (libcuda.so.1 missing)', () => (fs.existsSync(TOOLKIT_LIB) ? [TOOLKIT_LIB] : undefined)],
    ['a driver stub that finds no GPU', () => (fs.existsSync(path.join(TOOLKIT_LIB, 'stubs', 'libcuda.so')) ? [TOOLKIT_LIB, stubDir()] : undefined)],
  ];

  test.each(cases)('%s', (name, libraryPath) => {
    const paths = libraryPath();
    if (!paths) {
      warnSkipped([`cuda-fallback "${name}": no toolkit in .cache/cuda/toolkit (npm run build:cuda makes it); case skipped`]);
      return;
    }
    const result = runCudaBuild(paths);
    expect(result.backends).toContain('CPU');
    expect(result.devices.filter((d) => d.type === 'gpu')).toEqual([]);
    expect(result.devices.some((d) => d.type === 'cpu')).toBe(true);
    expect(result.text).toBe(cpuText);
  });
});

/** jfk.wav's samples as the CPU side reads them (test/support/audio.ts), raw float32. */
function samplesFile(): string {
  const file = path.join(ROOT, '.cache', 'cuda', 'jfk.f32');
  const samples = jfk();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength));
  return file;
}

/** A directory holding the stub as libcuda.so.1 (the soname the loader looks for). */
function stubDir(): string {
  const dir = path.join(ROOT, '.cache', 'cuda', 'stub-driver');
  fs.mkdirSync(dir, { recursive: true });
  const link = path.join(dir, 'libcuda.so.1');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(TOOLKIT_LIB, 'stubs', 'libcuda.so'), link);
  return dir;
}
