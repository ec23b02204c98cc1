#!/usr/bin/env node
// Writes ggml whisper model files of any shape with seeded random weights, for tests and
// benchmarks (real weights cannot be downloaded here). The layout is exactly what
// whisper.cpp's convert-pt-to-ggml.py writes: header, mel filters, vocabulary, tensors.
//
// Weights: layer-norm weights 1, biases 0, everything else N(0, 0.02) from a seeded
// generator, so activations stay finite through any depth. The mel filter bank and the
// vocabulary are copied from a ggml file that has them (whisper.cpp's for-tests-*.bin),
// so transcripts are made of real tokens; or, with --synth-vocab, synthesized: a Slaney
// mel filter bank (as OpenAI's and librosa's) and tokens " w<id>" (plus " " at 220).
//
//   node scripts/generate-model.js --preset micro --out /tmp/micro.bin [--seed 1] [--f32]
//        [--vocab-from file | --synth-vocab] [--multilingual]
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const GGML_MAGIC = 0x67676d6c;
const TYPE_F32 = 0;
const TYPE_F16 = 1;
const N_FFT_BINS = 201;

/** Shapes: the ggml header fields, in file order. */
const PRESETS = {
  // Smallest shape whisper.cpp runs: for fast behavioural tests.
  micro: { nVocab: 51864, nAudioCtx: 1500, nAudioState: 64, nAudioHead: 1, nAudioLayer: 1, nTextCtx: 448, nTextState: 64, nTextHead: 1, nTextLayer: 1, nMels: 80 },
  'tiny.en': { nVocab: 51864, nAudioCtx: 1500, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextCtx: 448, nTextState: 384, nTextHead: 6, nTextLayer: 4, nMels: 80 },
  // A distilled decoder (2 layers) on tiny.en's encoder: whisper.cpp treats it as
  // distil-medium.en (no timestamps), at a tiny fraction of the cost.
  'distil-tiny.en': { nVocab: 51864, nAudioCtx: 1500, nAudioState: 384, nAudioHead: 6, nAudioLayer: 4, nTextCtx: 448, nTextState: 384, nTextHead: 6, nTextLayer: 2, nMels: 80 },
  'distil-medium.en': { nVocab: 51864, nAudioCtx: 1500, nAudioState: 1024, nAudioHead: 16, nAudioLayer: 24, nTextCtx: 448, nTextState: 1024, nTextHead: 16, nTextLayer: 2, nMels: 80 },
  'medium.en': { nVocab: 51864, nAudioCtx: 1500, nAudioState: 1024, nAudioHead: 16, nAudioLayer: 24, nTextCtx: 448, nTextState: 1024, nTextHead: 16, nTextLayer: 24, nMels: 80 },
};

const DEFAULT_VOCAB_SOURCE = path.resolve(__dirname, '..', '..', 'shared', 'fixtures', 'for-tests-ggml-tiny.en.bin');

// --- seeded normal numbers ------------------------------------------------------------

/** xorshift128+ in 32-bit halves would be overkill: mulberry32 is small and good enough. */
function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function normalFiller(seed, std) {
  const uniform = mulberry32(seed);
  let spare = null;
  return () => {
    if (spare !== null) {
      const v = spare;
      spare = null;
      return v;
    }
    const u = uniform() || 1e-12;
    const v = uniform();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

// --- f32 -> f16 ------------------------------------------------------------------------

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE half from a float, round to nearest even (values here are small and finite). */
function toHalf(value) {
  f32[0] = value;
  const x = u32[0];
  const sign = (x >>> 16) & 0x8000;
  let exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && (half & 1))) half++;
    return sign | half;
  }
  if (exp >= 31) return sign | 0x7c00;
  let half = (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1))) half++;
  return sign | half;
}

// --- layout ------------------------------------------------------------------------------

