/** Smaller models: whisper.cpp's own quantizer, run on the thread pool. */
import * as path from 'node:path';

import { native } from '../binding';
import { InvalidOptionError, fromNativeError } from '../errors';

export const QUANTIZATION_TYPES = ['q8_0', 'q5_1', 'q5_0', 'q4_1', 'q4_0'] as const;
export type QuantizationType = (typeof QUANTIZATION_TYPES)[number];

/**
 * Writes a quantized copy of an f16 model (distil-medium.en: 794 MB -> about 264 MB as
 * q5_0). The input is checked like a model being loaded; the output appears only when
 * complete. Resolves to the output path.
 */
export async function quantizeModel(input: string, output: string, options: { type: QuantizationType }): Promise<string> {
  if (typeof input !== 'string' || input === '' || typeof output !== 'string' || output === '') {
    throw new InvalidOptionError('quantizeModel(input, output, { type }) needs two file paths');
  }
  const type: unknown = options?.type;
  if (!QUANTIZATION_TYPES.includes(type as QuantizationType)) {
    throw new InvalidOptionError(`quantization type must be one of ${QUANTIZATION_TYPES.join(', ')}, got ${JSON.stringify(type)}`);
  }
  if (path.resolve(input) === path.resolve(output)) throw new InvalidOptionError('quantizeModel: the output must be another file than the input');
  try {
    await native().quantizeModel(input, output, type as QuantizationType);
  } catch (error) {
    throw fromNativeError(error);
  }
  return output;
}
