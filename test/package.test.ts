/** The built package works from CommonJS and from ES modules, with one shared instance. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { MODELS, ROOT, modelPath } from './support/paths';
import { plainToolEnv } from './support/sanitized';

function node(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

test('require() (CommonJS) by package name', () => {
  const out = node(['-e', `const w = require('whisper-napi'); console.log(typeof w.loadModel, typeof w.transcribe, w.systemInfo().whisperCpp)`]);
  expect(out.trim()).toBe('function function 1.9.1');
});

test('import (ES module) by package name, and it is the same instance as require()', () => {
  const script = `
    import * as w from 'whisper-napi';
    import { createRequire } from 'node:module';
    const cjs = createRequire(import.meta.url)('whisper-napi');
    const model = await w.loadModel(${JSON.stringify(modelPath(MODELS.micro))});
    console.log(model.info.type, w.loadModel === cjs.loadModel, model instanceof cjs.WhisperModel);
    await model.dispose();
  `;
  expect(node(['--input-type=module', '-e', script]).trim()).toBe('custom true true');
});

test('the type declarations exist for both entry points', () => {
  const pkg = require(path.join(ROOT, 'package.json')) as { exports: Record<string, Record<string, { types: string }>> };
  for (const entry of [pkg.exports['.']!.import!.types, pkg.exports['.']!.require!.types]) {
    expect(() => require.resolve(path.join(ROOT, entry))).not.toThrow();
  }
});

test('the declarations type-check for a consumer using import and require (moduleResolution nodenext)', () => {
  const dir = path.join(ROOT, '.cache', 'consumer');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', strict: true, noEmit: true, lib: ['es2022', 'esnext.disposable'], types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')] }, files: ['esm.mts', 'cjs.cts'] }),
  );
  fs.writeFileSync(
    path.join(dir, 'esm.mts'),
    `import whisper, { loadModel, transcribe, InvalidAudioError, type Transcript, type TranscribeOptions } from 'whisper-napi';
const options: TranscribeOptions = { threads: 2, language: 'en', beamSize: 1, temperatureIncrement: 0 };
export async function run(pcm: Float32Array): Promise<string> {
  await using model = await loadModel('model.bin', { useGpu: false });
  const t: Transcript = await model.transcribe(pcm, options);
  const type: string = model.info.type;
  const viaDefault: Transcript = await whisper.transcribe(pcm);
  return t.text + type + viaDefault.segments[0]?.start + (await transcribe(pcm, { model: 'x.bin' })).language + InvalidAudioError.name;
}
// @ts-expect-error unknown options are type errors too
export const bad: TranscribeOptions = { thread: 2 };
`,
  );
  fs.writeFileSync(
    path.join(dir, 'cjs.cts'),
    `import whisper = require('whisper-napi');
export const load: (path: string) => Promise<whisper.WhisperModel> = (p) => whisper.loadModel(p);
`,
  );
  const tsc = require.resolve('typescript/bin/tsc');
  expect(() => execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' })).not.toThrow();
});

test('npm pack ships the compiled code and exactly the whisper.cpp sources a source build needs', () => {
  const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', env: plainToolEnv() })) as [{ files: { path: string }[]; size: number; unpackedSize: number }];
  const files = report.files.map((f) => f.path);
  for (const needed of ['bin/whisper-napi.js', 'dist/cjs/index.js', 'dist/cjs/server/index.js', 'web/index.html', 'web/app.js', 'web/live.js', 'web/style.css', 'web/recorder-worklet.js', 'dist/esm/index.mjs', 'CMakeLists.txt', 'binding/core/addon.cc', 'scripts/install.js', 'scripts/patches/06-speculative-decoding.patch', 'cmake/whisper-napi-patches.cmake', 'deps/whisper.cpp/whisper-napi-patches.json', 'deps/whisper.cpp.source.json', 'deps/whisper.cpp/LICENSE', 'deps/whisper.cpp/src/whisper.cpp', 'deps/whisper.cpp/examples/miniaudio.h', 'deps/whisper.cpp/examples/quantize/quantize.cpp']) {
    expect(files).toContain(needed);
  }
  // whisper.cpp's examples beyond the four sources we compile, its tests, models and bindings stay out.
  const whisperCpp = files.filter((f) => f.startsWith('deps/whisper.cpp/'));
  expect(whisperCpp.filter((f) => /^deps\/whisper\.cpp\/(tests|models|bindings|samples|media|scripts)\//.test(f))).toEqual([]);
  expect(whisperCpp.filter((f) => f.startsWith('deps/whisper.cpp/examples/'))).toHaveLength(6);
  expect(files.filter((f) => f.startsWith('test/') || f.startsWith('src/') || f.startsWith('.cache/'))).toEqual([]);
  console.log(`npm pack: ${files.length} files, ${(report.size / 1e6).toFixed(1)} MB packed, ${(report.unpackedSize / 1e6).toFixed(1)} MB unpacked (prebuilds included when present)`);
});

test('npm pack ships the prebuilds: each platform folder, the addon and the libraries beside it', () => {
  // This checkout has no prebuilds/ (npm run prebuild makes it): pack the package's own
  // package.json and .gitignore (which ignores prebuilds/ for git) beside a prebuilds/
  // laid out as scripts/prebuild.js lays it out.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-pack-'));
  try {
    for (const file of ['package.json', '.gitignore']) fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
    const prebuilt = ['prebuilds/linux-x64/whisper-napi.node', 'prebuilds/linux-x64/libopenblas.so.0', 'prebuilds/darwin-arm64/whisper-napi.node', 'prebuilds/win32-x64/whisper-napi.node'];
    for (const file of prebuilt) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), 'not a real binary');
    }
    const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8', env: plainToolEnv() })) as [{ files: { path: string }[] }];
    expect(report.files.map((f) => f.path).filter((f) => f.startsWith('prebuilds/')).sort()).toEqual([...prebuilt].sort());
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
