/**
 * What a model is, derived from its ggml header: the architecture names used by OpenAI,
 * whisper.cpp and Distil-Whisper, and the facts that change how whisper.cpp treats it.
 */
import type { NativeModelFacts } from './native';

export interface ModelInfo {
  /** e.g. 'tiny.en', 'medium', 'large-v3', 'distil-medium.en', or 'custom' for other shapes. */
  type: string;
  /** Has language tokens (n_vocab ≥ 51865); `.en` models don't. */
  multilingual: boolean;
  /** A Distil-Whisper model: full encoder, decoder cut to a few layers. */
  distilled: boolean;
  /**
   * whisper.cpp 1.9.1 forces `noTimestamps` for this model (2 decoder layers and
   * n_vocab ≠ 51866: first-generation distilled models such as distil-medium.en).
   */
  forcedNoTimestamps: boolean;
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  /** The header's ftype as stored (weight type + 1000 × quantization version). */
  ftype: number;
  /** Storage type of the weight matrices in the file: 'f16', 'f32', 'q5_0', ... */
  weightType: string;
  /** An f32 file is converted to f16 while loading (whisper.cpp 1.9.1 cannot run f32 on CPU). */
  convertedFromF32: boolean;
  /** Bytes of weights held in memory. */
  tensorBytes: number;
  fileSize: number;
  path: string;
  /** Milliseconds spent loading. */
  loadMs: number;
}

const SIZE_BY_ENCODER_LAYERS: Record<number, { name: string; width: number }> = {
  4: { name: 'tiny', width: 384 },
  6: { name: 'base', width: 512 },
  12: { name: 'small', width: 768 },
  24: { name: 'medium', width: 1024 },
  32: { name: 'large', width: 1280 },
};

export function deriveModelInfo(facts: NativeModelFacts): ModelInfo {
  const multilingual = facts.nVocab >= 51865;
  const size = SIZE_BY_ENCODER_LAYERS[facts.nAudioLayer];
  const standardShape = size !== undefined && size.width === facts.nAudioState;
  const fullDecoder = facts.nTextLayer === facts.nAudioLayer;
  // large-v3-turbo has a 4-layer decoder too, but it was pruned and fine-tuned, not distilled.
  const turbo = standardShape && size.name === 'large' && facts.nTextLayer === 4 && facts.nVocab === 51866;
  const distilled = standardShape && !fullDecoder && !turbo && facts.nTextLayer <= 4;

  let type = 'custom';
  if (standardShape) {
    const suffix = multilingual ? '' : '.en';
    if (fullDecoder) {
      type = size.name === 'large' ? (facts.nVocab === 51866 ? 'large-v3' : 'large-v2') : `${size.name}${suffix}`;
    } else if (turbo) {
      type = 'large-v3-turbo';
    } else if (distilled) {
      type = size.name === 'large' ? (facts.nVocab === 51866 ? 'distil-large-v3' : 'distil-large-v2') : `distil-${size.name}${suffix}`;
    }
  }

  return {
    type,
    multilingual,
    distilled,
    forcedNoTimestamps: facts.nTextLayer === 2 && facts.nVocab !== 51866,
    nVocab: facts.nVocab,
    nAudioCtx: facts.nAudioCtx,
    nAudioState: facts.nAudioState,
    nAudioHead: facts.nAudioHead,
    nAudioLayer: facts.nAudioLayer,
    nTextCtx: facts.nTextCtx,
    nTextState: facts.nTextState,
    nTextHead: facts.nTextHead,
    nTextLayer: facts.nTextLayer,
    nMels: facts.nMels,
    ftype: facts.ftype,
    weightType: facts.weightType,
    convertedFromF32: facts.convertedFromF32,
    tensorBytes: facts.tensorBytes,
    fileSize: facts.fileSize,
    path: facts.path,
    loadMs: facts.loadMs,
  };
}
