/**
 * What a new user met on a first try (issue 19, "Found tried as a new user would"): the
 * progress bar past 100 %, the long-form choice for a model whisper.cpp decodes without
 * timestamps, and an offline download that announced a download first. (Empty subtitle
 * cues and special tokens in words: test/formats.test.ts; the prebuild's prerequisite and
 * build directory: test/prebuild.test.ts.)
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadModel } from '../src';
import { ProgressBar } from '../src/cli/progress';
import { chooseLongForm } from '../src/long-form';
import { JobEvents } from '../src/model/job-events';
import type { ModelInfo } from '../src/types/model-info';
import type { Transcript } from '../src/types/transcript';
import { MODELS, ROOT, modelPath } from './support/paths';

test('onProgress never passes 100, though whisper.cpp reports its last hop past the end (104 % on 246 s), and says 100 only when the transcript is done', () => {
  const seen: number[] = [];
  const events = new JobEvents({ onProgress: (p) => seen.push(p) });
  // whisper.cpp's loop reports (seek - start) / (end - start) before each window; its last
  // 30-s hop from 240 s on 246 s of audio lands at 270 s.
  for (const percent of [0, 12, 48, 97, 100, 104, 109]) events.listener!({ type: 'progress', percent });
  // 100 only once the transcript is complete (the last window may still be decoding).
  expect(seen).toEqual([0, 12, 48, 97, 99]);
  events.finish({ segments: [] } as unknown as Transcript);
  expect(seen).toEqual([0, 12, 48, 97, 99, 100]);
});

test('the progress bar shows at most 100 %, whatever it is given', () => {
  const written: string[] = [];
  const bar = new ProgressBar('a.wav', { isTTY: true, write: (t: string) => written.push(t) });
  bar.update(1.04);
  bar.update(Number.NaN);
  expect(written[0]).toContain(`[${'#'.repeat(30)}] 100%`);
  expect(written[1]).toContain(`[${' '.repeat(30)}]   0%`);
  expect(written.join('')).not.toMatch(/10[1-9]%/);
});

describe("longForm 'auto' on a model whisper.cpp forces to no timestamps", () => {
  let info: ModelInfo;
  beforeAll(async () => {
    await using model = await loadModel(modelPath(MODELS.micro), { threads: 1 });
    info = model.info;
  });

  // A user's own distillation: 2 decoder layers at a width no Whisper model has, so the
  // shape table calls it 'custom', not distilled; whisper.cpp 1.9.1 still forces noTimestamps.
  const custom = () => ({ ...info, type: 'custom', nTextLayer: 2, distilled: false, forcedNoTimestamps: true });

  test.each([11, 45, 246])('%d s: smart windows, and the reason says it decodes without timestamps', (seconds) => {
    const choice = chooseLongForm({}, custom(), seconds);
    expect(choice.mode).toBe('smart');
    expect(choice.reason).toMatch(/^whisper\.cpp 1\.9\.1 decodes custom without timestamps \(a 2-layer decoder\), so its loop would advance in blind 30-s hops; windows were cut at the quietest moments/);
    expect(choice.reason).not.toMatch(/predicts timestamps|lose less/);
  });

  test('models that predict timestamps keep whisper.cpp loop up to 60 s; distilled ones keep their reason', () => {
    const timestamps = { ...info, type: 'custom', distilled: false, forcedNoTimestamps: false };
    expect(chooseLongForm({}, timestamps, 45).mode).toBe('native');
    expect(chooseLongForm({}, timestamps, 246).reason).toMatch(/^smart windows lose less/);
    const distilled = { ...info, type: 'distil-medium.en', nTextLayer: 2, distilled: true, forcedNoTimestamps: true };
    expect(chooseLongForm({}, distilled, 11)).toMatchObject({ mode: 'smart', reason: expect.stringMatching(/^distil-medium\.en is a distilled model/) });
  });
});

test('WHISPER_NAPI_OFFLINE=1 download: only the refusal, no "Downloading" first', async () => {
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-offline-'));
  try {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [path.join(ROOT, 'bin', 'whisper-napi.js'), 'download', 'tiny.en'], { env: { ...process.env, WHISPER_NAPI_OFFLINE: '1', WHISPER_NAPI_CACHE: cache } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toMatch(/Downloading/);
    expect(r.stderr).toMatch(/^whisper-napi: WHISPER_NAPI_OFFLINE=1 forbids network access, and tiny\.en is not in the cache/);
    expect(fs.readdirSync(cache)).toEqual([]);
  } finally {
    fs.rmSync(cache, { recursive: true, force: true });
  }
}, 60_000);
