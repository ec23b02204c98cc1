/** Placing smart windows and chunks (src/long-form/{speech,windows,chunks}.ts), without a model. */
import { planChunks } from '../src/long-form/chunks';
import { silences, speechRegions, VAD_FRAME_SECONDS } from '../src/long-form/speech';
import { planWindows, quietestPoint, type PlannedWindow } from '../src/long-form/windows';

/** Windows tile [start, end]: contiguous, in order, none empty or longer than max. */
function expectTiling(windows: PlannedWindow[], start: number, end: number, max: number): void {
  expect(windows[0]!.start).toBeCloseTo(start, 6);
  expect(windows[windows.length - 1]!.end).toBeCloseTo(end, 6);
  windows.forEach((w, i) => {
    expect(w.end).toBeGreaterThan(w.start);
    expect(w.end - w.start).toBeLessThanOrEqual(max + 1e-6);
    if (i > 0) expect(w.start).toBe(windows[i - 1]!.end);
  });
  expect(windows[windows.length - 1]!.cut).toBe('end');
}

/** Probabilities for VAD frames: 0.9 inside the given speech intervals (seconds), 0.05 outside. */
function probabilities(seconds: number, speech: [number, number][]): Float32Array {
  const p = new Float32Array(Math.ceil(seconds / VAD_FRAME_SECONDS));
  for (let i = 0; i < p.length; i++) {
    const t = i * VAD_FRAME_SECONDS;
    p[i] = speech.some(([s, e]) => t >= s && t < e) ? 0.9 : 0.05;
  }
  return p;
}

const flatRms = (seconds: number, value = 0.1) => new Float32Array(seconds * 100).fill(value);

describe('speech regions from VAD probabilities', () => {
  test('regions follow the speech, padded, with short blips and short pauses dropped', () => {
    const p = probabilities(10, [[1, 3], [3.05, 4], [6, 6.1], [7, 9]]);
    const regions = speechRegions(p, 10, { threshold: 0.5, minSpeechMs: 250, minSilenceMs: 100, padMs: 30 });
    // [1,3] and [3.05,4] are one region (a 50-ms pause is shorter than minSilenceMs); the
    // 100-ms blip at 6 s is shorter than minSpeechMs.
    // Speech is seen from the first frame at or after each edge (frames of 32 ms: 1 s is
    // seen at 1.024, 4 s at 4.000), and the pad moves each edge by exactly 30 ms: a pad
    // of 29 or 31 ms fails.
    const frame = (t: number) => Math.ceil(t / VAD_FRAME_SECONDS - 1e-6) * VAD_FRAME_SECONDS;
    expect(regions.length).toBe(2);
    expect(regions[0]![0]).toBeCloseTo(frame(1) - 0.03, 6);
    expect(regions[0]![1]).toBeCloseTo(frame(4) + 0.03, 6);
    expect(regions[1]![0]).toBeCloseTo(frame(7) - 0.03, 6);
    expect(regions[1]![1]).toBeCloseTo(frame(9) + 0.03, 6);
  });

  test('silences are the complement of speech within a span', () => {
    expect(silences([[1, 2], [3, 4]], 0, 5)).toEqual([[0, 1], [2, 3], [4, 5]]);
    expect(silences([[1, 2], [3, 4]], 1.5, 3.5)).toEqual([[2, 3]]);
    expect(silences([], 0, 5)).toEqual([[0, 5]]);
    expect(silences([[0, 5]], 0, 5)).toEqual([]);
  });
});

