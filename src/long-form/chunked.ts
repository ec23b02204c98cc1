/**
 * Chunked long-form (option `longForm: 'chunked'`): fixed, overlapping chunks
 * (./chunks.ts), transcribed independently on up to `parallel` decoding states at once,
 * their token sequences merged where they overlap (./merge.ts). One segment per chunk, for
 * the tokens the merge kept from it, in original-audio time.
 */
import type { NativeSegment, NativeSpeculativeStats, NativeToken, NativeTranscription } from '../native';
import type { ChunkReport } from '../types/transcript';
import { addSpeculativeStats } from '../speculative';
import { SAMPLE_RATE, sampleRange, shiftToken, textTokens, toTicks, type LongFormContext } from './context';
import { planChunks, type PlannedChunk } from './chunks';
import { ChunkMerger } from './merge';

export interface ChunkedOptions {
  from: number;
  to: number;
  chunkSeconds: number;
  strideSeconds: number;
  /** Chunks transcribed at once, each on its own decoding state. */
  parallel: number;
  /** Token times are meaningful (tokenTimestamps): segment bounds follow the kept tokens. */
  tokenTimes: boolean;
}

export async function transcribeInChunks(ctx: LongFormContext, options: ChunkedOptions): Promise<{ result: NativeTranscription; chunks: ChunkReport[] }> {
  const duration = ctx.sampleCount / SAMPLE_RATE;
  const planned = planChunks(options.from, Math.min(options.to, duration), options.chunkSeconds, options.strideSeconds);
  const parallel = Math.max(1, Math.min(options.parallel, planned.length));
  const params = { ...ctx.params, tokenDetails: true, threads: Math.max(1, Math.floor(ctx.params.threads / parallel)) };

  const results: (NativeTranscription | undefined)[] = planned.map(() => undefined);
  const tokens: NativeToken[][] = planned.map(() => []);
  const segments: NativeSegment[] = [];
  const merger = new ChunkMerger();
  let emittedChunks = 0;
  let finished = 0;

  // Chunks finish in any order; they are merged in order as soon as the next one is in, and
  // a chunk is final (streamed) once the chunk after it has been merged, or it is the last.
  const mergeReady = () => {
    while (merger.chunks.length < planned.length && results[merger.chunks.length]) {
      const i = merger.chunks.length;
      const c = planned[i]!;
      merger.push({ tokens: tokens[i]!.map((t) => t.id), ownFrom: (c.ownStart - c.start) / (c.end - c.start), ownTo: (c.ownEnd - c.start) / (c.end - c.start) });
    }
    const final = merger.chunks.length === planned.length ? planned.length : merger.chunks.length - 1;
    const fresh: NativeSegment[] = [];
    for (; emittedChunks < final; emittedChunks++) {
      const i = emittedChunks;
      const segment = chunkSegment(planned[i]!, results[i]!, tokens[i]!, merger.kept[i]!, options.tokenTimes, ctx);
      if (segment) fresh.push(segment);
    }
    if (fresh.length > 0) ctx.emit({ type: 'segments', index: segments.length, segments: fresh });
    segments.push(...fresh);
  };

  const transcribe = async (i: number) => {
    const chunk = planned[i]!;
    const result = await ctx.run(sampleRange(ctx, chunk.start, chunk.end), params);
    results[i] = result;
    const offset = toTicks(chunk.start);
    tokens[i] = textTokens(result, ctx.eot).map((t) => shiftToken(t, offset, offset, toTicks(chunk.end)));
    finished++;
    mergeReady();
    ctx.emit({ type: 'progress', percent: Math.floor((100 * finished) / planned.length) });
  };

  // With language detection, the first chunk decides the language for all of them.
  let next = 0;
  if (params.language === 'auto') {
    await transcribe(next++);
    params.language = results[0]!.language ?? 'en';
  }
  const lane = async () => {
    try {
      while (next < planned.length) {
        ctx.throwIfStopped();
        await transcribe(next++);
      }
    } catch (error) {
      ctx.cancelRunning(); // the other lanes' chunks are wasted work now
      throw error;
    }
  };
  const lanes = Array.from({ length: parallel }, lane);
  const outcomes = await Promise.allSettled(lanes);
  const failed = outcomes.find((o): o is PromiseRejectedResult => o.status === 'rejected');
  if (failed) throw failed.reason;

  const report: ChunkReport[] = planned.map((c, i) => ({
    ...c,
    join: merger.joins[i]!,
    tokens: tokens[i]!.length,
    keptTokens: merger.kept[i]![1] - merger.kept[i]![0],
  }));
  const language = results[0]?.language ?? null;
  const speculative = results.reduce<NativeSpeculativeStats | undefined>((sum, r) => addSpeculativeStats(sum, r?.speculative), undefined);
  return {
    result: {
      segments,
      language,
      encoderRuns: results.reduce((n, r) => n + (r?.encoderRuns ?? 0), 0),
      decodedTokens: results.reduce((n, r) => n + (r?.decodedTokens ?? 0), 0),
      totalMs: results.reduce((n, r) => n + (r?.totalMs ?? 0), 0),
      ...(speculative && { speculative }),
    },
    chunks: report,
  };
}

function chunkSegment(chunk: PlannedChunk, result: NativeTranscription, tokens: NativeToken[], [from, to]: [number, number], tokenTimes: boolean, ctx: LongFormContext): NativeSegment | null {
  const kept = tokens.slice(from, to);
  if (kept.length === 0) return null;
  const text = ctx.detokenize(kept.map((t) => t.id));
  const t0 = tokenTimes ? kept[0]!.t0 : toTicks(chunk.ownStart);
  const t1 = tokenTimes ? Math.max(t0, kept[kept.length - 1]!.t1) : toTicks(chunk.ownEnd);
  return { t0, t1, text, noSpeechProb: result.segments[0]?.noSpeechProb ?? 0, tokens: kept };
}
