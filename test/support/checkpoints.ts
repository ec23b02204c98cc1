/**
 * Small synthetic Whisper checkpoints in the CTranslate2 and Transformers layouts, written
 * from one set of seeded weights, for converter tests that must run anywhere (real ones
 * come from PyPI in the real-weights tier). Both layouts are written here independently
 * of src/convert: CTranslate2's model.bin as ModelSpec.serialize writes it (fused QKV, a
 * zero key-bias band, scalars, the projection alias), safetensors as the format defines.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { FIXTURES } from './paths';

export interface Shape {
  nVocab: number;
  nState: number;
  nHead: number;
  nAudioLayer: number;
  nTextLayer: number;
  nMels: number;
}

export const MICRO: Shape = { nVocab: 51864, nState: 64, nHead: 1, nAudioLayer: 1, nTextLayer: 1, nMels: 80 };
const AUDIO_CTX = 1500;
const TEXT_CTX = 448;

// The generator's seeded uniform numbers and float-to-half rounding (numpy's astype(float16)).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { mulberry32, toHalf } = require('../../scripts/generate-model.js') as { mulberry32(seed: number): () => number; toHalf(value: number): number };

/** A tensor in PyTorch layout (outermost dimension first), float values. */
interface Tensor {
  shape: number[];
  values: Float32Array;
}

/** Whisper's weights under PyTorch names (the ggml names), seeded. */
export function whisperWeights(shape: Shape, seed = 1): Map<string, Tensor> {
  const random = mulberry32(seed);
  const weights = new Map<string, Tensor>();
  const n = shape.nState;
  const add = (name: string, dims: number[], kind: 'normal' | 'one' | 'small') => {
    const values = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < values.length; i++) values[i] = kind === 'one' ? 1 + (random() - 0.5) * 0.01 : (random() - 0.5) * (kind === 'normal' ? 0.08 : 0.01);
    weights.set(name, { shape: dims, values });
  };
  const block = (p: string, cross: boolean) => {
    for (const a of cross ? ['attn', 'cross_attn'] : ['attn']) {
      add(`${p}${a}.query.weight`, [n, n], 'normal');
      add(`${p}${a}.query.bias`, [n], 'small');
      add(`${p}${a}.key.weight`, [n, n], 'normal');
      add(`${p}${a}.value.weight`, [n, n], 'normal');
      add(`${p}${a}.value.bias`, [n], 'small');
      add(`${p}${a}.out.weight`, [n, n], 'normal');
      add(`${p}${a}.out.bias`, [n], 'small');
      add(`${p}${a}_ln.weight`, [n], 'one');
      add(`${p}${a}_ln.bias`, [n], 'small');
    }
    add(`${p}mlp.0.weight`, [4 * n, n], 'normal');
    add(`${p}mlp.0.bias`, [4 * n], 'small');
    add(`${p}mlp.2.weight`, [n, 4 * n], 'normal');
    add(`${p}mlp.2.bias`, [n], 'small');
    add(`${p}mlp_ln.weight`, [n], 'one');
    add(`${p}mlp_ln.bias`, [n], 'small');
  };
  add('encoder.positional_embedding', [AUDIO_CTX, n], 'normal');
  add('encoder.conv1.weight', [n, shape.nMels, 3], 'normal');
  add('encoder.conv1.bias', [n], 'small');
  add('encoder.conv2.weight', [n, n, 3], 'normal');
  add('encoder.conv2.bias', [n], 'small');
  for (let i = 0; i < shape.nAudioLayer; i++) block(`encoder.blocks.${i}.`, false);
  add('encoder.ln_post.weight', [n], 'one');
  add('encoder.ln_post.bias', [n], 'small');
  add('decoder.positional_embedding', [TEXT_CTX, n], 'normal');
  add('decoder.token_embedding.weight', [shape.nVocab, n], 'normal');
  for (let i = 0; i < shape.nTextLayer; i++) block(`decoder.blocks.${i}.`, true);
  add('decoder.ln.weight', [n], 'one');
  add('decoder.ln.bias', [n], 'small');
  return weights;
}

// --- vocabulary ---------------------------------------------------------------------------

/** GPT-2's bytes_to_unicode. */
function byteEncoder(): string[] {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const table: string[] = [];
  let shifted = 0;
  for (let b = 0; b < 256; b++) table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + shifted++);
  return table;
}

/**
 * An English Whisper vocabulary as checkpoints spell it: the 50,257 ordinary tokens of
 * whisper.cpp's tiny.en fixture in GPT-2's byte alphabet, then the special tokens.
 */
let cachedTokens: string[] | undefined;

