/** Raw PCM with its sample rate, one Float32Array per channel (wav-decoder's shape). */
export interface AudioChannels {
  sampleRate: number;
  channelData: readonly Float32Array[];
}

/**
 * Audio that `transcribe()` accepts:
 * - `Float32Array`: mono PCM in [-1, 1], 16 kHz unless the `sampleRate` option says otherwise;
 * - `Int16Array`: mono 16-bit PCM, with the `sampleRate` option;
 * - `{ sampleRate, channelData }`: PCM in any rate and channel count (down-mixed);
 * - `Uint8Array` / `Buffer` / `ArrayBuffer`: an encoded file's bytes;
 * - a path string or a `file:` URL: an encoded file.
 *
 * Encoded audio may be WAV (PCM 8/16/24/32-bit, float 32/64-bit, WAVE_FORMAT_EXTENSIBLE,
 * RF64), MP3, FLAC or Ogg Vorbis, recognised by its content, not its name. Everything is
 * resampled to 16 kHz mono with a band-limited filter.
 */
export type AudioInput = Float32Array | Int16Array | AudioChannels | Uint8Array | ArrayBuffer | string | URL;

/** The container (and codec) an input was read as; `'pcm'` for typed arrays. */
export type AudioFormat = 'pcm' | 'wav' | 'mp3' | 'flac' | 'vorbis';

/** What the input was, before conversion to 16 kHz mono. */
export interface AudioSourceInfo {
  format: AudioFormat;
  /** The source's sample rate in Hz. */
  sampleRate: number;
  /** The source's channel count (down-mixed to mono by averaging). */
  channels: number;
}
