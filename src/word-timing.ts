/**
 * DTW word timing (load option `dtw`): which decoder cross-attention heads whisper.cpp
 * aligns tokens with, resolved before the model loads. The heads come from, in order: the
 * option itself; whisper.cpp's preset for the model's type; the `<model>.json` sidecar that
 * `convertModel()` writes (`alignmentHeads`, from the checkpoint's own configuration).
 */
import * as fs from 'node:fs';

import { InvalidOptionError } from './errors';
import { deriveModelInfo } from './model-info';
import type { NativeDtwSpec, NativeModelFacts } from './native';
import type { AlignmentHead, AlignmentHeadsPreset, DtwInfo, DtwOption, DtwOptions } from './types/model-info';

// whisper.cpp 1.9.1's presets (g_aheads_* in deps/whisper.cpp/src/whisper.cpp; a test
// checks that they match), with the decoder shape they belong to.
const PRESETS: Record<AlignmentHeadsPreset, { textLayers: number; textHeads: number; heads: AlignmentHead[] }> = {
  'tiny.en': { textLayers: 4, textHeads: 6, heads: [[1, 0], [2, 0], [2, 5], [3, 0], [3, 1], [3, 2], [3, 3], [3, 4]] },
  tiny: { textLayers: 4, textHeads: 6, heads: [[2, 2], [3, 0], [3, 2], [3, 3], [3, 4], [3, 5]] },
  'base.en': { textLayers: 6, textHeads: 8, heads: [[3, 3], [4, 7], [5, 1], [5, 5], [5, 7]] },
  base: { textLayers: 6, textHeads: 8, heads: [[3, 1], [4, 2], [4, 3], [4, 7], [5, 1], [5, 2], [5, 4], [5, 6]] },
  'small.en': {
    textLayers: 12,
    textHeads: 12,
    heads: [[6, 6], [7, 0], [7, 3], [7, 8], [8, 2], [8, 5], [8, 7], [9, 0], [9, 4], [9, 8], [9, 10], [10, 0], [10, 1], [10, 2], [10, 3], [10, 6], [10, 11], [11, 2], [11, 4]],
  },
  small: { textLayers: 12, textHeads: 12, heads: [[5, 3], [5, 9], [8, 0], [8, 4], [8, 7], [8, 8], [9, 0], [9, 7], [9, 9], [10, 5]] },
  'medium.en': {
    textLayers: 24,
    textHeads: 16,
    heads: [[11, 4], [14, 1], [14, 12], [14, 14], [15, 4], [16, 0], [16, 4], [16, 9], [17, 12], [17, 14], [18, 7], [18, 10], [18, 15], [20, 0], [20, 3], [20, 9], [20, 14], [21, 12]],
  },
  medium: { textLayers: 24, textHeads: 16, heads: [[13, 15], [15, 4], [15, 15], [16, 1], [20, 0], [23, 4]] },
  'large-v1': { textLayers: 32, textHeads: 20, heads: [[9, 19], [11, 2], [11, 4], [11, 17], [22, 7], [22, 11], [22, 17], [23, 2], [23, 15]] },
  'large-v2': {
    textLayers: 32,
    textHeads: 20,
    heads: [[10, 12], [13, 17], [16, 11], [16, 12], [16, 13], [17, 15], [17, 16], [18, 4], [18, 11], [18, 19], [19, 11], [21, 2], [21, 3], [22, 3], [22, 9], [22, 12], [23, 5], [23, 7], [23, 13], [25, 5], [26, 1], [26, 12], [27, 15]],
  },
  'large-v3': { textLayers: 32, textHeads: 20, heads: [[7, 0], [10, 17], [12, 18], [13, 12], [16, 1], [17, 14], [19, 11], [21, 4], [24, 1], [25, 6]] },
  'large-v3-turbo': { textLayers: 4, textHeads: 20, heads: [[2, 4], [2, 11], [3, 3], [3, 6], [3, 11], [3, 14]] },
};

export const ALIGNMENT_HEAD_PRESETS = Object.keys(PRESETS) as AlignmentHeadsPreset[];

/** A copy of a preset's heads. */
export function presetHeads(preset: AlignmentHeadsPreset): AlignmentHead[] {
  return PRESETS[preset].heads.map(([layer, head]) => [layer, head]);
}

