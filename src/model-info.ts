/**
 * What a model is, derived from its ggml header: the architecture names used by OpenAI,
 * whisper.cpp and Distil-Whisper, and the facts that change how whisper.cpp treats it.
 */
import type { NativeModelFacts } from './native';
import type { DtwInfo, ModelInfo } from './types/model-info';

const SIZE_BY_ENCODER_LAYERS: Record<number, { name: string; width: number }> = {
  4: { name: 'tiny', width: 384 },
  6: { name: 'base', width: 512 },
  12: { name: 'small', width: 768 },
  24: { name: 'medium', width: 1024 },
  32: { name: 'large', width: 1280 },
};

export function deriveModelInfo(facts: NativeModelFacts, dtw: DtwInfo | null = null): ModelInfo {
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
    ...facts,
    type,
    multilingual,
    distilled,
    forcedNoTimestamps: facts.nTextLayer === 2 && facts.nVocab !== 51866,
    dtw,
  };
}
