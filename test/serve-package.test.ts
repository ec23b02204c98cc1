/**
 * The server's packages (Fastify, its plugins, and `ws` under the WebSocket plugin) weigh
 * nothing on a program that only uses the library: they are never loaded until
 * createServer() is called. The job queue's (BullMQ, ioredis) likewise, until a queue is
 * used; they are optional dependencies, and without them the library still works and a
 * queue is refused with a typed error.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { JFK_WAV, ROOT } from './support/paths';
import { SERVED } from './support/serve';

test('a program that only uses the library never loads the server or job-queue packages', () => {
  const script = `
    const lib = require(${JSON.stringify(path.join(ROOT, 'dist', 'cjs', 'index.js'))});
    lib.loadModel(${JSON.stringify(SERVED.file)}).then(async (m) => {
      await m.transcribe(${JSON.stringify(JFK_WAV)});
      await m.dispose();
      const loaded = Object.keys(require.cache).filter((f) => /node_modules[\\\\/](fastify|@fastify|ws|bullmq|ioredis)[\\\\/]/.test(f));
      process.stdout.write(JSON.stringify({ loaded, exported: typeof lib.createServer, worker: typeof lib.createWorker }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { loaded: string[]; exported: string; worker: string };
  expect(out).toEqual({ loaded: [], exported: 'function', worker: 'function' });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const name of ['fastify', '@fastify/multipart', '@fastify/cors', '@fastify/websocket']) expect(pkg.dependencies?.[name]).toMatch(/^\d+\.\d+\.\d+$/);
});

test('the job queue packages are optional: pinned there, and their absence is a typed error only when a queue is used', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  for (const name of ['bullmq', 'ioredis']) {
    expect(pkg.optionalDependencies?.[name]).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies?.[name]).toBeUndefined();
  }
  // A program where bullmq cannot be found (an install with --omit=optional).
  const script = `
    const Module = require('node:module');
    const load = Module._load;
    Module._load = function (request, ...rest) {
      if (request === 'bullmq' || request === 'ioredis') throw Object.assign(new Error("Cannot find module '" + request + "'"), { code: 'MODULE_NOT_FOUND' });
      return load.call(this, request, ...rest);
    };
    const lib = require(${JSON.stringify(path.join(ROOT, 'dist', 'cjs', 'index.js'))});
    lib.loadModel(${JSON.stringify(SERVED.file)}).then(async (m) => {
      const t = await m.transcribe(${JSON.stringify(JFK_WAV)}, { duration: 2 });
      await m.dispose();
      const e = await lib.openTranscriptionQueue({ redis: 'redis://127.0.0.1:6379' }).catch((e) => e);
      process.stdout.write(JSON.stringify({ text: typeof t.text, name: e.name, code: e.code, message: e.message }));
    });`;
  const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as Record<string, string>;
  expect(out).toMatchObject({ text: 'string', name: 'QueueUnavailableError', code: 'ERR_WHISPER_QUEUE_UNAVAILABLE' });
  expect(out.message).toMatch(/npm install bullmq ioredis/);
});
