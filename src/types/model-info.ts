/**
 * What a loaded model is (`model.info`) and how its tokens are timed: public types only,
 * importing nothing that imports them back (src/model-info.ts derives the values,
 * src/word-timing.ts resolves the DTW heads).
 */
import type { NativeModelFacts } from '../native';

export interface ModelInfo extends NativeModelFacts {
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
  /** Loaded with `dtw`: the alignment heads its tokens are timed with. `null` otherwise. */
  dtw: DtwInfo | null;
}

/** whisper.cpp's alignment-head presets, named like `model.info.type`. */
export type AlignmentHeadsPreset =
  | 'tiny.en'
  | 'tiny'
  | 'base.en'
  | 'base'
  | 'small.en'
  | 'small'
  | 'medium.en'
  | 'medium'
  | 'large-v1'
  | 'large-v2'
  | 'large-v3'
  | 'large-v3-turbo';

/** A decoder cross-attention head: [text layer, head], both from 0. */
export type AlignmentHead = [layer: number, head: number];

export interface DtwOptions {
  /**
   * The heads whose cross-attention is aligned: `[layer, head]` pairs (e.g. what
   * `convertModel()` returns as `alignmentHeads`), one of whisper.cpp's presets by model
   * name, or `{ topLayers: n }` for every head of the last n decoder layers (a fallback for
   * models whose heads are unknown; less exact). Default: as `dtw: true` finds them.
   */
  heads?: AlignmentHead[] | AlignmentHeadsPreset | { topLayers: number };
  /**
   * Move each boundary between two words to the edges of the longest pause near it (80 ms
   * or more, 20 dB quieter than the speech around it), found in the audio. The alignment
   * alone gives a pause between two words wholly to one of them. Boundaries in connected
   * speech, where there is no pause, keep the alignment's time. Default `true`.
   */
  snapToPauses?: boolean;
}

/** The `dtw` load option: `true`, `'auto'`, or the heads to use. Default `false`. */
export type DtwOption = boolean | 'auto' | DtwOptions;

/** How a model loaded with `dtw` times tokens (`model.info.dtw`). */
export interface DtwInfo {
  /** The heads: pairs, or every head of the last `topLayers` decoder layers. */
  heads: AlignmentHead[] | { topLayers: number };
  /** The whisper.cpp preset, when the heads are one. */
  preset?: AlignmentHeadsPreset;
  /** Where the heads came from: the option, whisper.cpp's preset for the model type, or the `<model>.json` sidecar. */
  source: 'option' | 'preset' | 'sidecar';
  /** Word boundaries move to pauses (option `dtw.snapToPauses`). */
  snapToPauses: boolean;
}
