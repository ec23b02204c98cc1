/**
 * `POST /v1/audio/transcriptions` and `POST /v1/audio/translations`. A request is admitted
 * (or refused with 429) before its upload is read, transcribed on the shared model with an
 * AbortSignal that fires when the client disconnects or the shutdown deadline passes, and
 * answered in the asked format or as a stream of events. It keeps its place until both its
 * job has settled and its answer is written (or its connection is gone).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { TranscribeOptions } from '../../types/options';
import type { Transcript } from '../../types/transcript';
import type { Ticket } from '../admission';
import type { ServerContext } from '../context';
import { EventStream } from '../event-stream';
import { ClientGoneError, HttpError, toHttpError } from '../http-errors';
import { parseAudioRequest, type AudioRequest, type Task } from '../openai-request';
import { renderTranscript } from '../openai-response';
import { checkDeclaredLength, readUpload } from '../upload';

/** Seconds a refused client should wait: the requests ahead of it at the recent pace. */
function retryAfterSeconds(context: ServerContext): number {
  const perJob = context.metrics.meanJobSeconds() ?? 5;
  return Math.max(1, Math.min(600, Math.ceil((perJob * context.admission.size) / context.maxConcurrency)));
}

/** On the shared model, or at the queue's workers with `serve --redis`. */
function transcribe(context: ServerContext, audio: Buffer, options: TranscribeOptions): Promise<Transcript> {
  return context.queue ? context.queue.transcribe(audio, options) : context.model.transcribe(audio, options);
}

/** Ties the ticket to the response: a response closed unfinished aborts the job. */
function holdUntilAnswered(ticket: Ticket, context: ServerContext, request: FastifyRequest, reply: FastifyReply): () => void {
  let settled = false;
  let closed = false;
  reply.raw.once('close', () => {
    closed = true;
    if (!reply.raw.writableFinished) {
      ticket.abort(new ClientGoneError());
      // Fastify's onResponse runs on 'finish', which an unfinished response never sends.
      context.metrics.request(request.routeOptions.url ?? 'unmatched', 499, reply.elapsedTime / 1000);
    }
    if (settled) ticket.release();
  });
  return () => {
    settled = true;
    if (closed) ticket.release();
  };
}

async function answerStream(context: ServerContext, audio: Buffer, audioRequest: AudioRequest, ticket: Ticket, reply: FastifyReply): Promise<FastifyReply> {
  // The stream opens with the first segment: a job that fails before it (audio that
  // cannot be decoded, a full memory budget) still gets its own status code.
  let events: EventStream | undefined;
  const open = (): EventStream => (events ??= new EventStream(reply.hijack().raw, reply.getHeaders() as Record<string, string>));
  try {
    const transcript = await transcribe(context, audio, { ...audioRequest.options, signal: ticket.signal, onSegment: (s, i) => open().segment(s, i) });
    context.metrics.job(transcript.timings.audioSeconds, transcript.timings.totalMs / 1000);
    open().done(transcript.text.trim());
  } catch (error) {
    if (events === undefined) throw error;
    // The status (200) is sent; the failure goes as an event, and into errors_total.
    const failure = toHttpError(error, ticket.signal);
    context.metrics.error(failure.kind);
    events.fail(failure);
  }
  return reply;
}

async function answerBody(context: ServerContext, audio: Buffer, audioRequest: AudioRequest, ticket: Ticket, reply: FastifyReply): Promise<FastifyReply> {
  const transcript = await transcribe(context, audio, { ...audioRequest.options, signal: ticket.signal });
  context.metrics.job(transcript.timings.audioSeconds, transcript.timings.totalMs / 1000);
  const rendered = renderTranscript(transcript, audioRequest, context.model.info);
  return reply.type(rendered.contentType).send(rendered.body);
}

async function handle(context: ServerContext, task: Task, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  checkDeclaredLength(request, context.maxUploadBytes);
  const ticket = context.admission.tryAdmit();
  if (ticket === undefined) {
    throw new HttpError(429, 'queue_full', 'the server is busy: every transcription slot and queue place is taken; retry later', {
      type: 'rate_limit_error',
      code: 'queue_full',
      headers: { 'retry-after': String(retryAfterSeconds(context)) },
    });
  }
  const settle = holdUntilAnswered(ticket, context, request, reply);
  try {
    const form = await readUpload(request, { maxUploadBytes: context.maxUploadBytes, idleMs: context.uploadIdleTimeoutMs, signal: ticket.signal });
    ticket.signal.throwIfAborted();
    const audioRequest = parseAudioRequest(form.fields, task, context.model.info);
    return await (audioRequest.stream ? answerStream : answerBody)(context, form.audio, audioRequest, ticket, reply);
  } catch (error) {
    throw toHttpError(error, ticket.signal);
  } finally {
    settle();
  }
}

export function registerAudioRoutes(app: FastifyInstance, context: ServerContext): void {
  for (const [path, task] of [
    ['/v1/audio/transcriptions', 'transcribe'],
    ['/v1/audio/translations', 'translate'],
  ] as const) {
    app.post(path, (request, reply) => handle(context, task, request, reply));
  }
}
