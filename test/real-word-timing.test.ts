/**
 * Word timing on real weights (tiny.en and base from PyPI, converted) against speech whose
 * every word's start and end are known: words spoken one at a time by espeak-ng and joined
 * with seeded 80-400 ms gaps into sentences, under -50 dBFS noise
 * (scripts/speech-set/make-word-timing-set.js, 139 s, 200 words). Compared: whisper.cpp's
 * timestamp heuristic (tokenTimestamps), DTW on the alignment heads (the `dtw` load option)
 * with and without snapping word boundaries to pauses, and faster-whisper's word_timestamps
 * (OpenAI's DTW) as the reference implementation. Also what DTW costs in speed.
 *
 * Then the same on CONNECTED speech, where words run into each other: passages espeak-ng
 * reads as one utterance, every word's start and end taken from espeak-ng's own word and
 * phoneme events (scripts/speech-set/make-connected-timing-set.js, 65 s, 197 words; the
 * 16 boundaries it knows only within a 40-100 ms window are not scored). The heuristic and
 * DTW with and without pause snapping, against bounds of measured + 50 % or + 60 ms.
 *
 * Needs the real tier (scripts/prepare-real-tier.js); without it these tests are SKIPPED,
 * loudly. The figures are in the README ("Word timing").
 */
import { loadModel, segmentWords, type LoadModelOptions, type TranscribeOptions } from '../src';
import { REAL_TIER } from './support/real-tier';
import { warnSkipped } from './support/skip-banner';
import {
  connectedTimingSet,
  fasterWhisperWords,
  scoreTiming,
  wordTimingSet,
  type ErrorStats,
  type TimedWord,
  type TimingScore,
  type WordTimingSet,
} from './support/word-timing';

const THREADS = 2;
const MODELS = (['tiny.en', 'base'] as const).filter((id) => REAL_TIER?.models[id]);

if (!REAL_TIER) {
  warnSkipped([
    'SKIPPED: word timing on real weights (DTW against the timestamp heuristic). The real tier',
    'is not there (node scripts/prepare-real-tier.js, which .ci/run runs), so nothing checks how',
    'far word times are from the truth.',
  ]);
}

/**
 * Measured (README "Word timing"; ms, start/end) with a margin:
 *   tiny.en  DTW snapped mean 51/75, p90 154/364; DTW alone median 112/253; heuristic median 212/158
 *   base     DTW snapped mean 46/25, p90 143/18;  DTW alone median 290/52;  heuristic median 263/225
 */
const THRESHOLDS: Record<string, { dtwMean: number; dtwP90: number; bareMedian: number; heuristicMedian: number }> = {
  'tiny.en': { dtwMean: 150, dtwP90: 600, bareMedian: 400, heuristicMedian: 400 },
  base: { dtwMean: 120, dtwP90: 400, bareMedian: 450, heuristicMedian: 450 },
};

type Method = 'heuristic' | 'dtw' | 'dtwBare' | 'flashOff';

const CONNECTED_METHODS = ['heuristic', 'dtw', 'dtwBare'] as const;
type ConnectedMethod = (typeof CONNECTED_METHODS)[number];

/**
 * Connected speech as measured (ms, |error| of the exactly known edges of the words
 * recognised exactly: mean, median, 90th percentile; the fewest words matched of the three);
 * the tests allow each figure 50 % or 60 ms more, whichever is more. Signed, the errors show
 * no offset in the reference (base: heuristic median +2 ms, DTW -16 ms on starts inside
 * phrases); tiny.en's DTW is late there (+99 ms), and at starts after a pause, where snapping
 * puts it, on time (-1 ms).
 */
const CONNECTED_MEASURED: Record<string, { matched: number } & Record<ConnectedMethod, { start: ErrorStats; end: ErrorStats }>> = {
  'tiny.en': {
    matched: 159,
    heuristic: { start: { mean: 127, median: 97, p90: 274 }, end: { mean: 136, median: 99, p90: 292 } },
    dtw: { start: { mean: 103, median: 94, p90: 179 }, end: { mean: 102, median: 93, p90: 182 } },
    dtwBare: { start: { mean: 120, median: 106, p90: 197 }, end: { mean: 114, median: 105, p90: 194 } },
  },
  base: {
    matched: 175,
    heuristic: { start: { mean: 137, median: 99, p90: 314 }, end: { mean: 150, median: 117, p90: 338 } },
    dtw: { start: { mean: 105, median: 34, p90: 204 }, end: { mean: 100, median: 36, p90: 149 } },
    dtwBare: { start: { mean: 112, median: 41, p90: 246 }, end: { mean: 106, median: 38, p90: 158 } },
  },
};
const allowance = (measuredMs: number) => Math.max(measuredMs * 1.5, measuredMs + 60);

