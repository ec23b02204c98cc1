/** Where the build takes whisper.cpp from: deps/ by default, WHISPER_CPP_DIR when set. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT } from './support/paths';
import { plainToolEnv } from './support/sanitized';

function configure(env: NodeJS.ProcessEnv): string {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-configure-'));
  try {
    return execFileSync('cmake', ['-S', ROOT, '-B', build], { encoding: 'utf8', env: plainToolEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}`;
  } finally {
    fs.rmSync(build, { recursive: true, force: true });
  }
}

test('WHISPER_CPP_DIR points the build at another checkout', () => {
  const output = configure({ WHISPER_CPP_DIR: '/nonexistent/whisper.cpp' });
  expect(output).toContain('whisper.cpp source: /nonexistent/whisper.cpp');
  expect(output).toMatch(/No whisper\.cpp source at \/nonexistent\/whisper\.cpp/);
});

test('without it, the pinned copy in deps/whisper.cpp is used', () => {
  const output = configure({ WHISPER_CPP_DIR: '' });
  expect(output).toContain(`whisper.cpp source: ${path.join(ROOT, 'deps', 'whisper.cpp')}`);
  expect(output).toContain('Build files have been written');
});

test('an unpatched checkout is refused with the command that patches it', () => {
  const pristine = path.join(ROOT, 'node_modules', 'nodejs-whisper', 'cpp', 'whisper.cpp');
  const output = configure({ WHISPER_CPP_DIR: pristine }).replace(/\s+/g, ' '); // CMake wraps lines
  expect(output).toContain("lacks whisper-napi's patches");
  expect(output).toContain(`node scripts/whisper-cpp-patches.js ${pristine}`);
});

test('a bad WHISPER_NAPI_BLAS is refused at configure time', () => {
  const output = configure({ WHISPER_NAPI_BLAS: 'mkl-please' }).replace(/\s+/g, ' '); // CMake wraps lines
  expect(output).toContain("WHISPER_NAPI_BLAS must be OFF, openblas or openblas-static, not 'mkl-please'");
});

// Another ggml-based addon in the same process (node-llama-cpp, ...) must not bind to our
// ggml/whisper symbols, nor we to its: only the Node-API entry points are exported.
(process.platform === 'linux' ? test : test.skip)('the addon exports no ggml, whisper or BLAS symbols (Linux)', () => {
  const exported = execFileSync('nm', ['-D', '--defined-only', path.join(ROOT, 'build', 'Release', 'whisper_napi.node')], { encoding: 'utf8', env: plainToolEnv() });
  const names = exported.split('\n').map((line) => line.split(' ').pop() ?? '');
  expect(names).toContain('napi_register_module_v1');
  expect(names.filter((n) => /^(ggml|gguf|whisper|cblas|openblas|ma_|drmp3|drflac|stb_)/.test(n))).toEqual([]);
});
