/** Runs once before the suite: the reference whisper-cli builds and generated models. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { MODELS, ROOT, modelPath } from './paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateModel } = require('../../scripts/generate-model.js') as {
  generateModel(options: { preset: string; out: string; seed?: number; decoderSeed?: number; f32?: boolean; synthVocab?: boolean; multilingual?: boolean }): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildWhisperCli } = require('../../scripts/build-whisper-cli.js') as { buildWhisperCli(o: { quiet: boolean; pristine?: boolean; reference?: boolean }): string };

/** The newest modification time of anything under `dir`. */
function newestIn(dir: string): number {
  return Math.max(...fs.readdirSync(dir, { withFileTypes: true }).map((e) => (e.isDirectory() ? newestIn(path.join(dir, e.name)) : fs.statSync(path.join(dir, e.name)).mtimeMs)));
}

/**
 * Rebuilds dist/ if any source file is newer: worker-thread and child-process tests load
 * it, and so does convertModel's worker when the tests run from the sources.
 */
function ensureFreshDist(): void {
  const built = path.join(ROOT, 'dist', 'cjs', 'index.js');
  const builtAt = fs.existsSync(built) ? fs.statSync(built).mtimeMs : 0;
  const newest = newestIn(path.join(ROOT, 'src'));
  if (newest > builtAt) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-ts.js')], { stdio: 'inherit' });
}

export default function globalSetup(): void {
  const started = Date.now();
  ensureFreshDist();
  // The parity tests' reference, from the unmodified upstream tree built as the addon is;
  // the same tree with whisper.cpp's default build (the f32 model that aborts it); and the
  // one from our patched tree, for the comparisons that need our patches on both sides.
  buildWhisperCli({ quiet: true, reference: true });
  buildWhisperCli({ quiet: true, pristine: true });
  buildWhisperCli({ quiet: true });
  const wanted = new Set<string>();
  for (const spec of Object.values(MODELS)) {
    const out = modelPath(spec);
    wanted.add(path.basename(out));
    if (!fs.existsSync(out)) generateModel({ ...spec, out });
  }
  // Files from an older generator are never used again; the distil-medium.en shape alone is 800 MB.
  const dir = path.dirname(modelPath(MODELS.micro));
  for (const file of fs.readdirSync(dir)) if (file.endsWith('.bin') && !wanted.has(file)) fs.rmSync(path.join(dir, file));
  console.log(`\nglobal setup: whisper-cli and generated models ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
