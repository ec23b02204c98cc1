/**
 * A Hugging Face Transformers Whisper checkpoint (`config.json`, `model.safetensors` or a
 * sharded index, `vocab.json` or `tokenizer.json`, optionally `generation_config.json`) as
 * a conversion plan. Fine-tunes and Distil-Whisper releases come in this layout.
 *
 * Transformers names, and what they are in ggml (PyTorch) terms:
 *   model.encoder.conv{1,2}.*, model.encoder.embed_positions.weight   encoder.conv*, encoder.positional_embedding
 *   model.{en,de}coder.layers.N.self_attn.{q,k,v,out}_proj           attn.{query,key,value,out}
 *   model.decoder.layers.N.encoder_attn.{q,k,v,out}_proj             cross_attn.*
 *   *.self_attn_layer_norm, *.encoder_attn_layer_norm                  attn_ln, cross_attn_ln
 *   *.fc1, *.fc2, *.final_layer_norm                                   mlp.0, mlp.2, mlp_ln
 *   model.encoder.layer_norm, model.decoder.layer_norm                 encoder.ln_post, decoder.ln
 *   model.decoder.embed_tokens.weight, embed_positions.weight          decoder.token_embedding.weight, decoder.positional_embedding
 * `proj_out.weight`, when stored, is the tied token embedding. WhisperModel checkpoints
 * (no `model.` prefix) are read too.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { ConversionError } from '../errors';
import { alignmentHeads } from './ctranslate2-whisper';
import { readJsonFile, readSafetensorsCheckpoint } from './safetensors-file';
import type { SourceTensor, TensorSource } from './source-tensor';
import type { GgmlTensorSlot, WhisperHparams } from './whisper-layout';
import { ggmlVocabulary, planTensors, type WhisperPlan } from './whisper-plan';

interface WhisperConfig {
  model_type?: unknown;
  vocab_size?: unknown;
  num_mel_bins?: unknown;
  d_model?: unknown;
  encoder_layers?: unknown;
  encoder_attention_heads?: unknown;
  decoder_layers?: unknown;
  decoder_attention_heads?: unknown;
  max_source_positions?: unknown;
  max_target_positions?: unknown;
  alignment_heads?: unknown;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

/** Token strings by id, from vocab.json (+ added_tokens.json) or tokenizer.json. */
async function readTokens(dir: string): Promise<{ tokens: (string | undefined)[]; file: string }> {
  const byId: (string | undefined)[] = [];
  const add = (token: string, id: unknown) => {
    if (Number.isInteger(id) && (id as number) >= 0) byId[id as number] = token;
  };
  const tokenizerFile = path.join(dir, 'tokenizer.json');
  const vocabFile = path.join(dir, 'vocab.json');
  if (await exists(tokenizerFile)) {
    const tokenizer = (await readJsonFile(tokenizerFile, 'the tokenizer')) as { model?: { vocab?: Record<string, unknown> }; added_tokens?: { id?: unknown; content?: unknown }[] };
    if (!tokenizer.model?.vocab) throw new ConversionError('vocabulary-mismatch', `${tokenizerFile} has no model.vocab`);
    for (const [token, id] of Object.entries(tokenizer.model.vocab)) add(token, id);
    for (const t of tokenizer.added_tokens ?? []) if (typeof t.content === 'string') add(t.content, t.id);
    return { tokens: byId, file: tokenizerFile };
  }
  if (await exists(vocabFile)) {
    const vocab = (await readJsonFile(vocabFile, 'the vocabulary')) as Record<string, unknown>;
    for (const [token, id] of Object.entries(vocab)) add(token, id);
    const addedFile = path.join(dir, 'added_tokens.json');
    if (await exists(addedFile)) {
      for (const [token, id] of Object.entries((await readJsonFile(addedFile, 'the added tokens')) as Record<string, unknown>)) add(token, id);
    }
    return { tokens: byId, file: vocabFile };
  }
  throw new ConversionError('missing-file', `${dir} has no tokenizer (tokenizer.json or vocab.json)`);
}

function positiveInteger(config: WhisperConfig, key: keyof WhisperConfig, file: string): number {
  const value = config[key];
  if (!Number.isInteger(value) || (value as number) <= 0) {
    throw new ConversionError('unknown-spec', `${file}: ${key} is ${JSON.stringify(value)}, not a positive integer`);
  }
  return value as number;
}

