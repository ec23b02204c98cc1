/**
 * A smoke run of the benchmark harness (bench/run.js --smoke: tiny.en shape, jfk.wav, one
 * repetition), so it keeps working. It checks the report's shape, not any timing.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { ROOT } from './support/paths';

test('npm run bench -- --smoke writes a report with whisper-napi and whisper-cli side by side', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-bench-'));
  try {
    const out = path.join(dir, 'benchmarks.md');
    execFileSync(process.execPath, [path.join(ROOT, 'bench', 'run.js'), '--smoke', '--threads', '2', '--out', out], { cwd: ROOT, stdio: 'pipe', timeout: 300_000, maxBuffer: 64 * 2 ** 20 }); // a whisper-cli rebuild prints megabytes of compiler warnings
    const report = fs.readFileSync(out, 'utf8');
    expect(report).toMatch(/\*\*smoke run\*\*/);
    expect(report).toMatch(/^\| whisper-napi \| [0-9.]+ \([0-9.]+–[0-9.]+\) \| [0-9.]+ /m);
    expect(report).toMatch(/^\| whisper-cli \| .* \| \d+ \| reference \| 1 \(reference\) \|$/m);
    // The same decoding on both sides: the same text, compared as written (sha256).
    expect(report).toMatch(/^\| whisper-napi \| .* \| \d+ \| identical \(sha256 [0-9a-f]{16}\) \| [0-9.]+ \|$/m);
    expect(report).toMatch(/^\| 2 \| [0-9.]+ \| [0-9.]+ \| \d+ \|$/m); // two concurrent jobs
    expect(fs.readFileSync(path.join(dir, 'benchmarks.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<rect [\s\S]*<\/svg>\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);

test("the report's transcript column compares the texts as written: identical, or the first difference", () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { writeReport } = require('../bench/report') as { writeReport: (file: string, options: object) => void };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-napi-bench-report-'));
  try {
    const stat = { median: 1000, min: 900, max: 1100 };
    const row = (runner: string, text: string) => ({ model: 'tiny.en', input: 'jfk', seconds: 11, runner, reps: 1, import: stat, load: stat, transcribe: stat, peakRss: stat, text, segments: 2 });
    const cli = 'And so, my fellow Americans: ask not what your country can do for you.';
    const rows = [
      row('whisper-cli', cli),
      row('whisper-napi', cli),
      // The same length, one word changed: lengths alone would call it the same.
      row('peer-a', cli.replace('country', 'kountry')),
      // A segment's leading space lost: a different text.
      row('peer-b', cli.replace(': ask', ':ask')),
    ];
    const out = path.join(dir, 'benchmarks.md');
    writeReport(out, { rows, concurrency: [], reps: 1, peerReps: 1, simd: [], threads: 2, smoke: true, skipped: [], versions: {}, command: 'test' });
    const report = fs.readFileSync(out, 'utf8');
    const cell = (runner: string) => new RegExp(`^\\| ${runner} \\|.*$`, 'm').exec(report)![0].split(' | ').at(-2);
    expect(cell('whisper-cli')).toBe('reference');
    expect(cell('whisper-napi')).toMatch(/^identical \(sha256 [0-9a-f]{16}\)$/);
    expect(cell('peer-a')).toBe('differs at character 48: “at your kountry can do f” vs “at your country can do f” (70 vs 70 characters)');
    expect(cell('peer-b')).toBe('differs at character 29: “ericans:ask not what you” vs “ericans: ask not what yo” (69 vs 70 characters)');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
