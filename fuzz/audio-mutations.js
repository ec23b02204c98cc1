// Damaged variants of real audio files (jfk.wav, jfk.mp3, and FLAC and Ogg Vorbis made from
// jfk.wav by sox), one per fuzz case, reproducible from (seed, index): absurd values in the
// header fields (audio-fields.js), cuts, byte flips, inserted and repeated bytes, and files
// spliced from two formats.
'use strict';
const { caseRandom } = require('./random');
const { fieldsOf } = require('./audio-fields');

const ABSURD = [0, 1, 2, 3, 7, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff, 0xffffff, 0x7fffffff, 0x80000000, 0xffffffff];

function writeField(out, offset, width, value) {
  for (let i = 0; i < width; i++) out[offset + i] = (value / 2 ** (8 * i)) & 0xff; // little-endian
  return out;
}

const MUTATIONS = {
  field(bytes, seed, rng) {
    const fields = fieldsOf(seed.format, bytes);
    if (fields.length === 0) return MUTATIONS['flip bytes'](bytes, seed, rng);
    const [offset, width, name] = rng.pick(fields);
    const value = rng.chance(0.7) ? rng.pick(ABSURD) % 2 ** (8 * width) : rng.int(0, 2 ** Math.min(31, 8 * width));
    return { bytes: writeField(Buffer.from(bytes), offset, width, value), what: `${name} = ${value}` };
  },
  'flip bytes'(bytes, seed, rng) {
    const out = Buffer.from(bytes);
    const near = rng.chance(0.6); // most decoders' trust is spent in the first few KB
    const flips = rng.int(1, 9);
    for (let i = 0; i < flips; i++) out[rng.int(0, near ? Math.min(4096, out.length) : out.length)] ^= rng.int(1, 256);
    return { bytes: out, what: `flip ${flips} byte(s) ${near ? 'in the first 4 KB' : 'anywhere'}` };
  },
  cut(bytes, seed, rng) {
    const length = rng.chance(0.5) ? rng.int(0, Math.min(8192, bytes.length)) : rng.int(0, bytes.length);
    return { bytes: bytes.subarray(0, length), what: `cut to ${length} bytes` };
  },
  'bytes inserted'(bytes, seed, rng) {
    const at = rng.int(0, Math.min(bytes.length, rng.chance(0.5) ? 4096 : bytes.length));
    const extra = Buffer.from(Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 256)));
    return { bytes: Buffer.concat([bytes.subarray(0, at), extra, bytes.subarray(at)]), what: `${extra.length} byte(s) inserted at ${at}` };
  },
  'range repeated'(bytes, seed, rng) {
    const start = rng.int(0, bytes.length);
    const end = Math.min(bytes.length, start + rng.int(1, 20000));
    return { bytes: Buffer.concat([bytes.subarray(0, end), bytes.subarray(start, end), bytes.subarray(end)]), what: `bytes ${start}..${end} repeated` };
  },
  'range zeroed'(bytes, seed, rng) {
    const out = Buffer.from(bytes);
    const start = rng.int(0, out.length);
    const end = Math.min(out.length, start + rng.int(1, 5000));
    out.fill(0, start, end);
    return { bytes: out, what: `bytes ${start}..${end} zeroed` };
  },
  spliced(bytes, seed, rng, seeds) {
    const other = rng.pick(seeds);
    const at = rng.int(0, bytes.length);
    const from = rng.int(0, other.bytes.length);
    return { bytes: Buffer.concat([bytes.subarray(0, at), other.bytes.subarray(from)]), what: `from ${at} on, ${other.format} bytes from ${from}` };
  },
};

const NAMES = Object.keys(MUTATIONS);

/** Case `index`: a seed file, with one to three mutations. */
function audioCase(seeds, seedNumber, index) {
  const rng = caseRandom(seedNumber, index);
  const seed = seeds[index % seeds.length];
  let bytes = seed.bytes;
  const steps = [];
  const count = rng.chance(0.2) ? rng.int(2, 4) : 1;
  for (let i = 0; i < count; i++) {
    const name = rng.pick(NAMES);
    const step = MUTATIONS[name](bytes, seed, rng, seeds);
    bytes = step.bytes;
    steps.push(step.what);
  }
  return { bytes, what: `${seed.format}: ${steps.join('; then ')}` };
}

module.exports = { audioCase };
