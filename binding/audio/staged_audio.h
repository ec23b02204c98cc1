// The audio of one job: a 16 kHz mono signal built in native memory before the job starts.
//
// A job needs its own copy of the samples (the caller's buffer may be changed, transferred
// or detached while the job runs on another thread), and building it must not hold the JS
// thread: src/audio/ feeds it in bounded slices, yielding between them, and everything
// heavy (down-mixing, resampling, decoding MP3/FLAC/Vorbis) runs on the thread pool. The
// finished StagedAudio goes to Model.transcribe(), which moves the samples into the job.
//
//   new StagedAudio(limitSamples)                 keeps at most limitSamples 16 kHz samples
//   reserve(samples)                              room for the expected length, up front
//   append(samples, start, end)                   16 kHz mono Float32Array slice, copied now
//   appendFrames(rate, channels[], start, end)    any rate/channel count: the slice is copied
//                                                 now, resampled on the pool -> Promise<void>
//   appendEncoded(bytes, start, end, total?)      a slice of an encoded stream, copied now
//   decode('mp3'|'flac'|'vorbis', path?)          decodes the file at `path`, else the bytes
//                                                 appended, on the pool -> Promise<{ sampleRate,
//                                                 channels, frames }>
//   finish()                                      no more input (flushes the resampler)
//   cancel()                                      stops a running decode or resample
//   release()                                     frees the samples now; the audio is unusable
//   copyTo(target, start)                         finished samples [start, start + target.length)
//                                                 into a Float32Array (for decodeAudio())
//   length, truncated                             samples so far; input dropped at the limit
#pragma once

#include <napi.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "audio/audio_signal.h"

namespace whisper_napi {

class StagedAudio : public Napi::ObjectWrap<StagedAudio> {
 public:
  static Napi::Function DefineClass(Napi::Env env);

  explicit StagedAudio(const Napi::CallbackInfo& info);
  ~StagedAudio() override;

  // Moves the finished samples out; throws a JS error if they are not ready or taken.
  std::vector<float> Take(Napi::Env env);

  // The finished samples, shared by every job that transcribes a part of them (long-form
  // windows and chunks, src/long-form/) and by speech analysis; they stay until release()
  // and the last such job have let go. Throws like Take().
  std::shared_ptr<const std::vector<float>> Share(Napi::Env env);

  // Frees the samples now (or, while a pool task fills them, when it settles, which this
  // hastens); the audio is unusable afterwards. release() from JS, and SingleUseAudio.
  void ReleaseSamples() noexcept;

  // Called on the JS thread when a pool task on this audio has settled.
  void SetIdle() {
    busy_ = false;
    if (released_) signal_->Release();
  }

 private:
  Napi::Value Reserve(const Napi::CallbackInfo& info);
  Napi::Value Append(const Napi::CallbackInfo& info);
  Napi::Value AppendFrames(const Napi::CallbackInfo& info);
  Napi::Value AppendEncoded(const Napi::CallbackInfo& info);
  Napi::Value Decode(const Napi::CallbackInfo& info);
  Napi::Value Finish(const Napi::CallbackInfo& info);
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Release(const Napi::CallbackInfo& info);
  Napi::Value CopyTo(const Napi::CallbackInfo& info);
  Napi::Value Length(const Napi::CallbackInfo& info);
  Napi::Value Truncated(const Napi::CallbackInfo& info);

  // Throws unless another call may start now.
  void RequireIdle(Napi::Env env) const;

  // Shared with the pool task that is filling it, which may outlive this wrapper.
  std::shared_ptr<AudioSignal> signal_;
  std::vector<uint8_t> encoded_;  // appendEncoded() slices, until decode() takes them
  std::shared_ptr<const std::vector<float>> shared_;  // once Share() has been called
  bool busy_ = false;
  bool taken_ = false;
  bool released_ = false;
};

// The audio of a whole-signal call (a transcription without a range, a language detection)
// is that call's alone. Held for the length of the native call, this frees the samples on
// every way out: taken by the job (nothing is left to free), or left behind by a call that
// threw before taking them (a suppressRegex that std::regex rejects, a model an options
// getter disposed, ...), which would otherwise hold them until the garbage collector
// finalizes the StagedAudio. Ranged calls share the audio and do not use this.
class SingleUseAudio {
 public:
  explicit SingleUseAudio(StagedAudio* audio) : audio_(audio) {}
  ~SingleUseAudio() { audio_->ReleaseSamples(); }
  SingleUseAudio(const SingleUseAudio&) = delete;
  SingleUseAudio& operator=(const SingleUseAudio&) = delete;

  StagedAudio* operator->() const { return audio_; }

 private:
  StagedAudio* audio_;  // kept alive by the call's own argument
};

}  // namespace whisper_napi
