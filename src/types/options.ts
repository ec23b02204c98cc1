/**
 * The options of loadModel(), transcribe() and detectLanguage(), with their documented
 * defaults: public types only. The limits, defaults and native mapping they document are
 * enforced from one table (src/options/table.ts; a test checks that each "Default" written
 * here is the table's). Defaults follow whisper.cpp's library defaults
 * (`whisper_full_default_params(WHISPER_SAMPLING_GREEDY)`, flash attention on), not
 * whisper-cli's: the CLI decodes with a 5-beam search by default.
 */
import type { DtwOption, ModelInfo } from './model-info';
import type { Segment } from './transcript';

/**
 * A model loaded with `loadModel()` (a `WhisperModel`), as option `assistantModel` takes it.
 * Written as the part of `WhisperModel` the option relies on, so that these types need not
 * import the model's implementation; any other object is refused at run time.
 */
export interface AssistantModel {
  readonly info: ModelInfo;
  readonly disposed: boolean;
}

export interface LoadModelOptions {
  /** Use a GPU backend (Metal, CUDA) when the build has one. Default `true`. */
  useGpu?: boolean;
  /** Which GPU, when there are several. Default `0`. */
  gpuDevice?: number;
  /**
   * Flash attention. Default `true`, as in whisper.cpp 1.9.1. With it on, results depend
   * on the thread count; pin `threads` when comparing runs.
   */
  flashAttention?: boolean;
  /**
   * Hold an f16 or f32 model's weight matrices as bf16, converted while loading (quantized
   * models load as they are). On CPUs with AVX-512 BF16 (AMD zen4 and later, Intel Sapphire
   * Rapids and later) ggml's bf16 matrix products are faster than f16: base's encoder took
   * 797 ms per 30-s window against 1009 ms on zen4 with 2 threads. Elsewhere ggml emulates
   * bf16 and it is slower: leave it off. bf16 keeps f16's range but 3 fewer bits of
   * precision, so transcripts can differ slightly (README: Benchmarks). Default `false`.
   */
  bf16Weights?: boolean;
  /** Default thread count for this model's transcriptions. Default min(4, CPU threads). */
  threads?: number;
  /**
   * How many transcriptions may run at once on this model (each with its own decoding
   * state; the weights are shared). Further calls wait in a FIFO queue without holding a
   * libuv thread-pool thread. Default `1`.
   */
  maxConcurrency?: number;
  /**
   * Time tokens and words by dynamic time warping on the cross-attention of the model's
   * alignment heads (whisper.cpp's DTW) instead of its timestamp-token heuristic: token
   * and word times (`tokens: true`, `tokenTimestamps: true`, `segmentWords()`) then come
   * from it, and `transcript.wordTiming` says `'dtw'`. Default `false`.
   * - `true`: the heads of whisper.cpp's preset for the model's type (tiny.en ... large-v3,
   *   large-v3-turbo; a 51865-token large model is taken for large-v2: name `'large-v1'`
   *   for that one), else the `alignmentHeads` of the `<model>.json` that `convertModel()`
   *   writes beside a converted model, else an `InvalidOptionError`.
   * - `'auto'`: the same, but a model without known heads loads without DTW.
   * - `{ heads, snapToPauses }`: these heads (`[layer, head]` pairs, a preset name, or
   *   `{ topLayers: n }`); `snapToPauses` (default `true`) moves word boundaries to the
   *   pauses in the audio, which the alignment alone gives wholly to one of the two words.
   *
   * DTW reads attention weights that flash attention never forms, so it turns flash
   * attention off (`flashAttention: true` with it is an error), and it adds a decoder pass
   * and the alignment per 30-s window: see the README for what that costs.
   */
  dtw?: DtwOption;
}

