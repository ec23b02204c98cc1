/**
 * The Fastify application: plugins, the request guard (API key, loopback privacy,
 * shutdown), errors in OpenAI's shape, request metrics and the routes. Fastify and its
 * plugins are imported here, lazily, so that a program that only uses the library never
 * loads them.
 */
import type { FastifyInstance } from 'fastify';

import type { LiveContext, ServerContext } from './context';
import { BEARER_PROTOCOL_PREFIX, LIVE_PROTOCOL, requestGuard, type GuardOptions } from './guards';
import { HttpError, toHttpError } from './http-errors';
import { CLOSE_SERVER_ERROR } from './live-close';
import { registerAudioRoutes } from './routes/audio';
import { registerInfoRoutes } from './routes/info';
import { registerLiveRoute } from './routes/live';
import { registerWebPage } from './routes/web-page';

export interface AppOptions extends GuardOptions {
  webPage: boolean;
  log: ((line: string) => void) | undefined;
}

/** Time to receive a whole request (upload included); a stalled upload ends sooner (upload.ts). */
const REQUEST_TIMEOUT_MS = 300_000;

export async function buildApp(context: ServerContext, options: AppOptions): Promise<FastifyInstance> {
  const { default: fastify } = await import('fastify');
  const { default: multipart } = await import('@fastify/multipart');
  const app = fastify({
    logger: false,
    // JSON and other small bodies; audio goes through multipart, which has its own limits.
    bodyLimit: 1024 * 1024,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // During close() requests are answered by the guard (503 in OpenAI's shape on the audio
    // routes, /health says shutting_down), not by Fastify's own 503.
    return503OnClosing: false,
    forceCloseConnections: 'idle',
  });
  await app.register(multipart);
  // Before the guard's hook: the plugin's own onRequest hook marks an upgrade (request.ws),
  // which its onResponse hook needs to end the socket of an upgrade the guard refused.
  if (context.live !== undefined) await registerWebSocket(app, context.live);
  // Any other body type reaches the route, which answers 400 in OpenAI's shape (not 415).
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  if (options.cors !== undefined) {
    const { default: cors } = await import('@fastify/cors');
    await app.register(cors, { origin: options.cors.includes('*') ? '*' : [...options.cors], methods: ['GET', 'POST'] });
  }
  app.addHook('onRequest', requestGuard(context, options));

  app.setErrorHandler(async (error, _request, reply) => {
    const failure = toHttpError(error);
    context.metrics.error(failure.kind);
    return reply.code(failure.status).headers(failure.headers).send(failure.body());
  });
  app.setNotFoundHandler(async (request, reply) => {
    context.metrics.error('not_found');
    return reply.code(404).send(new HttpError(404, 'not_found', `no route ${request.method} ${request.url.split('?')[0]}`).body());
  });

  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    context.metrics.request(route, reply.statusCode, reply.elapsedTime / 1000);
    options.log?.(`${request.method} ${request.url.split('?')[0]} ${reply.statusCode} ${reply.elapsedTime.toFixed(0)} ms`);
  });

  registerAudioRoutes(app, context);
  registerInfoRoutes(app, context, Date.now());
  if (context.live !== undefined) registerLiveRoute(app, context, context.live);
  if (options.webPage) registerWebPage(app);
  return app;
}

/**
 * The WebSocket plugin of the live route. @fastify/websocket runs an upgrade through
 * Fastify's router and hooks (so the request guard applies) before `ws` completes it.
 */
async function registerWebSocket(app: FastifyInstance, live: LiveContext): Promise<void> {
  const { default: websocket } = await import('@fastify/websocket');
  await app.register(websocket, {
    options: {
      // `ws` refuses a larger frame from its header, before buffering it (close 1009).
      maxPayload: live.limits.maxFrameBytes,
      // Answer with our protocol, never with the one that carries the key.
      handleProtocols: (offered) => (offered.has(LIVE_PROTOCOL) ? LIVE_PROTOCOL : ([...offered].find((p) => !p.startsWith(BEARER_PROTOCOL_PREFIX)) ?? false)),
    },
    // Errors of an open socket are the session's to report (live-session.ts); this is for a
    // handler that threw, which startSession does not.
    errorHandler: (_error, socket) => {
      if (socket.readyState === socket.OPEN) socket.close(CLOSE_SERVER_ERROR, 'internal');
    },
  });
}
