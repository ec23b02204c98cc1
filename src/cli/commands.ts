/** `whisper-napi download | models | info | quantize | --version` */
import * as fs from 'node:fs';

import { native } from '../binding';
import { InvalidOptionError } from '../errors';
import { loadModel } from '../model';
import { cacheDirectory } from '../models/cache';
import { QUANTIZATION_TYPES, quantizeModel, type QuantizationType } from '../models/quantize';
import { DEFAULT_MODEL_ID, KNOWN_MODELS, formatBytes } from '../models/registry';
import { resolveModel } from '../models/resolve';
import { fetchModel, type CliContext } from './model-choice';

export async function downloadCommand(args: string[], sha256: string | undefined, context: CliContext, out: (text: string) => void): Promise<void> {
  if (args.length !== 1) throw new InvalidOptionError('download needs one model id or URL (see `whisper-napi models`)');
  out(`${await fetchModel(args[0]!, context, sha256)}\n`);
}

export function modelsCommand(context: CliContext, out: (text: string) => void): void {
  const dir = context.cacheDir ?? cacheDirectory();
  const rows = KNOWN_MODELS.map((m) => {
    const cached = fs.existsSync(`${dir}/${m.file}`);
    return [m.id + (m.id === DEFAULT_MODEL_ID ? ' (default)' : ''), `${m.exactSize ? '' : '~'}${formatBytes(m.bytes)}`, cached ? 'yes' : 'no', m.description];
  });
  const header = ['model', 'size', 'downloaded', 'description'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  out(`${[line(header), ...rows.map(line)].join('\n')}\n\ncache: ${dir}\n`);
}

export async function infoCommand(args: string[], context: CliContext, out: (text: string) => void): Promise<void> {
  if (args.length !== 1) throw new InvalidOptionError('info needs one model (a path or a downloaded model id)');
  const model = await loadModel(await resolveModel(args[0]!, { ...(context.cacheDir ? { cacheDir: context.cacheDir } : {}), precision: 'original' }), { threads: 1 });
  try {
    const i = model.info;
    const facts: [string, string | number | boolean][] = [
      ['file', i.path],
      ['size', `${formatBytes(i.fileSize)} (${i.fileSize} bytes)`],
      ['type', i.type],
      ['weights', i.weightType + (i.convertedFromF32 ? ' (f32 in the file, converted to f16 when loaded)' : '')],
      ['multilingual', i.multilingual],
      ['distilled', i.distilled],
      ['timestamps', i.forcedNoTimestamps ? 'none (whisper.cpp forces no_timestamps for this model)' : 'yes'],
      ['vocabulary', i.nVocab],
      ['encoder', `${i.nAudioLayer} layers, width ${i.nAudioState}, ${i.nAudioHead} heads, ${i.nAudioCtx} frames`],
      ['decoder', `${i.nTextLayer} layers, width ${i.nTextState}, ${i.nTextHead} heads, ${i.nTextCtx} tokens`],
      ['mel bands', i.nMels],
      ['ftype', i.ftype],
    ];
    out(`${facts.map(([k, v]) => `${k.padEnd(13)}${String(v)}`).join('\n')}\n`);
  } finally {
    await model.dispose();
  }
}

export async function quantizeCommand(args: string[], type: string | undefined, context: CliContext): Promise<void> {
  if (args.length !== 2) throw new InvalidOptionError('quantize needs an input model and an output file');
  if (type === undefined || !(QUANTIZATION_TYPES as readonly string[]).includes(type)) {
    throw new InvalidOptionError(`quantize needs --type ${QUANTIZATION_TYPES.join('|')}`);
  }
  const input = await resolveModel(args[0]!, { ...(context.cacheDir ? { cacheDir: context.cacheDir } : {}), precision: 'original' });
  const started = Date.now();
  context.say(`quantizing ${input} to ${type}...`);
  const output = await quantizeModel(input, args[1]!, { type: type as QuantizationType });
  const before = fs.statSync(input).size;
  const after = fs.statSync(output).size;
  context.say(`wrote ${output}: ${formatBytes(after)} (${Math.round((100 * after) / before)}% of ${formatBytes(before)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export function versionText(): string {
  const addon = native();
  const { version } = require('../../../package.json') as { version: string };
  const { backends, devices, cpuBackendFile } = addon.backends();
  // libggml-cpu-haswell.so -> haswell
  const variant = cpuBackendFile ? (/ggml-cpu-([\w.]+?)\.(so|dll|dylib)$/.exec(cpuBackendFile)?.[1] ?? cpuBackendFile) : 'built for this machine (static)';
  // systemInfo(): "WHISPER : COREML = 0 | OPENVINO = 0 | CPU : SSE3 = 1 | AVX = 1 | ..."
  const features = [...addon.systemInfo().matchAll(/([A-Z0-9_]+) = 1/g)].map((m) => m[1]).join(' ');
  return [
    `whisper-napi ${version}`,
    `whisper.cpp  ${addon.whisperCppVersion}`,
    `backends     ${backends.join(', ')}`,
    `devices      ${devices.map((d) => `${d.name} (${d.type}: ${d.description})`).join(', ')}`,
    `CPU variant  ${variant}`,
    `CPU features ${features || 'none reported'}`,
    `node         ${process.version} (N-API ${process.versions.napi})`,
  ].join('\n') + '\n';
}
