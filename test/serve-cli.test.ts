/**
 * `whisper-napi serve` as a child process: it prints where it listens, answers, and on
 * SIGTERM finishes the running job within --shutdown-timeout, then exits 0.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import { longSpeech } from './support/audio';
import { ROOT } from './support/paths';
import { SERVED, multipartBody, request } from './support/serve';

jest.setTimeout(120_000);

test('serve: listens on loopback, transcribes, and on SIGTERM lets the running job finish, then exits 0', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'whisper-napi.js'), 'serve', '--model', SERVED.file, '--port', '0', '--threads', '2', '--shutdown-timeout', '60'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${stderr}`)), 60_000);
      child.stderr.on('data', () => {
        const match = /serving .* at (http:\/\/127\.0\.0\.1:\d+)/.exec(stderr);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]!);
        }
      });
    });
    // A minute of speech: seconds of decoding, so the job is surely running at SIGTERM.
    const { body, contentType } = multipartBody({ model: 'whisper-1', response_format: 'text' }, fs.readFileSync(longSpeech(60).file));
    const answer = request(`${url}/v1/audio/transcriptions`, { method: 'POST', headers: { 'content-type': contentType }, body });
    // SIGTERM once the job is running: it still gets its answer.
    let running = 0;
    for (let i = 0; i < 3000 && running === 0; i++) {
      running = (JSON.parse((await request(`${url}/health`)).body) as { running: number }).running;
      if (running === 0) await new Promise((r) => setTimeout(r, 10));
    }
    expect(running).toBe(1);
    child.kill('SIGTERM');
    const result = await answer;
    expect(result.status).toBe(200);
    expect(result.body.trim().length).toBeGreaterThan(0);
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/SIGTERM: finishing running transcriptions/);
    expect(stderr).toMatch(/POST \/v1\/audio\/transcriptions 200/);
  } finally {
    child.kill('SIGKILL');
  }
});

test('serve: bad flags are usage errors (exit 2)', async () => {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin', 'whisper-napi.js'), 'serve', '--model', SERVED.file, '--port', '70000'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  expect(code).toBe(2);
  expect(stderr).toMatch(/--port must be an integer from 0 to 65535/);
});
