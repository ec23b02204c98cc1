/** The CLI's help text. */
export const USAGE = `Usage: whisper-napi <command> [options]

Commands:
  transcribe <files...>     Transcribe audio files (WAV, MP3, FLAC, Ogg Vorbis)
      --model <id|path>     Model id (see 'models'), URL or file. Default: $WHISPER_NAPI_MODEL,
                            else distil-medium.en (downloaded on first use)
      --precision <p>       A model id's precision: original (default: the downloaded f16
                            file), or q8_0, q5_1, q5_0, q4_1, q4_0 (a quantized copy of it,
                            made once in the cache)
      --format <fmt>        txt | srt | vtt | json (default txt)
      --output-dir <dir>    Write <dir>/<name>.<fmt> for each file instead of printing
      --threads <n>         CPU threads (default min(4, CPU threads))
      --language <code>     Spoken language, or 'auto' (multilingual models; default en)
      --prompt <text>       Initial prompt (vocabulary, spelling, style)
      --vad                 Transcribe only the speech found by Silero VAD
      --vad-model <path>    The Silero VAD model in ggml form (or $WHISPER_NAPI_VAD_MODEL);
                            also places the windows of --long-form smart
      --long-form <mode>    auto (default), native, smart or chunked: see the README
      --assistant <id|path> Speculative decoding: a smaller model of the same vocabulary
                            drafts (e.g. distil-medium.en for --model medium.en); the text
                            is exactly --model's. Greedy only; prints the acceptance rate
      --word-timestamps     Word times: in JSON, and one cue per word in SRT/VTT
      --dtw                 Word times by DTW on the model's alignment heads (more exact;
                            implies --word-timestamps; turns flash attention off)
      --beam-size <n>       Beam search with n beams, 1 to 8 (default 1: greedy)
      --no-fallback         No temperature fallback (whisper-cli's -nf)
      --seed <n>            Seed of the sampler used by the fallback and beam search
                            (default 0): each seed gives one fixed output
  serve                     An OpenAI-compatible transcription server on one model, with a
                            web page at / (POST /v1/audio/transcriptions, /translations;
                            GET /v1/models, /health, /metrics; live transcription over a
                            WebSocket at /v1/audio/live): see docs/server.md
      --model, --precision, --threads   as for transcribe
      --host <addr>         Interface to listen on (default 127.0.0.1: this machine only)
      --port <n>            TCP port (default 8080; 0 picks a free one)
      --api-key <key>       Require "Authorization: Bearer <key>" on every route but the
                            page and /health (or $WHISPER_NAPI_API_KEY; WebSocket clients
                            may offer the subprotocols whisper-napi, bearer.<key> instead)
      --max-concurrency <n> Transcriptions decoded at once (default 1)
      --max-queue <n>       Requests admitted beyond those; more get 429 (default 8)
      --max-upload-mb <n>   Largest audio upload; larger gets 413 (default 25)
      --cors <origin>       Allow browser calls from this origin (repeatable; '*' for any)
      --shutdown-timeout <s> On SIGTERM/SIGINT, how long running jobs may finish (default 10)
      --max-live-sessions <n> Live WebSocket sessions at once; more get 429 (default 2; 0: off)
      --max-live-seconds <s> Most audio one live session may send (default 3600)
      --live-idle-timeout <s> Close a live session that sends nothing for this long (default 30)
      --redis <url>         Hand upload jobs to the workers of a job queue on this Redis
                            (redis://host:6379; or $WHISPER_NAPI_REDIS) instead of decoding
                            them here; --max-concurrency then counts jobs at the workers
      --queue <name>        The queue's name (default whisper-napi)
  worker                    Take transcription jobs from a job queue on Redis (BullMQ; needs
                            the optional packages bullmq and ioredis): see docs/workers.md
      --redis <url>         redis://[user:password@]host:6379[/db], rediss:// for TLS
                            (or $WHISPER_NAPI_REDIS)
      --queue <name>        The queue's name (default whisper-napi)
      --concurrency <n>     Jobs run at once on the shared model (default 1)
      --model, --precision, --threads   as for transcribe
      --shutdown-timeout <s> On SIGTERM/SIGINT, how long running jobs may finish before
                            they go back to the queue (default 30)
      --lock-duration <s>   A dead worker's job is taken up by another this long after its
                            last lock renewal (default 30)
      --stalled-interval <s> How often to look for such jobs (default 30)
  download <id|url>         Download a model into the cache and print its path
      --sha256 <hex>        The checksum of a URL's file
  models                    Known models, their sizes, and which are downloaded
  info <model>              Facts from a model's header
  quantize <in> <out>       Write a quantized copy of an f16 model
      --type <type>         q8_0 | q5_1 | q5_0 | q4_1 | q4_0
  convert <dir> <out>       Convert a faster-whisper (CTranslate2) model directory or a
                            Transformers checkpoint (safetensors) to a ggml model file
      --type <type>         f16 (default) | f32 | q8_0 | q5_1 | q5_0 | q4_1 | q4_0

Options for every command:
  --cache-dir <dir>         Model cache (default $WHISPER_NAPI_CACHE or the user cache)
  --quiet                   No progress output
  --verbose                 Stack traces on errors
  --version, -v             Versions, backends and CPU features
  --help, -h                This text

Exit status: 0 on success, 1 when a command fails, 2 for bad usage (unknown
command or option, bad option value).
`;
