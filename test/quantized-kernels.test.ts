/**
 * Quantized models on every CPU kernel path, AMX included: ggml's AMX kernels (q4_0, q4_1
 * and q8_0 weights on Intel CPUs with AMX, Sapphire Rapids and later) killed the process
 * on their first matrix product when built with GCC 12 (scripts/patches/10-amx-tile-asm.patch
 * says why). Each model runs in a child process, so that a crash fails this test instead
 * of ending the suite. On a CPU without AMX these runs take the other kernels and still must
 * pass; the test says which case it checked.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { loadModel, quantizeModel, systemInfo, type QuantizationType } from '../src';
import { JFK_WAV, MODELS, ROOT, modelPath } from './support/paths';
import { REAL_TIER } from './support/real-tier';
import { warnSkipped } from './support/skip-banner';
import { normalizeWords } from './support/wer';

const run = promisify(execFile);
/** The types ggml has AMX kernels for (ggml-cpu/amx: qtype_has_amx_kernels), as whisper.cpp quantizes them. */
const AMX_TYPES: QuantizationType[] = ['q8_0', 'q4_0', 'q4_1'];
/** A child that loads the built package, transcribes jfk.wav on 2 threads and prints the text. */
const CHILD = `
const { loadModel } = require(${JSON.stringify(ROOT)});
(async () => {
  const model = await loadModel(process.argv[1], { threads: 2 });
  const { text } = await model.transcribe(${JSON.stringify(JFK_WAV)}, { threads: 2 });
  await model.dispose();
  process.stdout.write(JSON.stringify({ text }));
})();
`;

let scratch: string;
beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-quantized-'));
  const cpuHasAmx = /\bamx_int8\b/.test(fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '');
  const builtWithAmx = /\bAMX_INT8\b/.test(systemInfo().features);
  console.log(
    cpuHasAmx && builtWithAmx
      ? 'quantized kernels: this CPU has AMX and the addon was built with it: the AMX kernels are checked'
      : `quantized kernels: AMX ${cpuHasAmx ? 'is on this CPU but not in this build' : 'is not on this CPU'}: the other CPU kernels are checked`,
  );
});
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Transcribes jfk.wav with `model` in a child process; fails with how it ended if it did not exit cleanly. */
async function transcribeInChild(model: string): Promise<string> {
  const { stdout } = await run(process.execPath, ['-e', CHILD, model], { timeout: 120_000, maxBuffer: 1 << 20 }).catch((error: NodeJS.ErrnoException & { signal?: string; stderr?: string }) => {
    throw new Error(`the child transcribing ${path.basename(model)} died (${error.signal ?? `code ${String(error.code)}`}): ${error.stderr?.slice(-500) ?? ''}`);
  });
  return (JSON.parse(stdout) as { text: string }).text;
}

test.each(AMX_TYPES)('a %s copy of the tiny.en shape transcribes without killing the process', async (type) => {
  const model = await quantizeModel(modelPath(MODELS.tiny), path.join(scratch, `tiny.en-${type}.bin`), { type });
  const text = await transcribeInChild(model);
  expect(typeof text).toBe('string');
});

const tiny = REAL_TIER?.models['tiny.en'];
if (!tiny) warnSkipped(['SKIPPED: the real-weight q8_0 check needs the real tier (node scripts/prepare-real-tier.js).']);

(tiny ? test : test.skip)('real tiny.en in q8_0 gives the words of the f16 model on jfk.wav', async () => {
  const original = await loadModel(tiny!.ggml, { threads: 2 });
  const expected = (await original.transcribe(JFK_WAV, { threads: 2 })).text;
  await original.dispose();
  const model = await quantizeModel(tiny!.ggml, path.join(scratch, 'real-tiny.en-q8_0.bin'), { type: 'q8_0' });
  const text = await transcribeInChild(model);
  console.log(`real tiny.en f16:  ${expected}\nreal tiny.en q8_0: ${text}`);
  expect(normalizeWords(text)).toEqual(normalizeWords(expected));
});
