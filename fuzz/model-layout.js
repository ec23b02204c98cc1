// The regions of a ggml whisper model file, for cutting and corrupting it on purpose:
//   magic | 11 int32 hyperparameters | n_mel, n_fft, mel filters (f32) |
//   n_vocab, then per token: uint32 length + bytes |
//   per tensor: n_dims, name length, type, dims[n_dims] (int32), name, data
// Used by the fuzzer (fuzz/model-mutations.js) and the model-file tests.
'use strict';
const fs = require('node:fs');

const HPARAMS = ['n_vocab', 'n_audio_ctx', 'n_audio_state', 'n_audio_head', 'n_audio_layer', 'n_text_ctx', 'n_text_state', 'n_text_head', 'n_text_layer', 'n_mels', 'ftype'];
/** Bytes per element of the types a generated file holds (f32, f16). */
const TYPE_SIZE = { 0: 4, 1: 2 };

/**
 * @param {Buffer | string} input the file's bytes, or its path
 * @returns {{ size: number, hparamsStart: number, melStart: number, melDataStart: number,
 *   vocabStart: number, tokenStarts: number[], tensorsStart: number,
 *   tensors: { name: string, type: number, nDims: number, headerStart: number, dimsOffset: number,
 *     nameOffset: number, dataStart: number, dataEnd: number }[] }}
 */
function modelLayout(input) {
  const d = typeof input === 'string' ? fs.readFileSync(input) : input;
  const hparamsStart = 4;
  const melStart = hparamsStart + HPARAMS.length * 4;
  const nMel = d.readInt32LE(melStart);
  const nFft = d.readInt32LE(melStart + 4);
  const melDataStart = melStart + 8;
  let o = melDataStart + nMel * nFft * 4;
  const vocabStart = o;
  const nVocab = d.readInt32LE(o);
  o += 4;
  const tokenStarts = [];
  for (let i = 0; i < nVocab; i++) {
    tokenStarts.push(o);
    o += 4 + d.readUInt32LE(o);
  }
  const tensorsStart = o;
  const tensors = [];
  while (o < d.length) {
    const headerStart = o;
    const nDims = d.readInt32LE(o);
    const nameLength = d.readInt32LE(o + 4);
    const type = d.readInt32LE(o + 8);
    let elements = 1;
    for (let i = 0; i < nDims; i++) elements *= d.readInt32LE(o + 12 + 4 * i);
    const nameOffset = o + 12 + 4 * nDims;
    const name = d.toString('utf8', nameOffset, nameOffset + nameLength);
    const dataStart = nameOffset + nameLength;
    const dataEnd = dataStart + elements * TYPE_SIZE[type];
    tensors.push({ name, type, nDims, headerStart, dimsOffset: o + 12, nameOffset, dataStart, dataEnd });
    o = dataEnd;
  }
  return { size: d.length, hparamsStart, melStart, melDataStart, vocabStart, tokenStarts, tensorsStart, tensors };
}

module.exports = { modelLayout, HPARAMS };
