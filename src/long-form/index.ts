/**
 * Long-form transcription: which algorithm a transcription uses, and why.
 *
 * - 'native': whisper.cpp's own sequential loop in one call. For models that predict
 *   timestamps it is the reference algorithm: each window starts after the last complete
 *   segment of the previous one.
 * - 'smart': sequential windows cut in silences (./smart-windows.ts). The default for
 *   distilled models, which whisper.cpp 1.9.1 decodes without timestamps and therefore
 *   advances in blind 30-s hops that cut words in two.
 * - 'chunked': Distil-Whisper's chunked algorithm (./chunked.ts), on request.
 */
import type { ModelInfo } from '../model-info';
import type { TranscribeOptions } from '../options';

export type LongFormMode = 'native' | 'smart' | 'chunked';

export { transcribeInWindows, MAX_WINDOW_SECONDS, type WindowReport } from './smart-windows';
export { transcribeInChunks, type ChunkReport } from './chunked';
export type { LongFormContext, SpeechAnalysis } from './context';

export interface LongFormChoice {
  mode: LongFormMode;
  /** One sentence: why this mode. */
  reason: string;
}

/** Default chunk length of 'chunked': the Distil-Whisper paper's 15 s for distilled models, 30 s otherwise. */
export function defaultChunkSeconds(info: ModelInfo): number {
  return info.distilled ? 15 : 30;
}

export function chooseLongForm(options: TranscribeOptions, info: ModelInfo): LongFormChoice {
  const asked = options.longForm ?? 'auto';
  if (asked !== 'auto') return { mode: asked, reason: `longForm: '${asked}' was asked for` };
  if (options.vad) {
    return { mode: 'native', reason: "vad: true: whisper.cpp's VAD removes the silences and its own loop transcribes the speech" };
  }
  if (info.distilled) {
    const cuts = options.vadModel ? 'in silences found by the Silero VAD (vadModel)' : 'at the quietest moments (no vadModel was given: pass one to cut in VAD-detected silences)';
    return {
      mode: 'smart',
      reason: `${info.type} is a distilled model, which whisper.cpp decodes without timestamps in blind 30-s hops; windows were cut ${cuts}`,
    };
  }
  return { mode: 'native', reason: `${info.type} predicts timestamps: whisper.cpp's own loop starts each window after the last complete segment` };
}