interface Run {
  words: TimedWord[][];
  /** Wall and CPU time of the transcriptions, model loading excluded. */
  wallMs: number;
  cpuMs: number;
  wordTiming: string | undefined;
}

const CONFIGS: Record<Method, { load: LoadModelOptions; transcribe: TranscribeOptions }> = {
  // whisper.cpp's defaults: flash attention on; the heuristic times tokens.
  heuristic: { load: {}, transcribe: { tokenTimestamps: true } },
  // Flash attention off, no DTW: the part of DTW's cost that is flash attention's absence.
  flashOff: { load: { flashAttention: false }, transcribe: { tokenTimestamps: true } },
  dtw: { load: { dtw: true }, transcribe: { tokens: true } },
  dtwBare: { load: { dtw: { snapToPauses: false } }, transcribe: { tokens: true } },
};

async function transcribeSet(file: string, set: WordTimingSet, method: Method): Promise<Run> {
  await using model = await loadModel(file, { threads: THREADS, ...CONFIGS[method].load });
  const run: Run = { words: [], wallMs: 0, cpuMs: 0, wordTiming: undefined };
  for (const clip of set.clips) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    // The long-form modes the README's figures were measured with (the clips are 28-88 s):
    // whisper.cpp's loop for one window, smart windows past 30 s.
    const longForm = clip.durationS > 30 ? 'smart' : 'native';
    const t = await model.transcribe(clip.file, { threads: THREADS, temperatureIncrement: 0, longForm, ...CONFIGS[method].transcribe });
    run.wallMs += performance.now() - started;
    const used = process.cpuUsage(cpu);
    run.cpuMs += (used.user + used.system) / 1000;
    run.wordTiming = t.wordTiming;
    run.words.push(t.segments.flatMap((segment) => segmentWords(segment, model.info)));
  }
  return run;
}

const ms = (x: number) => `${Math.round(x)}`.padStart(5);
const row = (name: string, s: TimingScore) =>
  `${name.padEnd(34)} ${`${s.matched}/${s.words}`.padStart(7)}  start ${ms(s.start.mean)} ${ms(s.start.median)} ${ms(s.start.p90)}   end ${ms(s.end.mean)} ${ms(s.end.median)} ${ms(s.end.p90)}`;

