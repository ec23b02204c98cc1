// Damaged variants of a generated model file, one per fuzz case, each reproducible from
// (seed, index). The first cases cut the file at every region boundary (and one byte either
// side); the rest apply seeded random mutations aimed at the fields whisper.cpp trusts:
// counts, dimensions, lengths, names and types, and byte flips anywhere.
'use strict';
const { caseRandom } = require('./random');
const { modelLayout, HPARAMS } = require('./model-layout');

const ABSURD_I32 = [0, -1, 1, 2, 3, 7, 255, 65536, 0x7fffffff, -0x80000000, 1e9, -1e9, 0x40000000, 51866];
const ABSURD_U32 = [0, 1, 0xffffffff, 0x7fffffff, 0x80000000, 65536, 1e9];

function withI32(bytes, offset, value) {
  const out = Buffer.from(bytes);
  out.writeInt32LE(value | 0, offset);
  return out;
}

function withU32(bytes, offset, value) {
  const out = Buffer.from(bytes);
  out.writeUInt32LE(value >>> 0, offset);
  return out;
}

/** Every offset where one region of the file ends and the next begins. */
function boundaries(layout) {
  const points = [
    [0, 'start'],
    [layout.hparamsStart, 'magic'],
    ...HPARAMS.map((name, i) => [layout.hparamsStart + 4 * i, `hparam ${name}`]),
    [layout.melStart, 'mel header'],
    [layout.melStart + 4, 'mel n_fft'],
    [layout.melDataStart, 'mel data'],
    [(layout.melDataStart + layout.vocabStart) >> 1, 'middle of mel data'],
    [layout.vocabStart, 'vocabulary count'],
  ];
  // Token starts: the first few, then one in every 2000 (51k tokens would swamp the sweep).
  layout.tokenStarts.forEach((start, i) => {
    if (i < 4 || i % 2000 === 0 || i === layout.tokenStarts.length - 1) points.push([start, `token ${i}`], [start + 4, `token ${i} text`]);
  });
  points.push([layout.tensorsStart, 'first tensor']);
  for (const t of layout.tensors) {
    points.push([t.headerStart, `tensor ${t.name} header`], [t.headerStart + 4, `tensor ${t.name} name length`], [t.headerStart + 8, `tensor ${t.name} type`]);
    points.push([t.dimsOffset, `tensor ${t.name} dims`], [t.nameOffset, `tensor ${t.name} name`], [t.dataStart, `tensor ${t.name} data`]);
    points.push([(t.dataStart + t.dataEnd) >> 1, `middle of tensor ${t.name} data`]);
  }
  points.push([layout.size - 1, 'last byte']);
  return points;
}

