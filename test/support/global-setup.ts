/** Runs once before the suite: reference whisper-cli and generated models. */
import * as fs from 'node:fs';

import { MODELS, modelPath } from './paths';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { generateModel } = require('../../scripts/generate-model.js') as {
  generateModel(options: { preset: string; out: string; seed?: number; f32?: boolean }): string;
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { buildWhisperCli } = require('../../scripts/build-whisper-cli.js') as { buildWhisperCli(o: { quiet: boolean }): string };

export default function globalSetup(): void {
  const started = Date.now();
  buildWhisperCli({ quiet: true });
  for (const spec of Object.values(MODELS)) {
    const out = modelPath(spec);
    if (!fs.existsSync(out)) generateModel({ ...spec, out });
  }
  console.log(`\nglobal setup: whisper-cli and generated models ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
