/** Runs once before the suite: reference whisper-cli and generated models. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { MODELS, ROOT, modelPath } from './paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateModel } = require('../../scripts/generate-model.js') as {
  generateModel(options: { preset: string; out: string; seed?: number; f32?: boolean; synthVocab?: boolean; multilingual?: boolean }): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildWhisperCli } = require('../../scripts/build-whisper-cli.js') as { buildWhisperCli(o: { quiet: boolean }): string };

/** Rebuilds dist/ if any source file is newer (worker and child-process tests load it). */
function ensureFreshDist(): void {
  const built = path.join(ROOT, 'dist', 'cjs', 'index.js');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const newest = Math.max(...fs.readdirSync(path.join(ROOT, 'src')).map((f) => fs.statSync(path.join(ROOT, 'src', f)).mtimeMs));
  if (newest > builtAt) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-ts.js')], { stdio: 'inherit' });
}

export default function globalSetup(): void {
  const started = Date.now();
  ensureFreshDist();
  buildWhisperCli({ quiet: true });
  for (const spec of Object.values(MODELS)) {
    const out = modelPath(spec);
    if (!fs.existsSync(out)) generateModel({ ...spec, out });
  }
  console.log(`\nglobal setup: whisper-cli and generated models ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
