/**
 * convertModel() on synthetic checkpoints written by test/support/checkpoints.ts: both
 * layouts give the same ggml file, the tensors hold the source's values, the result loads
 * and transcribes, and every bad input is a typed ConversionError that leaves no file.
 * Real checkpoints (from PyPI) are converted and checked in test/real-model.test.ts.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { AbortError, ConversionError, InvalidOptionError, convertModel, loadModel, type ConversionProblem } from '../src';
import { melFilters } from '../src/convert/mel-filters';
import { jfk } from './support/audio';
import { MICRO, englishTokens, whisperWeights, writeCtranslate2, writeTransformers, type Shape } from './support/checkpoints';
import { startStallMeter } from './support/loop-stalls';
import { modelLayout } from './support/model-layout';
import { FIXTURES, ROOT } from './support/paths';

let dir: string;
const weights = whisperWeights(MICRO);
const ct2 = () => path.join(dir, 'ct2');
const hf = () => path.join(dir, 'hf');

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-convert-'));
  writeCtranslate2(ct2(), weights, MICRO);
  writeTransformers(hf(), weights, MICRO);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const out = (name: string) => path.join(dir, 'out', name);

/** Files under `dir/out` (what a failed conversion must not leave). */
function outputs(): string[] {
  const d = path.join(dir, 'out');
  return fs.existsSync(d) ? fs.readdirSync(d) : [];
}

function tensorData(file: string, name: string): Buffer {
  const bytes = fs.readFileSync(file);
  const t = modelLayout(bytes).tensors.find((x) => x.name === name);
  if (!t) throw new Error(`${file} has no tensor ${name}`);
  return bytes.subarray(t.dataStart, t.dataEnd);
}

