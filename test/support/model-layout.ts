/** Byte offsets of the regions of a ggml whisper file, for cutting and corrupting it. */
import * as fs from 'node:fs';

export interface Layout {
  size: number;
  vocabStart: number;
  tensorsStart: number;
  /** [start of header, start of data, end of data] of each tensor */
  tensors: { name: string; headerStart: number; dataStart: number; dataEnd: number; dimsOffset: number }[];
}

export function modelLayout(file: string): Layout {
  const d = fs.readFileSync(file);
  let o = 4 + 11 * 4;
  const nMel = d.readInt32LE(o);
  const nFft = d.readInt32LE(o + 4);
  o += 8 + nMel * nFft * 4;
  const vocabStart = o;
  const nVocab = d.readInt32LE(o);
  o += 4;
  for (let i = 0; i < nVocab; i++) o += 4 + d.readUInt32LE(o);
  const tensorsStart = o;
  const tensors: Layout['tensors'] = [];
  while (o < d.length) {
    const headerStart = o;
    const nDims = d.readInt32LE(o);
    const nameLength = d.readInt32LE(o + 4);
    const type = d.readInt32LE(o + 8);
    let elements = 1;
    for (let i = 0; i < nDims; i++) elements *= d.readInt32LE(o + 12 + 4 * i);
    const name = d.toString('utf8', o + 12 + 4 * nDims, o + 12 + 4 * nDims + nameLength);
    const dataStart = o + 12 + 4 * nDims + nameLength;
    const dataEnd = dataStart + elements * (type === 1 ? 2 : 4);
    tensors.push({ name, headerStart, dataStart, dataEnd, dimsOffset: o + 12 });
    o = dataEnd;
  }
  return { size: d.length, vocabStart, tensorsStart, tensors };
}
