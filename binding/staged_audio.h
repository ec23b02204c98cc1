// Audio samples staged in native memory before a job starts.
//
// A job needs its own copy of the samples (the caller's buffer may be changed, transferred
// or detached while the job runs on another thread). Copying an hour of audio at once
// would hold the JS thread for hundreds of milliseconds, so src/model.ts copies it in
// bounded slices with append(), yielding to the event loop between slices, and hands the
// finished StagedAudio to Model.transcribe(), which moves the samples into the job.
#pragma once

#include <napi.h>

#include <vector>

namespace whisper_napi {

class StagedAudio : public Napi::ObjectWrap<StagedAudio> {
 public:
  static Napi::Function DefineClass(Napi::Env env);

  // new StagedAudio(totalSamples)
  explicit StagedAudio(const Napi::CallbackInfo& info);

  // Moves the samples out; throws a JS error if they are incomplete or already taken.
  std::vector<float> Take(Napi::Env env);

 private:
  // append(samples: Float32Array, start: number, end: number)
  Napi::Value Append(const Napi::CallbackInfo& info);

  std::vector<float> samples_;
  size_t expected_ = 0;
  bool taken_ = false;
};

}  // namespace whisper_napi
