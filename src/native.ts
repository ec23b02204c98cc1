/**
 * The addon's surface, written down once (binding/*.cc is the implementation). Only
 * src/binding.ts loads it; everything else imports these types.
 */

export interface NativeLoadOptions {
  useGpu: boolean;
  gpuDevice: number;
  flashAttention: boolean;
  /** Present an f16/f32 file's matrices as bf16 (binding/model/model_file.h). Default false. */
  bf16Weights?: boolean;
  /** Decoding states kept for reuse: the model's maxConcurrency. */
  maxConcurrency: number;
  /** Bytes the weights may take (src/memory.ts); a larger model is refused before loading. */
  memoryBudget?: number;
  /** DTW token timing (binding/model/dtw_heads.h); turns flash attention off. */
  dtw?: NativeDtwSpec;
}

/**
 * Alignment heads: a whisper.cpp preset, (layer, head) pairs flattened, or the last n
 * layers' heads; and whether word boundaries move to pauses (binding/transcribe/dtw_timing.h).
 */
export type NativeDtwSpec = ({ preset: string } | { heads: number[] } | { topLayers: number }) & { snapToPauses?: boolean };

/** Header fields and load facts, as binding/model/load_worker.cc reports them. */
export interface NativeModelFacts {
  /** Vocabulary size: 51864 (.en), 51865 (multilingual), 51866 (large-v3). */
  nVocab: number;
  nAudioCtx: number;
  /** Encoder width. */
  nAudioState: number;
  nAudioHead: number;
  nAudioLayer: number;
  nTextCtx: number;
  /** Decoder width (equal to the encoder's). */
  nTextState: number;
  nTextHead: number;
  nTextLayer: number;
  nMels: number;
  /** The header's ftype as stored (weight type + 1000 × quantization version). */
  ftype: number;
  /** Size of the model file in bytes. */
  fileSize: number;
  /** Bytes of weights held in memory. */
  tensorBytes: number;
  /** Tokens stored in the file; whisper.cpp synthesizes the special ones after them. */
  vocabEntries: number;
  /** Storage type of the weight matrices in the file: 'f16', 'f32', 'q5_0', ... */
  weightType: string;
  /** An f32 file is converted to f16 while loading (whisper.cpp 1.9.1 cannot run f32 on CPU). */
  convertedFromF32: boolean;
  /** The matrices were converted to bf16 while loading (load option `bf16Weights`). */
  bf16Weights: boolean;
  /** whisper.cpp's own name for the size ('tiny', 'medium', 'unknown', ...). */
  whisperType: string;
  path: string;
  /** Milliseconds spent loading. */
  loadMs: number;
}

/** Field names read by binding/transcribe/transcribe_params.cc; absent means whisper.cpp's default. */
export interface NativeTranscribeParams {
  strategy: 'greedy' | 'beam';
  threads: number;
  language: string;
  translate?: boolean;
  /** Condition each window on the text decoded before it in this job (patch independent-windows; default true). */
  windowContext?: boolean;
  noTimestamps?: boolean;
  singleSegment?: boolean;
  tokenTimestamps?: boolean;
  tokenDetails?: boolean;
  maxSegmentLength?: number;
  splitOnWord?: boolean;
  maxTokensPerSegment?: number;
  audioContext?: number;
  offsetMs?: number;
  durationMs?: number;
  initialPrompt?: string;
  carryInitialPrompt?: boolean;
  suppressBlank?: boolean;
  suppressNonSpeech?: boolean;
  suppressRegex?: string;
  temperature?: number;
  temperatureIncrement?: number;
  entropyThreshold?: number;
  logprobThreshold?: number;
  noSpeechThreshold?: number;
  bestOf?: number;
  /** Sampler seed of each whisper_full call (patch sampler-seed). */
  seed?: number;
  beamSize?: number;
  /** Repetitions of a phrase (1-8 tokens) that end a search whose decoders all loop; 0: off (patch loop-stop). */
  loopRepeats?: number;
  /** The decoder's attention by the CPU backend's grouped kernel (patch grouped-decoder-attention). */
  groupedAttention?: boolean;
  vad?: boolean;
  vadModel?: string;
  vadThreshold?: number;
  vadMinSpeechMs?: number;
  vadMinSilenceMs?: number;
  vadMaxSpeechSeconds?: number;
  vadSpeechPadMs?: number;
  vadSamplesOverlap?: number;
  /** Text tokens of the previous window, as the decoder's context (long-form windows). */
  promptTokens?: Int32Array;
  /** Speculative decoding: the model that drafts (checked with checkAssistant first). */
  assistant?: NativeModel;
  /** Its encoder weights are this model's: it decodes from this model's encoder output. */
  assistantSharesEncoder?: boolean;
}

export interface NativeToken {
  id: number;
  text: string;
  p: number;
  plog: number;
  /**
   * centiseconds. On a model loaded with DTW, text tokens are timed from the alignment
   * (binding/transcribe/dtw_timing.h).
   */
  t0: number;
  t1: number;
  /**
   * centiseconds: whisper.cpp's t_dtw, where the alignment path leaves the token (its end);
   * -1 without DTW and for special tokens.
   */
  tDtw: number;
}

export interface NativeSegment {
  /** centiseconds */
  t0: number;
  t1: number;
  text: string;
  noSpeechProb: number;
  tokens?: NativeToken[];
}

export interface NativeTranscription {
  segments: NativeSegment[];
  language: string | null;
  encoderRuns: number;
  /** Tokens the decoder computed, prompts excluded (every beam and fallback attempt). */
  decodedTokens: number;
  totalMs: number;
  /** With an assistant model (binding/speculative/speculative_drafter.h). */
  speculative?: NativeSpeculativeStats;
}

