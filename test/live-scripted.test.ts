/**
 * The live transcriber's loop with a scripted decoder in place of a model: the audio
 * carries its own sample index (see `encode`), so the decoder knows which stretch of the
 * stream each decode heard and answers with the words a script places there. That makes
 * the commit policy's behaviour around Whisper's failures exact and repeatable: here, a
 * hypothesis that Whisper ends early (LocalAgreement.fellShort) must not lose the words
 * after it, and one that says the prompt again (./src/live/implausible.ts) must not become
 * final.
 */
import type { TranscribeOptions } from '../src';
import { checkLiveOptions } from '../src/live/live-options';
import { LiveTranscriber } from '../src/live/live-transcriber';
import type { Transcript } from '../src/types/transcript';

const RATE = 16000;
const SCALE = 2 ** 22;

/**
 * Sample k of the stream: loud (speech for the endpointer) or far below its silence level,
 * and in both cases k is exact in the float32 value (k < 2^22: 262 s).
 */
function encode(k: number, speech: boolean): number {
  return (speech ? 0.25 : 1e-7) * (1 + k / SCALE);
}

function decodeIndex(value: number): number {
  const scale = Math.abs(value) > 1e-3 ? 0.25 : 1e-7;
  return Math.round((value / scale - 1) * SCALE);
}

/** Speech from `from` to `to` seconds in a stream of `seconds`, silence around it. */
function stream(seconds: number, from: number, to: number): Float32Array {
  const pcm = new Float32Array(seconds * RATE);
  for (let k = 0; k < pcm.length; k++) pcm[k] = encode(k, k >= from * RATE && k < to * RATE);
  return pcm;
}

interface ScriptWord {
  text: string;
  end: number;
}

/** Pushes `pcm` a second at a time, letting each decode finish before the next chunk, as on a CPU that keeps up. */
async function pushBySecond(live: LiveTranscriber, pcm: Float32Array): Promise<void> {
  for (let i = 0; i < pcm.length; i += RATE) {
    live.push(pcm.subarray(i, i + RATE));
    for (let k = 0; k < 5; k++) await new Promise((resolve) => setImmediate(resolve));
  }
}

/** Words of 0.5 s each from `start`. */
function script(text: string, start: number): ScriptWord[] {
  return text.split(' ').map((word, i) => ({ text: word, end: start + 0.5 * (i + 1) }));
}

/**
 * A decoder that says the script's words that end inside the audio it heard (times
 * relative to its start, as Whisper's are), except that `stopEarly(call, heard)` can end a
 * hypothesis at a stream time, as Whisper sometimes does on long buffers, and
 * `echo(from, to)` can make it say its prompt instead, as Whisper sometimes does on short
 * ones.
 */
function scriptedDecoder(
  words: ScriptWord[],
  stopEarly: (call: number, from: number, to: number) => number | undefined,
  echo: (from: number, to: number) => boolean = () => false,
) {
  const calls: { from: number; to: number; said: string; prompt: string | undefined; temperatureIncrement: number | undefined }[] = [];
  return {
    calls,
    info: { multilingual: false },
    async transcribe(audio: Float32Array, options: TranscribeOptions): Promise<Transcript> {
      await new Promise((resolve) => setImmediate(resolve));
      const from = decodeIndex(audio[0]!) / RATE;
      const to = from + audio.length / RATE;
      const stop = stopEarly(calls.length, from, to) ?? to;
      const prompt = options.initialPrompt;
      const said =
        prompt !== undefined && echo(from, to)
          ? prompt.split(' ').map((text, i, all) => ({ text, end: from + ((i + 1) * (to - from)) / all.length + 0.5 }))
          : words.filter((w) => w.end - 0.5 >= from - 0.01 && w.end <= Math.min(to, stop));
      calls.push({ from, to, said: said.map((w) => w.text).join(' '), prompt, temperatureIncrement: options.temperatureIncrement });
      const tokens = said.map((w) => ({ id: 100, text: ` ${w.text}`, probability: 0.9, logProbability: -0.1, start: w.end - 0.5 - from, end: w.end - from }));
      const text = said.map((w) => w.text).join(' ');
      return { text, segments: [{ start: 0, end: to - from, text, noSpeechProbability: 0, tokens }] } as unknown as Transcript;
    },
  };
}

test('a hypothesis Whisper ends early loses nothing: the buffer restarts shortly before the end of the final text and the next decodes say the rest', async () => {
  const sentence = 'we hold these truths to be self evident that all men are created equal that they are endowed by their creator with certain rights';
  const words = script(sentence, 1);
  const speechEnd = words[words.length - 1]!.end; // 13.5 s
  // From the 9th decode on, every hypothesis of a buffer longer than 6 s stops 5.5 s into it.
  const decoder = scriptedDecoder(words, (call, from, to) => (call >= 8 && to - from > 6 ? from + 5.5 : undefined));
  const live = new LiveTranscriber(decoder, checkLiveOptions({ chunkSeconds: 1 }, true));
  const finals: string[] = [];
  live.on('final', (e) => finals.push(e.text));
  const pcm = stream(16, 1, speechEnd);
  await pushBySecond(live, pcm);
  const result = await live.end();
  expect(result.text).toBe(sentence);
  expect(finals.join(' ')).toBe(sentence);
  // Some hypothesis did fall short, and a later decode started after 1 s (the buffer restarted at a committed word).
  expect(decoder.calls.some((c) => c.to - c.from > 6 && c.said.split(' ').length < 11)).toBe(true);
  expect(decoder.calls.some((c, i) => i > 8 && c.from > 1)).toBe(true);
});

