// Per-environment state of the addon. Node creates one instance for the main thread and
// one for each worker_thread that loads the addon; nothing here is global.
#pragma once

#include <napi.h>

namespace whisper_napi {

class WhisperAddon : public Napi::Addon<WhisperAddon> {
 public:
  WhisperAddon(Napi::Env env, Napi::Object exports);

  // True if `value` was made by this environment's StagedAudio constructor.
  bool IsStagedAudio(const Napi::Value& value) const;
  // True if `value` was made by this environment's Model constructor.
  bool IsModel(const Napi::Value& value) const;

 private:
  Napi::Value SystemInfo(const Napi::CallbackInfo& info);
  Napi::Value Backends(const Napi::CallbackInfo& info);

  Napi::FunctionReference staged_audio_class_;
  Napi::FunctionReference model_class_;
};

}  // namespace whisper_napi
