/**
 * Quality on real speech with real weights (issue 17): silence, noise and pauses with the
 * default options; `initialPrompt` steering the spelling of a rare name; language detection
 * and translation with base; greedy against beam search, with and without the temperature
 * fallback. Figures are printed; thresholds carry a margin over what was measured when this
 * was written (2 threads). Without the real tier this is SKIPPED, loudly.
 *
 * CI time: the whole file must stay near 4 minutes on 2 cores, so the language and
 * beam/fallback sections run on named subsets of the speech set (see LANGUAGE_ITEMS and
 * BEAM_ITEMS). WHISPER_REAL_QUALITY=full runs them on every item, as for the README figures.
 * small is not measured: its only PyPI package is cut off (see the real tier's manifest).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadModel, type Segment, type TranscribeOptions } from '../src';
import { readPcm16Wav } from './support/audio';
import { REAL_TIER, speechItems, type SpeechItem } from './support/real-tier';
import { plainToolEnv } from './support/sanitized';
import { warnSkipped } from './support/skip-banner';
import { corpusWordErrorRate, normalizeWords } from './support/wer';

const THREADS = 2;
const FULL = process.env.WHISPER_REAL_QUALITY === 'full';
const models = Object.entries(REAL_TIER?.models ?? {}).map(([id, entry]) => [id, entry!.ggml] as const);
const base = REAL_TIER?.models.base;
const pct = (x: number) => `${(100 * x).toFixed(1)} %`;

if (!REAL_TIER) {
  warnSkipped([
    'SKIPPED: quality on real speech (silence, noise, pauses, prompts, language detection,',
    'translation, beam search and fallback). No real tier: run node scripts/prepare-real-tier.js',
    '(.ci/run does) to run them.',
  ]);
}

interface Pause {
  atS: number;
  lengthS: number;
}
type LongItem = SpeechItem & { pauses: Pause[] };

function item(id: string): SpeechItem {
  const found = speechItems(REAL_TIER!).find((i) => i.id === id);
  if (!found) throw new Error(`the speech set has no item ${id}`);
  return found;
}

(REAL_TIER ? describe : describe.skip)('silence, noise and pauses, default options', () => {
  // Only the thread count is set: everything else is what a user gets.
  const defaults: TranscribeOptions = { threads: THREADS };

  test.each(models)('%s: 30 s of digital silence and 30 s of white noise (-30 dBFS) give no text', async (id, ggml) => {
    await using model = await loadModel(ggml);
    for (const name of ['silence-30s', 'noise-30s']) {
      const t = await model.transcribe(item(name).file, { ...defaults, tokens: true });
      console.log(`${id} ${name}: ${JSON.stringify(t.text)}, ${t.segments.length} segments`);
      // Before the no-speech annotation rule (isNoSpeechAnnotation), both models wrote
      // " [BLANK_AUDIO]" over the silence (no-speech probability 0.90).
      expect(t.text).toBe('');
      expect(t.segments).toEqual([]);
    }
  });

  test('tiny.en: a streamed transcript leaves the annotation out too and numbers what is left from 0', async () => {
    const tiny = REAL_TIER!.models['tiny.en'];
    if (!tiny) return warnSkipped(['SKIPPED: the streaming check needs tiny.en.']);
    await using model = await loadModel(tiny.ggml);
    // 35 s of silence (a first window of " [BLANK_AUDIO]" before the rule), then speech.
    const speech = readPcm16Wav(item('human-librivox-0870').file);
    const audio = new Float32Array(35 * 16000 + speech.length);
    audio.set(speech, 35 * 16000);
    const streamed: [number, Segment][] = [];
    const t = await model.transcribe(audio, { ...defaults, onSegment: (segment, index) => streamed.push([index, segment]) });
    console.log(`tiny.en, 35 s of silence then librivox-0870: ${JSON.stringify(t.segments.map((s) => [s.start, s.end, s.text]))}`);
    expect(normalizeWords(t.text)).toContain('dashwood');
    expect(t.segments.every((s) => s.start >= 30)).toBe(true);
    expect(streamed).toEqual(t.segments.map((s, i) => [i, s]));
    // noSpeechThreshold 1 keeps it: the annotation first, then the same segments.
    const kept = await model.transcribe(audio, { ...defaults, noSpeechThreshold: 1 });
    console.log(`  with noSpeechThreshold 1: ${JSON.stringify(kept.segments.map((s) => [s.start, s.end, s.text, +s.noSpeechProbability.toFixed(3)]))}`);
    expect(kept.segments[0]!.text).toMatch(/^\s*\[[A-Z_]+\]\s*$/);
    expect(kept.segments.slice(1).map((s) => s.text)).toEqual(t.segments.map((s) => s.text));
  });

  test.each(models)('%s: no segment lies inside a pause of the 6-minute recording', async (id, ggml) => {
    const long = item('en-long') as LongItem;
    // CI time: base (2.5 times slower than tiny.en) hears the first 3 minutes only.
    const duration = FULL || id === 'tiny.en' ? long.durationS : 180;
    // The pauses between sentences and between clips, and the 0.2-s lead-in and 0.4-s tail.
    const pauses = [{ atS: 0, lengthS: 0.2 }, ...long.pauses, { atS: long.durationS - 0.4, lengthS: 0.4 }].filter((p) => p.atS < duration);
    await using model = await loadModel(ggml);
    const started = performance.now();
    const t = await model.transcribe(long.file, duration < long.durationS ? { ...defaults, duration } : defaults);
    const seconds = (performance.now() - started) / 1000;
    // Whisper's timestamps are good to a few tenths of a second: a segment counts as lying
    // in a pause when its whole span does, give or take 0.25 s.
    const slack = 0.25;
    const inPause = t.segments.filter((s) => pauses.some((p) => s.start >= p.atS - slack && s.end <= p.atS + p.lengthS + slack));
    const pauseSeconds = pauses.reduce((sum, p) => sum + p.lengthS, 0);
    console.log(
      `${id} en-long (${duration.toFixed(0)} of ${long.durationS.toFixed(0)} s, ${pauses.length} pauses, ${pauseSeconds.toFixed(0)} s of silence), default options: ` +
        `${t.segments.length} segments, ${inPause.length} inside a pause ${JSON.stringify(inPause.map((s) => [s.start, s.end, s.text]))} (${seconds.toFixed(1)} s)`,
    );
    expect(t.segments.length).toBeGreaterThan(duration / 20);
    expect(inPause).toEqual([]);
  });
});

// Rare names in sentences, synthesized here: both models misspelled each without a prompt
// when this was written ("DJ Kamski", "Worcester's", "Quest, so couples" with tiny.en; "DJ
// Carves key", "wolfish or", "Quetzal Code" with base) and spelled it right with the name
// as initialPrompt, except base's "worceshire" on some runs.
const PROMPTED = [
  { word: 'Tchaikovsky', sentence: 'The band played a song by Tchaikovsky.' },
  { word: 'Worcestershire', sentence: 'The dish needs a splash of Worcestershire sauce.' },
  { word: 'Quetzalcoatl', sentence: 'The sculpture of Quetzalcoatl stands in the museum.' },
];

function synthesize(dir: string, text: string, name: string): string {
  const raw = path.join(dir, `${name}-espeak.wav`);
  const fixed = path.join(dir, `${name}.wav`);
  for (const [command, args] of [
    ['espeak-ng', ['-v', 'en-us', '-w', raw, text]],
    ['sox', [raw, '-r', '16000', '-c', '1', '-b', '16', fixed]],
  ] as const) {
    const run = spawnSync(command, args, { env: plainToolEnv() });
    if (run.status !== 0) throw new Error(`${command} failed: ${String(run.stderr)}`);
  }
  return fixed;
}

const haveTools = ['espeak-ng', 'sox'].every((command) => spawnSync(command, ['--version'], { env: plainToolEnv() }).status === 0);
if (REAL_TIER && !haveTools) warnSkipped(['SKIPPED: the prompt test needs espeak-ng and sox (apt-get install espeak-ng sox).']);

(REAL_TIER && haveTools ? describe : describe.skip)('initialPrompt steers the spelling of a rare name', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-prompt-'));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(models)('%s', async (id, ggml) => {
    await using model = await loadModel(ggml);
    // Greedy without fallback: the same words on every run.
    const options: TranscribeOptions = { threads: THREADS, temperatureIncrement: 0 };
    const has = (text: string, word: string) => normalizeWords(text).includes(word.toLowerCase());
    let steered = 0;
    for (const [k, { word, sentence }] of PROMPTED.entries()) {
      const file = synthesize(dir, sentence, `${id}-${k}`);
      const without = (await model.transcribe(file, options)).text;
      const prompted = (await model.transcribe(file, { ...options, initialPrompt: word })).text;
      const ok = !has(without, word) && has(prompted, word);
      console.log(`${id} "${sentence}"${ok ? '' : ' (not steered)'}\n  no prompt:               ${without}\n  initialPrompt '${word}': ${prompted}`);
      if (ok) steered++;
      if (k === 0) expect([has(without, word), has(prompted, word)]).toEqual([false, true]);
    }
    console.log(`${id}: the prompt turned ${steered} of ${PROMPTED.length} misspelled names right`);
    expect(steered).toBeGreaterThanOrEqual(PROMPTED.length - 1);
  });
});

// English, German, French and Spanish speech for detectLanguage (all items with FULL).
const LANGUAGE_ITEMS = ['en-01-gettysburg', 'en-07-tortoise', 'human-librivox-0920', 'human-cards-005', 'de-01-sterntaler', 'de-02-sterntaler', 'fr-01-corbeau', 'fr-02-cigale', 'es-01-quijote', 'es-02-quijote'];
// One 30-s window each; base's translation of es-01 falls into a loop ("the dogs, the dogs").
const TRANSLATE_ITEMS = ['de-02-sterntaler', 'fr-02-cigale', 'es-02-quijote'];

// Common function words: a translation into English is full of the first and has none of the others.
const FUNCTION_WORDS: Record<string, string[]> = {
  en: 'the a an and of to in is was it that he she i you we they his her my not with for on be there but have has this at as so what who are will from by all me him them had do'.split(' '),
  de: 'der die das und ein eine einen es war ist nicht mit sie er ich dem den zu auf da kein keine mehr hatte sich auch noch wie aber'.split(' '),
  fr: 'le la les et un une de du est il elle je vous que qui sur son sa pas ne au des ce mon ma tout'.split(' '),
  es: 'el la los las y un una de del que en su se con por lo al es no mas muy'.split(' '),
};
function share(text: string, language: string): number {
  const words = normalizeWords(text);
  const list = new Set(FUNCTION_WORDS[language]!.filter((w) => language === 'en' || !FUNCTION_WORDS.en!.includes(w)));
  return words.length === 0 ? 0 : words.filter((w) => list.has(w)).length / words.length;
}

(REAL_TIER && base ? describe : describe.skip)('languages with base', () => {
  test('detectLanguage on English, German, French and Spanish speech', async () => {
    const all = speechItems(REAL_TIER!).filter((i) => (i.kind === 'speech' || i.kind === 'human') && i.language);
    const items = FULL ? all : all.filter((i) => LANGUAGE_ITEMS.includes(i.id));
    await using model = await loadModel(base!.ggml);
    const started = performance.now();
    const byLanguage = new Map<string, { right: number; total: number }>();
    for (const it of items) {
      const d = await model.detectLanguage(it.file, { threads: THREADS });
      const tally = byLanguage.get(it.language!) ?? { right: 0, total: 0 };
      tally.total++;
      if (d.language === it.language) tally.right++;
      byLanguage.set(it.language!, tally);
      console.log(`  ${it.id}: ${d.language} (${d.probability.toFixed(3)})`);
    }
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `base detectLanguage, ${items.length} items (${FULL ? 'all' : 'a subset'}), ${seconds.toFixed(1)} s: ` +
        [...byLanguage].map(([language, { right, total }]) => `${language} ${right}/${total}`).join(', '),
    );
    // Every item right when this was written (26/26 on the whole set; by sentence of 1-24 s:
    // en 38/38, de 8/9, fr 9/13, es 5/5). Each language here has at least 2 items.
    for (const language of ['en', 'de', 'fr', 'es']) {
      const { right, total } = byLanguage.get(language)!;
      expect(total).toBeGreaterThanOrEqual(2);
      expect(right / total).toBeGreaterThanOrEqual(language === 'en' ? 0.9 : 0.5);
    }
    const overall = [...byLanguage.values()].reduce((n, t) => n + t.right, 0) / items.length;
    expect(overall).toBeGreaterThanOrEqual(0.85);
  });

  test('translate: German, French and Spanish speech to English', async () => {
    await using model = await loadModel(base!.ggml);
    for (const id of TRANSLATE_ITEMS) {
      const it = item(id);
      const t = await model.transcribe(it.file, { threads: THREADS, language: it.language!, translate: true, temperatureIncrement: 0 });
      const english = share(t.text, 'en');
      const source = share(t.text, it.language!);
      console.log(`base translate ${id}: English function words ${pct(english)}, ${it.language} ones ${pct(source)}\n  ${t.text}`);
      // No English text to score against (scripts/speech-set/texts has the originals only):
      // what is checked is that the output is English, not what it says. When this was
      // written, 55-60 % of the words were English function words and none the source
      // language's.
      expect(english).toBeGreaterThan(0.2);
      expect(source).toBeLessThan(0.05);
    }
  });
});

// English speech for beam search and fallback (all 20 items with FULL): 3 of the 9
// espeak-ng clips and 4 of the 11 human recordings, 151 s and 396 words.
const BEAM_ITEMS = ['en-01-gettysburg', 'en-04-declaration', 'en-07-tortoise', 'human-librivox-0870', 'human-librivox-0920', 'human-cards-002', 'human-cards-005'];
interface Decoding {
  name: string;
  options: TranscribeOptions;
  /** Corpus WER when this was written: [subset, all items] (seed 0). */
  measured: Record<string, [number, number]>;
  /** CI time: base runs the current default and its beam counterpart only (all four with FULL). */
  baseInCi: boolean;
}
const DECODINGS: Decoding[] = [
  { name: 'greedy, no fallback', options: { temperatureIncrement: 0 }, measured: { 'tiny.en': [0.174, 0.188], base: [0.152, 0.176] }, baseInCi: false },
  { name: 'greedy + fallback (default)', options: {}, measured: { 'tiny.en': [0.169, 0.187], base: [0.152, 0.176] }, baseInCi: true },
  { name: 'beam 5, no fallback', options: { beamSize: 5, temperatureIncrement: 0 }, measured: { 'tiny.en': [0.179, 0.168], base: [0.162, 0.136] }, baseInCi: false },
  { name: 'beam 5 + fallback', options: { beamSize: 5 }, measured: { 'tiny.en': [0.179, 0.168], base: [0.162, 0.138] }, baseInCi: true },
];

