/**
 * Where the windows of a smart-window transcription go (pure; see ./index.ts).
 *
 * Left to right, each window is at most `maxSeconds` long and ends:
 * - in a silence the VAD found: the latest one that ends the window at least `minSeconds`
 *   after it starts, cut in the middle of the part of the silence the window can reach;
 * - else at the quietest moment (lowest 100-ms loudness) in the window's second half, when
 *   speech runs on past `maxSeconds` or there is no VAD;
 * - at the end of the audio.
 * Windows cover [start, end] exactly: each starts where the previous one ended.
 */
import { silences, type Region } from './speech';

export type WindowCut = 'silence' | 'quietest' | 'end';

export interface PlannedWindow {
  /** Seconds in the original audio, on 10-ms frame boundaries. */
  start: number;
  end: number;
  /** Why the window ends where it does. */
  cut: WindowCut;
}

export interface WindowPlanInput {
  /** Seconds: the part of the audio to cover. */
  start: number;
  end: number;
  /** Loudness (RMS) of each 10-ms frame of the whole audio. */
  rms: ArrayLike<number>;
  /** Speech regions from the VAD (seconds), or null without a VAD model. */
  speech: readonly Region[] | null;
  /** Longest window: whisper's 30 s. */
  maxSeconds: number;
  /** Shortest window that ends in a silence. Default 1 s. */
  minSeconds?: number;
}

const FRAME = 0.01;
const SMOOTH_FRAMES = 10; // 100 ms

const frames = (seconds: number) => Math.round(seconds / FRAME);
/** Seconds of a frame boundary, exactly as written in decimal (2990 -> 29.9). */
const at10ms = (frame: number) => frame / 100;

/** The 10-ms frame boundary with the lowest mean loudness over the 100 ms around it, in [from, to]. */
export function quietestPoint(rms: ArrayLike<number>, from: number, to: number): number {
  const first = frames(from);
  const last = frames(to);
  let best = last;
  let bestLoudness = Infinity;
  for (let f = first; f <= last; f++) {
    let sum = 0;
    let n = 0;
    for (let k = f - SMOOTH_FRAMES / 2; k < f + SMOOTH_FRAMES / 2; k++) {
      if (k >= 0 && k < rms.length) {
        sum += rms[k]!;
        n++;
      }
    }
    const loudness = n > 0 ? sum / n : 0;
    // `<=`: on a tie the latest point wins, so the window is as long as it can be.
    if (loudness <= bestLoudness) {
      bestLoudness = loudness;
      best = f;
    }
  }
  return at10ms(best);
}

export function planWindows(input: WindowPlanInput): PlannedWindow[] {
  const { rms, speech, maxSeconds } = input;
  const minSeconds = input.minSeconds ?? 1;
  const end = at10ms(frames(input.end));
  const windows: PlannedWindow[] = [];
  let at = at10ms(frames(input.start));
  while (end - at > maxSeconds + 1e-9) {
    const limit = at10ms(frames(at + maxSeconds));
    let cut: number | undefined;
    if (speech) {
      const reachable = silences(speech, at + minSeconds, limit).filter(([s, e]) => e - s > 1e-9);
      const latest = reachable[reachable.length - 1];
      if (latest) cut = at10ms(frames((latest[0] + latest[1]) / 2));
    }
    const kind: WindowCut = cut === undefined ? 'quietest' : 'silence';
    if (cut === undefined) cut = quietestPoint(rms, at + maxSeconds / 2, limit);
    // Never an empty or backwards window, whatever rounding did.
    cut = Math.min(limit, Math.max(cut, at10ms(frames(at) + 1)));
    windows.push({ start: at, end: cut, cut: kind });
    at = cut;
  }
  windows.push({ start: at, end, cut: 'end' });
  return windows;
}
