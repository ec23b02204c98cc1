/**
 * The index of a CTranslate2 `model.bin`: every variable's name, shape, type and where its
 * bytes are, without reading the weights. Format (CTranslate2's ModelSpec.serialize, binary
 * versions 5 and 6): u32 version; string spec name; u32 spec revision; u32 variable count;
 * per variable: string name, u8 rank, u32 dims[rank], u8 type, u32 byte count, the bytes;
 * then u32 alias count and (alias, target) string pairs. A string is a u16 length that
 * counts a closing NUL, then the bytes.
 */
import { ConversionError } from '../errors';
import { HeaderCursor, type SourceFile } from './source-file';
import { BYTES_PER_ELEMENT, elementCount, type SourceDType, type SourceTensor } from './source-tensor';

// CTranslate2's DataType enum, in its order.
const DTYPES: (SourceDType | undefined)[] = ['f32', 'i8', 'i16', 'i32', 'f16', 'bf16'];
const SUPPORTED_VERSIONS = [5, 6];

export interface Ctranslate2Index {
  spec: string;
  revision: number;
  variables: Map<string, SourceTensor>;
  /** Scalars and other small variables (options such as num_heads), already read. */
  smallValues: Map<string, Buffer>;
  aliases: Map<string, string>;
}

async function readString(cursor: HeaderCursor, what: string): Promise<string> {
  const length = await cursor.u16(what);
  if (length === 0) throw new ConversionError('corrupt', `${what}: a string of length 0 (it must count its closing NUL)`);
  const bytes = await cursor.bytes(length, what);
  return bytes.subarray(0, length - 1).toString('utf8');
}

export async function readCtranslate2Index(file: SourceFile): Promise<Ctranslate2Index> {
  const cursor = new HeaderCursor(file);
  const version = await cursor.u32('the format version');
  if (!SUPPORTED_VERSIONS.includes(version)) {
    throw new ConversionError('unknown-spec', `${file.path} is CTranslate2 binary version ${version}; this converter reads versions ${SUPPORTED_VERSIONS.join(' and ')} (a file that is not a CTranslate2 model also ends up here)`);
  }
  const spec = await readString(cursor, 'the spec name');
  const revision = await cursor.u32('the spec revision');
  const count = await cursor.u32('the variable count');
  const variables = new Map<string, SourceTensor>();
  const smallValues = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const name = await readString(cursor, `variable ${i}'s name`);
    const rank = await cursor.u8(`${name}'s rank`);
    const shape: number[] = [];
    for (let d = 0; d < rank; d++) shape.push(await cursor.u32(`${name}'s shape`));
    const typeId = await cursor.u8(`${name}'s type`);
    const dtype = DTYPES[typeId];
    if (!dtype) throw new ConversionError('corrupt', `${file.path}: variable ${name} has unknown type id ${typeId}`);
    const byteLength = await cursor.u32(`${name}'s size`);
    if (byteLength !== elementCount(shape) * BYTES_PER_ELEMENT[dtype]) {
      throw new ConversionError('corrupt', `${file.path}: variable ${name} (${dtype} [${shape.join(', ')}]) claims ${byteLength} bytes`);
    }
    const offset = cursor.position;
    if (byteLength <= 64) smallValues.set(name, await cursor.bytes(byteLength, name));
    else cursor.skip(byteLength, `the data of ${name}`);
    variables.set(name, { name, shape, dtype, file, offset, byteLength });
  }
  const aliases = new Map<string, string>();
  const aliasCount = await cursor.u32('the alias count');
  for (let i = 0; i < aliasCount; i++) {
    const alias = await readString(cursor, `alias ${i}`);
    aliases.set(alias, await readString(cursor, `the target of alias ${alias}`));
  }
  return { spec, revision, variables, smallValues, aliases };
}
