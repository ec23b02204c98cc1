/**
 * The index of a safetensors file (u64 header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the data), or of a sharded checkpoint through its
 * `model.safetensors.index.json`. Weights are not read here.
 */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { ConversionError } from '../errors';
import { SourceFile } from './source-file';
import { BYTES_PER_ELEMENT, elementCount, type SourceDType, type SourceTensor } from './source-tensor';

const DTYPES: Record<string, SourceDType> = { F32: 'f32', F16: 'f16', BF16: 'bf16', I8: 'i8', I16: 'i16', I32: 'i32' };
const MAX_HEADER_BYTES = 100 * 1024 * 1024;

export async function readJsonFile(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ConversionError(missing ? 'missing-file' : 'corrupt', `cannot read ${what} ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ConversionError('corrupt', `${what} ${file} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

async function readSafetensorsFile(file: SourceFile, into: Map<string, SourceTensor>): Promise<void> {
  const length = Number((await file.read(0, 8, 'the header length')).readBigUInt64LE(0));
  if (length < 2 || length > MAX_HEADER_BYTES) throw new ConversionError('corrupt', `${file.path}: a safetensors header of ${length} bytes`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse((await file.read(8, length, 'the header')).toString('utf8')) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof ConversionError) throw error;
    throw new ConversionError('corrupt', `${file.path}: the safetensors header is not valid JSON`, { cause: error });
  }
  const dataStart = 8 + length;
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const { dtype, shape, data_offsets: offsets } = (entry ?? {}) as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const type = typeof dtype === 'string' ? DTYPES[dtype] : undefined;
    if (!type) throw new ConversionError('unknown-spec', `${file.path}: tensor ${name} has dtype ${JSON.stringify(dtype)}; readable: ${Object.keys(DTYPES).join(', ')}`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0) || !Array.isArray(offsets) || offsets.length !== 2) {
      throw new ConversionError('corrupt', `${file.path}: tensor ${name} has a malformed header entry`);
    }
    const [begin, end] = offsets as [number, number];
    if (end - begin !== elementCount(shape as number[]) * BYTES_PER_ELEMENT[type]) {
      throw new ConversionError('corrupt', `${file.path}: tensor ${name} (${dtype} [${shape.join(', ')}]) spans ${end - begin} bytes`);
    }
    if (dataStart + end > file.size) {
      throw new ConversionError('truncated', `${file.path} ends at byte ${file.size}, before the end of tensor ${name} (byte ${dataStart + end})`);
    }
    into.set(name, { name, shape: shape as number[], dtype: type, file, offset: dataStart + begin, byteLength: end - begin });
  }
}

/**
 * All tensors of a checkpoint directory: `model.safetensors`, or the shards listed by
 * `model.safetensors.index.json`. The opened files are returned for closing.
 */
export async function readSafetensorsCheckpoint(dir: string): Promise<{ tensors: Map<string, SourceTensor>; files: SourceFile[] }> {
  const indexPath = path.join(dir, 'model.safetensors.index.json');
  const single = path.join(dir, 'model.safetensors');
  let shards: string[];
  try {
    await fs.access(indexPath);
    const index = (await readJsonFile(indexPath, 'the shard index')) as { weight_map?: Record<string, string> };
    if (!index.weight_map || typeof index.weight_map !== 'object') throw new ConversionError('corrupt', `${indexPath} has no weight_map`);
    shards = [...new Set(Object.values(index.weight_map))].map((shard) => path.join(dir, path.basename(shard)));
  } catch (error) {
    if (error instanceof ConversionError) throw error;
    shards = [single];
  }
  const tensors = new Map<string, SourceTensor>();
  const files: SourceFile[] = [];
  try {
    for (const shard of shards) {
      const file = await SourceFile.open(shard);
      files.push(file);
      await readSafetensorsFile(file, tensors);
    }
  } catch (error) {
    await Promise.all(files.map((f) => f.close()));
    throw error;
  }
  return { tensors, files };
}
