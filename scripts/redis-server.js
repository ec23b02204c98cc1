// A throwaway Redis for the job-queue tests and bench/workers.js: Debian's `redis-server` on
// a free loopback port, in a temporary directory, started and stopped by the caller. The
// queue is kept in an append-only file (fsync on every write), so a restart (SIGTERM, which
// flushes it, then a new server on the same port and files) finds every job where it was,
// as a production Redis with AOF would. Never saved elsewhere, never reachable off this host.
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

/** Why redis-server cannot run here, or undefined when it can. */
function redisServerMissing() {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'pipe' });
    return undefined;
  } catch {
    return 'redis-server is not installed (apt-get install redis-server)';
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts redis-server and resolves once it accepts connections. */
function launch(port, dir) {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always', '--protected-mode', 'yes', '--loglevel', 'warning'];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 15_000;
    const poll = () => {
      if (child.exitCode !== null) return reject(new Error(`redis-server exited (${child.exitCode}): ${output}`));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.end();
        resolve(child);
      });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          reject(new Error(`redis-server did not listen on ${port} in 15 s: ${output}`));
        } else setTimeout(poll, 50);
      });
    };
    poll();
  });
}

function exited(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** { url, port, restart(downMs), stop() } */
async function startRedis() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-redis-'));
  const port = await freePort();
  let child = await launch(port, dir);
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    async restart(downMs = 1000) {
      child.kill('SIGTERM');
      await exited(child);
      await new Promise((r) => setTimeout(r, downMs));
      child = await launch(port, dir);
    },
    async stop() {
      child.kill('SIGTERM');
      await exited(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

module.exports = { redisServerMissing, startRedis };
