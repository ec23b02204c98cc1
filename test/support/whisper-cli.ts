/** Runs whisper.cpp's own CLI (built by scripts/build-whisper-cli.js) and reads its JSON. */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { plainToolEnv } from './sanitized';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { whisperCliPath } = require('../../scripts/build-whisper-cli.js') as { whisperCliPath(o?: WhisperCliBuild): { exe: string } };

/**
 * Which whisper-cli (scripts/build-whisper-cli.js): by default the reference, from the
 * unmodified upstream v1.9.1 tree built as the addon is, so that a broken patch of ours
 * cannot appear on both sides; `pristine`: the same tree with whisper.cpp's default build
 * (what its users run); `patched`: from our patched tree, for the comparisons that need our
 * patches on both sides (each says so in its title).
 */
export interface WhisperCliBuild {
  pristine?: boolean;
  reference?: boolean;
}

export interface CliSegment {
  /** centiseconds, as whisper.cpp reports them */
  t0: number;
  t1: number;
  text: string;
}

/**
 * Greedy decoding (`-bs 1`; the CLI defaults to 5 beams), no temperature fallback (`-nf`),
 * a fixed thread count: the settings under which the library and the CLI must agree.
 */
export async function runWhisperCli(
  model: string,
  wav: string,
  threads: number,
  extra: string[] = [],
  { pristine = false, patched = false }: { pristine?: boolean; patched?: boolean } = {},
): Promise<CliSegment[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'whisper-cli-'));
  const base = path.join(dir, 'out');
  try {
    await promisify(execFile)(
      whisperCliPath(patched ? {} : { pristine, reference: !pristine }).exe,
      ['-m', model, '-f', wav, '-t', String(threads), '-bs', '1', '-nf', '-oj', '-of', base, '-np', ...extra],
      { maxBuffer: 64 * 1024 * 1024, env: plainToolEnv() },
    );
    const json = JSON.parse(fs.readFileSync(`${base}.json`, 'utf8')) as {
      transcription: { offsets: { from: number; to: number }; text: string }[];
    };
    return json.transcription.map((s) => ({ t0: s.offsets.from / 10, t1: s.offsets.to / 10, text: s.text }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
