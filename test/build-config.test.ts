/** Where the build takes whisper.cpp from: deps/ by default, WHISPER_CPP_DIR when set. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT } from './support/paths';

function configure(env: NodeJS.ProcessEnv): string {
  const build = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-configure-'));
  try {
    return execFileSync('cmake', ['-S', ROOT, '-B', build], { encoding: 'utf8', env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
