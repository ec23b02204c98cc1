/**
 * The server's packages (Fastify, its plugins, and `ws` under the WebSocket plugin) weigh
 * nothing on a program that only uses the library: they are never loaded until
 * createServer() is called.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { JFK_WAV, ROOT } from './support/paths';
import { SERVED } from './support/serve';

test('a program that only uses the library never loads the server packages', () => {
  const script = `
    const lib = require(${JSON.stringify(path.join(ROOT, 'dist', 'cjs', 'index.js'))});
    lib.loadModel(${JSON.stringify(SERVED.file)}).then(async (m) => {
      await m.transcribe(${JSON.stringify(JFK_WAV)});
      await m.dispose();
      const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](fastify|@fastify|ws)[\\\\/]/.test(f));
      process.stdout.write(JSON.stringify({ loaded, exported: typeof lib.createServer }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { loaded: string[]; exported: string };
  expect(out).toEqual({ loaded: [], exported: 'function' });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const name of ['fastify', '@fastify/multipart', '@fastify/cors', '@fastify/websocket']) expect(pkg.dependencies?.[name]).toMatch(/^\d+\.\d+\.\d+$/);
});
