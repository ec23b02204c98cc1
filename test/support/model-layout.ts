/** Byte offsets of the regions of a ggml whisper file, for cutting and corrupting it (fuzz/model-layout.js). */
export interface Layout {
  size: number;
  hparamsStart: number;
  melStart: number;
  melDataStart: number;
  vocabStart: number;
  tokenStarts: number[];
  tensorsStart: number;
  tensors: { name: string; type: number; nDims: number; headerStart: number; dimsOffset: number; nameOffset: number; dataStart: number; dataEnd: number }[];
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
const layout = require('../../fuzz/model-layout.js') as { modelLayout(input: string | Buffer): Layout };

export const modelLayout: (input: string | Buffer) => Layout = layout.modelLayout;
