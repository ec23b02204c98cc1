/**
 * The live transcriber's parts that need no model: LocalAgreement-2 with text matching of
 * committed words, the loop guard, energy endpointing, pushed-chunk checks and resampling,
 * and the bounded audio store.
 */
import { InvalidAudioError } from '../src';
import { Endpointer } from '../src/live/endpointer';
import { HeldAudio } from '../src/live/held-audio';
import { checkLiveOptions, LIVE_BEAM_SIZE, LIVE_GROUPED_ATTENTION, LIVE_LOOP_REPEATS } from '../src/live/live-options';
import { LocalAgreement } from '../src/live/local-agreement';
import { PushedAudio, StreamResampler } from '../src/live/pushed-audio';
import { cutRepetition } from '../src/live/repetition';
import type { LiveWord } from '../src/types/live';

/** Words from text, 0.4 s each from `start`. */
function words(text: string, start = 0): LiveWord[] {
  return text.split(' ').map((t, i) => ({ text: t, start: start + 0.4 * i, end: start + 0.4 * i + 0.35, probability: 0.9 }));
}
const texts = (ws: readonly LiveWord[]) => ws.map((w) => w.text).join(' ');

describe('LocalAgreement-2', () => {
  test('a word becomes final when two consecutive hypotheses agree on it, from the start of the uncommitted part', () => {
    const la = new LocalAgreement();
    expect(la.insert(words('and so my'))).toEqual([]);
    expect(texts(la.pending)).toBe('and so my');
    expect(texts(la.insert(words('and so my fellow')))).toBe('and so my');
    expect(texts(la.pending)).toBe('fellow');
    // The next hypothesis decodes the whole buffer again: the committed words are found at
    // its start by text, and only what follows is compared.
    expect(texts(la.insert(words('And so, my fellow Americans')))).toBe('fellow');
    expect(texts(la.pending)).toBe('Americans');
  });

  test('agreement stops at the first difference; punctuation and case do not count as one', () => {
    const la = new LocalAgreement();
    la.insert(words('ask not what your country'));
    expect(texts(la.insert(words('Ask not, what you are coming')))).toBe('Ask not, what');
    expect(texts(la.pending)).toBe('you are coming');
  });

  test('committed words decoded with another spelling are not taken for new ones', () => {
    const la = new LocalAgreement();
    la.insert(words('so conceived and so dedicated'));
    la.insert(words('so conceived and so dedicated can'));
    // "medicated" sits where "dedicated" was committed: a substitution of a committed word.
    expect(texts(la.insert(words('so conceived and so medicated can long')))).toBe('can');
    expect(texts(la.pending)).toBe('long');
  });

  test('a hypothesis that has lost the committed words is kept whole', () => {
    const la = new LocalAgreement();
    la.insert(words('four score'));
    la.insert(words('four score and'));
    expect(texts(la.insert(words('seven years ago')))).toBe('');
    expect(texts(la.pending)).toBe('seven years ago');
  });

  test('after a trim only the committed words after the cut are looked for', () => {
    const la = new LocalAgreement();
    la.insert(words('created equal. Now we'));
    const committed = la.insert(words('created equal. Now we are'));
    expect(texts(committed)).toBe('created equal. Now we');
    la.trimAfter(committed[1]!);
    expect(texts(la.committedInBuffer)).toBe('Now we');
    expect(texts(la.insert(words('Now we are engaged', 5)))).toBe('are');
  });

  test('commitPending and commitAll make the rest final; trimAll forgets the buffer', () => {
    const la = new LocalAgreement();
    la.insert(words('in a great civil war'));
    expect(texts(la.commitPending(0.4 * 2 + 0.35))).toBe('in a great');
    expect(texts(la.pending)).toBe('civil war');
    expect(texts(la.commitAll(words('in a great civil war testing')))).toBe('civil war testing');
    expect(la.pending).toEqual([]);
    la.trimAll();
    expect(la.committedInBuffer).toEqual([]);
  });

  test('a hypothesis that stops 3 or more words short of the previous one fell short (Whisper ended it early)', () => {
    const la = new LocalAgreement();
    la.insert(words('we hold these truths'));
    expect(texts(la.insert(words('we hold these truths to be self evident and all men are created')))).toBe('we hold these truths');
    expect(texts(la.pending)).toBe('to be self evident and all men are created');
    // The next decode heard more, and said less: what it said is no evidence either way.
    expect(la.fellShort(words('we hold these truths to be self evident'))).toBe(true);
    expect(la.fellShort(words('we hold these truths to be self evident and all men'))).toBe(false);
    expect(la.fellShort(words('we hold these truths to be self evident and all men are created equal'))).toBe(false);
    // Also when agreement had already made most of those words final.
    la.insert(words('we hold these truths to be self evident and all men are created equal'));
    expect(texts(la.pending)).toBe('equal');
    expect(la.fellShort(words('we hold these truths to be self evident and'))).toBe(true);
  });
});