/** The tensors of a whisper model, in the order the converter writes them. */
function tensorList(h, weightType) {
  const a = h.nAudioState;
  const t = h.nTextState;
  const list = [];
  const add = (name, type, ne, init) => list.push({ name, type, ne, init });
  const matrix = weightType;
  add('encoder.positional_embedding', TYPE_F32, [a, h.nAudioCtx], 'normal');
  add('encoder.conv1.weight', matrix, [3, h.nMels, a], 'normal');
  add('encoder.conv1.bias', TYPE_F32, [1, a], 'zero');
  add('encoder.conv2.weight', matrix, [3, a, a], 'normal');
  add('encoder.conv2.bias', TYPE_F32, [1, a], 'zero');
  const block = (p, n, cross) => {
    add(`${p}attn.query.weight`, matrix, [n, n], 'normal');
    add(`${p}attn.query.bias`, TYPE_F32, [n], 'zero');
    add(`${p}attn.key.weight`, matrix, [n, n], 'normal');
    add(`${p}attn.value.weight`, matrix, [n, n], 'normal');
    add(`${p}attn.value.bias`, TYPE_F32, [n], 'zero');
    add(`${p}attn.out.weight`, matrix, [n, n], 'normal');
    add(`${p}attn.out.bias`, TYPE_F32, [n], 'zero');
    add(`${p}attn_ln.weight`, TYPE_F32, [n], 'one');
    add(`${p}attn_ln.bias`, TYPE_F32, [n], 'zero');
    if (cross) {
      add(`${p}cross_attn.query.weight`, matrix, [n, n], 'normal');
      add(`${p}cross_attn.query.bias`, TYPE_F32, [n], 'zero');
      add(`${p}cross_attn.key.weight`, matrix, [n, n], 'normal');
      add(`${p}cross_attn.value.weight`, matrix, [n, n], 'normal');
      add(`${p}cross_attn.value.bias`, TYPE_F32, [n], 'zero');
      add(`${p}cross_attn.out.weight`, matrix, [n, n], 'normal');
      add(`${p}cross_attn.out.bias`, TYPE_F32, [n], 'zero');
      add(`${p}cross_attn_ln.weight`, TYPE_F32, [n], 'one');
      add(`${p}cross_attn_ln.bias`, TYPE_F32, [n], 'zero');
    }
    add(`${p}mlp.0.weight`, matrix, [n, 4 * n], 'normal');
    add(`${p}mlp.0.bias`, TYPE_F32, [4 * n], 'zero');
    add(`${p}mlp.2.weight`, matrix, [4 * n, n], 'normal');
    add(`${p}mlp.2.bias`, TYPE_F32, [n], 'zero');
    add(`${p}mlp_ln.weight`, TYPE_F32, [n], 'one');
    add(`${p}mlp_ln.bias`, TYPE_F32, [n], 'zero');
  };
  for (let i = 0; i < h.nAudioLayer; i++) block(`encoder.blocks.${i}.`, a, false);
  add('encoder.ln_post.weight', TYPE_F32, [a], 'one');
  add('encoder.ln_post.bias', TYPE_F32, [a], 'zero');
  add('decoder.positional_embedding', TYPE_F32, [t, h.nTextCtx], 'normal');
  add('decoder.token_embedding.weight', matrix, [t, h.nVocab], 'normal');
  for (let i = 0; i < h.nTextLayer; i++) block(`decoder.blocks.${i}.`, t, true);
  add('decoder.ln.weight', TYPE_F32, [t], 'one');
  add('decoder.ln.bias', TYPE_F32, [t], 'zero');
  return list;
}

