#!/usr/bin/env python3
"""Transcribe WAV files with faster-whisper (CTranslate2) and print one JSON object.

TEST-SUPPORT TOOL: the reference engine that tests and benchmarks compare whisper-napi with.
The npm package never needs Python. Run it with the venv from setup-python.js:

    python faster_whisper_transcribe.py --model <ct2 dir> --threads N [--compute-type float32]
        [--language en] [--beam-size 1] [--best-of 1] [--no-fallback] [--word-timestamps] FILE.wav...

stdout (one JSON object):
    {"engine": "faster-whisper", "version": ..., "ctranslate2": ..., "computeType": ...,
     "threads": N, "importSeconds": ..., "loadSeconds": ..., "peakRssBytes": ..., "options": {...},
     "results": [{"file", "text", "language", "languageProbability", "seconds",
                  "segments": [{"start", "end", "text", "tokens", "avgLogprob",
                                "noSpeechProb", "temperature", "words"?}]}]}
("words", with --word-timestamps only: [{"word", "start", "end", "probability"}], from
faster-whisper's word_timestamps=True, OpenAI's DTW on the alignment heads' cross-attention.)
"text" is the segments' texts joined, with leading/trailing whitespace removed; "seconds" is the
wall time of transcribe() including consuming its segment generator (mel, encoder, decoding).
"importSeconds" is the time to import ctranslate2 and faster_whisper, "loadSeconds" the time of
WhisperModel(...) (reading and converting the weights), "peakRssBytes" the process's peak resident
memory at the end (resource.getrusage ru_maxrss; audio, weights and decoding together).

Decoding settings (chosen to match whisper.cpp's greedy sampling): beam_size=1 (--beam-size),
best_of=1, patience=1, vad_filter=False, condition_on_previous_text=True, without_timestamps=False,
word_timestamps=False (True with --word-timestamps). --best-of: candidates sampled at a
temperature above 0 (default 1; faster-whisper's own default is 5). --no-fallback: temperature=[0.0] only, as whisper.cpp with fallback off;
without it, faster-whisper's default fallback ladder 0.0, 0.2, ..., 1.0 (compression ratio > 2.4
or average log-probability < -1.0 retries), like whisper.cpp's defaults.

The model is loaded once with device='cpu', cpu_threads=N, num_workers=1 from a local directory;
HF_HUB_OFFLINE=1 is set so nothing ever contacts a hub. Audio is decoded with the standard
library's wave module + numpy (16 kHz, mono, 16-bit PCM required), so PyAV is not used.
"""
import argparse
import json
import os
import sys
import time
import wave

os.environ["HF_HUB_OFFLINE"] = "1"

import numpy as np  # noqa: E402


class AudioError(Exception):
    pass


def read_wav(path):
    """16 kHz mono 16-bit PCM WAV -> float32 numpy array in [-1, 1)."""
    try:
        with wave.open(path, "rb") as w:
            channels, width, rate, frames = w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()
            comptype = w.getcomptype()
            data = w.readframes(frames)
    except (wave.Error, EOFError) as e:
        raise AudioError(f"{path}: not a PCM WAV file the wave module can read ({e})")
    problems = []
    if comptype != "NONE":
        problems.append(f"compression {comptype}")
    if channels != 1:
        problems.append(f"{channels} channels")
    if width != 2:
        problems.append(f"{8 * width}-bit samples")
    if rate != 16000:
        problems.append(f"{rate} Hz")
    if problems:
        raise AudioError(f"{path}: expected 16 kHz mono 16-bit PCM, got {', '.join(problems)} "
                         "(convert it first, e.g. ffmpeg -i IN -ar 16000 -ac 1 -c:a pcm_s16le OUT.wav)")
    samples = np.frombuffer(data, dtype="<i2")
    return samples.astype(np.float32) / 32768.0


def peak_rss_bytes():
    """The process's peak resident set size in bytes (ru_maxrss: KiB on Linux, bytes on macOS)."""
    import resource
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return int(peak if sys.platform == "darwin" else peak * 1024)


