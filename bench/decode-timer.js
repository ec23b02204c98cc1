// Times every decode a live session makes (bench/live.js --decodes): wraps a model's
// transcribe() and records, per call, when it started, how much audio it decoded, how long
// it took and how many tokens it said. docs/live.md ("Why the Xeon runs lag") was found
// this way: which decodes are slow, and whether the decodes keep up with the audio.
'use strict';
const { performance } = require('node:perf_hooks');

const { percentile } = require('./live-session');

/** Wraps `model.transcribe`; returns { decodes, summary(), restore() }. */
function timeDecodes(model) {
  const original = model.transcribe;
  const decodes = [];
  const started = performance.now();
  model.transcribe = async function timedTranscribe(audio, options) {
    const at = performance.now();
    const transcript = await original.call(this, audio, options);
    decodes.push({
      at: (at - started) / 1000,
      seconds: audio.length / 16000,
      ms: performance.now() - at,
      tokens: transcript.segments.reduce((n, s) => n + (s.tokens?.length ?? 0), 0),
      text: transcript.text,
    });
    return transcript;
  };
  return {
    decodes,
    /** Lines: the decodes' count, time percentiles and total, then the slowest `slowest`. */
    summary(slowest = 8) {
      const ms = decodes.map((d) => d.ms);
      const total = ms.reduce((a, b) => a + b, 0) / 1000;
      const lines = [
        `  decodes: ${decodes.length}, median ${percentile(ms, 50).toFixed(0)} ms, p90 ${percentile(ms, 90).toFixed(0)} ms, max ${Math.max(...ms).toFixed(0)} ms, ${total.toFixed(1)} s in all`,
      ];
      for (const d of [...decodes].sort((a, b) => b.ms - a.ms).slice(0, slowest)) {
        lines.push(`    at ${d.at.toFixed(1)} s: ${d.seconds.toFixed(2)} s of audio in ${d.ms.toFixed(0)} ms, ${d.tokens} tokens: "${d.text.slice(-60)}"`);
      }
      return lines;
    },
    restore() {
      model.transcribe = original;
    },
  };
}

module.exports = { timeDecodes };
