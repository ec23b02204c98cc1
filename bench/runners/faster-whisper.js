// faster-whisper (CTranslate2) as a benchmark runner, one per compute type (float32, int8):
// each measurement is a fresh Python process running scripts/real-weights/faster_whisper_transcribe.py
// with the real tier's venv, on the CTranslate2 directory of the model (modelFormat 'ct2'),
// cpu_threads = threads, num_workers 1, its VAD off (vad_filter=False), timestamps on,
// condition_on_previous_text on. Decoding 'greedy': beam_size 1, best_of 1, temperature 0 only
// (no fallback), as whisper-cli -bs 1 -nf; 'greedy-fallback': beam_size 1, best_of 5 and the
// temperature fallback; 'default': faster-whisper's own defaults, beam_size 5,
// best_of 5 and the temperature fallback 0.0, 0.2, ..., 1.0.
// Import, load and transcription times come from the script (time.perf_counter around the
// imports, WhisperModel(...) and transcribe() with its segment generator consumed); peak RSS
// is the process's ru_maxrss.
'use strict';
const { execFile, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { loadRealTier, realTierMissing } = require('../real-tier');

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'scripts', 'real-weights', 'faster_whisper_transcribe.py');

module.exports = function fasterWhisper(computeType, { decoding = 'greedy' } = {}) {
  const name = `faster-whisper (${computeType})`;
  let reported; // { version, ctranslate2, computeType } from the last run
  const python = () => loadRealTier()?.python;
  const runner = {
    name,
    peer: false,
    modelFormat: 'ct2',
    version() {
      if (!reported) {
        const probe = spawnSync(python(), ['-c', 'import ctranslate2, faster_whisper; print(faster_whisper.__version__, ctranslate2.__version__)'], { encoding: 'utf8', env: { ...process.env, HF_HUB_OFFLINE: '1' } });
        const [version, ct2] = (probe.stdout ?? '').trim().split(' ');
        if (!version) return undefined;
        reported = { version, ctranslate2: ct2 };
      }
      return `${reported.version} (CTranslate2 ${reported.ctranslate2}, compute type ${reported.computeType ?? computeType})`;
    },
    unavailable() {
      const missing = realTierMissing();
      if (missing) return missing;
      const py = python();
      if (!py || !fs.existsSync(py)) return `the real tier's Python (${py}) does not exist: run node scripts/real-weights/setup-python.js`;
      return undefined;
    },
    run({ model, audio, threads, language }) {
      const args = [SCRIPT, '--model', model, '--threads', String(threads), '--compute-type', computeType];
      if (decoding === 'greedy') args.push('--beam-size', '1', '--best-of', '1', '--no-fallback');
      else if (decoding === 'greedy-fallback') args.push('--beam-size', '1', '--best-of', '5');
      else args.push('--beam-size', '5', '--best-of', '5');
      if (language) args.push('--language', language);
      args.push(audio);
      return new Promise((resolve, reject) => {
        execFile(python(), args, { maxBuffer: 256 << 20, env: { ...process.env, HF_HUB_OFFLINE: '1' } }, (error, stdout, stderr) => {
          if (error) return reject(new Error(`${name} run failed: ${stderr || error.message}`));
          const out = JSON.parse(stdout);
          const result = out.results[0];
          reported = { version: out.version, ctranslate2: out.ctranslate2, computeType: out.computeType };
          resolve({
            importMs: out.importSeconds * 1000,
            loadMs: out.loadSeconds * 1000,
            transcribeMs: result.seconds * 1000,
            peakRss: out.peakRssBytes,
            text: result.text,
            segments: result.segments.length,
            computeType: out.computeType,
          });
        });
      });
    },
  };
  return runner;
};