export function englishTokens(nVocab = 51864): string[] {
  if (cachedTokens && cachedTokens.length === nVocab) return [...cachedTokens];
  const data = fs.readFileSync(path.join(FIXTURES, 'for-tests-ggml-tiny.en.bin'));
  let offset = 4 + 11 * 4;
  const nMels = data.readInt32LE(offset);
  const nFft = data.readInt32LE(offset + 4);
  offset += 8 + nMels * nFft * 4;
  const count = data.readInt32LE(offset);
  offset += 4;
  const encode = byteEncoder();
  const tokens: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const length = data.readUInt32LE(offset);
    const bytes = data.subarray(offset + 4, offset + 4 + length);
    offset += 4 + length;
    let token = i === count - 1 ? bytes.toString('utf8') : [...bytes].map((b) => encode[b]).join('');
    // The fixture replaced 344 byte tokens with U+FFFD; a tokenizer's ids need distinct strings.
    if (seen.has(token)) token = `Ġdup${i}`;
    seen.add(token);
    tokens.push(token);
  }
  const specials = ['<|startoftranscript|>', '<|en|>'];
  while (tokens.length < nVocab) tokens.push(specials[tokens.length - count] ?? `<|special_${tokens.length}|>`);
  cachedTokens = tokens;
  return [...tokens];
}

// --- numbers -------------------------------------------------------------------------------

function encodeValues(values: Float32Array, dtype: 'f32' | 'f16'): Buffer {
  if (dtype === 'f32') return Buffer.from(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength));
  const out = Buffer.alloc(values.length * 2);
  values.forEach((v, i) => out.writeUInt16LE(toHalf(v), i * 2));
  return out;
}

// --- CTranslate2 ---------------------------------------------------------------------------

interface Ct2Variable {
  shape: number[];
  dtype: number;
  bytes: Buffer;
}

const CT2_TYPE = { f32: 0, i8: 1, i16: 2, f16: 4 } as const;

