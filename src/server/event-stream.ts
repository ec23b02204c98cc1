/**
 * `stream=true`: the transcript as server-sent events, in the shapes of OpenAI's
 * streaming transcription events, so OpenAI's clients parse them:
 * - per segment, as soon as it is decoded: `transcript.text.segment` (id, start, end,
 *   text) and `transcript.text.delta` (the segment's text, with its `segment_id`);
 * - at the end: `transcript.text.done` with the whole text;
 * - on failure after the stream began: `{ error: { message, type, param, code } }`,
 *   which OpenAI's client raises as an APIError.
 */
import type { ServerResponse } from 'node:http';

import type { Segment } from '../types/transcript';
import type { HttpError } from './http-errors';

export class EventStream {
  readonly #response: ServerResponse;

  constructor(response: ServerResponse, headers: Record<string, string>) {
    this.#response = response;
    response.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      // Proxies (nginx) would otherwise hold the events back.
      'x-accel-buffering': 'no',
    });
    // The headers go now, so the client knows its job was taken on.
    response.flushHeaders();
  }

  #send(data: unknown): void {
    if (!this.#response.writableEnded && !this.#response.destroyed) this.#response.write(`data: ${JSON.stringify(data)}\n\n`);
  }

  segment(segment: Segment, index: number): void {
    const id = String(index);
    this.#send({ type: 'transcript.text.segment', id, start: segment.start, end: segment.end, text: segment.text });
    this.#send({ type: 'transcript.text.delta', delta: segment.text, segment_id: id });
  }

  done(text: string): void {
    this.#send({ type: 'transcript.text.done', text });
    this.#response.end();
  }

  fail(error: HttpError): void {
    this.#send(error.body());
    this.#response.end();
  }
}