/** Random mutations; each returns { bytes, what }. */
const MUTATIONS = {
  'flip bytes'(bytes, layout, rng) {
    const last = layout.tensors[layout.tensors.length - 1];
    const regions = [
      ['hyperparameters', layout.hparamsStart, layout.melStart],
      ['mel filters', layout.melStart, layout.vocabStart],
      ['vocabulary', layout.vocabStart, layout.tensorsStart],
      ['tensor headers', ...(() => {
        const t = rng.pick(layout.tensors);
        return [t.headerStart, t.dataStart];
      })()],
      ['tensor data', layout.tensorsStart, last.dataEnd],
    ];
    const [name, start, end] = rng.pick(regions);
    const out = Buffer.from(bytes);
    const flips = rng.int(1, 5);
    const at = [];
    for (let i = 0; i < flips; i++) {
      const offset = rng.int(start, end);
      out[offset] ^= rng.int(1, 256);
      at.push(offset);
    }
    return { bytes: out, what: `flip ${flips} byte(s) in the ${name} at ${at.join(', ')}` };
  },
  'cut anywhere'(bytes, layout, rng) {
    const length = rng.int(0, layout.size);
    return { bytes: bytes.subarray(0, length), what: `cut to ${length} bytes` };
  },
  hyperparameter(bytes, layout, rng) {
    const i = rng.int(0, HPARAMS.length);
    const value = rng.chance(0.8) ? rng.pick(ABSURD_I32) : bytes.readInt32LE(layout.hparamsStart + 4 * i) + rng.int(-2, 3);
    return { bytes: withI32(bytes, layout.hparamsStart + 4 * i, value), what: `${HPARAMS[i]} = ${value | 0}` };
  },
  'mel filter size'(bytes, layout, rng) {
    const field = rng.pick([['n_mel', 0], ['n_fft', 4]]);
    const value = rng.pick(ABSURD_I32);
    return { bytes: withI32(bytes, layout.melStart + field[1], value), what: `mel ${field[0]} = ${value | 0}` };
  },
  'vocabulary count'(bytes, layout, rng) {
    const value = rng.pick([...ABSURD_I32, layout.tokenStarts.length + 1, layout.tokenStarts.length - 1]);
    return { bytes: withI32(bytes, layout.vocabStart, value), what: `vocabulary count = ${value | 0}` };
  },
  'token length'(bytes, layout, rng) {
    const i = rng.int(0, layout.tokenStarts.length);
    const value = rng.chance(0.5) ? rng.pick(ABSURD_U32) : layout.size - layout.tokenStarts[i];
    return { bytes: withU32(bytes, layout.tokenStarts[i], value), what: `token ${i} length = ${value >>> 0}` };
  },
  'tensor dimension count'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors);
    const value = rng.pick([0, -1, 1, 2, 3, 4, 5, 1e6, 0x7fffffff]);
    return { bytes: withI32(bytes, t.headerStart, value), what: `tensor ${t.name} n_dims = ${value}` };
  },
  'tensor dimension'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors);
    const d = rng.int(0, t.nDims);
    const value = rng.pick([...ABSURD_I32, bytes.readInt32LE(t.dimsOffset + 4 * d) * 2]);
    return { bytes: withI32(bytes, t.dimsOffset + 4 * d, value), what: `tensor ${t.name} dim ${d} = ${value | 0}` };
  },
  'tensor name length'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors);
    const value = rng.pick([...ABSURD_I32, t.dataStart - t.nameOffset + 1, t.dataStart - t.nameOffset - 1]);
    return { bytes: withI32(bytes, t.headerStart + 4, value), what: `tensor ${t.name} name length = ${value | 0}` };
  },
  'tensor name'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors);
    const out = Buffer.from(bytes);
    const length = t.dataStart - t.nameOffset;
    const other = layout.tensors.find((u) => u !== t && u.dataStart - u.nameOffset === length);
    if (other && rng.chance(0.5)) {
      bytes.copy(out, t.nameOffset, other.nameOffset, other.dataStart);
      return { bytes: out, what: `tensor ${t.name} renamed ${other.name} (a duplicate)` };
    }
    const at = t.nameOffset + rng.int(0, length);
    out[at] = rng.pick([0, 0x2e, 0xff, 0x41, rng.int(0, 256)]);
    return { bytes: out, what: `tensor ${t.name} name byte ${at - t.nameOffset} = ${out[at]}` };
  },
  'tensor type'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors);
    const value = rng.pick([-1, 0, 1, 2, 3, 6, 7, 8, 9, 10, 14, 16, 24, 30, 39, 40, 41, 1000, 0x7fffffff]);
    return { bytes: withI32(bytes, t.headerStart + 8, value), what: `tensor ${t.name} type = ${value}` };
  },
  'tensor dropped'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors);
    return { bytes: Buffer.concat([bytes.subarray(0, t.headerStart), bytes.subarray(t.dataEnd)]), what: `tensor ${t.name} removed` };
  },
  'tensor repeated'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors);
    return { bytes: Buffer.concat([bytes.subarray(0, t.dataEnd), bytes.subarray(t.headerStart, t.dataEnd), bytes.subarray(t.dataEnd)]), what: `tensor ${t.name} stored twice` };
  },
  'tensors swapped'(bytes, layout, rng) {
    const i = rng.int(0, layout.tensors.length - 1);
    const [a, b] = [layout.tensors[i], layout.tensors[i + 1]];
    return {
      bytes: Buffer.concat([bytes.subarray(0, a.headerStart), bytes.subarray(b.headerStart, b.dataEnd), bytes.subarray(a.headerStart, a.dataEnd), bytes.subarray(b.dataEnd)]),
      what: `tensors ${a.name} and ${b.name} in swapped order`,
    };
  },
  'bytes inserted'(bytes, layout, rng) {
    const [offset, where] = rng.pick(boundaries(layout));
    const extra = Buffer.from(Array.from({ length: rng.int(1, 17) }, () => rng.int(0, 256)));
    return { bytes: Buffer.concat([bytes.subarray(0, offset), extra, bytes.subarray(offset)]), what: `${extra.length} random byte(s) inserted at ${where}` };
  },
  'weights not finite'(bytes, layout, rng) {
    const t = rng.pick(layout.tensors.filter((u) => u.type === 1));
    const out = Buffer.from(bytes);
    const value = rng.pick([[0x7e00, 'NaN'], [0x7c00, '+Inf'], [0xfc00, '-Inf'], [0x7bff, '65504']]);
    const all = rng.chance(0.5);
    for (let o = t.dataStart; o < t.dataEnd; o += all ? 2 : 2 * rng.int(1, 64)) out.writeUInt16LE(value[0], o);
    return { bytes: out, what: `tensor ${t.name}: ${all ? 'every' : 'some'} weight(s) ${value[1]}` };
  },
};

const NAMES = Object.keys(MUTATIONS);

/**
 * Case `index` of a run: a boundary cut while the sweep lasts, then a random mutation
 * (sometimes two or three in a row).
 */
function modelCase(original, layout, seed, index) {
  const cuts = boundaries(layout).flatMap(([offset, where]) => [-1, 0, 1].map((delta) => [offset + delta, where, delta]));
  const valid = cuts.filter(([offset]) => offset >= 0 && offset < original.length);
  if (index < valid.length) {
    const [offset, where, delta] = valid[index];
    return { bytes: original.subarray(0, offset), what: `cut at ${where}${delta ? ` ${delta > 0 ? '+' : ''}${delta}` : ''} (${offset} bytes)` };
  }
  const rng = caseRandom(seed, index);
  let bytes = original;
  const steps = [];
  const count = rng.chance(0.15) ? rng.int(2, 4) : 1;
  for (let i = 0; i < count; i++) {
    const name = rng.pick(NAMES);
    // Later steps work on the earlier result, re-parsed; when it no longer parses into
    // something this step can aim at, the chain ends there.
    let step;
    try {
      step = MUTATIONS[name](bytes, i === 0 ? layout : modelLayout(bytes), rng);
    } catch {
      break;
    }
    bytes = step.bytes;
    steps.push(step.what);
  }
  return { bytes, what: steps.join('; then ') };
}

module.exports = { modelCase, boundaries, MUTATIONS };
