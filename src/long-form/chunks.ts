/**
 * Chunked long-form (Distil-Whisper's algorithm, as the Transformers ASR pipeline runs it):
 * fixed chunks that overlap by a stride on each side, transcribed independently (in
 * parallel), their texts merged where they overlap (./merge.ts). Pure.
 */

export interface PlannedChunk {
  /** Seconds in the original audio. */
  start: number;
  end: number;
  /** The part this chunk speaks for: its span less the strides shared with its neighbours. */
  ownStart: number;
  ownEnd: number;
}

/**
 * Chunks of `chunkSeconds` every `chunkSeconds - 2 × strideSeconds`, from `start`, until
 * one reaches `end` (the pipeline's chunk_iter). The first chunk owns its left edge and
 * the last its right edge; between neighbours the boundary is the middle of their overlap.
 */
export function planChunks(start: number, end: number, chunkSeconds: number, strideSeconds: number): PlannedChunk[] {
  const step = chunkSeconds - 2 * strideSeconds;
  if (!(step > 0)) throw new RangeError(`chunk stride ${strideSeconds} s leaves no step in a ${chunkSeconds}-s chunk`);
  const chunks: PlannedChunk[] = [];
  for (let at = start; ; at += step) {
    const chunkEnd = Math.min(end, at + chunkSeconds);
    const last = chunkEnd >= end - 1e-9;
    chunks.push({
      start: at,
      end: chunkEnd,
      ownStart: chunks.length === 0 ? start : at + strideSeconds,
      ownEnd: last ? end : chunkEnd - strideSeconds,
    });
    if (last) break;
  }
  return chunks;
}
