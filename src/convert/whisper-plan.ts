/**
 * A conversion plan: everything the ggml writer needs, read from a checkpoint's headers
 * and configuration (no weights). The CTranslate2 and Transformers readers each build one;
 * `checkPlan` holds both to the same rules.
 */
import { ConversionError } from '../errors';
import { tokenBytes } from './byte-level-tokens';
import type { SourceFile } from './source-file';
import { elementCount, sourceShape, type TensorSource } from './source-tensor';
import { whisperTensorSlots, type GgmlTensorSlot, type WhisperHparams } from './whisper-layout';

export type CheckpointFormat = 'ctranslate2' | 'transformers';

export interface PlannedTensor extends GgmlTensorSlot {
  source: TensorSource;
}

export interface WhisperPlan {
  format: CheckpointFormat;
  hparams: WhisperHparams;
  /** Vocabulary entries as stored in the ggml file: the first 50,257 ids. */
  tokens: Buffer[];
  tensors: PlannedTensor[];
  /** Sources that must hold only zeros (CTranslate2's key-projection bias band). */
  zeroSources: TensorSource[];
  /** Cross-attention heads that follow the alignment ([decoder layer, head]), when the checkpoint names them. */
  alignmentHeads?: [number, number][];
  /** Files to close when done. */
  files: SourceFile[];
}

// whisper.cpp hard-codes the special-token ids of these vocabulary sizes.
const KNOWN_VOCAB_SIZES = [51864, 51865, 51866];
const GGML_VOCABULARY_ENTRIES = 50257;

/**
 * The ggml vocabulary from the checkpoint's id-ordered token strings (`complete`: the
 * checkpoint lists every id, as CTranslate2's vocabulary files do): the first 50,257, as
 * whisper.cpp's own files have them (GPT-2's tokens; in English models the last is
 * <|endoftext|>); whisper.cpp names the special tokens after them itself. Raw bytes are kept (whisper.cpp's published files replace 344
 * byte tokens that are not valid UTF-8 on their own with U+FFFD; keeping the bytes lets
 * text that spans tokens, such as CJK characters, come out intact).
 */
export function ggmlVocabulary(tokens: readonly (string | undefined)[], nVocab: number, where: string, { complete }: { complete: boolean }): Buffer[] {
  if (!KNOWN_VOCAB_SIZES.includes(nVocab)) {
    throw new ConversionError('vocabulary-mismatch', `${where}: the model has ${nVocab} token embeddings; whisper.cpp knows only vocabularies of ${KNOWN_VOCAB_SIZES.join(', ')} tokens`);
  }
  // Transformers tokenizers of older checkpoints omit the timestamp tokens; whisper.cpp
  // names those itself, so only the ids up to <|endoftext|> must be there.
  if (complete ? tokens.length !== nVocab : tokens.length > nVocab) {
    throw new ConversionError('vocabulary-mismatch', `${where}: the vocabulary has ${tokens.length} tokens, the model ${nVocab} token embeddings`);
  }
  const eot = nVocab === 51864 ? 50256 : 50257;
  if (tokens[eot] !== '<|endoftext|>') {
    throw new ConversionError('vocabulary-mismatch', `${where}: token ${eot} is ${JSON.stringify(tokens[eot])}, where whisper.cpp expects <|endoftext|> for a ${nVocab}-token vocabulary`);
  }
  if (tokens[220] !== 'Ġ') throw new ConversionError('vocabulary-mismatch', `${where}: token 220 is ${JSON.stringify(tokens[220])}, not GPT-2's lone space`);
  return tokens.slice(0, GGML_VOCABULARY_ENTRIES).map((token, id) => {
    if (token === undefined) throw new ConversionError('vocabulary-mismatch', `${where}: no token has id ${id}`);
    return tokenBytes(token);
  });
}

/** Fills each ggml slot from `sourceOf`, checking every shape against the header. */
export function planTensors(hparams: WhisperHparams, sourceOf: (slot: GgmlTensorSlot) => TensorSource): PlannedTensor[] {
  return whisperTensorSlots(hparams).map((slot) => {
    const source = sourceOf(slot);
    const shape = sourceShape(source);
    // ggml lists dimensions innermost first; conv biases are [1, n] there and [n] in a checkpoint.
    const expected = [...slot.ne].reverse();
    while (expected.length > shape.length && expected[expected.length - 1] === 1) expected.pop();
    if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
      throw new ConversionError(
        'shape-mismatch',
        `${source.tensor.file.path}: ${source.tensor.name}${source.rows ? ` rows ${source.rows[0]}..${source.rows[1]}` : ''} has shape [${shape.join(', ')}]; ${slot.name} needs [${expected.join(', ')}]`,
      );
    }
    if (elementCount(shape) !== elementCount(slot.ne)) throw new Error(`internal: element count of ${slot.name}`);
    return { ...slot, source };
  });
}

/** Rows [index * size, (index + 1) * size) of a fused projection. */
export function band(source: TensorSource, index: number, size: number, parts: number): TensorSource {
  const rows = source.tensor.shape[0];
  if (rows !== size * parts) {
    throw new ConversionError('shape-mismatch', `${source.tensor.file.path}: ${source.tensor.name} has ${rows} rows; a fusion of ${parts} projections of width ${size} has ${size * parts}`);
  }
  return { ...source, rows: [index * size, (index + 1) * size] };
}
