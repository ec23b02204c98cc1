// whisper.cpp's own CLI, built from the same deps/whisper.cpp by scripts/build-whisper-cli.js:
// the reference. Greedy with no temperature fallback (-bs 1 -nf), as the other runners, and
// with timestamps (-nt would change what the decoder does, and so the work measured).
// Load, encode and decode times come from its own timing report; peak RSS from polling
// /proc/<pid>/status (Linux).
'use strict';
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { librariesBeside } = require('./native-files');

const ROOT = path.resolve(__dirname, '..', '..');

function timing(output, name) {
  const match = new RegExp(`${name} time =\\s*([0-9.]+) ms`).exec(output);
  return match ? Number(match[1]) : undefined;
}

module.exports = {
  name: 'whisper-cli',
  peer: false,
  version: () => 'from deps/whisper.cpp',
  unavailable: () => (fs.existsSync(module.exports.binary()) ? undefined : 'not built (npm run whisper-cli)'),
  /** The executable and the libraries it links from its build folder (ldd; Linux). */
  nativeFiles() {
    const exe = module.exports.binary();
    return [exe, ...librariesBeside(exe)];
  },
  binary: () => path.join(ROOT, '.cache', 'whisper-cli', 'bin', process.platform === 'win32' ? 'Release/whisper-cli.exe' : 'whisper-cli'),
  run({ model, audio, threads }) {
    return new Promise((resolve, reject) => {
      const child = spawn(module.exports.binary(), ['-m', model, '-f', audio, '-t', String(threads), '-bs', '1', '-nf']);
      let output = '';
      let transcript = '';
      child.stdout.on('data', (d) => (transcript += d));
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
        if (code !== 0) return reject(new Error(`whisper-cli exited with ${code}: ${output.slice(-2000)}`));
        const loadMs = timing(output, 'load');
        const totalMs = timing(output, 'total');
        // "[00:00:00.000 --> 00:00:02.000]  text" lines: the text, as the bindings return it.
        const segments = (transcript.match(/^\[[^\]]*\]/gm) ?? []).length;
        const text = transcript.replace(/^\[[^\]]*\]\s*/gm, '').replace(/\n/g, '').trim();
        resolve({ loadMs, transcribeMs: totalMs - loadMs, encodeMs: timing(output, 'encode'), decodeMs: (timing(output, 'decode') ?? 0) + (timing(output, 'batchd') ?? 0), peakRss, text, segments });
      });
    });
  },
};
