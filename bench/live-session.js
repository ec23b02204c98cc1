// One live session driven like a microphone: the audio pushed in chunks of `chunkSeconds`,
// each when its last sample would have been recorded (`speed` times real time), and every
// final word stamped with the wall time it arrived. Shared by bench/live.js and the tests
// (test/live-real.test.ts), so that both measure the same way.
//
// Latency of a word (docs/live.md): the wall time at which it became final, minus the time
// its end was pushed at this pace (its end in the audio / speed). It includes the wait for
// its chunk to be complete, as a microphone's would.
'use strict';
const { performance } = require('node:perf_hooks');

const { align, DELETION, INSERTION, MATCH, normalizeWords } = require('../scripts/wer.js');

const SAMPLE_RATE = 16000;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/**
 * Runs `live` (a LiveTranscriber) over `pcm` (16-kHz Float32Array).
 * Returns { result, finals: [{ text, start, end, finalAt }], partials: [{ text, wall }], lagging,
 * maxHeldSeconds, pushedAt, wallSeconds }.
 */
async function runPaced(live, pcm, { chunkSeconds, speed = 1, onChunk } = {}) {
  const finals = [];
  const lagging = [];
  const partials = [];
  let maxHeld = 0;
  const start = performance.now();
  const wall = () => (performance.now() - start) / 1000;
  live.on('final', (event) => {
    const at = wall();
    for (const word of event.words) finals.push({ ...word, finalAt: at, endOfUtterance: event.endOfUtterance });
  });
  live.on('partial', (event) => partials.push({ text: event.text, wall: wall() }));
  live.on('lagging', (event) => lagging.push({ ...event, wall: wall() }));
  const chunk = Math.max(1, Math.round(chunkSeconds * SAMPLE_RATE));
  for (let i = 0; i < pcm.length; i += chunk) {
    const end = Math.min(pcm.length, i + chunk);
    await sleep(start + ((end / SAMPLE_RATE) * 1000) / speed - performance.now());
    live.push(pcm.subarray(i, end));
    maxHeld = Math.max(maxHeld, live.stats.heldSeconds);
    onChunk?.(live, end / SAMPLE_RATE);
  }
  const pushedAt = wall();
  const result = await live.end();
  return { result, finals, partials, lagging, maxHeldSeconds: maxHeld, pushedAt, wallSeconds: wall() };
}

/**
 * Runs `live` over `pcm` as if the CPU were infinitely fast: each chunk is pushed once every
 * decode the previous one started has finished, so every decode sees exactly the audio up to
 * a chunk boundary. Gives the decodes (and text) of a wall-clock run on a CPU that keeps up,
 * in the time the decodes take: for accuracy experiments, not latency. `model` is the
 * WhisperModel the session decodes on (its transcribe() is watched to know when it is idle).
 */
async function runStepped(model, makeLive, pcm, { chunkSeconds }) {
  let inFlight = 0;
  const transcribe = model.transcribe;
  model.transcribe = (...args) => {
    inFlight++;
    return transcribe.apply(model, args).finally(() => inFlight--);
  };
  try {
    const live = makeLive();
    const finals = [];
    live.on('final', (event) => {
      for (const word of event.words) finals.push({ ...word, finalAt: live.now, endOfUtterance: event.endOfUtterance });
    });
    const idle = async () => {
      for (let quiet = 0; quiet < 2; ) {
        await new Promise((resolve) => setImmediate(resolve));
        if (inFlight > 0) {
          quiet = 0;
          await new Promise((resolve) => setTimeout(resolve, 5));
        } else quiet++;
      }
    };
    const chunk = Math.max(1, Math.round(chunkSeconds * SAMPLE_RATE));
    for (let i = 0; i < pcm.length; i += chunk) {
      live.push(pcm.subarray(i, Math.min(pcm.length, i + chunk)));
      await idle();
    }
    const result = await live.end();
    return { result, finals };
  } finally {
    delete model.transcribe;
  }
}

/**
 * Per-word latency: reference words [{ word, end }] (normalized, in order) aligned to the
 * final words; for each reference word transcribed right, finalAt - end / speed.
 * Returns { latencies (s, in reference order), matched, referenceWords }.
 */
function wordLatencies(referenceWords, finals, speed = 1) {
  const hyp = [];
  for (const word of finals) for (const w of normalizeWords(word.text)) hyp.push({ word: w, finalAt: word.finalAt });
  const steps = align(
    referenceWords.map((w) => w.word),
    hyp.map((w) => w.word),
  );
  const latencies = [];
  let i = 0;
  let j = 0;
  for (const step of steps) {
    if (step === MATCH) latencies.push(hyp[j].finalAt - referenceWords[i].end / speed);
    if (step !== INSERTION) i++; // a reference word was consumed
    if (step !== DELETION) j++; // a hypothesis word was consumed
  }
  return { latencies, matched: latencies.length, referenceWords: referenceWords.length };
}

function percentile(values, p) {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

module.exports = { runPaced, runStepped, wordLatencies, percentile, SAMPLE_RATE };
