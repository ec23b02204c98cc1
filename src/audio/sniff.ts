/**
 * Recognises an encoded audio file by its first bytes, never by its name: a WAV renamed
 * .mp3 is still read as WAV, and a text file renamed .wav is refused up front.
 */
import { UnsupportedAudioError } from '../errors';

export type Container = 'wav' | 'mp3' | 'flac' | 'vorbis';

/** Bytes needed by sniffContainer() (an Ogg first page's codec header starts at 28). */
export const SNIFF_BYTES = 64;

const SUPPORTED = 'WAV, MP3, FLAC or Ogg Vorbis';

function ascii(bytes: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...bytes.subarray(start, start + length));
}

/** An MPEG audio frame header (layers I-III): frame sync and no reserved field values. */
function isMpegAudioHeader(b: Uint8Array): boolean {
  if (b.length < 4 || b[0] !== 0xff || (b[1]! & 0xe0) !== 0xe0) return false;
  const version = (b[1]! >> 3) & 3;
  const layer = (b[1]! >> 1) & 3;
  const bitrate = b[2]! >> 4;
  const rate = (b[2]! >> 2) & 3;
  return version !== 1 && layer !== 0 && bitrate !== 15 && rate !== 3;
}

function unsupported(what: string): never {
  throw new UnsupportedAudioError(`${what} is not supported; whisper-napi decodes ${SUPPORTED} (convert it first, e.g. with ffmpeg -i in -ar 16000 -ac 1 out.wav)`);
}

export function sniffContainer(head: Uint8Array): Container {
  const tag = ascii(head, 0, 4);
  if ((tag === 'RIFF' || tag === 'RF64') && ascii(head, 8, 4) === 'WAVE') return 'wav';
  if (tag === 'RIFF') unsupported(`a RIFF file of type '${ascii(head, 8, 4)}'`);
  if (tag === 'fLaC') return 'flac';
  if (tag === 'OggS') {
    // The first page holds the codec's identification header at byte 28.
    if (head[28] === 0x01 && ascii(head, 29, 6) === 'vorbis') return 'vorbis';
    if (ascii(head, 28, 8) === 'OpusHead') unsupported('Ogg Opus audio');
    if (ascii(head, 29, 4) === 'FLAC') unsupported('FLAC in an Ogg container');
    unsupported('this Ogg stream (not Vorbis)');
  }
  if (ascii(head, 0, 3) === 'ID3' || isMpegAudioHeader(head)) return 'mp3';
  // Recognised, to say what they are rather than "unknown".
  if (head[0] === 0xff && (head[1]! & 0xf6) === 0xf0) unsupported('AAC audio (ADTS)');
  if (ascii(head, 4, 4) === 'ftyp') unsupported('MP4/M4A audio');
  if (head[0] === 0x1a && head[1] === 0x45 && head[2] === 0xdf && head[3] === 0xa3) unsupported('WebM/Matroska audio');
  if (tag === 'FORM' && ascii(head, 8, 3) === 'AIF') unsupported('AIFF audio');
  throw new UnsupportedAudioError(`the data is not a recognised audio file (${SUPPORTED}); it starts with ${JSON.stringify(ascii(head, 0, 8))}`);
}
