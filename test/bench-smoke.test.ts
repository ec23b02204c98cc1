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
    expect(report).toMatch(/^\| whisper-cli \| .* \| \d+ \| 1 \(reference\) \|$/m);
    expect(report).toMatch(/^\| 2 \| [0-9.]+ \| [0-9.]+ \| \d+ \|$/m); // two concurrent jobs
    expect(fs.readFileSync(path.join(dir, 'benchmarks.svg'), 'utf8')).toMatch(/^<svg [^>]*>[\s\S]*<rect [\s\S]*<\/svg>\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}, 300_000);
