/**
 * Long-form transcription: which algorithm a transcription uses, and why.
 *
 * - 'native': whisper.cpp's own sequential loop in one call: each window starts after the
 *   last complete segment of the previous one. Used for models that predict timestamps on
 *   audio that fits one 30-s window, with `vad: true`, and on request.
 * - 'smart': sequential windows cut in silences (./smart-windows.ts). The default for
 *   longer audio: on real speech it lost less than whisper.cpp's loop with every model
 *   measured (README, Long-form), and distilled models, which whisper.cpp 1.9.1 decodes
 *   without timestamps, would otherwise advance in blind 30-s hops that cut words in two.
 * - 'chunked': Distil-Whisper's chunked algorithm (./chunked.ts), on request.
 */
import type { ModelInfo } from '../types/model-info';
import type { TranscribeOptions } from '../types/options';
import type { LongFormMode } from '../types/transcript';

export { transcribeInWindows } from './smart-windows';
export { transcribeInChunks } from './chunked';
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

/** Audio up to this long is one window: whisper.cpp's loop decodes it in one pass. */
const ONE_WINDOW_SECONDS = 30;
/**
 * Up to this long, whisper.cpp's loop is the default for models that predict timestamps.
 * On the speech set's nine English clips of 30-58 s (greedy with fallback, 2 threads,
 * docs/benchmarks-real-greedy-fallback.md) it made fewer errors than smart windows: tiny.en
 * 176 against 214 of 912 words (worse or equal on every clip), base 164 against 174; and it
 * was faster. Past it, smart windows were ahead on the 6-minute recording (README, Long audio).
 */
const NATIVE_UP_TO_SECONDS = 60;

export function chooseLongForm(options: TranscribeOptions, info: ModelInfo, audioSeconds: number): LongFormChoice {
  const asked = options.longForm ?? 'auto';
  if (asked !== 'auto') return { mode: asked, reason: `longForm: '${asked}' was asked for` };
  if (options.vad) {
    return { mode: 'native', reason: "vad: true: whisper.cpp's VAD removes the silences and its own loop transcribes the speech" };
  }
  const from = options.offset ?? 0;
  const seconds = Math.max(0, Math.min(audioSeconds, options.duration ? from + options.duration : Infinity) - from);
  // Models decoded without timestamps (distilled ones, and any other whisper.cpp forces to
  // noTimestamps) keep smart windows even for one window: they place segments on the speech;
  // whisper.cpp's loop would advance them in blind 30-s hops that cut words in two.
  const blind = info.distilled || info.forcedNoTimestamps;
  if (!blind && seconds <= ONE_WINDOW_SECONDS) {
    return { mode: 'native', reason: `the audio (${seconds.toFixed(1)} s) fits one 30-s window` };
  }
  if (!blind && seconds <= NATIVE_UP_TO_SECONDS) {
    return { mode: 'native', reason: `the audio (${seconds.toFixed(1)} s) spans two 30-s windows at most, where whisper.cpp's loop did better than smart windows on real speech` };
  }
  const cuts = options.vadModel ? 'in silences found by the Silero VAD (vadModel)' : 'at the quietest moments (no vadModel was given: pass one to cut in VAD-detected silences)';
  const why = info.distilled
    ? `${info.type} is a distilled model, which whisper.cpp decodes without timestamps in blind 30-s hops`
    : info.forcedNoTimestamps
      ? `whisper.cpp 1.9.1 decodes ${info.type} without timestamps (a ${info.nTextLayer}-layer decoder), so its loop would advance in blind 30-s hops`
      : "smart windows lose less than whisper.cpp's loop, which can skip speech when a window's last timestamp lands early";
  return { mode: 'smart', reason: `${why}; windows were cut ${cuts}` };
}
