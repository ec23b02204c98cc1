/** A tensor as a checkpoint stores it: where its bytes are and how to read them. */
import type { SourceFile } from './source-file';

export type SourceDType = 'f32' | 'f16' | 'bf16' | 'i8' | 'i16' | 'i32';

export const BYTES_PER_ELEMENT: Record<SourceDType, number> = { f32: 4, f16: 2, bf16: 2, i8: 1, i16: 2, i32: 4 };

export interface SourceTensor {
  name: string;
  /** Outermost dimension first (row-major), as PyTorch, CTranslate2 and safetensors write it. */
  shape: number[];
  dtype: SourceDType;
  file: SourceFile;
  offset: number;
  byteLength: number;
}

/**
 * What one ggml tensor is made of: a source tensor, or a band of its rows (CTranslate2
 * fuses the attention projections), with a per-row scale for integer weights.
 */
export interface TensorSource {
  tensor: SourceTensor;
  /** Rows [start, end) of the first dimension; the whole tensor when absent. */
  rows?: [number, number];
  /** Integer weights are dequantized as value / scale[row] (CTranslate2's int8 and int16). */
  scale?: SourceTensor;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Elements in one row (everything after the first dimension). */
export function rowLength(shape: readonly number[]): number {
  return elementCount(shape.slice(1));
}

/** The shape a source yields: its row band, if any, replaces the first dimension. */
export function sourceShape(source: TensorSource): number[] {
  const [first = 1, ...rest] = source.tensor.shape;
  return source.rows ? [source.rows[1] - source.rows[0], ...rest] : [first, ...rest];
}