/** Mel filter bank and vocabulary bytes from an existing ggml whisper file. */
function readFiltersAndVocab(file, nMels) {
  const data = fs.readFileSync(file);
  if (data.readUInt32LE(0) !== GGML_MAGIC) throw new Error(`${file} is not a ggml file`);
  const start = 4 + 11 * 4;
  const fileMels = data.readInt32LE(start);
  const nFft = data.readInt32LE(start + 4);
  if (fileMels !== nMels || nFft !== N_FFT_BINS) {
    throw new Error(`${file} has a ${fileMels}x${nFft} filter bank; this shape needs ${nMels}x${N_FFT_BINS}`);
  }
  let offset = start + 8 + fileMels * nFft * 4;
  const nVocab = data.readInt32LE(offset);
  offset += 4;
  for (let i = 0; i < nVocab; i++) offset += 4 + data.readUInt32LE(offset);
  return data.subarray(start, offset);
}

/** Slaney-style mel filter bank for 16 kHz audio and a 400-point FFT (201 bins). */
function slaneyMelFilters(nMels) {
  const sampleRate = 16000;
  const fSp = 200 / 3;
  const minLogHz = 1000;
  const minLogMel = minLogHz / fSp;
  const logStep = Math.log(6.4) / 27;
  const hzToMel = (hz) => (hz < minLogHz ? hz / fSp : minLogMel + Math.log(hz / minLogHz) / logStep);
  const melToHz = (mel) => (mel < minLogMel ? mel * fSp : minLogHz * Math.exp(logStep * (mel - minLogMel)));
  const maxMel = hzToMel(sampleRate / 2);
  const edges = Array.from({ length: nMels + 2 }, (_, i) => melToHz((maxMel * i) / (nMels + 1)));
  const filters = new Float32Array(nMels * N_FFT_BINS);
  for (let m = 0; m < nMels; m++) {
    const norm = 2 / (edges[m + 2] - edges[m]);
    for (let k = 0; k < N_FFT_BINS; k++) {
      const f = (k * sampleRate) / 2 / (N_FFT_BINS - 1);
      const lower = (f - edges[m]) / (edges[m + 1] - edges[m]);
      const upper = (edges[m + 2] - f) / (edges[m + 2] - edges[m + 1]);
      filters[m * N_FFT_BINS + k] = Math.max(0, Math.min(lower, upper)) * norm;
    }
  }
  return filters;
}

/**
 * Mel filter bank and vocabulary bytes made from nothing. whisper.cpp synthesizes the
 * special tokens itself (ids from 50256 for English, 50257 for multilingual models).
 */
function synthesizeFiltersAndVocab(nMels, multilingual) {
  const filters = slaneyMelFilters(nMels);
  const head = Buffer.alloc(8);
  head.writeInt32LE(nMels, 0);
  head.writeInt32LE(N_FFT_BINS, 4);
  const tokens = multilingual ? 50257 : 50256;
  const parts = [head, Buffer.from(filters.buffer), Buffer.alloc(4)];
  parts[2].writeInt32LE(tokens, 0);
  for (let id = 0; id < tokens; id++) {
    // Token 220 is GPT-2's lone space; whisper.cpp's blank suppression looks it up.
    const text = Buffer.from(id === 220 ? ' ' : ` w${id}`, 'utf8');
    const length = Buffer.alloc(4);
    length.writeUInt32LE(text.length, 0);
    parts.push(length, text);
  }
  return Buffer.concat(parts);
}

/**
 * Writes a model file. Returns its path. Writes to a temporary name and renames, so a
 * crash never leaves a half-written file where a test would pick it up.
 */
