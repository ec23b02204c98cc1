// Per-environment state of the addon. Node creates one instance for the main thread and
// one for each worker_thread that loads the addon; nothing here is global.
#pragma once

#include <napi.h>

namespace whisper_napi {

class WhisperAddon : public Napi::Addon<WhisperAddon> {
 public:
  WhisperAddon(Napi::Env env, Napi::Object exports);

 private:
  Napi::Value SystemInfo(const Napi::CallbackInfo& info);
};

}  // namespace whisper_napi