export interface NativeSpeculativeStats {
  /** Draft tokens the main model checked. */
  drafted: number;
  /** Of those, the ones it produced itself too (each saves a decoder pass). */
  accepted: number;
  /** Decoder passes of the main model after each window's prompt. */
  decoderPasses: number;
  /** Windows the assistant was prepared for: cross-attention, or its own encoder pass. */
  assistantWindows: number;
  /** Encoder passes on the assistant's state, as whisper.cpp counts them (0 when shared). */
  assistantEncoderRuns: number;
  /** Time spent in the assistant. */
  assistantMs: number;
  /** Verification computed bit for bit as one-token passes (binding/speculative/speculative_drafter.h). */
  exact: boolean;
}

export type NativeJobEvent =
  | { type: 'segments'; index: number; segments: NativeSegment[] }
  | { type: 'progress'; percent: number };

export interface NativeJob {
  promise: Promise<NativeTranscription>;
  /** Sets the job's abort flag; whisper.cpp stops at its next check. */
  cancel(): void;
}

export interface NativeModel {
  load(path: string, options: NativeLoadOptions): Promise<NativeModelFacts>;
  /**
   * Moves the staged samples into a new job. `listener` gets segments as whisper.cpp
   * finishes each window, and progress, in order; the promise's result stays authoritative
   * (events may still arrive after it settles).
   */
  transcribe(audio: NativeStagedAudio, params: NativeTranscribeParams, listener?: (event: NativeJobEvent) => void): NativeJob;
  /**
   * Transcribes samples [start, end) of the audio, which stays usable for further ranged
   * jobs and analyzeSpeech() until it is released (long-form windows and chunks).
   */
  transcribe(audio: NativeStagedAudio, params: NativeTranscribeParams, listener: ((event: NativeJobEvent) => void) | undefined, range: [number, number]): NativeJob;
  /** The model's tokens for a text; on the JS thread (short texts only). */
  tokenize(text: string): Int32Array;
  /** The text of tokens, their bytes joined; special tokens are skipped. */
  detokenize(tokens: Int32Array): string;
  /**
   * Whether `assistant` can draft for this model (same vocabulary, text context and audio
   * encoder shape), and whether its encoder weights are this model's; on the thread pool.
   */
  checkAssistant(assistant: NativeModel): Promise<{ problem: string | null; sameEncoderWeights: boolean }>;
  /** One encoder pass over the first 30 s; multilingual models only. */
  detectLanguage(audio: NativeStagedAudio, threads: number): Promise<{ languageId: number; probabilities: number[] }>;
  /** Resolves once the weights are freed (on the thread pool). */
  dispose(): Promise<void>;
}

/** A job's 16 kHz mono samples in native memory, filled slice by slice (binding/audio/staged_audio.h). */
export interface NativeStagedAudio {
  /** Reserves room for this many 16 kHz samples. */
  reserve(samples: number): void;
  /** 16 kHz mono samples [start, end), copied now. */
  append(samples: Float32Array, start: number, end: number): void;
  /** Frames [start, end) at any rate, copied and down-mixed now, resampled on the thread pool. */
  appendFrames(sampleRate: number, channels: Float32Array[], start: number, end: number): Promise<void>;
  /** Bytes [start, end) of an encoded stream, copied now, for decode(); the first call may give the total. */
  appendEncoded(bytes: Uint8Array, start: number, end: number, totalBytes?: number): void;
  /** Decodes the file at `path`, else the appended bytes, on the thread pool. */
  decode(format: 'mp3' | 'flac' | 'vorbis', path?: string): Promise<{ sampleRate: number; channels: number; frames: number }>;
  /** No more input: flushes the resampler. */
  finish(): void;
  /** Stops a decode or resample running on the thread pool. */
  cancel(): void;
  /** Frees the samples now (after a running task stops); the audio cannot be used after. */
  release(): void;
  /** Copies finished samples [start, start + target.length) into `target`; returns the count. */
  copyTo(target: Float32Array, start: number): number;
  readonly length: number;
  /** Input past the limit given to the constructor was dropped. */
  readonly truncated: boolean;
}

export interface NativeAddon {
  Model: new () => NativeModel;
  /** Keeps at most `limitSamples` 16 kHz samples. */
  StagedAudio: new (limitSamples: number) => NativeStagedAudio;
  whisperCppVersion: string;
  systemInfo(): string;
  /** ggml backends compiled in, and the devices they found. */
  backends(): {
    backends: string[];
    devices: { name: string; description: string; type: 'cpu' | 'gpu' | 'igpu' | 'accel' | 'meta' }[];
    /** Portable builds: the CPU variant's library ggml loaded for this CPU; null when linked in. */
    cpuBackendFile: string | null;
  };
  /**
   * Loudness of each 10-ms frame and, with a Silero VAD model, the speech probability of
   * each 32-ms frame (binding/audio/speech_analysis_worker.h). Shares the audio like a ranged job.
   */
  analyzeSpeech(audio: NativeStagedAudio, options: { vadModel?: string; threads: number }): {
    promise: Promise<{ rms: Float32Array; speechProbabilities: Float32Array | null }>;
    cancel(): void;
  };
  /** whisper.cpp's quantizer on the thread pool (binding/model/quantize_worker.h). */
  quantizeModel(input: string, output: string, type: string): Promise<void>;
  /**
   * For the tests: flash attention on seeded random decoder- and encoder-shaped inputs, by
   * ggml's kernels and by patch grouped-decoder-attention's, each against F64
   * (binding/diagnostics/attention_check.h). Synchronous; about half a second.
   */
  checkAttentionKernels(): { rows: number; keys: number; masked: boolean; upstreamError: number; groupedError: number; scale: number }[];
}
