/**
 * Native memory comes back: 100 load/dispose cycles, and 100 loads left to the finalizer,
 * end within a few MB of where they started. Each run is a child process with --expose-gc.
 */
import { execFile } from 'node:child_process';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { MODELS, modelPath } from './support/paths';
import { rssTest } from './support/sanitized';

const SCRIPT = path.join(__dirname, 'support', 'load-dispose-cycles.js');
// The tiny.en shape holds 75 MB of weights: a leak of one model per cycle would be obvious.
const MODEL = modelPath(MODELS.tiny);

async function cycles(mode: 'dispose' | 'finalize'): Promise<{ start: number; end: number; samples: number[] }> {
  // One malloc arena: otherwise glibc gives each thread-pool thread its own, and RSS steps
  // up by ~10 MB at a random cycle when a new thread first frees a model.
  const env = { ...process.env, MALLOC_ARENA_MAX: '1' };
  const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', SCRIPT, MODEL, '100', mode], { env });
  return JSON.parse(stdout) as { start: number; end: number; samples: number[] };
}

rssTest('100 load/dispose cycles do not leak', async () => {
  const r = await cycles('dispose');
  console.log(`dispose(): RSS ${r.start} MB -> ${r.end} MB; every 10 cycles: ${r.samples.join(', ')}`);
  // One model is 75 MB, so leaking anything per cycle would show as hundreds of MB.
  expect(r.end - r.start).toBeLessThan(10);
  expect(Math.max(...r.samples) - Math.min(...r.samples)).toBeLessThan(10);
});

rssTest('100 models dropped without dispose() are freed by the finalizer', async () => {
  const r = await cycles('finalize');
  console.log(`finalizer: RSS ${r.start} MB -> ${r.end} MB; every 10 cycles: ${r.samples.join(', ')}`);
  // Without the finalizer this would be ~7.5 GB. At most the last model (75 MB) may still
  // be waiting for collection; RSS must not grow from one sample to the next.
  expect(r.end - r.start).toBeLessThan(100);
  expect(Math.max(...r.samples) - Math.min(...r.samples)).toBeLessThan(20);
});
