/**
 * Element conversions between the checkpoints' types and ggml's f32/f16: IEEE half with
 * round-to-nearest-even (numpy's astype(float16) and ggml's own rounding), bfloat16 by
 * widening, and CTranslate2's integer weights by dividing by their row's scale.
 */
import { BYTES_PER_ELEMENT, type SourceDType } from './source-tensor';

let halfTable: Float32Array | undefined;

/** All 65,536 halves as floats: a lookup beats decoding the bits each time. */
function halves(): Float32Array {
  if (halfTable) return halfTable;
  halfTable = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) halfTable[h] = sign * mant * 2 ** -24;
    else if (exp === 31) halfTable[h] = mant ? NaN : sign * Infinity;
    else halfTable[h] = sign * (1 + mant / 1024) * 2 ** (exp - 15);
  }
  return halfTable;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

function floatToHalf(value: number): number {
  f32[0] = value;
  const x = u32[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = ((x >>> 23) & 0xff) - 127 + 15;
  let mant = x & 0x7fffff;
  if (((x >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0); // Inf, NaN
  if (exp <= 0) {
    if (exp < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - exp;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  if (exp >= 31) return sign | 0x7c00;
  let half = (exp << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++; // a carry into the exponent is right
  return sign | half;
}

/**
 * Source elements (little-endian bytes) as floats, into `out` (which must hold them);
 * integer types are divided by `scales[row]`. Returns the filled part of `out`.
 */
export function decodeInto(bytes: Buffer, dtype: SourceDType, rowLength: number, scales: Float32Array | undefined, out: Float32Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = BYTES_PER_ELEMENT[dtype];
  const count = bytes.byteLength / size;
  const values = out.subarray(0, count);
  switch (dtype) {
    case 'f32':
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
      break;
    case 'f16': {
      const table = halves();
      for (let i = 0; i < count; i++) values[i] = table[view.getUint16(i * 2, true)]!;
      break;
    }
    case 'bf16': {
      const bits = new Uint32Array(values.buffer, values.byteOffset, count);
      for (let i = 0; i < count; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      break;
    }
    case 'i8':
    case 'i16':
    case 'i32':
      for (let i = 0; i < count; i++) {
        const v = size === 1 ? view.getInt8(i) : size === 2 ? view.getInt16(i * 2, true) : view.getInt32(i * 4, true);
        values[i] = scales ? v / scales[Math.floor(i / rowLength)]! : v;
      }
      break;
  }
  return values;
}

/** Floats as ggml f16 or f32 bytes, into `out`. Returns the filled part of `out`. */
export function encodeInto(values: Float32Array, type: 'f16' | 'f32', out: Buffer): Buffer {
  if (type === 'f32') {
    for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
    return out.subarray(0, values.length * 4);
  }
  for (let i = 0; i < values.length; i++) out.writeUInt16LE(floatToHalf(values[i]!), i * 2);
  return out.subarray(0, values.length * 2);
}

/** Source elements as a new Float32Array (small tensors: scales, biases). */
export function toFloats(bytes: Buffer, dtype: SourceDType): Float32Array {
  return decodeInto(bytes, dtype, 1, undefined, new Float32Array(bytes.byteLength / BYTES_PER_ELEMENT[dtype]));
}