test('cutRepetition keeps the first occurrence of a loop and drops the rest', () => {
  expect(texts(cutRepetition(words('Farima, Farima, Farima, Farima, Farima,')))).toBe('Farima,');
  expect(texts(cutRepetition(words('I said fire and fire and fire and fire and')))).toBe('I said fire and');
  const long = 'and I find that we have come to nedicated';
  expect(texts(cutRepetition(words(`${long} ${long} ${long} and I find`)))).toBe(long);
  expect(texts(cutRepetition(words(`${long} ${long} but then`)))).toBe(`${long} ${long} but then`);
  expect(texts(cutRepetition(words('that that nation might live')))).toBe('that that nation might live');
  expect(texts(cutRepetition(words('by the people for the people')))).toBe('by the people for the people');
});

describe('Endpointer', () => {
  const tone = (seconds: number, amplitude: number) => Float32Array.from({ length: seconds * 16000 }, (_, i) => amplitude * Math.sin(i / 5));
  const noise = (seconds: number, amplitude: number) => Float32Array.from({ length: seconds * 16000 }, (_, i) => amplitude * Math.sin(i * 12.9898) * ((i * 7919) % 13) / 13);

  test('a silence of endpointSilenceMs after speech ends the utterance where the speech ended', () => {
    const ep = new Endpointer({ speechThresholdDb: 10, endpointSilenceMs: 600 });
    ep.push(noise(1, 0.001));
    expect(ep.state.inUtterance).toBe(false);
    ep.push(tone(2, 0.3));
    expect(ep.state.inUtterance).toBe(true);
    expect(ep.state.utteranceStart).toBeCloseTo(1, 1);
    ep.push(noise(0.5, 0.001));
    expect(ep.endpoint()).toBeUndefined();
    ep.push(noise(0.2, 0.001));
    expect(ep.endpoint()).toBeCloseTo(3, 1);
    ep.closeUtterance();
    expect(ep.endpoint()).toBeUndefined();
    expect(ep.state.inUtterance).toBe(false);
  });

  test('a steady loud room is not speech once the floor has followed it; 0 turns endpoints off', () => {
    const ep = new Endpointer({ speechThresholdDb: 10, endpointSilenceMs: 0 });
    ep.push(noise(3, 0.05));
    expect(ep.state.inUtterance).toBe(false);
    ep.push(tone(1, 0.5));
    ep.push(noise(2, 0.05));
    expect(ep.state.inUtterance).toBe(true);
    expect(ep.endpoint()).toBeUndefined();
  });
});