// Tensors are drawn from one seeded stream, encoder first: two models with the same seed
// and encoder shape have the same encoder weights (a main model and its assistant, as
// distil-medium.en's encoder is medium.en's). `decoderSeed` draws the decoder from a stream
// of its own, so the decoders share nothing.
function generateModel({ preset = 'micro', shape, out, seed = 1, decoderSeed, f32: allF32 = false, vocabFrom = DEFAULT_VOCAB_SOURCE, synthVocab = false, multilingual = false }) {
  const h = { ...(shape ?? PRESETS[preset]) };
  if (!h.nVocab) throw new Error(`unknown preset '${preset}'; known: ${Object.keys(PRESETS).join(', ')}`);
  if (multilingual) {
    if (!synthVocab) throw new Error('--multilingual needs --synth-vocab (the shared fixtures hold English vocabularies)');
    h.nVocab = 51865;
  }
  const weightType = allF32 ? TYPE_F32 : TYPE_F16;
  const tmp = `${out}.${process.pid}.tmp`;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const fd = fs.openSync(tmp, 'w');
  try {
    const header = Buffer.alloc(48);
    header.writeUInt32LE(GGML_MAGIC, 0);
    [h.nVocab, h.nAudioCtx, h.nAudioState, h.nAudioHead, h.nAudioLayer, h.nTextCtx, h.nTextState, h.nTextHead,
      h.nTextLayer, h.nMels, allF32 ? 0 : 1].forEach((v, i) => header.writeInt32LE(v, 4 + i * 4));
    fs.writeSync(fd, header);
    fs.writeSync(fd, synthVocab ? synthesizeFiltersAndVocab(h.nMels, multilingual) : readFiltersAndVocab(vocabFrom, h.nMels));

    let normal = normalFiller(seed, 0.02);
    let decoderStarted = false;
    const chunkElements = 1 << 20;
    const chunk = Buffer.alloc(chunkElements * 4);
    for (const tensor of tensorList(h, weightType)) {
      if (decoderSeed !== undefined && !decoderStarted && tensor.name.startsWith('decoder.')) {
        normal = normalFiller(decoderSeed, 0.02);
        decoderStarted = true;
      }
      const name = Buffer.from(tensor.name, 'utf8');
      const head = Buffer.alloc(12 + 4 * tensor.ne.length);
      head.writeInt32LE(tensor.ne.length, 0);
      head.writeInt32LE(name.length, 4);
      head.writeInt32LE(tensor.type, 8);
      tensor.ne.forEach((n, i) => head.writeInt32LE(n, 12 + 4 * i));
      fs.writeSync(fd, head);
      fs.writeSync(fd, name);
      const count = tensor.ne.reduce((x, y) => x * y, 1);
      const value = tensor.init === 'normal' ? normal : tensor.init === 'one' ? () => 1 : () => 0;
      const bytesPer = tensor.type === TYPE_F16 ? 2 : 4;
      for (let done = 0; done < count; done += chunkElements) {
        const n = Math.min(chunkElements, count - done);
        if (bytesPer === 2) for (let i = 0; i < n; i++) chunk.writeUInt16LE(toHalf(value()), i * 2);
        else for (let i = 0; i < n; i++) chunk.writeFloatLE(value(), i * 4);
        fs.writeSync(fd, chunk, 0, n * bytesPer);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, out);
  return out;
}

/** `file`, generated with `preset` and `seed` unless it already exists (scripts' model cache). */
function generatedModel(preset, file, seed = 1, decoderSeed = undefined) {
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    generateModel({ preset, out: file, seed, decoderSeed });
  }
  return file;
}

module.exports = { generateModel, generatedModel, mulberry32, toHalf, PRESETS, DEFAULT_VOCAB_SOURCE };

if (require.main === module) {
  const args = process.argv.slice(2);
  const get = (flag, fallback) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const out = get('--out');
  if (!out) {
    console.error(`usage: generate-model.js --preset <${Object.keys(PRESETS).join('|')}> --out <file> [--seed N] [--decoder-seed N] [--f32] [--vocab-from file | --synth-vocab] [--multilingual]`);
    process.exit(2);
  }
  const file = generateModel({
    preset: get('--preset', 'micro'),
    out,
    seed: Number(get('--seed', '1')),
    ...(get('--decoder-seed') !== undefined ? { decoderSeed: Number(get('--decoder-seed')) } : {}),
    f32: args.includes('--f32'),
    vocabFrom: get('--vocab-from', DEFAULT_VOCAB_SOURCE),
    synthVocab: args.includes('--synth-vocab'),
    multilingual: args.includes('--multilingual'),
  });
  console.log(file);
}