function concatRows(...parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export interface Ct2Options {
  dtype?: 'f16' | 'f32' | 'int8' | 'int16';
  /** Overrides: rename, reshape or drop variables to make bad checkpoints. */
  edit?: (variables: Map<string, Ct2Variable>) => void;
  spec?: string;
  version?: number;
  vocabulary?: string[] | 'json';
}

/** Writes `dir` as a CTranslate2 Whisper model (model.bin, config.json, vocabulary.txt). */
export function writeCtranslate2(dir: string, weights: Map<string, Tensor>, shape: Shape, options: Ct2Options = {}): void {
  const dtype = options.dtype ?? 'f16';
  const variables = new Map<string, Ct2Variable>();
  const w = (name: string) => weights.get(name)!;
  const put = (name: string, dims: number[], values: Float32Array, quantizable = false) => {
    if (dtype === 'int16' && quantizable) {
      // CTranslate2's int16: one scale for the tensor, 2^10 / max|x|.
      const scale = 2 ** 10 / Math.max(...values.map(Math.abs));
      const q = Buffer.alloc(values.length * 2);
      values.forEach((v, i) => q.writeInt16LE(Math.round(v * Math.fround(scale)), i * 2));
      variables.set(name, { shape: dims, dtype: CT2_TYPE.i16, bytes: q });
      variables.set(`${name}_scale`, { shape: [], dtype: CT2_TYPE.f32, bytes: encodeValues(new Float32Array([scale]), 'f32') });
      return;
    }
    if (dtype === 'int8' && quantizable) {
      // CTranslate2's int8: per-row scale = 127 / max|row|, q = round(x * scale).
      const rowLen = values.length / dims[0]!;
      const q = Buffer.alloc(values.length);
      const scales = new Float32Array(dims[0]!);
      for (let r = 0; r < dims[0]!; r++) {
        let max = 0;
        for (let i = 0; i < rowLen; i++) max = Math.max(max, Math.abs(values[r * rowLen + i]!));
        scales[r] = max === 0 ? 1 : 127 / max;
        for (let i = 0; i < rowLen; i++) q.writeInt8(Math.max(-127, Math.min(127, Math.round(values[r * rowLen + i]! * scales[r]!))), r * rowLen + i);
      }
      variables.set(name, { shape: dims, dtype: CT2_TYPE.i8, bytes: q });
      variables.set(`${name}_scale`, { shape: [dims[0]!], dtype: CT2_TYPE.f32, bytes: encodeValues(scales, 'f32') });
      return;
    }
    const floatType = dtype === 'f32' || dtype === 'int16' ? 'f32' : 'f16';
    variables.set(name, { shape: dims, dtype: CT2_TYPE[floatType], bytes: encodeValues(values, floatType) });
  };
  const scalar = (name: string, type: 'i8' | 'i16', value: number) => {
    const bytes = Buffer.alloc(type === 'i8' ? 1 : 2);
    if (type === 'i8') bytes.writeInt8(value);
    else bytes.writeInt16LE(value);
    variables.set(name, { shape: [], dtype: CT2_TYPE[type], bytes });
  };
  const n = shape.nState;
  const copy = (ct2: string, torch: string, quantizable = false) => put(ct2, w(torch).shape, w(torch).values, quantizable);
  const norm = (ct2: string, torch: string) => {
    copy(`${ct2}/gamma`, `${torch}.weight`);
    copy(`${ct2}/beta`, `${torch}.bias`);
  };
  const linear = (ct2: string, torch: string) => {
    copy(`${ct2}/weight`, `${torch}.weight`, true);
    copy(`${ct2}/bias`, `${torch}.bias`);
  };
  const layer = (side: 'encoder' | 'decoder', i: number) => {
    const p = `${side}/layer_${i}`;
    const t = `${side}.blocks.${i}.`;
    put(`${p}/self_attention/linear_0/weight`, [3 * n, n], concatRows(w(`${t}attn.query.weight`).values, w(`${t}attn.key.weight`).values, w(`${t}attn.value.weight`).values), true);
    put(`${p}/self_attention/linear_0/bias`, [3 * n], concatRows(w(`${t}attn.query.bias`).values, new Float32Array(n), w(`${t}attn.value.bias`).values));
    linear(`${p}/self_attention/linear_1`, `${t}attn.out`);
    norm(`${p}/self_attention/layer_norm`, `${t}attn_ln`);
    if (side === 'decoder') {
      linear(`${p}/attention/linear_0`, `${t}cross_attn.query`);
      put(`${p}/attention/linear_1/weight`, [2 * n, n], concatRows(w(`${t}cross_attn.key.weight`).values, w(`${t}cross_attn.value.weight`).values), true);
      put(`${p}/attention/linear_1/bias`, [2 * n], concatRows(new Float32Array(n), w(`${t}cross_attn.value.bias`).values));
      linear(`${p}/attention/linear_2`, `${t}cross_attn.out`);
      norm(`${p}/attention/layer_norm`, `${t}cross_attn_ln`);
    }
    linear(`${p}/ffn/linear_0`, `${t}mlp.0`);
    linear(`${p}/ffn/linear_1`, `${t}mlp.2`);
    norm(`${p}/ffn/layer_norm`, `${t}mlp_ln`);
  };
  scalar('decoder/activation', 'i8', 3);
  scalar('decoder/num_heads', 'i16', shape.nHead);
  scalar('encoder/num_heads', 'i16', shape.nHead);
  copy('encoder/conv1/weight', 'encoder.conv1.weight');
  copy('encoder/conv1/bias', 'encoder.conv1.bias');
  copy('encoder/conv2/weight', 'encoder.conv2.weight');
  copy('encoder/conv2/bias', 'encoder.conv2.bias');
  copy('encoder/position_encodings/encodings', 'encoder.positional_embedding');
  norm('encoder/layer_norm', 'encoder.ln_post');
  for (let i = 0; i < shape.nAudioLayer; i++) layer('encoder', i);
  copy('decoder/embeddings/weight', 'decoder.token_embedding.weight');
  copy('decoder/position_encodings/encodings', 'decoder.positional_embedding');
  norm('decoder/layer_norm', 'decoder.ln');
  for (let i = 0; i < shape.nTextLayer; i++) layer('decoder', i);
  options.edit?.(variables);

  const parts: Buffer[] = [];
  const u32 = (v: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32LE(v);
    parts.push(b);
  };
  const str = (s: string) => {
    const bytes = Buffer.from(`${s}\0`, 'utf8');
    const len = Buffer.alloc(2);
    len.writeUInt16LE(bytes.length);
    parts.push(len, bytes);
  };
  u32(options.version ?? 6);
  str(options.spec ?? 'WhisperSpec');
  u32(3);
  const names = [...variables.keys()].sort();
  u32(names.length);
  for (const name of names) {
    const v = variables.get(name)!;
    str(name);
    parts.push(Buffer.from([v.shape.length]));
    v.shape.forEach(u32);
    parts.push(Buffer.from([v.dtype]));
    u32(v.bytes.length);
    parts.push(v.bytes);
  }
  u32(1);
  str('decoder/projection/weight');
  str('decoder/embeddings/weight');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.bin'), Buffer.concat(parts));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ alignment_heads: [[0, 0]], lang_ids: [], suppress_ids: [], suppress_ids_begin: [220, 50256] }));
  const tokens = Array.isArray(options.vocabulary) ? options.vocabulary : englishTokens(shape.nVocab);
  if (options.vocabulary === 'json') fs.writeFileSync(path.join(dir, 'vocabulary.json'), JSON.stringify(tokens));
  else fs.writeFileSync(path.join(dir, 'vocabulary.txt'), `${tokens.join('\n')}\n`);
}

// --- Transformers -----------------------------------------------------------------------

export interface TransformersOptions {
  dtype?: 'f16' | 'f32';
  /** Split the weights over two shards with an index. */
  sharded?: boolean;
}

/** Writes `dir` as a Transformers WhisperForConditionalGeneration checkpoint. */
export function writeTransformers(dir: string, weights: Map<string, Tensor>, shape: Shape, options: TransformersOptions = {}): void {
  const dtype = options.dtype ?? 'f16';
  const hfName = (torch: string): string =>
    torch
      .replace('encoder.positional_embedding', 'encoder.embed_positions.weight')
      .replace('decoder.positional_embedding', 'decoder.embed_positions.weight')
      .replace('decoder.token_embedding.weight', 'decoder.embed_tokens.weight')
      .replace('encoder.ln_post.', 'encoder.layer_norm.')
      .replace(/^decoder\.ln\./, 'decoder.layer_norm.')
      .replace('.blocks.', '.layers.')
      .replace('.cross_attn_ln.', '.encoder_attn_layer_norm.')
      .replace('.attn_ln.', '.self_attn_layer_norm.')
      .replace('.mlp_ln.', '.final_layer_norm.')
      .replace('.mlp.0.', '.fc1.')
      .replace('.mlp.2.', '.fc2.')
      .replace(/\.cross_attn\.(query|key|value|out)\./, (_, p: string) => `.encoder_attn.${p === 'out' ? 'out' : p[0]}_proj.`)
      .replace(/\.attn\.(query|key|value|out)\./, (_, p: string) => `.self_attn.${p === 'out' ? 'out' : p[0]}_proj.`)
      .replace(/^/, 'model.');
  const entries = [...weights.entries()].map(([name, t]) => ({ name: hfName(name), shape: t.shape, bytes: encodeValues(t.values, dtype) }));
  const shards = options.sharded ? [entries.slice(0, entries.length >> 1), entries.slice(entries.length >> 1)] : [entries];
  fs.mkdirSync(dir, { recursive: true });
  const weightMap: Record<string, string> = {};
  shards.forEach((shard, s) => {
    const file = options.sharded ? `model-0000${s + 1}-of-00002.safetensors` : 'model.safetensors';
    const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
    let at = 0;
    for (const e of shard) {
      header[e.name] = { dtype: dtype === 'f16' ? 'F16' : 'F32', shape: e.shape, data_offsets: [at, at + e.bytes.length] };
      at += e.bytes.length;
      weightMap[e.name] = file;
    }
    let json = Buffer.from(JSON.stringify(header), 'utf8');
    json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(json.length));
    fs.writeFileSync(path.join(dir, file), Buffer.concat([length, json, ...shard.map((e) => e.bytes)]));
  });
  if (options.sharded) fs.writeFileSync(path.join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
  const n = shape.nState;
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify({
      model_type: 'whisper',
      architectures: ['WhisperForConditionalGeneration'],
      vocab_size: shape.nVocab,
      num_mel_bins: shape.nMels,
      d_model: n,
      encoder_layers: shape.nAudioLayer,
      encoder_attention_heads: shape.nHead,
      decoder_layers: shape.nTextLayer,
      decoder_attention_heads: shape.nHead,
      encoder_ffn_dim: 4 * n,
      decoder_ffn_dim: 4 * n,
      max_source_positions: AUDIO_CTX,
      max_target_positions: TEXT_CTX,
    }),
  );
  fs.writeFileSync(path.join(dir, 'generation_config.json'), JSON.stringify({ alignment_heads: [[0, 0]] }));
  const tokens = englishTokens(shape.nVocab);
  const eot = 50256;
  const vocab: Record<string, number> = {};
  tokens.slice(0, eot + 1).forEach((t, id) => (vocab[t] = id));
  const added = tokens.slice(eot + 1).map((content, i) => ({ id: eot + 1 + i, content, special: true }));
  fs.writeFileSync(path.join(dir, 'tokenizer.json'), JSON.stringify({ model: { type: 'BPE', vocab, merges: [] }, added_tokens: [{ id: eot, content: '<|endoftext|>', special: true }, ...added] }));
}
