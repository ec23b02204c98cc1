/**
 * bench/live-session.js and bench/live-sets.js (plain JS, shared with `npm run bench:live`),
 * with types for the tests.
 */
import type { LiveResult, LiveTranscriber, LiveWord } from '../../src';

export interface FinalWord extends LiveWord {
  /** Wall seconds from the first chunk to the moment this word became final. */
  finalAt: number;
  endOfUtterance: boolean;
}

export interface PacedRun {
  result: LiveResult;
  finals: FinalWord[];
  /** Each partial event's text and the wall seconds it arrived. */
  partials: { text: string; wall: number }[];
  lagging: { behindSeconds: number; droppedSeconds: number; wall: number }[];
  maxHeldSeconds: number;
  /** Wall seconds at which the last chunk was pushed. */
  pushedAt: number;
  wallSeconds: number;
}

export interface LiveSet {
  name: string;
  pcm: Float32Array;
  reference: string;
  /** Normalized reference words with their end in the audio (s). */
  words: { word: string; end: number }[];
  exactTimes: boolean;
}

interface LiveSessionModule {
  runPaced(live: LiveTranscriber, pcm: Float32Array, options: { chunkSeconds: number; speed?: number; onChunk?: (live: LiveTranscriber, seconds: number) => void }): Promise<PacedRun>;
  wordLatencies(reference: { word: string; end: number }[], finals: FinalWord[], speed?: number): { latencies: number[]; matched: number; referenceWords: number };
  percentile(values: number[], p: number): number;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { runPaced, wordLatencies, percentile } = require('../../bench/live-session.js') as LiveSessionModule;
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { liveSet } = require('../../bench/live-sets.js') as { liveSet(name: 'five-minute' | 'connected' | 'jfk'): LiveSet };
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { describeLiveLosses } = require('../../bench/live-compare.js') as {
  describeLiveLosses(reference: string, live: string, offline: string, options?: { words?: { end: number }[]; limit?: number }): string[];
};
