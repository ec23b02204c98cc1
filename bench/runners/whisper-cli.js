// whisper.cpp's own CLI as a runner. The default export is the one built from the same
// (patched) deps/whisper.cpp by scripts/build-whisper-cli.js: the reference. `whisperCli({...})`
// makes others, e.g. the pristine upstream v1.9.1 build (`pristine(binary)`, the real tier's
// manifest.whisperCliPristine). Decoding 'greedy' (the default): greedy with no temperature
// fallback (-bs 1 -nf), as the other runners; 'greedy-fallback': greedy with its fallback
// (-bs 1; best-of 5 above temperature 0); 'default': whisper-cli's own defaults (beam
// search with 5 beams, best-of 5, the temperature fallback). Always with timestamps (-nt would
// change what the decoder does, and so the work measured).
// Load, encode and decode times come from its own timing report; peak RSS from polling
// /proc/<pid>/status (Linux).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { librariesBeside } = require('./native-files');

const ROOT = path.resolve(__dirname, '..', '..');

function timing(output, name) {
  const match = new RegExp(`${name} time =\\s*([0-9.]+) ms`).exec(output);
  return match ? Number(match[1]) : undefined;
}

const patchedBinary = () => path.join(ROOT, '.cache', 'whisper-cli', 'bin', process.platform === 'win32' ? 'Release/whisper-cli.exe' : 'whisper-cli');

/**
 * A whisper-cli runner. `binary()` gives the executable; `missing` is the reason shown when
 * it does not exist; `decoding` is 'greedy' or 'default' (above).
 */
function whisperCli({ name = 'whisper-cli', binary = patchedBinary, version = 'from deps/whisper.cpp', missing = 'not built (npm run whisper-cli)', decoding = 'greedy' } = {}) {
  const runner = {
    name,
    peer: false,
    modelFormat: 'ggml',
    version: () => version,
    unavailable: () => (binary() && fs.existsSync(binary()) ? undefined : missing),
    /** The executable and the libraries it links from its build folder (ldd; Linux). */
    nativeFiles() {
      const exe = binary();
      return [exe, ...librariesBeside(exe)];
    },
    binary,
    run({ model, audio, threads, language }) {
      // The transcript from its JSON output (-oj): the segment texts exactly as decoded.
      const jsonDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-whisper-cli-'));
      const args = ['-m', model, '-f', audio, '-t', String(threads), '-oj', '-of', path.join(jsonDir, 'out')];
      if (decoding === 'greedy') args.push('-bs', '1', '-nf');
      else if (decoding === 'greedy-fallback') args.push('-bs', '1');
      if (language) args.push('-l', language);
      return new Promise((resolve, reject) => {
        const child = spawn(binary(), args);
        let output = '';
        child.stdout.resume(); // the transcript comes from the JSON file
        child.stderr.on('data', (d) => (output += d));
        let peakRss = 0;
        const poll = setInterval(() => {
          try {
            peakRss = Math.max(peakRss, Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) * 1024);
          } catch {
            // exited, or not Linux
          }
        }, 50);
        child.on('close', (code) => {
          clearInterval(poll);
          let json;
          try {
            json = code === 0 ? fs.readFileSync(path.join(jsonDir, 'out.json'), 'utf8') : undefined;
          } finally {
            fs.rmSync(jsonDir, { recursive: true, force: true });
          }
          if (code !== 0) return reject(new Error(`${name} exited with ${code}: ${output.slice(-2000)}`));
          const loadMs = timing(output, 'load');
          const totalMs = timing(output, 'total');
          // The segment texts joined and trimmed, as whisper-napi and faster-whisper return
          // them. (Its printed "[t0 --> t1]  text" lines, taken apart by pattern, lost text: on
          // tiny.en's 30 minutes 48,915 characters against whisper-napi's 50,748 for the same
          // 6,571 segments.)
          const segmentTexts = JSON.parse(json).transcription.map((s) => s.text);
          const segments = segmentTexts.length;
          const text = segmentTexts.join('').trim();
          resolve({ loadMs, transcribeMs: totalMs - loadMs, encodeMs: timing(output, 'encode'), decodeMs: (timing(output, 'decode') ?? 0) + (timing(output, 'batchd') ?? 0), peakRss, text, segments });
        });
      });
    },
  };
  return runner;
}

/** The pristine upstream build (unpatched v1.9.1 tree) at `binary`, the real tier's manifest.whisperCliPristine. */
function pristine(binary, { decoding = 'greedy' } = {}) {
  return whisperCli({
    name: 'whisper-cli (pristine v1.9.1)',
    binary: () => binary,
    version: "v1.9.1 unpatched (nodejs-whisper@0.3.1's tree, built by scripts/build-whisper-cli.js --pristine)",
    missing: binary ? `${binary} does not exist (node scripts/prepare-real-tier.js builds it)` : 'no real tier (node scripts/prepare-real-tier.js builds the pristine whisper-cli)',
    decoding,
  });
}

module.exports = whisperCli();
module.exports.whisperCli = whisperCli;
module.exports.pristine = pristine;
