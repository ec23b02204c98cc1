/** Checked options to the addon's parameter objects (src/native.ts), by the table of ./table.ts. */
import * as os from 'node:os';

import type { NativeLoadOptions, NativeTranscribeParams } from '../native';
import type { LoadModelOptions, TranscribeOptions } from '../types/options';
import { LOAD_OPTIONS, TRANSCRIBE_OPTIONS, type OptionSpec } from './table';

/** whisper.cpp's default thread count: min(4, hardware threads). */
export function defaultThreads(): number {
  return Math.max(1, Math.min(4, os.availableParallelism()));
}

export function toNativeLoadOptions(options: LoadModelOptions): NativeLoadOptions {
  return {
    useGpu: options.useGpu ?? LOAD_OPTIONS.useGpu.default,
    gpuDevice: options.gpuDevice ?? LOAD_OPTIONS.gpuDevice.default,
    flashAttention: options.flashAttention ?? LOAD_OPTIONS.flashAttention.default,
    bf16Weights: options.bf16Weights ?? LOAD_OPTIONS.bf16Weights.default,
    maxConcurrency: options.maxConcurrency ?? LOAD_OPTIONS.maxConcurrency.default,
  };
}

/**
 * The parameters of whisper_full for these options: every option with a native field gets
 * its value, else its default (./table.ts); the rest of whisper_full_params keeps
 * whisper.cpp's own values.
 */
export function toNativeParams(options: TranscribeOptions, modelThreads: number | undefined, multilingual = true): NativeTranscribeParams {
  const beamSize = options.beamSize ?? TRANSCRIBE_OPTIONS.beamSize.default;
  const params: NativeTranscribeParams = {
    strategy: beamSize > 1 ? 'beam' : 'greedy',
    threads: options.threads ?? modelThreads ?? defaultThreads(),
    // English-only models have no language tokens to detect with.
    language: options.language === 'auto' && !multilingual ? 'en' : (options.language ?? TRANSCRIBE_OPTIONS.language.default),
  };
  const fields = params as unknown as Record<string, unknown>;
  for (const [key, entry] of Object.entries(TRANSCRIBE_OPTIONS)) {
    const spec: OptionSpec = entry;
    if (spec.native === null || spec.mapped) continue;
    const value = options[key as keyof TranscribeOptions] ?? spec.default;
    if (value !== undefined) fields[spec.native] = value;
  }
  params.beamSize = beamSize; // read by whisper.cpp's beam search only
  // whisper.cpp's own no_context is never sent: its default (true) drops text an earlier
  // call left in the decoding state, which pooled states rely on. This is the
  // window-to-window context within a job (patch independent-windows).
  params.windowContext = !(options.noContext ?? TRANSCRIBE_OPTIONS.noContext.default);
  params.offsetMs = Math.round((options.offset ?? TRANSCRIBE_OPTIONS.offset.default) * 1000);
  params.durationMs = Math.round((options.duration ?? TRANSCRIBE_OPTIONS.duration.default) * 1000);
  params.tokenDetails = Boolean(options.tokens || options.tokenTimestamps);
  return params;
}
