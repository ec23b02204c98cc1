/**
 * What a ggml whisper model file holds, as whisper.cpp's convert-pt-to-ggml.py writes it
 * and whisper.cpp's loader expects it: the header fields, and the tensors with their ggml
 * shapes (innermost dimension first) and whether they are weight matrices (stored in the
 * file's weight type) or kept in f32 (biases, norms, positional embeddings).
 */

export interface WhisperHparams {
  nVocab: number;
  nAudioCtx: number;
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
}

export interface GgmlTensorSlot {
  /** The name whisper.cpp looks up (PyTorch's state-dict name). */
  name: string;
  /** ggml order: the innermost (fastest-varying) dimension first. */
  ne: number[];
  kind: 'matrix' | 'f32';
}

/** The attention, norm and MLP tensors of one block, self- and (decoder) cross-attention. */
function blockSlots(prefix: string, n: number, cross: boolean): GgmlTensorSlot[] {
  const slots: GgmlTensorSlot[] = [];
  const attention = (p: string) => {
    slots.push(
      { name: `${prefix}${p}.query.weight`, ne: [n, n], kind: 'matrix' },
      { name: `${prefix}${p}.query.bias`, ne: [n], kind: 'f32' },
      { name: `${prefix}${p}.key.weight`, ne: [n, n], kind: 'matrix' },
      { name: `${prefix}${p}.value.weight`, ne: [n, n], kind: 'matrix' },
      { name: `${prefix}${p}.value.bias`, ne: [n], kind: 'f32' },
      { name: `${prefix}${p}.out.weight`, ne: [n, n], kind: 'matrix' },
      { name: `${prefix}${p}.out.bias`, ne: [n], kind: 'f32' },
      { name: `${prefix}${p}_ln.weight`, ne: [n], kind: 'f32' },
      { name: `${prefix}${p}_ln.bias`, ne: [n], kind: 'f32' },
    );
  };
  attention('attn');
  if (cross) attention('cross_attn');
  slots.push(
    { name: `${prefix}mlp.0.weight`, ne: [n, 4 * n], kind: 'matrix' },
    { name: `${prefix}mlp.0.bias`, ne: [4 * n], kind: 'f32' },
    { name: `${prefix}mlp.2.weight`, ne: [4 * n, n], kind: 'matrix' },
    { name: `${prefix}mlp.2.bias`, ne: [n], kind: 'f32' },
    { name: `${prefix}mlp_ln.weight`, ne: [n], kind: 'f32' },
    { name: `${prefix}mlp_ln.bias`, ne: [n], kind: 'f32' },
  );
  return slots;
}

/** Every tensor of a whisper model, in the order the reference converter writes them. */
export function whisperTensorSlots(h: WhisperHparams): GgmlTensorSlot[] {
  const a = h.nAudioState;
  const t = h.nTextState;
  const slots: GgmlTensorSlot[] = [
    { name: 'encoder.positional_embedding', ne: [a, h.nAudioCtx], kind: 'f32' },
    { name: 'encoder.conv1.weight', ne: [3, h.nMels, a], kind: 'matrix' },
    { name: 'encoder.conv1.bias', ne: [1, a], kind: 'f32' },
    { name: 'encoder.conv2.weight', ne: [3, a, a], kind: 'matrix' },
    { name: 'encoder.conv2.bias', ne: [1, a], kind: 'f32' },
  ];
  for (let i = 0; i < h.nAudioLayer; i++) slots.push(...blockSlots(`encoder.blocks.${i}.`, a, false));
  slots.push(
    { name: 'encoder.ln_post.weight', ne: [a], kind: 'f32' },
    { name: 'encoder.ln_post.bias', ne: [a], kind: 'f32' },
    { name: 'decoder.positional_embedding', ne: [t, h.nTextCtx], kind: 'f32' },
    { name: 'decoder.token_embedding.weight', ne: [t, h.nVocab], kind: 'matrix' },
  );
  for (let i = 0; i < h.nTextLayer; i++) slots.push(...blockSlots(`decoder.blocks.${i}.`, t, true));
  slots.push({ name: 'decoder.ln.weight', ne: [t], kind: 'f32' }, { name: 'decoder.ln.bias', ne: [t], kind: 'f32' });
  return slots;
}
