#!/usr/bin/env node
// Generates CONNECTED speech whose every word's start and end are known, for measuring word
// timing where words run into each other (make-word-timing-set.js joins words spoken one at
// a time, with gaps). espeak-ng reads passages of public-domain texts (scripts/speech-set/
// texts/) not used by that set, each as one utterance, and says itself where each word
// starts and ends: espeak_word_events.py (Python standard library, ctypes on
// libespeak-ng.so.1) takes word and phoneme events from the synthesizer along with the audio,
// checks that its audio is what the espeak-ng command line makes, and that word edges next to
// a pause are at the energy onset/offset (within 30 ms; in fact within 2 ms). The audio is
// resampled to 16 kHz with sox (linear phase: times are kept), 0.3 s of silence goes before
// and 0.5 s after, and seeded white noise at -50 dBFS RMS runs under it all, as in the
// word-timing set.
//
// Where a nasal or liquid at a word's end meets a vowel at the next word's start ("when a",
// "running up", "men are"), espeak-ng makes the consonant as the start of the vowel, and the
// boundary is only known to lie within a window (45 to 100 ms here): such words carry
// startWindowS / endWindowS, and their start / end is the window's middle. Scoring leaves
// those edges out (test/support/word-timing.ts).
//
// Out (never committed; .cache/ is git-ignored): <out>/<clip>.wav, 16 kHz mono 16-bit PCM,
// and <out>/manifest.json: per clip its voice, duration, reference text, every word
// { text, startS, endS[, startWindowS][, endWindowS] } and the generator's checks, plus the
// cache key. About a minute of audio and 200 words.
//
// Cheap to rerun: the manifest keeps a hash of this script, espeak_word_events.py, the texts
// and the espeak-ng and sox versions; when it matches nothing is done.
//
//   node scripts/speech-set/make-connected-timing-set.js [--out DIR] [--quiet]
//        (default DIR: <repo>/.cache/connected-timing-set)
//
// Needs espeak-ng (its library, libespeak-ng.so.1, comes with it), sox and python3.
'use strict';

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { run, parseEspeakWav, resample, writeWithNoise, makeSetOnce, setCommandLine } = require('./espeak-tools.js');

const ROOT = path.resolve(__dirname, '..', '..');
const TEXTS = path.join(__dirname, 'texts');
const EVENTS = path.join(__dirname, 'espeak_word_events.py');
const DEFAULT_OUT = path.join(ROOT, '.cache', 'connected-timing-set');
const MANIFEST_VERSION = 1;
const RATE = 16000;
const AMPLITUDE = 70; // espeak-ng -a, as the other sets
const LEAD_S = 0.3;
const TAIL_S = 0.5;
const NOISE_DBFS = -50;
const TOLERANCE_MS = 30; // word edges next to a pause against the energy onset/offset

/** The clips: a text, a range of its lines (sentences; 1-based, inclusive), a voice and speed. */
const CLIPS = [
  { id: 'connected-01-lion-mouse', text: 'en-aesop-lion-mouse', lines: [1, 5], voice: 'en-us', speed: 170 },
  { id: 'connected-02-gettysburg', text: 'en-gettysburg', lines: [1, 5], voice: 'en-gb', speed: 155 },
];

function makeClip(clip, dir) {
  const lines = fs.readFileSync(path.join(TEXTS, `${clip.text}.txt`), 'utf8').split('\n').map((line) => line.trim()).filter(Boolean);
  const sentences = lines.slice(clip.lines[0] - 1, clip.lines[1]);
  if (sentences.length !== clip.lines[1] - clip.lines[0] + 1) throw new Error(`${clip.text}.txt has no lines ${clip.lines.join(' to ')}`);
  const wavAt = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'espeak-words-')), 'speech.wav');
  let timed;
  let pcm;
  let rate;
  try {
    const args = [EVENTS, '--voice', clip.voice, '--speed', String(clip.speed), '--amplitude', String(AMPLITUDE), '--tolerance-ms', String(TOLERANCE_MS), '--wav', wavAt];
    timed = JSON.parse(String(run('python3', args, Buffer.from(sentences.join('\n'), 'utf8'))));
    ({ rate, pcm } = parseEspeakWav(fs.readFileSync(wavAt)));
  } finally {
    fs.rmSync(path.dirname(wavAt), { recursive: true, force: true });
  }
  if (rate !== timed.sampleRate || pcm.length / 2 !== timed.samples) throw new Error(`${clip.id}: the WAV does not match the word times`);
  const speech = resample(pcm, rate, RATE);
  const lead = Math.round(LEAD_S * RATE);
  const samples = new Int16Array(lead + speech.length + Math.round(TAIL_S * RATE));
  samples.set(speech, lead);
  const file = `${clip.id}.wav`;
  writeWithNoise(path.join(dir, file), samples, RATE, `${clip.id}/noise`, NOISE_DBFS);
  const shift = (seconds) => Math.round((seconds + LEAD_S) * 1e6) / 1e6;
  const words = timed.words.map((word) => {
    const out = { text: word.text, startS: shift(word.startS), endS: shift(word.endS) };
    if (word.startWindowS) out.startWindowS = word.startWindowS.map(shift);
    if (word.endWindowS) out.endWindowS = word.endWindowS.map(shift);
    return out;
  });
  return {
    id: clip.id,
    file,
    voice: clip.voice,
    espeakSpeed: clip.speed,
    source: `texts/${clip.text}.txt lines ${clip.lines[0]}-${clip.lines[1]}`,
    durationS: samples.length / RATE,
    reference: words.map((word) => word.text).join(' '),
    words,
    check: timed.check,
  };
}

/** Makes the set in `out` unless it is there and current; returns the manifest's path. */
function makeConnectedTimingSet({ out = DEFAULT_OUT, quiet = false } = {}) {
  const files = [__filename, EVENTS, ...CLIPS.map((clip) => path.join(TEXTS, `${clip.text}.txt`))];
  return makeSetOnce({
    out,
    version: MANIFEST_VERSION,
    files,
    build(dir) {
      const clips = CLIPS.map((clip) => {
        const made = makeClip(clip, dir);
        const { onsetMinusStart: on, endMinusOffset: off, windowedBoundaries: windows } = made.check;
        if (!quiet) {
          process.stderr.write(
            `make-connected-timing-set: ${clip.id} ${made.words.length} words; next to pauses, |energy onset - start| <= ${on.maxMs} ms (${on.n}), ` +
              `|end - energy offset| <= ${off.maxMs} ms (${off.n}); ${windows.n} boundaries known within ${windows.minMs}-${windows.maxMs} ms\n`,
          );
        }
        return made;
      });
      return {
        leadS: LEAD_S,
        tailS: TAIL_S,
        noiseDbfs: NOISE_DBFS,
        windowedBoundaries: clips.reduce((sum, c) => sum + c.check.windowedBoundaries.n, 0),
        clips,
      };
    },
  });
}

module.exports = { makeConnectedTimingSet, DEFAULT_OUT };

if (require.main === module) setCommandLine('make-connected-timing-set', makeConnectedTimingSet, DEFAULT_OUT);