(MODELS.length > 0 ? describe.each(MODELS) : describe.skip.each([['none']]))('%s', (id) => {
  const entry = REAL_TIER?.models[id as 'tiny.en'];
  const limits = THRESHOLDS[id]!;
  let set: WordTimingSet;
  const runs = {} as Record<Method, Run>;
  const scores = {} as Record<Method | 'fasterWhisper', TimingScore>;

  beforeAll(async () => {
    set = wordTimingSet();
    // One after another (never two at once): the timings are compared.
    for (const method of ['heuristic', 'flashOff', 'dtw', 'dtwBare'] as const) {
      runs[method] = await transcribeSet(entry!.ggml, set, method);
      scores[method] = scoreTiming(set, runs[method].words);
    }
    scores.fasterWhisper = scoreTiming(set, await fasterWhisperWords(REAL_TIER!, entry!.ct2, set.clips.map((c) => c.file), THREADS));
    const speed = (m: Method) => `${ms(runs[m].wallMs)} ms wall, ${ms(runs[m].cpuMs)} ms CPU (x${(runs[m].cpuMs / runs.heuristic.cpuMs).toFixed(2)} CPU)`;
    console.log(
      [
        `${id}: ${set.wordCount} words in ${set.durationS.toFixed(0)} s; |error| in ms: mean, median, 90th percentile (words recognised exactly)`,
        row('heuristic (tokenTimestamps)', scores.heuristic),
        row('DTW, boundaries snapped to pauses', scores.dtw),
        row('DTW alone (snapToPauses: false)', scores.dtwBare),
        row('faster-whisper word_timestamps', scores.fasterWhisper),
        `speed, ${THREADS} threads: flash attention on ${speed('heuristic')}; off ${speed('flashOff')}; DTW ${speed('dtw')}`,
      ].join('\n'),
    );
  }, 1_800_000);

  test('the transcripts say how they were timed', () => {
    expect(runs.heuristic.wordTiming).toBe('heuristic');
    expect(runs.dtw.wordTiming).toBe('dtw');
    expect(runs.dtwBare.wordTiming).toBe('dtw');
  });

  test('most words are recognised, so the errors stand on enough of them', () => {
    for (const method of ['heuristic', 'dtw', 'dtwBare'] as const) expect(scores[method].matched).toBeGreaterThanOrEqual(130);
  });

  test('DTW with pause snapping: median error under 100 ms (the goal) and far below the heuristic', () => {
    const { dtw, heuristic } = scores;
    for (const edge of ['start', 'end'] as const) {
      expect(dtw[edge].median).toBeLessThan(100);
      expect(dtw[edge].mean).toBeLessThan(limits.dtwMean);
      expect(dtw[edge].p90).toBeLessThan(limits.dtwP90);
      expect(dtw[edge].mean).toBeLessThan(heuristic[edge].mean / 2);
    }
  });

  test("DTW alone stays within its measured bounds, and within 100 ms of faster-whisper's (the same algorithm)", () => {
    for (const edge of ['start', 'end'] as const) {
      expect(scores.dtwBare[edge].median).toBeLessThan(limits.bareMedian);
      expect(Math.abs(scores.dtwBare[edge].median - scores.fasterWhisper[edge].median)).toBeLessThan(100);
    }
  });

  test('the heuristic stays within its measured bounds (a regression in it would show here)', () => {
    for (const edge of ['start', 'end'] as const) expect(scores.heuristic[edge].median).toBeLessThan(limits.heuristicMedian);
  });

  // A bound against gross regressions (DTW running a second time, say), not a benchmark:
  // since llamafile's kernels (CMakeLists.txt) made the flash-attention path faster and the
  // other not, the CI figures are 1.46x (flash off) and 1.56x (DTW) with tiny.en, 1.18x and
  // 1.45x with base; before them 1.13x and 1.20x, 1.17x and 1.24x.
  test('what DTW costs: CPU time within 2x of flash attention on, the same audio', () => {
    expect(runs.dtw.cpuMs / runs.heuristic.cpuMs).toBeLessThan(2);
    expect(runs.flashOff.cpuMs / runs.heuristic.cpuMs).toBeLessThan(2);
  });

  describe('connected speech', () => {
    const measured = CONNECTED_MEASURED[id]!;
    let connected: WordTimingSet;
    const cscores = {} as Record<ConnectedMethod, TimingScore>;
    let dtwTiming: string | undefined;

    beforeAll(async () => {
      const started = performance.now();
      connected = connectedTimingSet();
      for (const method of CONNECTED_METHODS) {
        const run = await transcribeSet(entry!.ggml, connected, method);
        cscores[method] = scoreTiming(connected, run.words);
        if (method === 'dtw') dtwTiming = run.wordTiming;
      }
      const { starts, ends, matched } = cscores.dtw;
      console.log(
        [
          `${id}, connected speech: ${connected.wordCount} words in ${connected.durationS.toFixed(0)} s; |error| in ms: mean, median, 90th percentile (words recognised exactly; ` +
            `DTW: ${starts} starts and ${ends} ends of ${matched} scored, the others known only within a window)`,
          row('heuristic (tokenTimestamps)', cscores.heuristic),
          row('DTW, boundaries snapped to pauses', cscores.dtw),
          row('DTW alone (snapToPauses: false)', cscores.dtwBare),
          `${((performance.now() - started) / 1000).toFixed(1)} s for the three`,
        ].join('\n'),
      );
    }, 900_000);

    test('most words are recognised, and timed by DTW', () => {
      expect(dtwTiming).toBe('dtw');
      for (const method of CONNECTED_METHODS) expect(cscores[method].matched).toBeGreaterThanOrEqual(Math.floor(measured.matched * 0.9));
    });

    test.each(CONNECTED_METHODS)('%s: start and end errors within their measured bounds (+50 % or +60 ms)', (method) => {
      for (const edge of ['start', 'end'] as const) {
        for (const stat of ['mean', 'median', 'p90'] as const) expect(cscores[method][edge][stat]).toBeLessThan(allowance(measured[method][edge][stat]));
      }
    });
  });
});
