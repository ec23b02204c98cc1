/**
 * Every damaged or wrong model file is a typed JS error, never an abort() in whisper.cpp.
 * These run in the test process itself: if any of them crashed, the suite would die.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { InvalidModelError, ModelNotFoundError, WhisperError, loadModel } from '../src';
import { jfk } from './support/audio';
import { modelLayout } from './support/model-layout';
import { FIXTURES, JFK_WAV, MODELS, modelPath } from './support/paths';
import { plainToolEnv } from './support/sanitized';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { whisperCliPath } = require('../scripts/build-whisper-cli.js') as { whisperCliPath(o?: { pristine?: boolean }): { exe: string } };

const micro = modelPath(MODELS.micro);
let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-models-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function variant(name: string, bytes: Buffer): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, bytes);
  return file;
}

function cut(name: string, length: number): string {
  return variant(name, fs.readFileSync(micro).subarray(0, length));
}

async function expectInvalid(file: string, message: RegExp): Promise<void> {
  const error = await loadModel(file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(InvalidModelError);
  expect(error).toBeInstanceOf(WhisperError);
  expect((error as InvalidModelError).code).toBe('ERR_WHISPER_INVALID_MODEL');
  expect((error as Error).message).toMatch(message);
}

test('a path that does not exist: ModelNotFoundError', async () => {
  const missing = path.join(dir, 'nope.bin');
  await expect(loadModel(missing)).rejects.toBeInstanceOf(ModelNotFoundError);
  await expect(loadModel(missing)).rejects.toMatchObject({ code: 'ERR_WHISPER_MODEL_NOT_FOUND', message: expect.stringContaining(missing) });
});

test('a directory', async () => {
  await expectInvalid(dir, /is a directory/);
});

test('a file that is not a ggml model (wrong magic)', async () => {
  await expectInvalid(variant('text.bin', Buffer.from('this is not a model, just some text\n'.repeat(10))), /wrong magic/);
});

test('a GGUF file says so', async () => {
  await expectInvalid(variant('model.gguf', Buffer.concat([Buffer.from('GGUF'), Buffer.alloc(64)])), /GGUF/);
});

test('an empty file', async () => {
  await expectInvalid(variant('empty.bin', Buffer.alloc(0)), /0 bytes/);
});

test('truncated inside the header', async () => {
  await expectInvalid(cut('cut-header.bin', 20), /truncated inside the header/);
});

test('truncated inside the vocabulary', async () => {
  const { vocabStart, tensorsStart } = modelLayout(micro);
  await expectInvalid(cut('cut-vocab.bin', Math.floor((vocabStart + tensorsStart) / 2)), /truncated inside the vocabulary/);
});

test('truncated inside a tensor', async () => {
  const { tensors } = modelLayout(micro);
  const t = tensors[Math.floor(tensors.length / 2)]!;
  await expectInvalid(cut('cut-tensor.bin', t.dataStart + Math.floor((t.dataEnd - t.dataStart) / 2)), new RegExp(`truncated inside the data of tensor '${t.name.replace(/\./g, '\\.')}'`));
});

test('truncated exactly between two tensors', async () => {
  const { tensors } = modelLayout(micro);
  await expectInvalid(cut('cut-between.bin', tensors[5]!.headerStart), /missing \d+ of \d+ tensors/);
});

test('a tensor with the wrong shape', async () => {
  const bytes = Buffer.from(fs.readFileSync(micro));
  const t = modelLayout(micro).tensors.find((x) => x.name === 'encoder.blocks.0.attn.query.weight')!;
  bytes.writeInt32LE(bytes.readInt32LE(t.dimsOffset) * 2, t.dimsOffset);
  await expectInvalid(variant('bad-shape.bin', bytes), /has shape/);
});

test('an absurd vocabulary entry length', async () => {
  const bytes = Buffer.from(fs.readFileSync(micro));
  bytes.writeUInt32LE(0x7fffffff, modelLayout(micro).vocabStart + 4);
  await expectInvalid(variant('bad-vocab.bin', bytes), /vocabulary entry 0 claims/);
});

test('an absurd hyper-parameter', async () => {
  const bytes = Buffer.from(fs.readFileSync(micro));
  bytes.writeInt32LE(-5, 4 + 4 * 4); // n_audio_layer
  await expectInvalid(variant('bad-header.bin', bytes), /n_audio_layer = -5/);
});

// Found by fuzz/models.js (cases 1655, 2253, 2911, 5258 of seed 1): ggml_ftype_to_ggml_type()
// aborts the process on an ftype it does not know, and the validation used to call it.
test.each([255, 51866, 65536, 1_073_741_824, 4, 1999])('an unknown weight format (ftype %d) is refused, not passed to ggml', async (ftype) => {
  const bytes = Buffer.from(fs.readFileSync(micro));
  bytes.writeInt32LE(ftype, 4 + 10 * 4); // ftype
  await expectInvalid(variant(`ftype-${ftype}.bin`, bytes), new RegExp(`unsupported weight format \\(ftype ${ftype}\\)`));
});

test('more decoder layers than whisper.cpp\'s graph pool holds (it would abort at the first state)', async () => {
  const bytes = Buffer.from(fs.readFileSync(micro));
  bytes.writeInt32LE(100, 4 + 8 * 4); // n_text_layer
  await expectInvalid(variant('deep.bin', bytes), /n_text_layer = 100 is outside 1\.\.64/);
});

test('a vocabulary without the lone-space token whisper.cpp looks up', async () => {
  const bytes = Buffer.from(fs.readFileSync(micro));
  let offset = modelLayout(micro).vocabStart + 4;
  while (!(bytes.readUInt32LE(offset) === 1 && bytes[offset + 4] === 0x20)) offset += 4 + bytes.readUInt32LE(offset);
  bytes[offset + 4] = 0x7e; // ' ' -> '~'
  await expectInvalid(variant('no-space.bin', bytes), /no ' ' token/);
});

test('a vocabulary-only test file from whisper.cpp (no weights)', async () => {
  await expectInvalid(path.join(FIXTURES, 'for-tests-ggml-tiny.en.bin'), /holds no weights/);
});

describe('an all-f32 model', () => {
  const f32 = modelPath(MODELS.microF32);

  test('aborts whisper.cpp 1.9.1 itself at the first encode (the trap we guard against)', async () => {
    // Upstream's own whisper-cli, built from the unmodified tree: ggml's im2col asserts that
    // the conv weights are f16 and calls abort().
    // GGML_NO_BACKTRACE: on abort ggml forks gdb to attach to the process for a backtrace;
    // where ptrace is restricted that gdb can hang, and with it this child and jest's exit
    // (a CI run sat for an hour that way). The assertion message comes before the backtrace.
    // The timeout kills what still hangs, so a failure here cannot keep the run alive.
    const run = promisify(execFile)(whisperCliPath({ pristine: true }).exe, ['-m', f32, '-f', JFK_WAV, '-bs', '1', '-nf', '-t', '2', '-np'], {
      env: plainToolEnv({ GGML_NO_BACKTRACE: '1' }),
      timeout: 60_000,
      killSignal: 'SIGKILL',
    });
    const failure = (await run.then(() => undefined, (e: unknown) => e)) as { signal?: string | null; code?: number | null; stderr?: string } | undefined;
    expect(failure).toBeDefined();
    expect(failure!.signal).toBe('SIGABRT');
    expect(failure!.stderr).toMatch(/ggml-cpu\/ops\.cpp:\d+: GGML_ASSERT\(src0->type == GGML_TYPE_F16\) failed/);
  });

  test('loads here (converted to f16 on the way in) and transcribes like the f16 file with the same weights', async () => {
    await using asF32 = await loadModel(f32);
    await using asF16 = await loadModel(micro);
    expect(asF32.info.weightType).toBe('f32');
    expect(asF32.info.convertedFromF32).toBe(true);
    expect(asF32.info.tensorBytes).toBe(asF16.info.tensorBytes);
    const options = { threads: 2, temperatureIncrement: 0 };
    const [a, b] = [await asF32.transcribe(jfk(), options), await asF16.transcribe(jfk(), options)];
    expect(a.segments.length).toBeGreaterThan(0);
    expect(a.segments).toEqual(b.segments);
  });
});

test('the process is still healthy: a good model loads and transcribes after all of the above', async () => {
  await using model = await loadModel(micro);
  const t = await model.transcribe(jfk(), { threads: 2 });
  expect(t.segments.length).toBeGreaterThan(0);
});