test('decodes that stop at the same place seconds before the speech does restart the buffer before the endpoint: nothing lost', async () => {
  // 40 words (20 s) of one sentence; every hypothesis of a buffer longer than 6 s stops 5 s
  // into it, so after the first 6 s the decodes agree with each other on the same short
  // hypothesis (none falls short of the one before) while the speech goes on. (A hypothesis
  // that stops less than a second before the speech, REST_DECODE_SECONDS, is taken as
  // complete at the endpoint: word times are not more precise than that.)
  const sentence = Array.from({ length: 40 }, (_, i) => `w${i}`).join(' ');
  const words = script(sentence, 1);
  const decoder = scriptedDecoder(words, (_call, from, to) => (to - from > 6 ? from + 5 : undefined));
  const live = new LiveTranscriber(decoder, checkLiveOptions({ chunkSeconds: 1 }, true));
  const finals: { text: string; endOfUtterance: boolean }[] = [];
  live.on('final', (e) => finals.push({ text: e.text, endOfUtterance: e.endOfUtterance }));
  const speechEnd = words[words.length - 1]!.end; // 21 s
  const pcm = stream(24, 1, speechEnd);
  await pushBySecond(live, pcm);
  const result = await live.end();
  expect(result.text).toBe(sentence);
  expect(finals.map((f) => f.text).join(' ')).toBe(sentence);
  // The buffer restarted while the sentence went on, and most words were final before its end.
  expect(decoder.calls.some((c) => c.from > 3 && c.to < speechEnd)).toBe(true);
  const beforeEnd = finals.filter((f) => !f.endOfUtterance).flatMap((f) => f.text.split(' '));
  expect(beforeEnd.length).toBeGreaterThan(20);
});

test('without the early stop the same script is final word for word, the last words at the endpoint', async () => {
  const sentence = 'four score and seven years ago our fathers brought forth on this continent a new nation';
  const words = script(sentence, 1);
  const decoder = scriptedDecoder(words, () => undefined);
  const live = new LiveTranscriber(decoder, checkLiveOptions({ chunkSeconds: 1 }, true));
  const finals: { text: string; endOfUtterance: boolean }[] = [];
  live.on('final', (e) => finals.push({ text: e.text, endOfUtterance: e.endOfUtterance }));
  const pcm = stream(12, 1, words[words.length - 1]!.end);
  await pushBySecond(live, pcm);
  const result = await live.end();
  expect(result.text).toBe(sentence);
  expect(finals.length).toBeGreaterThan(2); // agreement made words final before the endpoint
  expect(finals[finals.length - 1]!.endOfUtterance).toBe(true);
});

test('buffers under 2 s are decoded without the temperature fallback, unless the options set it', async () => {
  // Speech from 1.5 s: the first decode hears 1.5 s (from a second before the onset).
  const words = script('four score and seven years ago our fathers brought forth', 1.5);
  for (const [decoding, short, long] of [
    [{}, 0, undefined],
    [{ temperatureIncrement: 0.4 }, 0.4, 0.4],
  ] as const) {
    const decoder = scriptedDecoder(words, () => undefined);
    const live = new LiveTranscriber(decoder, checkLiveOptions({ chunkSeconds: 1, decoding }, true));
    await pushBySecond(live, stream(9, 1.5, words[words.length - 1]!.end));
    await live.end();
    const shortCalls = decoder.calls.filter((c) => c.to - c.from < 2);
    const longCalls = decoder.calls.filter((c) => c.to - c.from >= 2);
    expect(shortCalls.length).toBeGreaterThan(0);
    expect(longCalls.length).toBeGreaterThan(0);
    expect(new Set(shortCalls.map((c) => c.temperatureIncrement))).toEqual(new Set([short]));
    expect(new Set(longCalls.map((c) => c.temperatureIncrement))).toEqual(new Set([long]));
  }
});

test('a decode that says its prompt again is decoded once more without it: the echo never becomes final', async () => {
  // Two utterances; every decode of the second one's first 3 s (the committed first
  // sentence as its prompt) says that prompt instead, as base did on 2 s of the five-minute
  // set. Such hypotheses agree with each other, and would become final.
  const first = script('four score and seven years ago our fathers brought forth on this continent a new nation', 1);
  const second = script('now we are engaged in a great civil war testing whether that nation can long endure', 12);
  const decoder = scriptedDecoder([...first, ...second], () => undefined, (from, to) => from >= 10 && to - from <= 3);
  const live = new LiveTranscriber(decoder, checkLiveOptions({ chunkSeconds: 1 }, true));
  await pushBySecond(live, stream(24, 1, 9.5).map((x, k) => (k >= 12 * RATE && k < 20.5 * RATE ? encode(k, true) : x)));
  const result = await live.end();
  const text = (ws: ScriptWord[]) => ws.map((w) => w.text).join(' ');
  expect(result.text).toBe(`${text(first)} ${text(second)}`);
  // It happened: decodes said the prompt, and the same audio was decoded again without one.
  const echoes = decoder.calls.filter((c) => c.prompt !== undefined && c.said === c.prompt);
  expect(echoes.length).toBeGreaterThanOrEqual(2);
  for (const e of echoes) expect(decoder.calls.some((c) => c.from === e.from && c.to === e.to && c.prompt === undefined)).toBe(true);
});
