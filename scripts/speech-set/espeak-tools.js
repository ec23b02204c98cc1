// Shared by the speech-set generators: running espeak-ng and sox, reading the WAV that
// espeak-ng writes to stdout, seeded numbers that depend only on a name, and (for the
// word-timing sets) resampling, seeded noise, WAV files and a set's cache.
'use strict';

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { mulberry32 } = require('../generate-model.js');
const { pcm16WavHeader } = require('../wav-header.js');

/**
 * The environment for the tools (espeak-ng, sox, python3): under npm run test:sanitized the
 * ASan runtime preloaded into node would be inherited, and can hang a program that is not
 * instrumented at its exit (test/support/sanitized.ts does the same for the tests' tools).
 */
function toolEnv() {
  if (process.env.WHISPER_NAPI_SANITIZED !== '1') return process.env;
  const env = { ...process.env };
  for (const key of ['LD_PRELOAD', 'ASAN_OPTIONS', 'LSAN_OPTIONS', 'UBSAN_OPTIONS']) delete env[key];
  return env;
}

function run(command, args, input) {
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 30, env: toolEnv() });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed (${result.status}): ${String(result.stderr).trim()}`);
  return result.stdout;
}

/** The PCM of a WAV that espeak-ng wrote to stdout (its sizes are placeholders: data runs to the end). */
function parseEspeakWav(buffer) {
  if (buffer.toString('ascii', 0, 4) !== 'RIFF' || buffer.toString('ascii', 8, 12) !== 'WAVE') throw new Error('espeak-ng did not write a WAV file');
  let offset = 12;
  let format = null;
  while (offset + 8 <= buffer.length) {
    const id = buffer.toString('ascii', offset, offset + 4);
    const size = buffer.readUInt32LE(offset + 4);
    if (id === 'fmt ') {
      format = { channels: buffer.readUInt16LE(offset + 10), rate: buffer.readUInt32LE(offset + 12), bits: buffer.readUInt16LE(offset + 22) };
    } else if (id === 'data') {
      if (!format || format.channels !== 1 || format.bits !== 16) throw new Error(`espeak-ng wrote an unexpected format: ${JSON.stringify(format)}`);
      const end = Math.min(buffer.length, offset + 8 + size);
      return { rate: format.rate, pcm: buffer.subarray(offset + 8, end - ((end - offset - 8) % 2)) };
    }
    offset += 8 + size + (size % 2);
  }
  throw new Error('espeak-ng wrote a WAV file without a data chunk');
}

/** A seed from a name (FNV-1a), so each clip's numbers do not depend on the clips before it. */
function seedOf(name) {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(name, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** Uniform numbers in [0, 1) from mulberry32, seeded by a name. */
function seededUniform(name) {
  return mulberry32(seedOf(name));
}

function toolVersions() {
  return { espeak: String(run('espeak-ng', ['--version'])).trim(), sox: String(run('sox', ['--version'])).trim() };
}

const RAW = ['-t', 'raw', '-e', 'signed-integer', '-b', '16', '-c', '1', '-L'];

/** 16-bit mono PCM (a Buffer) at `rate` Hz, resampled by sox to `to` Hz (no dither: a pure function of the input). */
function resample(pcm, rate, to) {
  const out = run('sox', ['-D', '-V1', ...RAW, '-r', String(rate), '-', ...RAW, '-r', String(to), '-'], pcm);
  const samples = new Int16Array(out.length >> 1);
  for (let i = 0; i < samples.length; i++) samples[i] = out.readInt16LE(2 * i);
  return samples;
}

/**
 * `samples` (Int16Array) with seeded Gaussian noise at `dbfs` RMS added in place (Box-Muller
 * over the stream named `name`), clipped to 16 bits, written as a mono WAV file.
 */
function writeWithNoise(file, samples, rate, name, dbfs) {
  const noise = seededUniform(name);
  const sigma = 32768 * 10 ** (dbfs / 20);
  for (let i = 0; i < samples.length; i++) {
    const value = samples[i] + Math.sqrt(-2 * Math.log(1 - noise())) * Math.cos(2 * Math.PI * noise()) * sigma;
    samples[i] = Math.max(-32768, Math.min(32767, Math.round(value)));
  }
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(samples[i], 2 * i);
  fs.writeFileSync(file, Buffer.concat([pcm16WavHeader(data.length, rate, 1), data]));
}

/**
 * Makes a set into `out` unless its manifest.json is there with this `version` and a cache
 * key over `files` (the generator, its texts) and the tools' versions: `build(dir)` writes
 * the audio into a temporary folder and returns the manifest's fields and its `clips` (each
 * with durationS and words), which replaces `out` only once complete. Returns the manifest's path.
 */
function makeSetOnce({ out, version, files, build }) {
  const tools = toolVersions();
  const hash = crypto.createHash('sha256');
  for (const file of files) hash.update(fs.readFileSync(file));
  hash.update(JSON.stringify(tools));
  const cacheKey = hash.digest('hex').slice(0, 16);
  const manifestPath = path.join(out, 'manifest.json');
  if (fs.existsSync(manifestPath)) {
    try {
      const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
      if (manifest.version === version && manifest.cacheKey === cacheKey) return manifestPath;
    } catch {
      // rebuilt below
    }
  }
  const tmp = `${out}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  try {
    const { clips, ...fields } = build(tmp);
    const durationS = clips.reduce((sum, clip) => sum + clip.durationS, 0);
    const manifest = { version, cacheKey, tools, ...fields, durationS, wordCount: clips.reduce((sum, clip) => sum + clip.words.length, 0), clips };
    fs.writeFileSync(path.join(tmp, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(tmp, out);
  } catch (error) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw error;
  }
  return manifestPath;
}

/** A generator's command line: [--out DIR] [--quiet]; prints the manifest's path. */
function setCommandLine(name, make, defaultOut) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  try {
    console.log(make({ out: outAt >= 0 ? args[outAt + 1] : defaultOut, quiet: args.includes('--quiet') }));
  } catch (error) {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  }
}

module.exports = { run, toolEnv, parseEspeakWav, seededUniform, resample, writeWithNoise, makeSetOnce, setCommandLine };