def main(argv=None):
    ap = argparse.ArgumentParser(description="faster-whisper reference transcription (JSON on stdout)")
    ap.add_argument("--model", required=True, help="CTranslate2 model directory (model.bin, config.json, tokenizer.json, vocabulary.*)")
    ap.add_argument("--threads", type=int, required=True, help="cpu_threads for CTranslate2")
    ap.add_argument("--compute-type", default="float32", help="CTranslate2 compute type (default float32)")
    ap.add_argument("--language", default=None, help="language code; default: the model's (.en) or detected")
    ap.add_argument("--beam-size", type=int, default=1)
    ap.add_argument("--best-of", type=int, default=1, help="candidates sampled at temperature > 0 (default 1; faster-whisper's default is 5)")
    ap.add_argument("--no-fallback", action="store_true", help="temperature 0 only (no temperature fallback)")
    ap.add_argument("--word-timestamps", action="store_true", help="word_timestamps=True: words with times per segment")
    ap.add_argument("files", nargs="+", metavar="FILE.wav")
    args = ap.parse_args(argv)

    if not os.path.isfile(os.path.join(args.model, "model.bin")):
        print(f"faster_whisper_transcribe: {args.model} has no model.bin (run fetch-weights.js first)", file=sys.stderr)
        return 2
    if args.threads < 1 or args.beam_size < 1 or args.best_of < 1:
        print("faster_whisper_transcribe: --threads, --beam-size and --best-of must be >= 1", file=sys.stderr)
        return 2
    try:
        audio = [(f, read_wav(f)) for f in args.files]
    except (AudioError, OSError) as e:
        print(f"faster_whisper_transcribe: {e}", file=sys.stderr)
        return 2

    t_import = time.perf_counter()
    import ctranslate2
    import faster_whisper
    from faster_whisper import WhisperModel
    import_seconds = time.perf_counter() - t_import

    t0 = time.perf_counter()
    model = WhisperModel(args.model, device="cpu", compute_type=args.compute_type,
                         cpu_threads=args.threads, num_workers=1, local_files_only=True)
    load_seconds = time.perf_counter() - t0

    options = dict(
        beam_size=args.beam_size,
        best_of=args.best_of,
        patience=1,
        temperature=[0.0] if args.no_fallback else [0.0, 0.2, 0.4, 0.6, 0.8, 1.0],
        compression_ratio_threshold=2.4,
        log_prob_threshold=-1.0,
        no_speech_threshold=0.6,
        condition_on_previous_text=True,
        without_timestamps=False,
        word_timestamps=args.word_timestamps,
        vad_filter=False,
    )
    results = []
    for path, samples in audio:
        t = time.perf_counter()
        segments, info = model.transcribe(samples, language=args.language, **options)
        segs = []
        for s in segments:  # the generator does the work
            segs.append({"start": round(float(s.start), 3), "end": round(float(s.end), 3), "text": s.text,
                         "tokens": list(s.tokens), "avgLogprob": s.avg_logprob, "noSpeechProb": s.no_speech_prob,
                         "temperature": s.temperature})
            if args.word_timestamps:
                segs[-1]["words"] = [{"word": w.word, "start": round(float(w.start), 3), "end": round(float(w.end), 3),
                                      "probability": w.probability} for w in (s.words or [])]
        seconds = time.perf_counter() - t
        results.append({
            "file": path,
            "text": "".join(s["text"] for s in segs).strip(),
            "language": info.language,
            "languageProbability": info.language_probability,
            "duration": info.duration,
            "seconds": round(seconds, 4),
            "segments": segs,
        })

    out = {
        "engine": "faster-whisper",
        "version": faster_whisper.__version__,
        "ctranslate2": ctranslate2.__version__,
        "computeType": getattr(model.model, "compute_type", args.compute_type),
        "requestedComputeType": args.compute_type,
        "threads": args.threads,
        "model": os.path.abspath(args.model),
        "importSeconds": round(import_seconds, 4),
        "loadSeconds": round(load_seconds, 4),
        "peakRssBytes": peak_rss_bytes(),
        "options": options,
        "results": results,
    }
    json.dump(out, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
