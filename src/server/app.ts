/**
 * The Fastify application: plugins, the API key check, errors in OpenAI's shape, request
 * metrics and the routes. Fastify and its plugins are imported here, lazily, so that a
 * program that only uses the library never loads them.
 */
import { timingSafeEqual } from 'node:crypto';

import type { FastifyInstance } from 'fastify';

import type { ServerContext } from './context';
import { HttpError, toHttpError } from './http-errors';
import { registerAudioRoutes } from './routes/audio';
import { registerInfoRoutes } from './routes/info';
import { registerWebPage } from './routes/web-page';

export interface AppOptions {
  apiKey: string | undefined;
  cors: readonly string[] | undefined;
  webPage: boolean;
  log: ((line: string) => void) | undefined;
}


function keyMatches(header: string | undefined, key: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  if (!match) return false;
  const given = Buffer.from(match[1]!.trim());
  // Compare in constant time (lengths differ: compare the key with itself, then fail).
  return given.length === key.length ? timingSafeEqual(given, key) : !timingSafeEqual(key, key);
}

function needsKey(url: string): boolean {
  return url.startsWith('/v1/') || url === '/metrics' || url.startsWith('/metrics?');
}

export async function buildApp(context: ServerContext, options: AppOptions): Promise<FastifyInstance> {
  const { default: fastify } = await import('fastify');
  const { default: multipart } = await import('@fastify/multipart');
  const app = fastify({
    logger: false,
    // JSON and other small bodies; audio goes through multipart, which has its own limits.
    bodyLimit: 1024 * 1024,
    // Requests that arrive on kept-alive connections once close() began get 503.
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  await app.register(multipart);
  if (options.cors !== undefined) {
    const { default: cors } = await import('@fastify/cors');
    await app.register(cors, { origin: options.cors.includes('*') ? '*' : [...options.cors], methods: ['GET', 'POST'] });
  }

  const key = options.apiKey === undefined ? undefined : Buffer.from(options.apiKey);
  app.addHook('onRequest', async (request) => {
    if (key !== undefined && needsKey(request.url) && !keyMatches(request.headers.authorization, key)) {
      throw new HttpError(401, 'unauthorized', 'missing or incorrect API key: send it as "Authorization: Bearer <key>"', {
        code: 'invalid_api_key',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    if (context.closing && request.url.startsWith('/v1/audio/')) {
      throw new HttpError(503, 'shutting_down', 'the server is shutting down', { code: 'shutting_down', headers: { connection: 'close' } });
    }
  });

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
  if (options.webPage) registerWebPage(app);
  return app;
}