export interface TranscribeOptions {
  /**
   * Sample rate of Float32Array / Int16Array audio, in Hz (1000 to 768000). Default 16000
   * for Float32Array; required for Int16Array. Other inputs carry their own rate.
   */
  sampleRate?: number;
  /** CPU threads for this job. Default: the model's `threads`, else min(4, CPU threads). */
  threads?: number;
  /** Spoken language code (`'en'`, `'de'`, ...) or `'auto'` to detect it. Default `'en'`. */
  language?: string;
  /** Translate to English. Default `false`. */
  translate?: boolean;
  /**
   * Beam width (1 to 8). `1` decodes greedily, as whisper.cpp's library does; whisper-cli's
   * default is 5. Default `1`.
   */
  beamSize?: number;
  /**
   * Ends a search once every decoder still going (the beams, or the samples of the
   * temperature fallback) ends its text with a phrase of 1 to 8 tokens said this many times
   * in a row ("his life of his life of his life of ..."): they fail there, the verdict
   * whisper.cpp gives decoders that loop to its 220-token limit, reached 200 tokens sooner.
   * While any decoder is not looping nothing changes, so the text stays the same unless all
   * of them really said a phrase that often (then it is lost); off by default. `0` (off) or
   * 2 to 100. Default `0` (live sessions: `4`).
   */
  loopRepeats?: number;
  /**
   * Computes the decoder's attention with whisper-napi's grouped kernel on the CPU (patch
   * grouped-decoder-attention): the beams' rows of each attention head are taken together
   * against the encoder's 1500 frames, each key converted once, with an F32 accumulator
   * where ggml's kernel takes one row and one key at a time into an F16 one. That kernel was
   * about half of a 5-beam decode's decoder time; with this one, 5-beam transcription of the
   * speech set's English clips took 38 % less time (tiny.en and base, 2 threads). It is
   * also exact to F32 where ggml's F16 sums are off by 1-2 % of the attention's values, but
   * not more accurate in words: the same run gave 17.1 % WER against 16.6 % for tiny.en, and
   * 15.2 % against 14.8 % for base (docs/live.md). Off by default, so that transcribe() gives
   * exactly what whisper-cli gives. GPU backends ignore it. Cannot be combined with
   * `assistantModel`. Default `false` (live sessions: `true`).
   */
  groupedAttention?: boolean;
  /**
   * Candidates sampled per temperature step when `temperature > 0`, also when beam search
   * falls back to sampling. Default `5`.
   */
  bestOf?: number;
  /**
   * Seed of the samplers (0 to 2^32 − 1). Sampling happens in windows decoded at a
   * temperature above 0 (`temperature`, or the fallback of `temperatureIncrement`) and
   * in beam search, which draws its candidates. Each job starts its samplers from this
   * seed, so the same audio and options give the same transcript whatever ran before or
   * beside it; change it to get another sample. Default `0` (what whisper-cli draws).
   */
  seed?: number;
  /** Initial sampling temperature. Default `0`. */
  temperature?: number;
  /**
   * Step added to the temperature when a window fails the entropy/log-probability checks.
   * Default `0.2`; `0` disables the fallback (whisper-cli's `-nf`).
   */
  temperatureIncrement?: number;
  /** Entropy threshold for the fallback. Default `2.4`. */
  entropyThreshold?: number;
  /** Average log-probability threshold for the fallback. Default `-1`. */
  logprobThreshold?: number;
  /**
   * No-speech probability threshold. A window above it whose average log-probability is
   * also below `logprobThreshold` is dropped (whisper.cpp's rule); a segment that is only a
   * bracketed annotation (`[BLANK_AUDIO]`, `[MUSIC]`) in a window above it is left out too,
   * since models write those confidently over silence. `1` keeps everything. Default `0.6`.
   */
  noSpeechThreshold?: number;
  /**
   * Decode each 30-s window without the text of the windows before it (OpenAI's
   * `condition_on_previous_text: false`): a window that went wrong (a repetition loop, a
   * hallucination) then cannot prime the next ones, at the cost of context for names and
   * style; `initialPrompt` then primes only the first window unless `carryInitialPrompt`.
   * Applies to whisper.cpp's loop; `'smart'` windows and `'chunked'` chunks are decoded on
   * their own anyway (README, Long audio). Default `false`:
   * each window is conditioned on the text before it, as in whisper.cpp and OpenAI's
   * Whisper. A job never sees the text of another job.
   */
  noContext?: boolean;
  /** Text that primes the decoder (vocabulary, spelling, style). Default none. */
  initialPrompt?: string;
  /** Do not predict timestamps; segments then span whole windows. Default `false`. */
  noTimestamps?: boolean;
  /** Force one segment per window. Default `false`. */
  singleSegment?: boolean;
  /** Compute per-token start/end times (implies `tokens`). Default `false`. */
  tokenTimestamps?: boolean;
  /** Include per-token detail (id, text, probability) in each segment. Default `false`. */
  tokens?: boolean;
  /** Maximum segment length in characters; `0` = no limit. Default `0`. */
  maxSegmentLength?: number;
  /** With `maxSegmentLength`, split at word boundaries. Default `false`. */
  splitOnWord?: boolean;
  /** Maximum tokens per segment; `0` = no limit. Default `0`. */
  maxTokensPerSegment?: number;
  /** Start this many seconds into the audio. Default `0`. */
  offset?: number;
  /** Transcribe only this many seconds; `0` = to the end. Default `0`. */
  duration?: number;
  /** Suppress blank outputs at the start of a window. Default `true`. */
  suppressBlank?: boolean;
  /** Suppress non-speech tokens (music notes, brackets...). Default `false`. */
  suppressNonSpeech?: boolean;
  /**
   * Tokens whose text matches this regular expression (ECMAScript syntax, as C++'s
   * std::regex reads it) are never produced. At most 256 characters. Default none.
   */
  suppressRegex?: string;
  /**
   * Encoder context in 20-ms frames (0 to 1500): 1500 is a full 30-s window, `0` means 1500;
   * smaller is faster and less accurate. Default `0`.
   */
  audioContext?: number;
  /** Keep `initialPrompt` in front of every window, not only the first. Default `false`. */
  carryInitialPrompt?: boolean;
  /**
   * Transcribe only the speech found by whisper.cpp's built-in Silero VAD (needs
   * `vadModel`); timestamps still refer to the original audio. Default `false`.
   */
  vad?: boolean;
  /** Path of a Silero VAD model in ggml form (e.g. ggml-silero-v6.2.0.bin). */
  vadModel?: string;
  /** Speech probability threshold. Default `0.5`. */
  vadThreshold?: number;
  /** Shortest speech kept, in ms. Default `250`. */
  vadMinSpeechMs?: number;
  /** Silence that ends a speech segment, in ms. Default `100`. */
  vadMinSilenceMs?: number;
  /** Longest speech segment before it is split, in seconds. Default: no limit. */
  vadMaxSpeechSeconds?: number;
  /** Padding added around each speech segment, in ms. Default `30`. */
  vadSpeechPadMs?: number;
  /** Overlap between speech segments when they are joined, in seconds. Default `0.1`. */
  vadSamplesOverlap?: number;
  /**
   * How audio longer than one 30-s window is transcribed (`transcript.longForm` says which
   * mode ran and why). Default `'auto'`:
   * - `'native'`: whisper.cpp's own sequential loop (each window starts after the last
   *   complete segment), as whisper-cli runs it. The default for audio up to 60 s (two
   *   windows; models that predict timestamps), and with `vad: true`.
   * - `'smart'`: sequential windows of at most 30 s cut in silences found by the Silero VAD
   *   (`vadModel`), or at the quietest moment when speech runs on or no VAD model is given;
   *   each window is meant to be conditioned on the text before it, which does not reach
   *   whisper.cpp yet (README, Long audio). The default for longer audio (it
   *   lost fewer words than whisper.cpp's loop on 6 minutes of real speech with every model
   *   measured: see the README) and for distilled models (distil-medium.en, distil-small.en,
   *   distil-large-v2/v3), which whisper.cpp would otherwise advance in blind 30-s hops.
   * - `'chunked'`: Distil-Whisper's chunked algorithm: overlapping chunks (`chunkLength`,
   *   `chunkStride`) transcribed in parallel (`parallelChunks`) and merged where their
   *   token sequences agree.
   */
  longForm?: 'auto' | 'native' | 'smart' | 'chunked';
  /** `'chunked'`: chunk length in seconds (1–30). Default: 15 for distilled models, else 30. */
  chunkLength?: number;
  /** `'chunked'`: overlap on each side of a chunk, in seconds. Default: `chunkLength / 6`. */
  chunkStride?: number;
  /**
   * `'chunked'`: chunks transcribed at once, each on its own decoding state; `threads` is
   * shared among them. Default: the model's `maxConcurrency`. The transcription still
   * counts as one job of the model's queue.
   */
  parallelChunks?: number;
  /**
   * Speculative decoding: a smaller model with the same vocabulary and audio encoder shape
   * (distil-medium.en for medium.en) drafts tokens, and this model checks each draft in one
   * decoder pass, keeping the part it agrees with and its own next token. The result is
   * token for token what this model gives alone (on the CPU backend with flash attention;
   * `transcript.speculative.exact` says whether that held), with fewer of its decoder
   * passes (`transcript.speculative` reports how many). When the two encoders hold the same
   * weights the assistant reuses this model's encoder output; otherwise it encodes each
   * window itself and a warning says so. Greedy decoding only: `beamSize > 1` and
   * `temperature > 0` are refused; windows that fall back to a higher temperature
   * (`temperatureIncrement`) are decoded without drafts. Default none.
   */
  assistantModel?: AssistantModel;
  /** Abort the job. The promise rejects with an `AbortError`. */
  signal?: AbortSignal;
  /**
   * Called with each segment, in order, as soon as whisper.cpp has finished the window
   * holding it (long before the whole transcript is ready). Every segment of the result is
   * delivered exactly once, before the promise resolves. If it throws, the job is aborted
   * and the promise rejects with that error.
   */
  onSegment?: (segment: Segment, index: number) => void;
  /** Called with progress in percent (0–100, increasing), ending with 100. Errors as above. */
  onProgress?: (percent: number) => void;
}

/** Options of `model.detectLanguage()`. */
export interface DetectLanguageOptions {
  /** CPU threads. Default: the model's `threads`, else min(4, CPU threads). */
  threads?: number;
  /** Sample rate of Float32Array / Int16Array audio, as for `transcribe()`. */
  sampleRate?: number;
  /** Stops the detection while it waits for a slot. */
  signal?: AbortSignal;
}
