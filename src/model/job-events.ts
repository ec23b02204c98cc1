/** A transcription's streamed segments and progress, delivered to the user's callbacks. */
import type { NativeJobEvent } from '../native';
import { isNoSpeechAnnotation, toSegment } from '../transcript';
import type { TranscribeOptions } from '../types/options';
import type { Segment, Transcript } from '../types/transcript';

/**
 * Delivers a job's streamed segments and progress to the user's callbacks: each segment
 * exactly once and in order (events that arrive after the result are already covered by
 * it), progress increasing and ending at 100. A callback that throws aborts the job, and
 * its error is what the caller gets.
 */
export class JobEvents {
  /** Cancels the transcription's native jobs (a callback threw). */
  job: { cancel(): void } | undefined;
  error: unknown;
  readonly listener: ((event: NativeJobEvent) => void) | undefined;
  #delivered = 0;
  #percent = -1;
  #closed = false;
  readonly #onSegment: TranscribeOptions['onSegment'];
  readonly #onProgress: TranscribeOptions['onProgress'];
  readonly #noSpeechThreshold: number | undefined;
  // Streamed segments come numbered as whisper.cpp numbers them; those that are no speech
  // (isNoSpeechAnnotation) are not in the transcript, and the ones after them move up.
  readonly #kept: boolean[] = [];

  constructor({ onSegment, onProgress, noSpeechThreshold }: TranscribeOptions) {
    this.#onSegment = onSegment;
    this.#onProgress = onProgress;
    this.#noSpeechThreshold = noSpeechThreshold;
    this.listener = onSegment || onProgress ? (event) => this.#handle(event) : undefined;
  }

  /** No callback runs after this (the job has settled and the caller has its answer). */
  close(): void {
    this.#closed = true;
  }

  /** Delivers what the events did not, from the final transcript. */
  finish(transcript: Transcript): void {
    this.#guard(() => {
      this.#segments(transcript.segments, 0);
      this.#progress(100, true);
    });
    if (this.error !== undefined) throw this.error;
  }

  #handle(event: NativeJobEvent): void {
    this.#guard(() => {
      if (event.type === 'segments') this.#streamed(event.segments.map(toSegment), event.index);
      else this.#progress(event.percent);
    });
  }

  #streamed(segments: Segment[], index: number): void {
    if (index > this.#kept.length) return; // a lost event: the final transcript fills the gap
    segments.forEach((s, i) => (this.#kept[index + i] = !isNoSpeechAnnotation(s, this.#noSpeechThreshold)));
    const before = this.#kept.slice(0, index).filter(Boolean).length;
    this.#segments(segments.filter((_, i) => this.#kept[index + i]), before);
  }

  #segments(segments: Segment[], index: number): void {
    // A gap (index past what was delivered) can only mean a lost event: the final
    // transcript fills it.
    if (!this.#onSegment || index > this.#delivered) return;
    for (let i = this.#delivered - index; i < segments.length; i++) {
      this.#delivered++;
      this.#onSegment(segments[i]!, index + i);
    }
  }

  #progress(reported: number, final = false): void {
    // whisper.cpp's loop reports (seek - start) / (end - start), and its last hop (30 s, or
    // up to the window's last timestamp) can end past the audio's end: 104% on 246 s. 100
    // is said once, by finish(), when every segment has been delivered: a report of 100 or
    // more can come while the last window is still decoding.
    const percent = final ? 100 : Math.min(99, reported);
    if (!this.#onProgress || percent <= this.#percent) return;
    this.#percent = percent;
    this.#onProgress(percent);
  }

  #guard(deliver: () => void): void {
    if (this.error !== undefined || this.#closed) return;
    try {
      deliver();
    } catch (error) {
      this.error = error ?? new Error('a transcription callback threw');
      this.job?.cancel();
    }
  }
}