describe('pushed chunks', () => {
  test('Float32Array and Int16Array are taken (copied); other types, NaN, Infinity and a changed rate are InvalidAudioError', () => {
    const pushed = new PushedAudio(16000);
    const f = new Float32Array([0.5, -0.5]);
    const taken = pushed.take(f, undefined);
    f[0] = 0;
    expect(Array.from(taken)).toEqual([0.5, -0.5]);
    expect(Array.from(pushed.take(new Int16Array([16384, -32768]), 16000))).toEqual([0.5, -1]);
    for (const bad of [[0.1, 0.2], new Uint8Array(4), new Float64Array(4), new ArrayBuffer(8), 'pcm', null, undefined, 42]) {
      expect(() => pushed.take(bad, undefined)).toThrow(InvalidAudioError);
    }
    expect(() => pushed.take(new Float32Array([0, NaN]), undefined)).toThrow(/sample 1 of the pushed chunk is NaN/);
    expect(() => pushed.take(new Float32Array([Infinity]), undefined)).toThrow(InvalidAudioError);
    expect(() => pushed.take(new Float32Array(4), 44100)).toThrow(/44100 Hz was pushed into a session at 16000 Hz/);
  });

  test('resampling to 16 kHz does not depend on how the stream is cut, and keeps a tone', () => {
    const input = Float32Array.from({ length: 48000 }, (_, i) => Math.sin((2 * Math.PI * 440 * i) / 48000));
    const whole = new StreamResampler(48000).process(input);
    const pieces = new StreamResampler(48000);
    const parts: number[] = [];
    for (let i = 0; i < input.length; i += 997) parts.push(...pieces.process(input.subarray(i, i + 997)));
    expect(Math.abs(whole.length - 16000)).toBeLessThanOrEqual(2);
    expect(parts.length).toBe(whole.length);
    for (let i = 0; i < whole.length; i++) expect(parts[i]).toBeCloseTo(whole[i]!, 5);
    // 440 Hz at 16 kHz: sample 100 is sin(2π·440·100/16000), attenuated a little by the box filter.
    expect(whole[100]).toBeCloseTo(Math.sin((2 * Math.PI * 440 * 100) / 16000), 1);
    const up = new StreamResampler(8000).process(Float32Array.from({ length: 8000 }, (_, i) => i / 8000));
    expect(Math.abs(up.length - 16000)).toBeLessThanOrEqual(2);
    expect(up[8000]).toBeCloseTo(0.5, 2);
  });
});

test('HeldAudio keeps a contiguous, bounded stretch of the stream and finds quiet moments', () => {
  const held = new HeldAudio(2);
  const ramp = Float32Array.from({ length: 16000 }, (_, i) => i / 16000);
  expect(held.append(ramp)).toBe(16000);
  expect(held.append(ramp)).toBe(16000);
  expect(held.append(ramp)).toBe(0); // full: 2 s
  expect(held.room).toBe(0);
  held.trimTo(0.5);
  expect(held.start).toBeCloseTo(0.5);
  expect(held.end).toBeCloseTo(2);
  expect(held.append(ramp)).toBe(8000);
  expect(held.end).toBeCloseTo(2.5);
  expect(held.copy(2, 2.25)[0]).toBeCloseTo(0);
  expect(held.copy(1.25, 1.5)[0]).toBeCloseTo(0.25, 3);
  // The quietest 10 ms of a ramp's second copy, between 1.0 and 1.5 s, is at its start.
  expect(held.quietestTime(1.0, 1.5)).toBeLessThan(1.02);
  held.restartAt(10);
  expect(held.seconds).toBe(0);
  expect(held.start).toBe(10);
});

test('defaults: LocalAgreement-2 on 5-beam decodes that stop looping beams, with the grouped attention kernel, 1-s chunks; the caller can decode greedily or commit per utterance', () => {
  const defaults = checkLiveOptions(undefined, true);
  expect(defaults).toMatchObject({ commit: 'agreement', chunkSeconds: 1, endpointSilenceMs: 600, maxBufferSeconds: 25, audioContext: 'full', promptCommitted: true });
  expect(LIVE_BEAM_SIZE).toBe(5);
  expect(LIVE_LOOP_REPEATS).toBe(4);
  expect(LIVE_GROUPED_ATTENTION).toBe(true);
  expect(defaults.decoding).toEqual({ beamSize: 5, loopRepeats: 4, groupedAttention: true });
  expect(checkLiveOptions({ decoding: { beamSize: 1, suppressBlank: false } }, true).decoding).toEqual({ beamSize: 1, loopRepeats: 4, groupedAttention: true, suppressBlank: false });
  expect(checkLiveOptions({ decoding: { loopRepeats: 0, groupedAttention: false } }, true).decoding).toEqual({ beamSize: 5, loopRepeats: 0, groupedAttention: false });
  expect(checkLiveOptions({ commit: 'utterance' }, true).commit).toBe('utterance');
});
