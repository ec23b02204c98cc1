/** Which layout a checkpoint directory is in, and its conversion plan. */
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

import { ConversionError } from '../errors';
import { planFromCtranslate2 } from './ctranslate2-whisper';
import { planFromTransformers } from './transformers-whisper';
import type { CheckpointFormat, WhisperPlan } from './whisper-plan';

async function has(dir: string, name: string): Promise<boolean> {
  return fs.access(path.join(dir, name)).then(
    () => true,
    () => false,
  );
}

/**
 * CTranslate2: `model.bin` beside `config.json`. Transformers: `config.json` with
 * safetensors weights. A path to a CTranslate2 `model.bin` means its directory.
 */
async function detectFormat(input: string): Promise<{ dir: string; format: CheckpointFormat }> {
  let stat;
  try {
    stat = await fs.stat(input);
  } catch (error) {
    throw new ConversionError('missing-file', `${input} does not exist`, { cause: error });
  }
  const dir = stat.isDirectory() ? input : path.dirname(input);
  if (!stat.isDirectory() && path.basename(input) !== 'model.bin') {
    throw new ConversionError('unknown-layout', `${input} is a file; give the checkpoint's directory (CTranslate2: model.bin, config.json, vocabulary; Transformers: config.json, model.safetensors, tokenizer)`);
  }
  if (await has(dir, 'model.bin')) return { dir, format: 'ctranslate2' };
  if ((await has(dir, 'model.safetensors')) || (await has(dir, 'model.safetensors.index.json'))) return { dir, format: 'transformers' };
  const hint = (await has(dir, 'pytorch_model.bin')) || (await has(dir, 'model.pt')) ? ' (PyTorch pickles are not read: they can run code; use the safetensors weights)' : '';
  throw new ConversionError('unknown-layout', `${dir} is neither a CTranslate2 Whisper model (model.bin) nor a Transformers checkpoint in safetensors (model.safetensors or model.safetensors.index.json)${hint}`);
}

export async function planFromCheckpoint(input: string): Promise<WhisperPlan> {
  const { dir, format } = await detectFormat(input);
  return format === 'ctranslate2' ? planFromCtranslate2(dir) : planFromTransformers(dir);
}
