/**
 * `npm run prebuild` checks its prerequisite before compiling and builds in a directory of
 * its own (scripts/prebuild-prerequisites.js, scripts/prebuild-node-gyp.js): on a machine
 * without libopenblas-dev it used to stop in CMake ("BLAS not found") after cmake-js had
 * cleaned build/, so the development addon was gone too. No compile here.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

import { ROOT } from './support/paths';
import { plainToolEnv } from './support/sanitized';

interface Prerequisites {
  PREBUILD_DIR: string;
  blasMode(env: NodeJS.ProcessEnv, platform: string, arch: string): string;
  checkBlas(options: { mode?: string; probe?: (names: string[]) => string | undefined; hint?: string }): string | null;
  installHint(platform: string, osRelease: Record<string, string>): string;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const prerequisites = require('../scripts/prebuild-prerequisites') as Prerequisites;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { cmakeArguments } = require('../scripts/prebuild-node-gyp') as { cmakeArguments(args: string[], cwd: string, env?: NodeJS.ProcessEnv): string[] };

test('without OpenBLAS the prebuild says what to install, per OS, before building anything', () => {
  const asked: string[][] = [];
  const probe = (names: string[]) => (asked.push(names), undefined);
  const ubuntu = prerequisites.installHint('linux', { ID: 'ubuntu', ID_LIKE: 'debian' });
  const message = prerequisites.checkBlas({ mode: 'openblas-static', probe, hint: ubuntu });
  expect(asked).toEqual([['libopenblas.a']]);
  expect(message).toBe(
    'the prebuild links OpenBLAS (WHISPER_NAPI_BLAS=openblas-static) and libopenblas.a was not found. ' +
      'Install it (apt-get install libopenblas-dev), or build without BLAS: WHISPER_NAPI_BLAS=OFF npm run prebuild. Nothing was built; build/ is untouched.',
  );
  expect(prerequisites.installHint('linux', { ID: 'fedora' })).toBe('dnf install openblas-devel openblas-static');
  expect(prerequisites.installHint('linux', { ID: 'alpine' })).toBe('apk add openblas-dev');
  expect(prerequisites.installHint('darwin', {})).toBe('brew install openblas');
  // Found, or not linked at all: nothing to say (and nothing probed without BLAS).
  expect(prerequisites.checkBlas({ mode: 'openblas', probe: () => '/usr/lib/libopenblas.so' })).toBeNull();
  expect(prerequisites.checkBlas({ mode: 'OFF', probe })).toBeNull();
  expect(asked).toHaveLength(1);
  expect(prerequisites.blasMode({}, 'linux', 'x64')).toBe('openblas-static');
  expect(prerequisites.blasMode({}, 'darwin', 'arm64')).toBe('OFF');
  expect(prerequisites.blasMode({ WHISPER_NAPI_BLAS: 'OFF' }, 'linux', 'x64')).toBe('OFF');
});

test('the prebuild compiles into build-prebuild/ (ignored by git), never into build/', () => {
  const dir = prerequisites.PREBUILD_DIR;
  expect(dir).toBe(path.join(ROOT, 'build-prebuild'));
  expect(execFileSync('git', ['check-ignore', 'build-prebuild/build/Release/whisper_napi.node'], { cwd: ROOT, encoding: 'utf8', env: plainToolEnv() }).trim()).toBe('build-prebuild/build/Release/whisper_napi.node');
  // cmake-js's `rebuild` cleans its output directory first: it must be the prebuild's.
  const args = cmakeArguments(['rebuild', '--target=20.0.0', '--arch=x64', '--release'], dir, { WHISPER_NAPI_BLAS: 'OFF' });
  expect(args.slice(1, 4)).toEqual(['rebuild', '--out', path.join(dir, 'build')]);
  expect(args).toContain('--CDWHISPER_NAPI_BLAS=OFF');
  expect(args.some((a) => path.resolve(ROOT, a) === path.join(ROOT, 'build'))).toBe(false);
});