(REAL_TIER ? describe : describe.skip)('beam search and temperature fallback on English speech', () => {
  test.each(models)('%s', async (id, ggml) => {
    const all = speechItems(REAL_TIER!).filter((i) => (i.kind === 'speech' || i.kind === 'human') && i.language === 'en');
    const items = FULL ? all : all.filter((i) => BEAM_ITEMS.includes(i.id));
    const audioSeconds = items.reduce((s, i) => s + i.durationS, 0);
    const words = items.reduce((n, i) => n + normalizeWords(i.reference).length, 0);
    const results = new Map<string, number>();
    for (const { name, options, measured, baseInCi } of DECODINGS) {
      if (!FULL && id === 'base' && !baseInCi) continue;
      // whisper.cpp 1.9.1's beam search draws its candidates from the token distribution with
      // the decoding state's random-number generator (its top-k sort goes unused); the `seed`
      // option (default 0) restarts it for every job, so the jobs before one no longer matter.
      await using model = await loadModel(ggml);
      const texts: string[] = [];
      const started = performance.now();
      // whisper.cpp's own loop for clips past 30 s, as when these figures were measured:
      // this compares decoders, not long-form modes (test/real-long-form.test.ts does).
      for (const it of items) texts.push((await model.transcribe(it.file, { threads: THREADS, longForm: 'native', ...options })).text);
      const seconds = (performance.now() - started) / 1000;
      const wer = corpusWordErrorRate(items.map((it, k) => ({ reference: it.reference, hypothesis: texts[k]! })));
      results.set(name, wer);
      console.log(
        `${id} ${name}: WER ${pct(wer)} on ${FULL ? 'all' : 'a subset of'} ${items.length} items (${words} words, ${audioSeconds.toFixed(0)} s), ` +
          `${seconds.toFixed(1)} s (${(audioSeconds / seconds).toFixed(1)} x real time)`,
      );
      // Decoding matches only on ggml's kernels for this CPU, and a sampled window on its seed:
      // a few words either way (16 of the subset's 396 words, 30 of all 1008).
      const expected = measured[id]?.[FULL ? 1 : 0] ?? 0.2;
      expect(wer).toBeLessThan(expected + (FULL ? 0.03 : 0.04));
    }
    if (FULL && id === 'base') {
      // On all 1008 words, beam 5 beat greedy by 3.8 points (2.8 to 4.2 before the seed, when
      // each run drew other candidates).
      expect(results.get('beam 5 + fallback')!).toBeLessThan(results.get('greedy + fallback (default)')! - 0.015);
    }
  }, 1_200_000);
});
