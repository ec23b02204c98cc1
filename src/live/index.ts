/** Live transcription: pushed audio in, partial and final text out (./live-transcriber.ts). */
export { LiveTranscriber, type LiveDecoder } from './live-transcriber';
export { checkLiveOptions } from './live-options';
