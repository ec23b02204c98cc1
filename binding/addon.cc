#include "addon.h"

#include "log_capture.h"
#include "model.h"
#include "whisper.h"

namespace whisper_napi {

WhisperAddon::WhisperAddon(Napi::Env env, Napi::Object exports) {
  InstallLogRouting();

  DefineAddon(exports, {
      InstanceMethod("systemInfo", &WhisperAddon::SystemInfo),
  });
  exports.Set("Model", Model::DefineClass(env));
  exports.Set("whisperCppVersion", Napi::String::New(env, whisper_version()));
}

Napi::Value WhisperAddon::SystemInfo(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), whisper_print_system_info());
}

}  // namespace whisper_napi

using whisper_napi::WhisperAddon;
NODE_API_ADDON(WhisperAddon)
