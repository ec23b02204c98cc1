// What long-form transcription needs to know about a signal before it places its windows
// (src/long-form/), computed on the thread pool:
//
// - the loudness of every 10-ms frame (RMS), for cutting at the quietest moment when
//   speech runs on past a window's length;
// - with a Silero VAD model, the speech probability of every 32-ms frame (512 samples),
//   from whisper.cpp's VAD run block by block so that an abort stops it promptly.
//
//   analyzeSpeech(audio: StagedAudio, options: { vadModel?: string, threads: number })
//     -> { promise: Promise<{ rms: Float32Array, speechProbabilities: Float32Array | null }>,
//          cancel() }
//
// The audio is shared, not taken: the transcription jobs that follow use the same samples.
#pragma once

#include <napi.h>

namespace whisper_napi {

Napi::Value AnalyzeSpeech(const Napi::CallbackInfo& info);

}  // namespace whisper_napi
