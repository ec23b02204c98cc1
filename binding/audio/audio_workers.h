// Pool tasks that fill a StagedAudio: resampling copied PCM frames, and decoding MP3, FLAC
// and Vorbis. Each holds the AudioSignal by shared_ptr and the StagedAudio's JS object by
// reference, and marks the StagedAudio idle again when it settles.
#pragma once

#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "audio/audio_decoder.h"
#include "audio/audio_signal.h"
#include "core/promise_worker.h"

namespace whisper_napi {

class StagedAudio;

class AudioTask : public PromiseWorker {
 public:
  AudioTask(Napi::Env env, const char* name, StagedAudio* owner, Napi::Object owner_object, std::shared_ptr<AudioSignal> signal);

 protected:
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

  std::shared_ptr<AudioSignal> signal_;

 private:
  StagedAudio* owner_;
  Napi::ObjectReference owner_ref_;
};

// Down-mixed frames at the source rate, resampled into the signal.
class ResampleTask : public AudioTask {
 public:
  ResampleTask(Napi::Env env, StagedAudio* owner, Napi::Object owner_object, std::shared_ptr<AudioSignal> signal,
               std::vector<float> mono)
      : AudioTask(env, "whisper-napi:resample", owner, owner_object, std::move(signal)), mono_(std::move(mono)) {}

 protected:
  void Run() override { signal_->AppendMono(mono_.data(), mono_.size()); }

 private:
  std::vector<float> mono_;
};

// A whole MP3/FLAC/Vorbis stream decoded into the signal (which it finishes).
class DecodeTask : public AudioTask {
 public:
  // `bytes` is the encoded stream when it came from memory (moved in), else empty.
  DecodeTask(Napi::Env env, StagedAudio* owner, Napi::Object owner_object, std::shared_ptr<AudioSignal> signal,
             std::string path, std::vector<uint8_t> bytes, CompressedFormat format);

 protected:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;

 private:
  std::vector<uint8_t> bytes_;
  EncodedAudio source_;
  CompressedFormat format_;
  DecodedFacts facts_;
};

}  // namespace whisper_napi