const MAX_HEADS = 1024;

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)}`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/** Problems with a list of heads, or undefined: pairs of non-negative integers, 1 to 1024 of them. */
function headListProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return `must be an array of [layer, head] pairs, got ${describe(value)}`;
  if (value.length === 0 || value.length > MAX_HEADS) return `must hold 1 to ${MAX_HEADS} [layer, head] pairs, got ${value.length}`;
  for (const [i, pair] of value.entries()) {
    const ok = Array.isArray(pair) && pair.length === 2 && pair.every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    if (!ok) return `must hold [layer, head] pairs of non-negative integers; item ${i} is ${JSON.stringify(pair) ?? describe(pair)}`;
  }
  return undefined;
}

/** Checks the option's shape (the model is not known yet); throws InvalidOptionError. */
export function validateDtwOption(value: unknown): void {
  if (value === undefined || typeof value === 'boolean' || value === 'auto') return;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(`loadModel option 'dtw' must be true, false, 'auto' or { heads }, got ${describe(value)}`);
  }
  for (const key of Object.keys(value)) {
    if (key !== 'heads' && key !== 'snapToPauses') throw new InvalidOptionError(`unknown loadModel option 'dtw.${key}' (there are 'heads' and 'snapToPauses')`);
  }
  const snap: unknown = (value as DtwOptions).snapToPauses;
  if (snap !== undefined && typeof snap !== 'boolean') {
    throw new InvalidOptionError(`loadModel option 'dtw.snapToPauses' must be a boolean, got ${describe(snap)}`);
  }
  const heads: unknown = (value as DtwOptions).heads;
  if (heads === undefined) return;
  if (typeof heads === 'string') {
    if (!(heads in PRESETS)) {
      throw new InvalidOptionError(`loadModel option 'dtw.heads' names no preset of whisper.cpp: ${JSON.stringify(heads)} (known: ${ALIGNMENT_HEAD_PRESETS.join(', ')})`);
    }
    return;
  }
  if (typeof heads === 'object' && heads !== null && !Array.isArray(heads)) {
    const keys = Object.keys(heads);
    const n: unknown = (heads as { topLayers?: unknown }).topLayers;
    if (keys.length !== 1 || keys[0] !== 'topLayers' || !Number.isSafeInteger(n) || (n as number) < 1 || (n as number) > 64) {
      throw new InvalidOptionError(`loadModel option 'dtw.heads' as an object must be { topLayers: n } with n from 1 to 64, got ${JSON.stringify(heads)}`);
    }
    return;
  }
  const problem = headListProblem(heads);
  if (problem) throw new InvalidOptionError(`loadModel option 'dtw.heads' ${problem}`);
}

/** The fields of a ggml whisper header that decide the heads (the first 48 bytes of the file). */
export async function readModelShape(file: string): Promise<Pick<NativeModelFacts, 'nVocab' | 'nAudioState' | 'nAudioLayer' | 'nTextHead' | 'nTextLayer'> | undefined> {
  let handle: fs.promises.FileHandle | undefined;
  try {
    handle = await fs.promises.open(file, 'r');
    const bytes = Buffer.alloc(48);
    const { bytesRead } = await handle.read(bytes, 0, 48, 0);
    if (bytesRead < 48 || bytes.readUInt32LE(0) !== 0x67676d6c) return undefined;
    const field = (i: number) => bytes.readInt32LE(4 + 4 * i);
    // n_vocab, n_audio_ctx, n_audio_state, n_audio_head, n_audio_layer, n_text_ctx, n_text_state, n_text_head, n_text_layer, ...
    return { nVocab: field(0), nAudioState: field(2), nAudioLayer: field(4), nTextHead: field(7), nTextLayer: field(8) };
  } catch {
    return undefined; // the load itself reports a missing or unreadable file
  } finally {
    await handle?.close();
  }
}

/** The `alignmentHeads` of `<file>.json` (written by convertModel); null when it has none. */
function sidecarHeads(file: string): { path: string; heads: AlignmentHead[] | null } | undefined {
  const sidecar = `${file}.json`;
  let text: string;
  try {
    text = fs.readFileSync(sidecar, 'utf8');
  } catch {
    return undefined;
  }
  let heads: unknown;
  try {
    heads = (JSON.parse(text) as { alignmentHeads?: unknown } | null)?.alignmentHeads;
  } catch (error) {
    throw new InvalidOptionError(`loadModel option 'dtw': ${sidecar} (the alignment heads convertModel wrote) is not valid JSON: ${(error as Error).message}`);
  }
  if (heads === undefined || heads === null) return { path: sidecar, heads: null };
  const problem = headListProblem(heads);
  if (problem) throw new InvalidOptionError(`loadModel option 'dtw': 'alignmentHeads' in ${sidecar} ${problem}`);
  return { path: sidecar, heads: heads as AlignmentHead[] };
}

/**
 * Resolves the `dtw` option for the model at `file`: the native spec and what
 * `model.info.dtw` reports, or undefined when DTW stays off (`false`, or `'auto'` without
 * known heads). Throws InvalidOptionError when `dtw: true` finds no heads or the heads do
 * not fit the model.
 */
export async function resolveDtw(file: string, option: DtwOption | undefined): Promise<{ native: NativeDtwSpec; info: DtwInfo } | undefined> {
  if (option === undefined || option === false) return undefined;
  const snapToPauses = typeof option === 'object' ? (option.snapToPauses ?? true) : true;
  const heads = await resolveHeads(file, option);
  return heads && { native: { ...heads.native, snapToPauses }, info: { ...heads.info, snapToPauses } };
}

async function resolveHeads(file: string, option: DtwOption): Promise<{ native: NativeDtwSpec; info: Omit<DtwInfo, 'snapToPauses'> } | undefined> {
  const given = typeof option === 'object' ? option.heads : undefined;
  if (given !== undefined && !Array.isArray(given) && typeof given === 'object') {
    return { native: { topLayers: given.topLayers }, info: { heads: { topLayers: given.topLayers }, source: 'option' } };
  }
  const shape = await readModelShape(file);
  // Not a whisper model (or missing): the load reports that, without DTW.
  if (shape === undefined) return undefined;
  const fits = (heads: AlignmentHead[]) => heads.every(([layer, head]) => layer < shape.nTextLayer && head < shape.nTextHead);
  const decoder = `${shape.nTextLayer} decoder layers of ${shape.nTextHead} heads`;

  if (typeof given === 'string') {
    const preset = PRESETS[given];
    if (preset.textLayers !== shape.nTextLayer || preset.textHeads !== shape.nTextHead) {
      throw new InvalidOptionError(`loadModel option 'dtw.heads': the ${given} heads belong to ${preset.textLayers} decoder layers of ${preset.textHeads} heads; ${file} has ${decoder}`);
    }
    return { native: { preset: given }, info: { heads: presetHeads(given), preset: given, source: 'option' } };
  }
  if (Array.isArray(given)) {
    if (!fits(given)) throw new InvalidOptionError(`loadModel option 'dtw.heads' names heads that ${file} does not have (it has ${decoder}): ${JSON.stringify(given)}`);
    const heads = given.map(([layer, head]): AlignmentHead => [layer, head]);
    return { native: { heads: heads.flat() }, info: { heads, source: 'option' } };
  }

  // true, 'auto' or {}: the preset for the model's type, else the sidecar.
  const type = deriveModelInfo(shape as NativeModelFacts).type;
  if (type in PRESETS) {
    const preset = type as AlignmentHeadsPreset;
    return { native: { preset }, info: { heads: presetHeads(preset), preset, source: 'preset' } };
  }
  const sidecar = sidecarHeads(file);
  if (sidecar?.heads) {
    if (!fits(sidecar.heads)) {
      throw new InvalidOptionError(`loadModel option 'dtw': ${sidecar.path} names alignment heads that the model does not have (it has ${decoder}): ${JSON.stringify(sidecar.heads)}`);
    }
    const heads = sidecar.heads.map(([layer, head]): AlignmentHead => [layer, head]);
    return { native: { heads: heads.flat() }, info: { heads, source: 'sidecar' } };
  }
  if (option === 'auto') return undefined;
  throw new InvalidOptionError(
    `loadModel option 'dtw': no alignment heads are known for ${file} (type ${type}): whisper.cpp has presets for ${ALIGNMENT_HEAD_PRESETS.join(', ')}, ` +
      `and ${sidecar ? `${sidecar.path} has no alignmentHeads` : `there is no ${file}.json (convertModel writes one)`}. ` +
      `Give them as dtw: { heads: [[layer, head], ...] }, or dtw: { heads: { topLayers: n } }, or use dtw: 'auto' to fall back to the heuristic timing`,
  );
}