function halves(data: Buffer): Float32Array {
  const out = new Float32Array(data.length / 2);
  for (let i = 0; i < out.length; i++) {
    const h = data.readUInt16LE(2 * i);
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    const sign = h & 0x8000 ? -1 : 1;
    out[i] = exp === 0 ? sign * mant * 2 ** -24 : sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return out;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

test('mel filters are bit-identical to the ones whisper.cpp ships (tiny.en fixture)', () => {
  const fixture = fs.readFileSync(path.join(FIXTURES, 'for-tests-ggml-tiny.en.bin'));
  const start = 4 + 11 * 4;
  expect([fixture.readInt32LE(start), fixture.readInt32LE(start + 4)]).toEqual([80, 201]);
  const shipped = new Float32Array(fixture.buffer.slice(fixture.byteOffset + start + 8, fixture.byteOffset + start + 8 + 80 * 201 * 4));
  const ours = melFilters(80);
  expect(Buffer.from(ours.buffer).equals(Buffer.from(shipped.buffer))).toBe(true);
  expect(melFilters(128)).toHaveLength(128 * 201); // large-v3's bank
});

describe('CTranslate2 and Transformers layouts', () => {
  test('give byte-identical ggml files, with the vocabulary and shape whisper.cpp expects', async () => {
    const fromCt2 = await convertModel(ct2(), out('ct2.bin'));
    const fromHf = await convertModel(hf(), out('hf.bin'));
    expect(fromCt2).toMatchObject({ format: 'ctranslate2', type: 'f16', alignmentHeads: [[0, 0]] });
    expect(fromHf).toMatchObject({ format: 'transformers', type: 'f16', alignmentHeads: [[0, 0]] });
    expect(fromCt2.hparams).toEqual({ nVocab: 51864, nAudioCtx: 1500, nAudioState: 64, nAudioHead: 1, nAudioLayer: 1, nTextCtx: 448, nTextState: 64, nTextHead: 1, nTextLayer: 1, nMels: 80 });
    expect(fs.readFileSync(out('ct2.bin')).equals(fs.readFileSync(out('hf.bin')))).toBe(true);
    // The vocabulary is whisper.cpp's own tiny.en vocabulary, up to <|endoftext|>.
    const layout = modelLayout(out('ct2.bin'));
    expect(layout.tokenStarts).toHaveLength(50257);
    expect(JSON.parse(fs.readFileSync(out('ct2.bin.json'), 'utf8'))).toMatchObject({ format: 'ctranslate2', alignmentHeads: [[0, 0]] });
  });

  test('sharded safetensors and vocabulary.json give the same file', async () => {
    writeTransformers(path.join(dir, 'hf-sharded'), weights, MICRO, { sharded: true });
    writeCtranslate2(path.join(dir, 'ct2-json'), weights, MICRO, { vocabulary: 'json' });
    await convertModel(path.join(dir, 'hf-sharded'), out('sharded.bin'));
    await convertModel(path.join(dir, 'ct2-json', 'model.bin'), out('json.bin'));
    const reference = fs.readFileSync(out('ct2.bin'));
    expect(fs.readFileSync(out('sharded.bin')).equals(reference)).toBe(true);
    expect(fs.readFileSync(out('json.bin')).equals(reference)).toBe(true);
  });

  test('tensors hold the source values: fused QKV split, conv bias reshaped, biases in f32', () => {
    const file = out('ct2.bin');
    const source = (name: string) => weights.get(name)!.values;
    for (const name of ['encoder.blocks.0.attn.query.weight', 'encoder.blocks.0.attn.key.weight', 'encoder.blocks.0.attn.value.weight', 'decoder.blocks.0.cross_attn.key.weight', 'decoder.blocks.0.cross_attn.value.weight', 'decoder.token_embedding.weight', 'encoder.conv1.weight']) {
      // f16 in the file: within half a unit in the last place of the source value.
      expect(maxAbsDiff(halves(tensorData(file, name)), source(name))).toBeLessThan(2e-5);
    }
    for (const name of ['encoder.conv1.bias', 'decoder.blocks.0.attn.value.bias', 'encoder.positional_embedding']) {
      const data = tensorData(file, name);
      const f32 = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
      // The CTranslate2 source stores them in f16; ggml keeps them in f32.
      expect(maxAbsDiff(f32, source(name))).toBeLessThan(2e-5);
    }
    const conv = modelLayout(file).tensors.find((t) => t.name === 'encoder.conv1.bias')!;
    expect(conv.nDims).toBe(2);
  });

  test('the converted file loads and transcribes', async () => {
    await using model = await loadModel(out('ct2.bin'));
    expect(model.info).toMatchObject({ nAudioState: 64, nTextLayer: 1, weightType: 'f16', multilingual: false });
    const t = await model.transcribe(jfk(), { temperatureIncrement: 0 });
    expect(typeof t.text).toBe('string');
  });

  test('f32 checkpoints, f32 output and a quantized output', async () => {
    writeCtranslate2(path.join(dir, 'ct2-f32'), weights, MICRO, { dtype: 'f32' });
    writeTransformers(path.join(dir, 'hf-f32'), weights, MICRO, { dtype: 'f32' });
    const f32 = await convertModel(path.join(dir, 'ct2-f32'), out('f32.bin'), { type: 'f32' });
    await convertModel(path.join(dir, 'hf-f32'), out('hf-f32.bin'), { type: 'f32' });
    expect(fs.readFileSync(out('f32.bin')).equals(fs.readFileSync(out('hf-f32.bin')))).toBe(true);
    const data = tensorData(out('f32.bin'), 'encoder.blocks.0.attn.key.weight');
    expect(Buffer.from(data).equals(Buffer.from(weights.get('encoder.blocks.0.attn.key.weight')!.values.buffer))).toBe(true);
    expect(f32.bytes).toBeGreaterThan(fs.statSync(out('ct2.bin')).size);
    const q8 = await convertModel(path.join(dir, 'ct2-f32'), out('q8.bin'), { type: 'q8_0' });
    expect(q8.type).toBe('q8_0');
    expect(outputs().filter((f) => f.includes('.part'))).toEqual([]);
    await using model = await loadModel(out('q8.bin'));
    expect(model.info.weightType).toBe('q8_0');
  });

  test('int8 CTranslate2 weights are dequantized (error within half a quantization step)', async () => {
    writeCtranslate2(path.join(dir, 'ct2-int8'), weights, MICRO, { dtype: 'int8' });
    await convertModel(path.join(dir, 'ct2-int8'), out('int8.bin'), { type: 'f32' });
    const name = 'encoder.blocks.0.mlp.0.weight';
    const data = tensorData(out('int8.bin'), name);
    const got = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length));
    const want = weights.get(name)!.values;
    const rowLength = 64;
    for (let r = 0; r < got.length / rowLength; r++) {
      const row = want.subarray(r * rowLength, (r + 1) * rowLength);
      const step = Math.max(...row.map(Math.abs)) / 127;
      expect(maxAbsDiff(got.subarray(r * rowLength, (r + 1) * rowLength), row)).toBeLessThanOrEqual(step / 2 + 1e-7);
    }
  });

  test('int16 CTranslate2 weights (one scale per tensor) are dequantized too', async () => {
    writeCtranslate2(path.join(dir, 'ct2-int16'), weights, MICRO, { dtype: 'int16' });
    await convertModel(path.join(dir, 'ct2-int16'), out('int16.bin'), { type: 'f32' });
    const name = 'decoder.blocks.0.cross_attn.value.weight';
    const data = tensorData(out('int16.bin'), name);
    const want = weights.get(name)!.values;
    const step = Math.max(...want.map(Math.abs)) / 2 ** 10;
    expect(maxAbsDiff(new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.length)), want)).toBeLessThanOrEqual(step / 2 + 1e-7);
  });

  test('streamed: progress reaches the total, memory stays far below the model, the event loop free', async () => {
    // tiny.en's shape in f32 (151 MB): about 40 M weights converted to f16 in the worker thread.
    const tinyShape: Shape = { nVocab: 51864, nState: 384, nHead: 6, nAudioLayer: 4, nTextLayer: 4, nMels: 80 };
    writeTransformers(path.join(dir, 'hf-tiny-f32'), whisperWeights(tinyShape, 3), tinyShape, { dtype: 'f32' });
    const inputBytes = fs.statSync(path.join(dir, 'hf-tiny-f32', 'model.safetensors')).size;
    const progress: number[] = [];
    let total = 0;
    global.gc?.();
    const rssBefore = process.memoryUsage.rss();
    let rssPeak = rssBefore;
    const meter = await startStallMeter();
    const ticker = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 5);
    const started = performance.now();
    try {
      await convertModel(path.join(dir, 'hf-tiny-f32'), out('tiny-from-f32.bin'), {
        onProgress: (p) => {
          progress.push(p.bytesWritten);
          total = p.totalBytes;
        },
      });
    } finally {
      clearInterval(ticker);
    }
    const wallMs = performance.now() - started;
    const report = await meter.stop();
    const growth = rssPeak - rssBefore;
    console.log(
      `converting tiny.en's shape from f32 (${(inputBytes / 1e6).toFixed(0)} MB): ${wallMs.toFixed(0)} ms; RSS +${(growth / 1e6).toFixed(1)} MB at most; ` +
        `event-loop delay max ${report.maxMs.toFixed(1)} ms (ours ${report.oursMaxMs.toFixed(1)} ms)`,
    );
    // A worker thread (~11 MB), the vocabulary and plan (~25 MB), three 4-MB chunk buffers and
    // V8's slack: ~60-80 MB whatever the model's size; a copy of the model alone would be 151 MB.
    expect(growth).toBeLessThan((inputBytes * 2) / 3);
    expect(progress.length).toBeGreaterThan(50);
    expect([...progress].sort((a, b) => a - b)).toEqual(progress);
    expect(progress[progress.length - 1]).toBe(total);
    expect(total).toBe(fs.statSync(out('tiny-from-f32.bin')).size);
    expect(report.oursMaxMs).toBeLessThan(100);
  });

  test('a progress callback that throws stops the conversion with its error, leaving nothing', async () => {
    const failure = new Error('stop here');
    const pending = convertModel(ct2(), out('thrown.bin'), {
      onProgress: () => {
        throw failure;
      },
    });
    await expect(pending).rejects.toBe(failure);
    expect(outputs().filter((f) => f.startsWith('thrown'))).toEqual([]);
  });

  test('bad options are InvalidOptionError', async () => {
    await expect(convertModel(ct2(), out('x.bin'), { type: 'f8' as never })).rejects.toBeInstanceOf(InvalidOptionError);
    await expect(convertModel(ct2(), out('x.bin'), { type: 'f8' as never })).rejects.toThrow(/type must be one of f16, f32, q8_0/);
    await expect(convertModel(ct2(), out('x.bin'), { typo: 1 } as never)).rejects.toThrow(/unknown option 'typo'/);
    await expect(convertModel(ct2(), out('x.bin'), { signal: {} as never })).rejects.toThrow(/signal must be an AbortSignal/);
    await expect(convertModel(ct2(), ct2())).rejects.toThrow(/another path than the input/);
    await expect(convertModel('', out('x.bin'))).rejects.toThrow(/needs an input checkpoint/);
  });

  test('an aborted conversion rejects with AbortError and leaves nothing', async () => {
    const controller = new AbortController();
    const pending = convertModel(ct2(), out('aborted.bin'), { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(outputs().filter((f) => f.startsWith('aborted'))).toEqual([]);
  });
});

