/**
 * What every request passes before its route runs: the API key, the checks that keep a
 * loopback server private from the web pages its user visits, and the shutdown. Routes are
 * protected unless registered with `config: { public: true }` (the page, its assets and
 * /health), and decisions use the matched route, never the raw URL, whose encoding
 * (`/%761/models`) or absolute form (`GET http://x/v1/models`) the router undoes.
 */
import { timingSafeEqual } from 'node:crypto';

import type { FastifyReply, FastifyRequest } from 'fastify';

import type { ServerContext } from './context';
import { HttpError, ShuttingDownError } from './http-errors';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Reachable without the API key. */
    public?: boolean;
  }
}

export interface GuardOptions {
  apiKey: string | undefined;
  /** Origins allowed by the CORS option; `'*'` for any. */
  cors: readonly string[] | undefined;
  /** True when the server listens on a loopback address only. */
  loopback: boolean;
}

/**
 * The subprotocol a WebSocket client offers to speak ours, and the prefix of the one that
 * carries its API key: a browser cannot set headers on a WebSocket, so it offers
 * `['whisper-napi', 'bearer.<key>']` (OpenAI's Realtime API takes its key the same way).
 */
export const LIVE_PROTOCOL = 'whisper-napi';
export const BEARER_PROTOCOL_PREFIX = 'bearer.';

function sameKey(given: string, key: Buffer): boolean {
  const bytes = Buffer.from(given);
  // Constant time for the key's bytes (only its length can be learned).
  return bytes.length === key.length && timingSafeEqual(bytes, key);
}

function keyMatches(header: string | undefined, key: Buffer): boolean {
  const match = /^Bearer\s+(.+)$/i.exec(header ?? '');
  return match !== null && sameKey(match[1]!.trim(), key);
}

/** `Sec-WebSocket-Protocol: whisper-napi, bearer.<key>` (comma-separated, any order). */
function protocolKeyMatches(header: string | undefined, key: Buffer): boolean {
  const offered = (header ?? '').split(',').map((p) => p.trim());
  return offered.some((p) => p.startsWith(BEARER_PROTOCOL_PREFIX) && sameKey(p.slice(BEARER_PROTOCOL_PREFIX.length), key));
}

/** The host name of a Host header: `localhost:8080` -> `localhost`, `[::1]:80` -> `::1`. */
function hostName(host: string): string {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(host);
  if (bracketed) return bracketed[1]!.toLowerCase();
  return host.replace(/:\d+$/, '').toLowerCase();
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name === '::1' || /^127\.\d+\.\d+\.\d+$/.test(name);
}

export function requestGuard(context: ServerContext, options: GuardOptions): (request: FastifyRequest, reply: FastifyReply) => Promise<void> {
  const key = options.apiKey === undefined ? undefined : Buffer.from(options.apiKey);
  const anyOrigin = options.cors?.includes('*') ?? false;
  return async (request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
    // DNS rebinding: a page whose name resolves to 127.0.0.1 would be same-origin with us.
    // A loopback server answers only to loopback names.
    const host = request.headers.host;
    if (options.loopback && host !== undefined && !isLoopbackName(hostName(host))) {
      throw new HttpError(403, 'forbidden', `this server listens on loopback and answers only to localhost, not to host '${hostName(host)}'`, { code: 'forbidden_host' });
    }
    // A web page elsewhere may POST a form here (no preflight for multipart), or open a
    // WebSocket (browsers apply no same-origin rule to WebSockets at all): refuse requests
    // a browser marks as coming from another origin, unless CORS allows it.
    const upgrade = request.headers.upgrade?.toLowerCase() === 'websocket';
    if (upgrade || (request.method !== 'GET' && request.method !== 'HEAD' && request.method !== 'OPTIONS')) {
      const origin = request.headers.origin;
      const sameOrigin = origin === undefined || (host !== undefined && origin === `http://${host}`);
      const allowed = anyOrigin || (origin !== undefined && (options.cors?.includes(origin) ?? false));
      const crossSite = request.headers['sec-fetch-site'] === 'cross-site';
      if ((!sameOrigin || crossSite) && !allowed) {
        throw new HttpError(403, 'forbidden', `requests from the web page at ${origin ?? 'another site'} are not allowed (see --cors)`, { code: 'forbidden_origin' });
      }
    }
    const route = request.routeOptions;
    const authorized =
      key === undefined ||
      route.config.public === true ||
      keyMatches(request.headers.authorization, key) ||
      (upgrade && protocolKeyMatches(request.headers['sec-websocket-protocol'], key));
    if (!authorized) {
      const how = upgrade ? `"Authorization: Bearer <key>" or the WebSocket subprotocols '${LIVE_PROTOCOL}', '${BEARER_PROTOCOL_PREFIX}<key>'` : '"Authorization: Bearer <key>"';
      throw new HttpError(401, 'unauthorized', `missing or incorrect API key: send it as ${how}`, {
        code: 'invalid_api_key',
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    if (context.closing) {
      // Kept-alive connections are closed after this answer, so close() can finish.
      reply.header('connection', 'close');
      if (route.url?.startsWith('/v1/audio/')) throw new ShuttingDownError();
    }
  };
}
