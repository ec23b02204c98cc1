// Where the fields a decoder trusts sit in an audio file: [offset, width in bytes, name] for
// WAV chunk sizes and fmt fields, FLAC metadata headers and STREAMINFO, MP3 ID3/frame headers
// and Ogg page headers. The audio fuzzer overwrites these with absurd values.
'use strict';

function wavFields(d) {
  const fields = [[4, 4, 'RIFF size']];
  let o = 12;
  while (o + 8 <= d.length && fields.length < 64) {
    const id = d.toString('latin1', o, o + 4);
    const size = d.readUInt32LE(o + 4);
    fields.push([o + 4, 4, `${id} size`]);
    if (id === 'fmt ') {
      for (const [at, width, name] of [[0, 2, 'format tag'], [2, 2, 'channels'], [4, 4, 'sample rate'], [8, 4, 'byte rate'], [12, 2, 'block align'], [14, 2, 'bits per sample']]) fields.push([o + 8 + at, width, `fmt ${name}`]);
    }
    o += 8 + size + (size & 1);
  }
  return fields;
}

function flacFields(d) {
  const fields = [];
  let o = 4;
  for (let i = 0; i < 16 && o + 4 <= d.length; i++) {
    fields.push([o, 1, `metadata block ${i} type`], [o + 1, 3, `metadata block ${i} length`]);
    if ((d[o] & 0x7f) === 0) {
      for (const [at, width, name] of [[0, 2, 'min block size'], [2, 2, 'max block size'], [4, 3, 'min frame size'], [7, 3, 'max frame size'], [10, 3, 'sample rate/channels'], [13, 1, 'channels/bits'], [14, 4, 'total samples']]) fields.push([o + 4 + at, width, `STREAMINFO ${name}`]);
    }
    const last = d[o] & 0x80;
    o += 4 + d.readUIntBE(o + 1, 3);
    if (last) {
      fields.push([o, 2, 'first frame sync'], [o + 2, 2, 'first frame header']);
      break;
    }
  }
  return fields;
}

function mp3Fields(d) {
  const fields = [];
  let o = 0;
  if (d.toString('latin1', 0, 3) === 'ID3') {
    fields.push([6, 4, 'ID3 size']);
    o = 10 + ((d[6] << 21) | (d[7] << 14) | (d[8] << 7) | d[9]);
  }
  for (let found = 0; o + 4 <= d.length && found < 6; o++) {
    if (d[o] === 0xff && (d[o + 1] & 0xe0) === 0xe0) {
      fields.push([o + 1, 1, `frame ${found} version/layer`], [o + 2, 1, `frame ${found} bitrate/rate`], [o + 3, 1, `frame ${found} mode`]);
      const xing = d.indexOf('Xing', o);
      if (found === 0 && xing > 0 && xing < o + 64) fields.push([xing + 4, 4, 'Xing flags'], [xing + 8, 4, 'Xing frame count'], [xing + 12, 4, 'Xing byte count']);
      found++;
      o += 100; // past this header; frames are longer than this
    }
  }
  return fields;
}

function oggFields(d) {
  const fields = [];
  for (let o = d.indexOf('OggS'), page = 0; o >= 0 && page < 8; o = d.indexOf('OggS', o + 4), page++) {
    for (const [at, width, name] of [[4, 1, 'version'], [5, 1, 'header type'], [6, 4, 'granule'], [10, 4, 'granule high'], [18, 4, 'sequence'], [26, 1, 'segment count'], [27, 1, 'first lacing value']]) fields.push([o + at, width, `page ${page} ${name}`]);
    if (page < 2) fields.push([o + 28 + d[o + 26], 1, `page ${page} packet type`]);
  }
  return fields;
}

const FIELDS = { wav: wavFields, flac: flacFields, mp3: mp3Fields, ogg: oggFields };

module.exports = { fieldsOf: (format, bytes) => FIELDS[format](bytes).filter(([o, w]) => o >= 0 && o + w <= bytes.length) };
