/**
 * `POST /v1/audio/transcriptions` and `POST /v1/audio/translations`. A request is admitted
 * (or refused with 429) before its upload is read, transcribed on the shared model with an
 * AbortSignal that fires when the client disconnects or the shutdown deadline passes, and
 * answered in the asked format or as a stream of events.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import type { ServerContext } from '../context';
import { EventStream } from '../event-stream';
import { ClientGoneError, HttpError, toHttpError } from '../http-errors';
import { parseAudioRequest, type Task } from '../openai-request';
import { renderTranscript } from '../openai-response';
import { readUpload, tooLarge } from '../upload';

/** Multipart framing and the text fields, on top of the audio itself. */
const FORM_OVERHEAD_BYTES = 128 * 1024;

/** Seconds a refused client should wait: the jobs ahead of it at the recent pace. */
function retryAfterSeconds(context: ServerContext): number {
  const { model, metrics } = context;
  const perJob = metrics.meanJobSeconds() ?? 5;
  const ahead = model.jobs.running + model.jobs.waiting;
  return Math.max(1, Math.min(600, Math.ceil((perJob * ahead) / context.maxConcurrency)));
}

async function handle(context: ServerContext, task: Task, request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > context.maxUploadBytes + FORM_OVERHEAD_BYTES) throw tooLarge(context.maxUploadBytes);

  const ticket = context.admission.tryAdmit();
  if (ticket === undefined) {
    throw new HttpError(429, 'queue_full', 'the server is busy: every transcription slot and queue place is taken; retry later', {
      type: 'rate_limit_error',
      code: 'queue_full',
      headers: { 'retry-after': String(retryAfterSeconds(context)) },
    });
  }
  // The request holds its place until its answer is written (or the connection dies).
  // A response closed before it finished means the client went away: abort its job.
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) ticket.abort(new ClientGoneError());
    ticket.release();
  });
  try {
    const form = await readUpload(request, { maxUploadBytes: context.maxUploadBytes });
    ticket.signal.throwIfAborted();
    const audioRequest = parseAudioRequest(form.fields, task, context.model.info);
    const options = { ...audioRequest.options, signal: ticket.signal };
    const vocabulary = context.model.info;

    if (audioRequest.stream) {
      // The stream opens with the first segment: a job that fails before it (audio that
      // cannot be decoded, a full memory budget) still gets its own status code.
      let events: EventStream | undefined;
      const open = (): EventStream => (events ??= new EventStream(reply.hijack().raw, reply.getHeaders() as Record<string, string>));
      try {
        const transcript = await context.model.transcribe(form.audio, { ...options, onSegment: (s, i) => open().segment(s, i) });
        context.metrics.job(transcript.timings.audioSeconds, transcript.timings.totalMs / 1000);
        open().done(transcript.text.trim());
      } catch (error) {
        if (events === undefined) throw error;
        const failure = toHttpError(error, ticket.signal);
        context.metrics.error(failure.kind);
        events.fail(failure);
      }
      return reply;
    }

    const transcript = await context.model.transcribe(form.audio, options);
    context.metrics.job(transcript.timings.audioSeconds, transcript.timings.totalMs / 1000);
    const rendered = renderTranscript(transcript, audioRequest, vocabulary);
    return reply.type(rendered.contentType).send(rendered.body);
  } catch (error) {
    throw toHttpError(error, ticket.signal);
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
