/**
 * Element conversions between the checkpoints' types and ggml's f32/f16: IEEE half with
 * round-to-nearest-even (numpy's astype(float16) and ggml's own rounding), bfloat16 by
 * widening, and CTranslate2's integer weights by dividing by their row's scale.
 */
import type { SourceDType } from './source-tensor';

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

export function floatToHalf(value: number): number {
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

/** Source elements (little-endian bytes) as floats; integer types are divided by `scales[row]`. */
export function toFloats(bytes: Buffer, dtype: SourceDType, rowLength: number, scales?: Float32Array): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (dtype) {
    case 'f32':
      return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    case 'f16': {
      const table = halves();
      const out = new Float32Array(bytes.byteLength / 2);
      for (let i = 0; i < out.length; i++) out[i] = table[view.getUint16(i * 2, true)]!;
      return out;
    }
    case 'bf16': {
      const out = new Float32Array(bytes.byteLength / 2);
      const bits = new Uint32Array(out.buffer);
      for (let i = 0; i < out.length; i++) bits[i] = view.getUint16(i * 2, true) << 16;
      return out;
    }
    case 'i8':
    case 'i16':
    case 'i32': {
      const size = dtype === 'i8' ? 1 : dtype === 'i16' ? 2 : 4;
      const out = new Float32Array(bytes.byteLength / size);
      for (let i = 0; i < out.length; i++) {
        const v = size === 1 ? view.getInt8(i) : size === 2 ? view.getInt16(i * 2, true) : view.getInt32(i * 4, true);
        out[i] = scales ? v / scales[Math.floor(i / rowLength)]! : v;
      }
      return out;
    }
  }
}

/** Floats as ggml f16 or f32 bytes. */
export function fromFloats(values: Float32Array, type: 'f16' | 'f32'): Buffer {
  if (type === 'f32') return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.allocUnsafe(values.length * 2);
  for (let i = 0; i < values.length; i++) out.writeUInt16LE(floatToHalf(values[i]!), i * 2);
  return out;
}
