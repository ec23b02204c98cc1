/**
 * Writes a conversion plan as a ggml whisper file, tensor by tensor in chunks of rows, so
 * memory stays at a few megabytes whatever the model's size. Layout (whisper.cpp's
 * loader): magic, 11 int32 header fields, the mel filters, the vocabulary, then each
 * tensor as n_dims, name length, type, ne[], name, data.
 */
import * as fs from 'node:fs/promises';

import { ConversionError } from '../errors';
import { melFilters, N_FFT_BINS } from './mel-filters';
import { decodeInto, encodeInto, toFloats } from './numeric';
import { BYTES_PER_ELEMENT, elementCount, rowLength, type TensorSource } from './source-tensor';
import type { PlannedTensor, WhisperPlan } from './whisper-plan';

const GGML_MAGIC = 0x67676d6c;
const GGML_TYPE = { f32: 0, f16: 1 } as const;
const CHUNK_ELEMENTS = 1 << 20;

export type FloatType = 'f16' | 'f32';

export interface WriteProgress {
  tensor: string;
  bytesWritten: number;
  totalBytes: number;
}

function tensorType(tensor: PlannedTensor, weights: FloatType): FloatType {
  return tensor.kind === 'matrix' ? weights : 'f32';
}

/**
 * The per-row scales of integer weights: CTranslate2's int8 has one per row (output
 * channel); its int16 has one for the whole tensor.
 */
async function readScales(source: TensorSource): Promise<Float32Array | undefined> {
  if (!source.scale) return undefined;
  const { scale, tensor } = source;
  const rows = tensor.shape[0] ?? 1;
  const perRow = scale.shape.length === 1 && scale.shape[0] === rows;
  if (!perRow && scale.shape.length !== 0) {
    throw new ConversionError('shape-mismatch', `${scale.file.path}: ${scale.name} has shape [${scale.shape.join(', ')}]; ${tensor.name} has ${rows} rows`);
  }
  const values = toFloats(await scale.file.read(scale.offset, scale.byteLength, scale.name), scale.dtype);
  return perRow ? values : new Float32Array(rows).fill(values[0]!);
}

/**
 * The buffers one conversion reuses for every chunk, so memory stays flat: what is read,
 * its values as floats, and what is written.
 */
class ChunkBuffers {
  readonly read = Buffer.allocUnsafeSlow(CHUNK_ELEMENTS * 4);
  readonly floats = new Float32Array(CHUNK_ELEMENTS);
  readonly written = Buffer.allocUnsafeSlow(CHUNK_ELEMENTS * 4);
}

/**
 * A source's bytes in the target type, a band of whole rows (at most CHUNK_ELEMENTS, or one
 * row) at a time. Each chunk is valid until the next is asked for.
 */
async function* chunks(source: TensorSource, target: FloatType, buffers: ChunkBuffers): AsyncGenerator<Buffer> {
  const { tensor } = source;
  const perRow = rowLength(tensor.shape);
  const bytesPerElement = BYTES_PER_ELEMENT[tensor.dtype];
  const [first, last] = source.rows ?? [0, tensor.shape[0] ?? 1];
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / perRow));
  const allScales = await readScales(source);
  for (let row = first; row < last; row += rowsPerChunk) {
    const rows = Math.min(rowsPerChunk, last - row);
    const length = rows * perRow * bytesPerElement;
    // A row longer than a chunk (none in whisper) gets a buffer of its own.
    const into = length <= buffers.read.length ? buffers.read.subarray(0, length) : undefined;
    const bytes = await tensor.file.read(tensor.offset + row * perRow * bytesPerElement, length, `the data of ${tensor.name}`, into);
    if (tensor.dtype === target) {
      yield bytes;
      continue;
    }
    const count = rows * perRow;
    const floats = count <= buffers.floats.length ? buffers.floats : new Float32Array(count);
    const written = count * 4 <= buffers.written.length ? buffers.written : Buffer.allocUnsafe(count * 4);
    yield encodeInto(decodeInto(bytes, tensor.dtype, perRow, allScales?.subarray(row, row + rows), floats), target, written);
  }
}

