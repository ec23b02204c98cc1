/**
 * The web page at `/`: plain HTML, CSS and JavaScript from the package's web/ folder, read
 * once at start-up and served with a strict Content-Security-Policy (same-origin scripts
 * only; nothing from a CDN, no build step).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import type { FastifyInstance } from 'fastify';

import { packageRoot } from '../../package-root';

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/live.js': { file: 'live.js', type: 'text/javascript; charset=utf-8' },
  '/recorder-worklet.js': { file: 'recorder-worklet.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function registerWebPage(app: FastifyInstance): void {
  const dir = path.join(packageRoot(), 'web');
  for (const [route, asset] of Object.entries(ASSETS)) {
    const body = fs.readFileSync(path.join(dir, asset.file));
    app.get(route, { config: { public: true } }, async (_request, reply) => reply.headers({ ...SECURITY_HEADERS, 'cache-control': 'no-cache' }).type(asset.type).send(body));
  }
}
