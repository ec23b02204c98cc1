// wav-decoder 1.3.0 ships no types; this is the part of its API that src/audio/wav.ts uses.
declare module 'wav-decoder' {
  export interface AudioData {
    numberOfChannels: number;
    length: number;
    sampleRate: number;
    channelData: Float32Array[];
  }
  export interface DecodeOptions {
    /** Scale integer samples by 1/2^(bits-1) on both sides of zero (else positives by 1/(2^(bits-1)-1)). */
    symmetric?: boolean;
  }
  interface Decode {
    (buffer: ArrayBuffer, options?: DecodeOptions): Promise<AudioData>;
    sync(buffer: ArrayBuffer, options?: DecodeOptions): AudioData;
  }
  export const decode: Decode;
}
