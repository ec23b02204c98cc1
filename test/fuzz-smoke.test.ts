/**
 * A short run of each fuzzer (fuzz/models.js, fuzz/audio.js), so the harness keeps working
 * and the cases that once failed stay fixed. The full runs (10,000 cases each) are scripts:
 * `npm run fuzz:models`, `npm run fuzz:audio`.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { ROOT } from './support/paths';

async function fuzz(script: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'fuzz', script), ...args, '--parallel', '2'], { cwd: ROOT, maxBuffer: 16 << 20 });
  return stdout;
}

test('model fuzzing: cuts at region boundaries and random damage end as a model or a typed error', async () => {
  // Cases 0-59: cuts in the header, mel filters and vocabulary; 1400-1499: random mutations.
  for (const [first, cases] of [['0', '60'], ['1400', '100']] as const) {
    const out = await fuzz('models.js', '--first', first, '--cases', cases);
    expect(out).toMatch(new RegExp(`models: ${cases} of ${cases} cases`));
    expect(out).toMatch(/no crash, hang or untyped error/);
    expect(out).toMatch(/rejected: InvalidModelError/);
  }
}, 300_000);

test('audio fuzzing: damaged WAV, MP3, FLAC and Ogg files decode or fail with a typed error', async () => {
  const out = await fuzz('audio.js', '--cases', '300');
  expect(out).toMatch(/audio: 300 of 300 cases/);
  expect(out).toMatch(/no crash, hang or untyped error/);
  expect(out).toMatch(/rejected: AudioDecodeError/);
  expect(out).toMatch(/\bok\b/);
}, 300_000);