describe('smart windows', () => {
  test('audio up to 30 s is one window', () => {
    expect(planWindows({ start: 0, end: 25, rms: flatRms(25), speech: [[0, 25]], maxSeconds: 30 })).toEqual([{ start: 0, end: 25, cut: 'end' }]);
  });

  test('each boundary is in the middle of the latest silence within reach', () => {
    // Utterances of 8 s with 1-s pauses, for 100 s.
    const speech: [number, number][] = [];
    for (let t = 0; t < 100; t += 9) speech.push([t, Math.min(100, t + 8)]);
    const windows = planWindows({ start: 0, end: 100, rms: flatRms(100), speech, maxSeconds: 30 });
    expectTiling(windows, 0, 100, 30);
    for (const w of windows.slice(0, -1)) {
      expect(w.cut).toBe('silence');
      expect(speech.some(([s, e]) => w.end > s && w.end < e)).toBe(false); // not inside speech
      expect(w.end % 9).toBeCloseTo(8.5, 6); // the middle of a pause
    }
    // The latest pause within 30 s: 26.5, then 26.5 + 27 = 53.5, ...
    expect(windows.map((w) => w.end)).toEqual([26.5, 53.5, 80.5, 100]);
  });

  test('speech longer than a window is cut at the quietest 100 ms of the window\'s second half', () => {
    const rms = flatRms(70, 0.2);
    rms.fill(0.01, 2200, 2210); // a quiet 100 ms at 22.0-22.1 s
    rms.fill(0.005, 500, 510); // quieter, but in the first half of the window: not chosen
    const windows = planWindows({ start: 0, end: 70, rms, speech: [[0, 70]], maxSeconds: 30 });
    expectTiling(windows, 0, 70, 30);
    expect(windows[0]).toEqual({ start: 0, end: 22.05, cut: 'quietest' });
    expect(windows.every((w) => w.cut !== 'silence')).toBe(true);
  });

  test('without a VAD every cut is at the quietest moment', () => {
    const rms = flatRms(65, 0.3);
    rms.fill(0, 2700, 2800); // 27-28 s silent
    const windows = planWindows({ start: 0, end: 65, rms, speech: null, maxSeconds: 30 });
    expectTiling(windows, 0, 65, 30);
    expect(windows[0]!.cut).toBe('quietest');
    expect(windows[0]!.end).toBeGreaterThanOrEqual(27);
    expect(windows[0]!.end).toBeLessThanOrEqual(28);
  });

  test('the quietest point prefers the latest of equally quiet moments (longer windows)', () => {
    expect(quietestPoint(new Float32Array(3000), 15, 30)).toBe(30);
  });

  test('an offset and a duration limit the span the windows cover', () => {
    const windows = planWindows({ start: 12.345, end: 80, rms: flatRms(100), speech: [[0, 100]], maxSeconds: 30 });
    expectTiling(windows, 12.35, 80, 30);
  });

  test('a silence right at the start does not make an empty window', () => {
    const windows = planWindows({ start: 0, end: 61, rms: flatRms(61), speech: [[0.5, 61]], maxSeconds: 30 });
    expectTiling(windows, 0, 61, 30);
    expect(windows[0]!.end).toBeGreaterThan(1);
  });
});

describe('chunks', () => {
  test('15-s chunks with 2.5-s strides step by 10 s; the parts they own tile the audio', () => {
    const chunks = planChunks(0, 42, 15, 2.5);
    expect(chunks.map((c) => [c.start, c.end])).toEqual([[0, 15], [10, 25], [20, 35], [30, 42]]);
    expect(chunks[0]!.ownStart).toBe(0);
    expect(chunks[chunks.length - 1]!.ownEnd).toBe(42);
    chunks.forEach((c, i) => {
      if (i > 0) expect(c.ownStart).toBe(chunks[i - 1]!.ownEnd);
      expect(c.ownStart).toBeGreaterThanOrEqual(c.start);
      expect(c.ownEnd).toBeLessThanOrEqual(c.end);
    });
  });

  test('short audio is one chunk; a stride that leaves no step is refused', () => {
    expect(planChunks(0, 9, 15, 2.5)).toEqual([{ start: 0, end: 9, ownStart: 0, ownEnd: 9 }]);
    expect(() => planChunks(0, 60, 10, 5)).toThrow(RangeError);
  });
});
