/**
 * The real-weights tier prepared by scripts/prepare-real-tier.js: real models from PyPI
 * converted to ggml, faster-whisper in a virtual environment, the generated speech set and
 * the pristine whisper-cli. WHISPER_REAL_TIER names its manifest (.ci/run sets it); without
 * it, the manifest a developer prepared in .cache/real-tier is used if there is one. Tests
 * that need it skip loudly when it is absent.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { CACHE, ROOT } from './paths';
import { plainToolEnv } from './sanitized';

export interface RealModel {
  /** The CTranslate2 directory from PyPI (faster-whisper reads it). */
  ct2: string;
  /** Our conversion of it. */
  ggml: string;
  /** tiny.en only: the Transformers layout written from the same weights, and its conversion. */
  transformers?: string;
  ggmlFromTransformers?: string;
  /** tiny.en only: an int8 copy quantized by CTranslate2's own code, and its (dequantized) conversion. */
  ct2Int8?: string;
  ggmlFromInt8?: string;
}

export interface RealTier {
  python: string;
  models: Partial<Record<'tiny.en' | 'base' | 'small', RealModel>>;
  skipped: { model: string; reason: string }[];
  speechSet: string;
  whisperCliPristine: string;
}

export interface SpeechItem {
  id: string;
  file: string;
  kind: 'speech' | 'long' | 'silence' | 'noise' | 'human';
  language: string | null;
  reference: string;
  voice?: string;
  wordsPerMinute?: number;
  durationS: number;
}

function load(): RealTier | undefined {
  const file = process.env.WHISPER_REAL_TIER ?? path.join(CACHE, 'real-tier', 'manifest.json');
  if (!fs.existsSync(file)) {
    if (process.env.WHISPER_REAL_TIER) throw new Error(`WHISPER_REAL_TIER=${file} does not exist; run node scripts/prepare-real-tier.js`);
    return undefined;
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as RealTier;
}

export const REAL_TIER = load();

/** The speech set's items, with absolute file paths. */
export function speechItems(tier: RealTier): SpeechItem[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(tier.speechSet, 'manifest.json'), 'utf8')) as { items: SpeechItem[] };
  return manifest.items.map((item) => ({ ...item, file: path.resolve(tier.speechSet, item.file) }));
}

export interface EngineResult {
  file: string;
  text: string;
  segments: { start: number; end: number; text: string }[];
  seconds: number;
}

/** faster-whisper on `files`, greedy without fallback, its VAD off (scripts/real-weights/faster_whisper_transcribe.py). */
export async function fasterWhisper(tier: RealTier, model: string, files: string[], { threads = 2, language }: { threads?: number; language?: string } = {}): Promise<EngineResult[]> {
  const script = path.join(ROOT, 'scripts', 'real-weights', 'faster_whisper_transcribe.py');
  const args = [script, '--model', model, '--threads', String(threads), '--beam-size', '1', '--no-fallback', ...(language ? ['--language', language] : []), ...files];
  const { stdout } = await promisify(execFile)(tier.python, args, { maxBuffer: 64 * 1024 * 1024, env: plainToolEnv({ HF_HUB_OFFLINE: '1' }) });
  return (JSON.parse(stdout) as { results: EngineResult[] }).results;
}
