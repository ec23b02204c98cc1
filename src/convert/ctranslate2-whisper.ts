/**
 * A CTranslate2 Whisper model directory (faster-whisper's format: `model.bin`,
 * `config.json`, `vocabulary.txt` or `vocabulary.json`) as a conversion plan.
 *
 * CTranslate2's WhisperSpec names, and what they are in ggml (PyTorch) terms:
 *   encoder/conv{1,2}/{weight,bias}                 encoder.conv{1,2}.*
 *   encoder/position_encodings/encodings            encoder.positional_embedding
 *   {en,de}coder/layer_N/self_attention/linear_0    query, key and value fused by rows
 *   {en,de}coder/layer_N/self_attention/linear_1    attn.out
 *   decoder/layer_N/attention/linear_0              cross_attn.query
 *   decoder/layer_N/attention/linear_1              cross_attn key and value fused by rows
 *   decoder/layer_N/attention/linear_2              cross_attn.out
 *   .../layer_norm/{gamma,beta}                     *_ln.{weight,bias}
 *   .../ffn/linear_{0,1}, ffn/layer_norm            mlp.0, mlp.2, mlp_ln
 *   encoder/layer_norm, decoder/layer_norm          encoder.ln_post, decoder.ln
 *   decoder/embeddings/weight                       decoder.token_embedding.weight
 * The output projection (decoder/projection/weight) is an alias of the embeddings.
 * Quantized weights (int8, int16) come with `<name>_scale`; they are dequantized.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { ConversionError } from '../errors';
import { readCtranslate2Index, type Ctranslate2Index } from './ctranslate2-file';
import { readJsonFile } from './safetensors-file';
import { SourceFile } from './source-file';
import type { SourceTensor, TensorSource } from './source-tensor';
import type { GgmlTensorSlot, WhisperHparams } from './whisper-layout';
import { band, ggmlVocabulary, planTensors, type WhisperPlan } from './whisper-plan';

const VOCABULARY_FILES = ['vocabulary.json', 'vocabulary.txt'];

async function readVocabulary(dir: string): Promise<{ tokens: string[]; file: string }> {
  for (const name of VOCABULARY_FILES) {
    const file = path.join(dir, name);
    try {
      await fs.access(file);
    } catch {
      continue;
    }
    if (name.endsWith('.json')) {
      const tokens = await readJsonFile(file, 'the vocabulary');
      if (!Array.isArray(tokens) || !tokens.every((t) => typeof t === 'string')) {
        throw new ConversionError('vocabulary-mismatch', `${file} is not a JSON array of token strings`);
      }
      return { tokens, file };
    }
    // One token per line; GPT-2's byte alphabet has no raw newline, so none is lost.
    const text = await fs.readFile(file, 'utf8');
    return { tokens: text.split('\n').filter((line, i, all) => !(i === all.length - 1 && line === '')), file };
  }
  throw new ConversionError('missing-file', `${dir} has no vocabulary (${VOCABULARY_FILES.join(' or ')})`);
}

function scalar(index: Ctranslate2Index, name: string, file: string): number {
  const value = index.smallValues.get(name);
  const variable = index.variables.get(name);
  if (!value || !variable) throw new ConversionError('shape-mismatch', `${file} has no ${name}`);
  switch (variable.dtype) {
    case 'i8':
      return value.readInt8(0);
    case 'i16':
      return value.readInt16LE(0);
    case 'i32':
      return value.readInt32LE(0);
    default:
      throw new ConversionError('shape-mismatch', `${file}: ${name} is ${variable.dtype}, not an integer`);
  }
}

/** The sources of each ggml tensor, by CTranslate2 name. */
function ctranslate2Source(index: Ctranslate2Index, modelFile: string, h: WhisperHparams) {
  const variable = (name: string): SourceTensor => {
    const resolved = index.aliases.get(name) ?? name;
    const v = index.variables.get(resolved);
    if (!v) throw new ConversionError('shape-mismatch', `${modelFile} has no variable ${name}`);
    return v;
  };
  const weight = (name: string): TensorSource => {
    const tensor = variable(name);
    if (tensor.dtype === 'i8' || tensor.dtype === 'i16') return { tensor, scale: variable(`${name}_scale`) };
    return { tensor };
  };
  const zeroSources: TensorSource[] = [];
  const linear = (prefix: string, suffix: 'weight' | 'bias', fused?: { index: number; parts: number; width: number }): TensorSource => {
    const source = weight(`${prefix}/${suffix}`);
    return fused ? band(source, fused.index, fused.width, fused.parts) : source;
  };
  const sourceOf = (slot: GgmlTensorSlot): TensorSource => {
    const n = slot.name;
    const fixed: Record<string, string> = {
      'encoder.positional_embedding': 'encoder/position_encodings/encodings',
      'encoder.conv1.weight': 'encoder/conv1/weight',
      'encoder.conv1.bias': 'encoder/conv1/bias',
      'encoder.conv2.weight': 'encoder/conv2/weight',
      'encoder.conv2.bias': 'encoder/conv2/bias',
      'encoder.ln_post.weight': 'encoder/layer_norm/gamma',
      'encoder.ln_post.bias': 'encoder/layer_norm/beta',
      'decoder.positional_embedding': 'decoder/position_encodings/encodings',
      'decoder.token_embedding.weight': 'decoder/embeddings/weight',
      'decoder.ln.weight': 'decoder/layer_norm/gamma',
      'decoder.ln.bias': 'decoder/layer_norm/beta',
    };
    if (fixed[n]) return weight(fixed[n]);
    const match = /^(encoder|decoder)\.blocks\.(\d+)\.(.+)\.(weight|bias)$/.exec(n);
    if (!match) throw new Error(`internal: no CTranslate2 name for ${n}`);
    const [, side, layer, part, suffix] = match as unknown as [string, 'encoder' | 'decoder', string, string, 'weight' | 'bias'];
    const width = side === 'encoder' ? h.nAudioState : h.nTextState;
    const p = `${side}/layer_${layer}`;
    const norm = suffix === 'weight' ? 'gamma' : 'beta';
    switch (part) {
      case 'attn.query':
        return linear(`${p}/self_attention/linear_0`, suffix, { index: 0, parts: 3, width });
      case 'attn.key':
        // Whisper's key projection has no bias; CTranslate2 stores zeros in its band.
        zeroSources.push(linear(`${p}/self_attention/linear_0`, 'bias', { index: 1, parts: 3, width }));
        return linear(`${p}/self_attention/linear_0`, suffix, { index: 1, parts: 3, width });
      case 'attn.value':
        return linear(`${p}/self_attention/linear_0`, suffix, { index: 2, parts: 3, width });
      case 'attn.out':
        return linear(`${p}/self_attention/linear_1`, suffix);
      case 'attn_ln':
        return weight(`${p}/self_attention/layer_norm/${norm}`);
      case 'cross_attn.query':
        return linear(`${p}/attention/linear_0`, suffix);
      case 'cross_attn.key':
        zeroSources.push(linear(`${p}/attention/linear_1`, 'bias', { index: 0, parts: 2, width }));
        return linear(`${p}/attention/linear_1`, suffix, { index: 0, parts: 2, width });
      case 'cross_attn.value':
        return linear(`${p}/attention/linear_1`, suffix, { index: 1, parts: 2, width });
      case 'cross_attn.out':
        return linear(`${p}/attention/linear_2`, suffix);
      case 'cross_attn_ln':
        return weight(`${p}/attention/layer_norm/${norm}`);
      case 'mlp.0':
        return linear(`${p}/ffn/linear_0`, suffix);
      case 'mlp.2':
        return linear(`${p}/ffn/linear_1`, suffix);
      case 'mlp_ln':
        return weight(`${p}/ffn/layer_norm/${norm}`);
      default:
        throw new Error(`internal: no CTranslate2 name for ${n}`);
    }
  };
  return { sourceOf, zeroSources, variable };
}

