/**
 * Speech regions from Silero VAD probabilities, the way Silero's get_speech_timestamps
 * (and whisper.cpp's port of it) reads them: speech starts when a frame's probability
 * reaches the threshold and ends after `minSilenceMs` below `threshold - 0.15`; regions
 * shorter than `minSpeechMs` are dropped and the rest padded by `padMs` on each side.
 * Pure, so the window planner's inputs can be tested without a model.
 */

/** One VAD frame: 512 samples at 16 kHz. */
export const VAD_FRAME_SECONDS = 512 / 16000;

/** The transcribe options vadThreshold, vadMinSpeechMs, vadMinSilenceMs, vadSpeechPadMs (defaults: src/options/table.ts). */
export interface SpeechDetectionOptions {
  /** Probability at which speech starts. */
  threshold: number;
  /** Shortest speech kept, ms. */
  minSpeechMs: number;
  /** Silence that ends speech, ms. */
  minSilenceMs: number;
  /** Padding around each region, ms. */
  padMs: number;
}

/** [start, end] in seconds, sorted, disjoint, within [0, durationSeconds]. */
export type Region = readonly [number, number];

export function speechRegions(probabilities: ArrayLike<number>, durationSeconds: number, options: SpeechDetectionOptions): Region[] {
  const endThreshold = Math.max(0.01, options.threshold - 0.15);
  const raw: [number, number][] = [];
  let start = -1;
  let silentSince = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i]!;
    const t = i * VAD_FRAME_SECONDS;
    if (start < 0) {
      if (p >= options.threshold) start = t;
      continue;
    }
    if (p >= endThreshold) {
      silentSince = -1;
    } else {
      if (silentSince < 0) silentSince = t;
      if ((t + VAD_FRAME_SECONDS - silentSince) * 1000 >= options.minSilenceMs) {
        raw.push([start, silentSince]);
        start = -1;
        silentSince = -1;
      }
    }
  }
  if (start >= 0) raw.push([start, silentSince >= 0 ? silentSince : probabilities.length * VAD_FRAME_SECONDS]);

  const pad = options.padMs / 1000;
  const regions: [number, number][] = [];
  for (const [s, e] of raw) {
    if ((e - s) * 1000 < options.minSpeechMs) continue;
    const padded: [number, number] = [Math.max(0, s - pad), Math.min(durationSeconds, e + pad)];
    const last = regions[regions.length - 1];
    if (last && padded[0] <= last[1]) last[1] = Math.max(last[1], padded[1]);
    else if (padded[1] > padded[0]) regions.push(padded);
  }
  return regions;
}

/** The silences between (and around) speech regions within [from, to]. */
export function silences(speech: readonly Region[], from: number, to: number): Region[] {
  const gaps: Region[] = [];
  let at = from;
  for (const [s, e] of speech) {
    if (e <= from) continue;
    if (s >= to) break;
    if (s > at) gaps.push([at, s]);
    at = Math.max(at, e);
  }
  if (to > at) gaps.push([at, to]);
  return gaps;
}