describe('bad input: a typed ConversionError naming the problem, and no output file', () => {
  function variant(name: string, make: (d: string) => void): string {
    const d = path.join(dir, 'bad', name);
    fs.rmSync(d, { recursive: true, force: true });
    make(d);
    return d;
  }
  const copyOf = (from: string) => (d: string) => fs.cpSync(from, d, { recursive: true });
  const edited = (from: string, edit: (d: string) => void) => (d: string) => {
    copyOf(from)(d);
    edit(d);
  };
  const truncate = (file: string, keep: number) => fs.truncateSync(file, Math.floor(fs.statSync(file).size * keep));

  const cases: [string, ConversionProblem, RegExp, () => string][] = [
    ['no such directory', 'missing-file', /does not exist/, () => path.join(dir, 'nowhere')],
    ['CTranslate2 without its vocabulary', 'missing-file', /no vocabulary/, () => variant('no-vocab', edited(ct2(), (d) => fs.rmSync(path.join(d, 'vocabulary.txt'))))],
    ['CTranslate2 without config.json', 'missing-file', /config\.json/, () => variant('no-config', edited(ct2(), (d) => fs.rmSync(path.join(d, 'config.json'))))],
    ['Transformers without a tokenizer', 'missing-file', /no tokenizer/, () => variant('no-tokenizer', edited(hf(), (d) => fs.rmSync(path.join(d, 'tokenizer.json'))))],
    ['an empty directory', 'unknown-layout', /neither a CTranslate2/, () => variant('empty', (d) => fs.mkdirSync(d, { recursive: true }))],
    ['a PyTorch pickle', 'unknown-layout', /pickles are not read/, () => variant('pickle', (d) => (fs.mkdirSync(d, { recursive: true }), fs.writeFileSync(path.join(d, 'pytorch_model.bin'), 'x')))],
    ['a file that is not model.bin', 'unknown-layout', /give the checkpoint's directory/, () => path.join(FIXTURES, 'jfk.wav')],
    ['a CTranslate2 model of another kind', 'unknown-spec', /TransformerSpec/, () => variant('spec', (d) => writeCtranslate2(d, weights, MICRO, { spec: 'TransformerSpec' }))],
    ['a CTranslate2 binary version it does not read', 'unknown-spec', /binary version 2/, () => variant('version', (d) => writeCtranslate2(d, weights, MICRO, { version: 2 }))],
    ['a Transformers model of another kind', 'unknown-spec', /model_type/, () => variant('bert', edited(hf(), (d) => fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ model_type: 'bert' }))))],
    ['a non-zero key bias', 'unknown-spec', /non-zero key bias/, () => variant('key-bias', (d) => writeCtranslate2(d, weights, MICRO, { edit: (v) => v.get('encoder/layer_0/self_attention/linear_0/bias')!.bytes.writeUInt16LE(0x3c00, 2 * 64) }))],
    ['a tensor of the wrong shape', 'shape-mismatch', /ffn\/linear_0\/weight has shape \[128, 64\]; encoder.blocks.0.mlp.0.weight needs \[256, 64\]/, () =>
      variant('shape', (d) =>
        writeCtranslate2(d, weights, MICRO, {
          edit: (v) => {
            const w = v.get('encoder/layer_0/ffn/linear_0/weight')!;
            w.shape = [128, 64];
            w.bytes = w.bytes.subarray(0, 128 * 64 * 2);
          },
        }),
      )],
    ['a missing tensor', 'shape-mismatch', /no variable decoder\/layer_0\/ffn\/linear_1\/weight/, () => variant('missing-tensor', (d) => writeCtranslate2(d, weights, MICRO, { edit: (v) => v.delete('decoder/layer_0/ffn/linear_1/weight') }))],
    ['config.json that disagrees with the weights', 'shape-mismatch', /needs \[/, () => variant('hf-shape', edited(hf(), (d) => {
      const config = JSON.parse(fs.readFileSync(path.join(d, 'config.json'), 'utf8'));
      fs.writeFileSync(path.join(d, 'config.json'), JSON.stringify({ ...config, d_model: 128 }));
    }))],
    ['a vocabulary shorter than the embeddings', 'vocabulary-mismatch', /50000 tokens, the model 51864/, () => variant('short-vocab', (d) => writeCtranslate2(d, weights, MICRO, { vocabulary: englishTokens().slice(0, 50000) }))],
    ['a vocabulary without <|endoftext|> in its place', 'vocabulary-mismatch', /endoftext/, () => variant('eot', (d) => writeCtranslate2(d, weights, MICRO, { vocabulary: englishTokens().map((t) => (t === '<|endoftext|>' ? 'x' : t)) }))],
    ['model.bin cut short', 'truncated', /ends at byte/, () => variant('cut-ct2', edited(ct2(), (d) => truncate(path.join(d, 'model.bin'), 0.6)))],
    ['model.safetensors cut short', 'truncated', /ends at byte/, () => variant('cut-hf', edited(hf(), (d) => truncate(path.join(d, 'model.safetensors'), 0.6)))],
    ['config.json that is not JSON', 'corrupt', /not valid JSON/, () => variant('bad-json', edited(hf(), (d) => fs.writeFileSync(path.join(d, 'config.json'), '{ "model_type": ')))],
  ];

  const cli = path.join(ROOT, 'bin', 'whisper-napi.js');
  const runCli = (args: string[]) =>
    promisify(execFile)(process.execPath, [cli, 'convert', ...args]).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  test.each(cases)('%s (API and CLI)', async (_name, problem, message, make) => {
    const input = make();
    const before = outputs();
    const error = await convertModel(input, out('bad.bin')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ConversionError);
    expect((error as ConversionError).problem).toBe(problem);
    expect((error as ConversionError).code).toBe('ERR_WHISPER_CONVERSION');
    expect((error as Error).message).toMatch(message);
    expect(outputs()).toEqual(before);
    // `whisper-napi convert`: exit 1, the same message on stderr, nothing written.
    const result = await runCli([input, out('bad-cli.bin')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^whisper-napi: .*${message.source}`, 'm'));
    expect(outputs()).toEqual(before);
  });

  test('the CLI refuses an unknown --type (exit 2) before reading anything', async () => {
    const usage = await runCli([ct2(), out('usage.bin'), '--type', 'q3_k']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--type must be one of f16, f32, q8_0/);
  });
});