function countLayers(index: Ctranslate2Index, side: string): number {
  let layers = 0;
  while (index.variables.has(`${side}/layer_${layers}/ffn/linear_0/bias`)) layers++;
  return layers;
}

export async function planFromCtranslate2(dir: string): Promise<WhisperPlan> {
  const modelFile = path.join(dir, 'model.bin');
  const configFile = path.join(dir, 'config.json');
  const file = await SourceFile.open(modelFile);
  try {
    const index = await readCtranslate2Index(file);
    if (index.spec !== 'WhisperSpec') {
      throw new ConversionError('unknown-spec', `${modelFile} holds a CTranslate2 ${index.spec}; only WhisperSpec models are whisper models`);
    }
    const config = (await readJsonFile(configFile, 'the model configuration')) as { alignment_heads?: unknown };
    const { tokens, file: vocabularyFile } = await readVocabulary(dir);
    const shapeOf = (name: string) => {
      const v = index.variables.get(name);
      if (!v) throw new ConversionError('shape-mismatch', `${modelFile} has no variable ${name}`);
      return v.shape;
    };
    const [nVocab = 0, nTextState = 0] = shapeOf('decoder/embeddings/weight');
    const [nAudioCtx = 0, nAudioState = 0] = shapeOf('encoder/position_encodings/encodings');
    const [nTextCtx = 0] = shapeOf('decoder/position_encodings/encodings');
    const hparams: WhisperHparams = {
      nVocab,
      nAudioCtx,
      nAudioState,
      nAudioHead: scalar(index, 'encoder/num_heads', modelFile),
      nAudioLayer: countLayers(index, 'encoder'),
      nTextCtx,
      nTextState,
      nTextHead: scalar(index, 'decoder/num_heads', modelFile),
      nTextLayer: countLayers(index, 'decoder'),
      nMels: shapeOf('encoder/conv1/weight')[1] ?? 0,
    };
    const { sourceOf, zeroSources } = ctranslate2Source(index, modelFile, hparams);
    // A separate output projection would be weights whisper.cpp has no place for.
    const projection = index.aliases.get('decoder/projection/weight');
    if (index.variables.has('decoder/projection/weight') || (projection !== undefined && projection !== 'decoder/embeddings/weight')) {
      throw new ConversionError('unknown-spec', `${modelFile}: the output projection is not tied to the token embeddings, which whisper.cpp requires`);
    }
    const tensors = planTensors(hparams, sourceOf);
    return {
      format: 'ctranslate2',
      hparams,
      tokens: ggmlVocabulary(tokens, nVocab, vocabularyFile, { complete: true }),
      tensors,
      zeroSources,
      ...alignmentHeads(config.alignment_heads),
      files: [file],
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** `[[layer, head], ...]` from a configuration, when it is well formed. */
export function alignmentHeads(value: unknown): { alignmentHeads?: [number, number][] } {
  if (!Array.isArray(value) || value.length === 0) return {};
  const ok = value.every((pair) => Array.isArray(pair) && pair.length === 2 && pair.every((x) => Number.isInteger(x) && x >= 0));
  return ok ? { alignmentHeads: value as [number, number][] } : {};
}
