/**
 * Sequential long-form with smart windows: one pass, left to right, like whisper.cpp's own
 * loop, but with windows cut in silences (./windows.ts) rather than in blind 30-s hops, so
 * no word straddles a boundary, and each window decoded on its own. Each
 * window is one whisper.cpp call on a range of the shared signal; segment times are mapped
 * back to the original audio.
 */
import type { NativeSegment, NativeSpeculativeStats, NativeTranscribeParams, NativeTranscription } from '../native';
import type { WindowReport } from '../types/transcript';
import { addSpeculativeStats } from '../speculative';
import { SAMPLE_RATE, sampleRange, shiftToken, toTicks, type LongFormContext } from './context';
import { speechRegions, type Region, type SpeechDetectionOptions } from './speech';
import { planWindows, type PlannedWindow } from './windows';

export interface SmartWindowOptions {
  /** Seconds of the audio to cover. */
  from: number;
  to: number;
  vadModel: string | undefined;
  speechDetection: SpeechDetectionOptions;
  /** Segments span whole windows (the model predicts no timestamps): trim them to the speech in them. */
  trimToSpeech: boolean;
  /** Keep the initial prompt in front of every window's context. */
  carryInitialPrompt: boolean;
  initialPrompt: string | undefined;
}

export const MAX_WINDOW_SECONDS = 30;

export async function transcribeInWindows(ctx: LongFormContext, options: SmartWindowOptions): Promise<{ result: NativeTranscription; windows: WindowReport[] }> {
  const duration = ctx.sampleCount / SAMPLE_RATE;
  // One thread: the VAD is a small LSTM run frame by frame (5 min of audio: 0.8 s on one
  // thread, 1.1 s on two).
  const analysis = await ctx.analyze(options.vadModel, 1);
  const speech = analysis.speechProbabilities ? speechRegions(analysis.speechProbabilities, duration, options.speechDetection) : null;
  const planned = planWindows({ start: options.from, end: Math.min(options.to, duration), rms: analysis.rms, speech, maxSeconds: MAX_WINDOW_SECONDS });

  const initialTokens = options.carryInitialPrompt && options.initialPrompt ? Array.from(ctx.tokenize(options.initialPrompt)) : [];
  const segments: NativeSegment[] = [];
  const windows: WindowReport[] = [];
  let decodedBefore = false;
  let language: string | null = null;
  let encoderRuns = 0;
  let decodedTokens = 0;
  let totalMs = 0;
  let speculative: NativeSpeculativeStats | undefined;
  const total = planned.reduce((sum, w) => sum + (w.end - w.start), 0);
  let done = 0;

  for (const window of planned) {
    ctx.throwIfStopped();
    const inWindow = speech?.filter(([s, e]) => e > window.start && s < window.end);
    const transcribed = inWindow === undefined || inWindow.length > 0;
    windows.push({ ...window, transcribed });
    if (transcribed) {
      const params: NativeTranscribeParams = { ...ctx.params, tokenDetails: true, carryInitialPrompt: false };
      if (language !== null) params.language = language; // detected in the first window
      // Each window is decoded on its own: conditioned on the text before it, tiny.en wrote
      // a third as many segments (most a whole window long), or, with that text's timestamps
      // too, lost 7 % of the words (README, Long audio). The initial prompt primes the
      // first window, and every window with carryInitialPrompt.
      if (decodedBefore) {
        delete params.initialPrompt;
        if (initialTokens.length > 0) params.promptTokens = Int32Array.from(initialTokens.slice(0, ctx.maxPromptTokens));
      }
      const result = await ctx.run(sampleRange(ctx, window.start, window.end), params);
      decodedBefore = true;
      encoderRuns += result.encoderRuns;
      decodedTokens += result.decodedTokens;
      totalMs += result.totalMs;
      speculative = addSpeculativeStats(speculative, result.speculative);
      if (language === null && ctx.params.language === 'auto') language = result.language;
      const mapped = mapWindowSegments(result.segments, window, options.trimToSpeech ? (inWindow ?? null) : null);
      if (mapped.length > 0) ctx.emit({ type: 'segments', index: segments.length, segments: mapped });
      segments.push(...mapped);
    }
    done += window.end - window.start;
    ctx.emit({ type: 'progress', percent: total > 0 ? Math.floor((100 * done) / total) : 100 });
  }
  return { result: { segments, language, encoderRuns, decodedTokens, totalMs, ...(speculative && { speculative }) }, windows };
}

/**
 * A window's segments in original-audio time. When the model predicts no timestamps, a
 * segment spans the whole window; with VAD regions it is trimmed to the speech in it.
 */
function mapWindowSegments(segments: readonly NativeSegment[], window: PlannedWindow, speech: readonly Region[] | null): NativeSegment[] {
  const offset = toTicks(window.start);
  const lo = offset;
  const hi = toTicks(window.end);
  const speechLo = speech && speech.length > 0 ? Math.max(lo, toTicks(speech[0]![0])) : lo;
  const speechHi = speech && speech.length > 0 ? Math.min(hi, toTicks(speech[speech.length - 1]![1])) : hi;
  return segments.map((s) => {
    let t0 = Math.min(hi, Math.max(lo, s.t0 + offset));
    let t1 = Math.min(hi, Math.max(t0, s.t1 + offset));
    if (speech) {
      t0 = Math.max(t0, speechLo);
      t1 = Math.max(t0, Math.min(t1, speechHi));
    }
    const mapped: NativeSegment = { ...s, t0, t1 };
    if (s.tokens) {
      const tokens = s.tokens.map((t) => shiftToken(t, offset, lo, hi));
      // whisper.cpp spread the tokens over the whole window; squeeze them onto its speech.
      const squeeze = (t: number) => (speech && hi > lo ? speechLo + ((t - lo) * (speechHi - speechLo)) / (hi - lo) : t);
      mapped.tokens = tokens.map((t) => ({ ...t, t0: Math.round(squeeze(t.t0)), t1: Math.round(squeeze(t.t1)) }));
    }
    return mapped;
  });
}