function header(plan: WhisperPlan, weights: FloatType): Buffer {
  const h = plan.hparams;
  const fields = [h.nVocab, h.nAudioCtx, h.nAudioState, h.nAudioHead, h.nAudioLayer, h.nTextCtx, h.nTextState, h.nTextHead, h.nTextLayer, h.nMels, GGML_TYPE[weights]];
  const filters = melFilters(h.nMels);
  const parts: Buffer[] = [];
  const ints = (...values: number[]) => {
    const b = Buffer.alloc(4 * values.length);
    values.forEach((v, i) => b.writeInt32LE(v, 4 * i));
    parts.push(b);
  };
  ints(GGML_MAGIC, ...fields);
  ints(h.nMels, N_FFT_BINS);
  parts.push(Buffer.from(filters.buffer, filters.byteOffset, filters.byteLength));
  ints(plan.tokens.length);
  for (const token of plan.tokens) {
    ints(token.length);
    parts.push(token);
  }
  return Buffer.concat(parts);
}

/** Fails when a source that whisper.cpp has no tensor for (a key bias) holds anything but zeros. */
async function checkZeros(plan: WhisperPlan): Promise<void> {
  for (const { tensor, rows } of plan.zeroSources) {
    const [first, last] = rows ?? [0, tensor.shape[0] ?? 1];
    const size = rowLength(tensor.shape) * BYTES_PER_ELEMENT[tensor.dtype];
    const bytes = await tensor.file.read(tensor.offset + first * size, (last - first) * size, `the data of ${tensor.name}`);
    if (toFloats(bytes, tensor.dtype).some((v) => v !== 0)) {
      throw new ConversionError('unknown-spec', `${tensor.file.path}: ${tensor.name} holds a non-zero key bias, which whisper's architecture (and whisper.cpp) does not have`);
    }
  }
}

/** Writes the plan to `file` (which must not exist yet). Returns the bytes written. */
export async function writeGgmlWhisper(plan: WhisperPlan, file: string, weights: FloatType, onProgress?: (p: WriteProgress) => void): Promise<number> {
  await checkZeros(plan);
  const head = header(plan, weights);
  const tensorBytes = plan.tensors.reduce((sum, t) => sum + elementCount(t.ne) * (tensorType(t, weights) === 'f16' ? 2 : 4), 0);
  const totalBytes = head.length + tensorBytes + plan.tensors.reduce((sum, t) => sum + 12 + 4 * t.ne.length + Buffer.byteLength(t.name), 0);
  const buffers = new ChunkBuffers();
  const out = await fs.open(file, 'wx');
  let position = 0;
  const write = async (bytes: Buffer) => {
    let done = 0;
    while (done < bytes.length) done += (await out.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
    position += bytes.length;
  };
  try {
    await write(head);
    for (const tensor of plan.tensors) {
      const type = tensorType(tensor, weights);
      const name = Buffer.from(tensor.name, 'utf8');
      const meta = Buffer.alloc(12 + 4 * tensor.ne.length);
      meta.writeInt32LE(tensor.ne.length, 0);
      meta.writeInt32LE(name.length, 4);
      meta.writeInt32LE(GGML_TYPE[type], 8);
      tensor.ne.forEach((n, i) => meta.writeInt32LE(n, 12 + 4 * i));
      await write(Buffer.concat([meta, name]));
      for await (const chunk of chunks(tensor.source, type, buffers)) await write(chunk);
      onProgress?.({ tensor: tensor.name, bytesWritten: position, totalBytes });
    }
    await out.sync();
  } finally {
    await out.close();
  }
  if (position !== totalBytes) throw new Error(`internal: wrote ${position} bytes, planned ${totalBytes}`);
  return position;
}
