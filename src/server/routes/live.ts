/**
 * `GET /v1/audio/live`, upgraded to a WebSocket: live transcription of PCM16 frames
 * (../live-session.ts runs each session). Everything that can be refused is refused before
 * the upgrade, as a plain HTTP answer in OpenAI's shape: the request guard (API key, origin,
 * host, shutdown), a bad query (400) and one session too many (429). A plain GET without
 * the upgrade gets 426.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';

import type { Ticket } from '../admission';
import type { LiveContext, ServerContext } from '../context';
import { HttpError, toHttpError } from '../http-errors';
import { closeCodeFor } from '../live-close';
import { parseLiveQuery, type Query } from '../live-request';
import { LiveSession } from '../live-session';
import type { LiveOptions } from '../../types/live';

export const LIVE_ROUTE = '/v1/audio/live';

/** What the upgrade's checks hand to the WebSocket handler. */
interface Claim {
  ticket: Ticket;
  options: LiveOptions;
  /** Gives the ticket back if the connection ends before the handler takes it over. */
  unclaimed: () => void;
}

function buffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  return Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
}

function refuseBusy(live: LiveContext): HttpError {
  return new HttpError(429, 'queue_full', `the server already runs ${live.sessions.limit} live sessions, its most (--max-live-sessions); retry later`, {
    type: 'rate_limit_error',
    code: 'too_many_live_sessions',
  });
}

/** Starts a session on an upgraded socket; one that cannot start gets an error frame and a close. */
function startSession(context: ServerContext, live: LiveContext, socket: WebSocket, claim: Claim, request: FastifyRequest): void {
  let transcriber;
  try {
    transcriber = context.model.live(claim.options);
  } catch (error) {
    // The model disposed under the server, say: the connection's end gives the ticket back.
    const failure = toHttpError(error);
    context.metrics.error(failure.kind);
    socket.send(JSON.stringify({ type: 'error', ...failure.body() }));
    socket.close(closeCodeFor(failure), failure.code ?? failure.kind);
    return;
  }
  request.raw.socket.off('close', claim.unclaimed);
  const sampleRate = claim.options.sampleRate ?? 16000;
  const session = new LiveSession(socket, transcriber, { context, ticket: claim.ticket, sampleRate, limits: live.limits });
  socket.on('message', (data, isBinary) => session.message(buffer(data), isBinary));
  socket.on('error', (error) => session.socketError(error));
  socket.on('close', () => session.closed());
  session.start({
    model: context.modelName,
    sampleRate,
    limits: { maxFrameBytes: live.limits.maxFrameBytes, maxSeconds: live.limits.maxSeconds, idleTimeoutSeconds: live.limits.idleTimeoutMs / 1000 },
  });
}

export function registerLiveRoute(app: FastifyInstance, context: ServerContext, live: LiveContext): void {
  const claims = new WeakMap<FastifyRequest, Claim>();
  app.route({
    method: 'GET',
    url: LIVE_ROUTE,
    // Runs after the request guard and before the upgrade: a refusal here is an HTTP answer.
    preHandler: async (request) => {
      if (!request.ws) return;
      const options = parseLiveQuery(request.query as Query, context.model.info);
      const ticket = live.sessions.tryAdmit();
      if (ticket === undefined) throw refuseBusy(live);
      // An upgrade the WebSocket layer then refuses (a bad Sec-WebSocket-Key) never reaches
      // the handler: the connection's end gives the place back.
      const unclaimed = () => ticket.release();
      request.raw.socket.once('close', unclaimed);
      claims.set(request, { ticket, options, unclaimed });
    },
    handler: async () => {
      throw new HttpError(426, 'bad_request', `${LIVE_ROUTE} is a WebSocket endpoint: connect with a WebSocket client (Upgrade: websocket)`, {
        code: 'upgrade_required',
        headers: { upgrade: 'websocket' },
      });
    },
    wsHandler: (socket, request) => {
      const claim = claims.get(request);
      claims.delete(request);
      if (claim === undefined) return socket.close(1011, 'internal');
      context.metrics.request(LIVE_ROUTE, 101, 0);
      startSession(context, live, socket, claim, request);
    },
  });
}
