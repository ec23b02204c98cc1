// Shared by the speech-set generators: running espeak-ng and sox, reading the WAV that
// espeak-ng writes to stdout, and seeded numbers that depend only on a name.
'use strict';

const { spawnSync } = require('node:child_process');

const { mulberry32 } = require('../generate-model.js');

function run(command, args, input) {
  const result = spawnSync(command, args, { input, maxBuffer: 1 << 30 });
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

module.exports = { run, parseEspeakWav, seededUniform };