export async function planFromTransformers(dir: string): Promise<WhisperPlan> {
  const configFile = path.join(dir, 'config.json');
  const config = (await readJsonFile(configFile, 'the model configuration')) as WhisperConfig;
  if (config.model_type !== 'whisper') {
    throw new ConversionError('unknown-spec', `${configFile}: model_type is ${JSON.stringify(config.model_type)}; only 'whisper' checkpoints are whisper models`);
  }
  const d = positiveInteger(config, 'd_model', configFile);
  const hparams: WhisperHparams = {
    nVocab: positiveInteger(config, 'vocab_size', configFile),
    nAudioCtx: positiveInteger(config, 'max_source_positions', configFile),
    nAudioState: d,
    nAudioHead: positiveInteger(config, 'encoder_attention_heads', configFile),
    nAudioLayer: positiveInteger(config, 'encoder_layers', configFile),
    nTextCtx: positiveInteger(config, 'max_target_positions', configFile),
    nTextState: d,
    nTextHead: positiveInteger(config, 'decoder_attention_heads', configFile),
    nTextLayer: positiveInteger(config, 'decoder_layers', configFile),
    nMels: positiveInteger(config, 'num_mel_bins', configFile),
  };
  const { tokens, file: tokenFile } = await readTokens(dir);
  const { tensors, files } = await readSafetensorsCheckpoint(dir);
  try {
    const prefix = tensors.has('model.encoder.conv1.weight') ? 'model.' : '';
    const tensor = (name: string): SourceTensor => {
      const t = tensors.get(prefix + name);
      if (!t) throw new ConversionError('shape-mismatch', `${dir}: the checkpoint has no tensor ${prefix + name}`);
      return t;
    };
    const keyBiases: TensorSource[] = [];
    const sourceOf = (slot: GgmlTensorSlot): TensorSource => {
      const fixed: Record<string, string> = {
        'encoder.positional_embedding': 'encoder.embed_positions.weight',
        'encoder.ln_post.weight': 'encoder.layer_norm.weight',
        'encoder.ln_post.bias': 'encoder.layer_norm.bias',
        'decoder.positional_embedding': 'decoder.embed_positions.weight',
        'decoder.token_embedding.weight': 'decoder.embed_tokens.weight',
        'decoder.ln.weight': 'decoder.layer_norm.weight',
        'decoder.ln.bias': 'decoder.layer_norm.bias',
      };
      const conv = /^encoder\.conv[12]\.(weight|bias)$/.test(slot.name);
      if (fixed[slot.name] || conv) return { tensor: tensor(fixed[slot.name] ?? slot.name) };
      const match = /^(encoder|decoder)\.blocks\.(\d+)\.(.+)\.(weight|bias)$/.exec(slot.name);
      if (!match) throw new Error(`internal: no Transformers name for ${slot.name}`);
      const [, side, layer, part, suffix] = match as unknown as [string, string, string, string, string];
      const names: Record<string, string> = {
        'attn.query': 'self_attn.q_proj',
        'attn.key': 'self_attn.k_proj',
        'attn.value': 'self_attn.v_proj',
        'attn.out': 'self_attn.out_proj',
        attn_ln: 'self_attn_layer_norm',
        'cross_attn.query': 'encoder_attn.q_proj',
        'cross_attn.key': 'encoder_attn.k_proj',
        'cross_attn.value': 'encoder_attn.v_proj',
        'cross_attn.out': 'encoder_attn.out_proj',
        cross_attn_ln: 'encoder_attn_layer_norm',
        'mlp.0': 'fc1',
        'mlp.2': 'fc2',
        mlp_ln: 'final_layer_norm',
      };
      const name = `${side}.layers.${layer}.${names[part]}`;
      if (part.endsWith('.key')) {
        // Whisper's key projections have no bias; a checkpoint that stores one must hold zeros.
        const bias = tensors.get(`${prefix}${name}.bias`);
        if (bias) keyBiases.push({ tensor: bias });
      }
      return { tensor: tensor(`${name}.${suffix}`) };
    };
    const planned = planTensors(hparams, sourceOf);
    const generation = path.join(dir, 'generation_config.json');
    const heads = (await exists(generation)) ? ((await readJsonFile(generation, 'the generation configuration')) as { alignment_heads?: unknown }).alignment_heads : config.alignment_heads;
    return {
      format: 'transformers',
      hparams,
      tokens: ggmlVocabulary(tokens, hparams.nVocab, tokenFile, { complete: false }),
      tensors: planned,
      zeroSources: keyBiases,
      ...alignmentHeads(heads),
      files,
    };
  } catch (error) {
    await Promise.all(files.map((f) => f.close()));
    throw error;
  }
}
