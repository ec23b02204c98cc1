#include "addon.h"

#include "log_capture.h"
#include "model.h"
#include "staged_audio.h"
#include "whisper.h"

namespace whisper_napi {

WhisperAddon::WhisperAddon(Napi::Env env, Napi::Object exports) {
  InstallLogRouting();

  DefineAddon(exports, {
      InstanceMethod("systemInfo", &WhisperAddon::SystemInfo),
  });
  exports.Set("Model", Model::DefineClass(env));
  Napi::Function staged_audio = StagedAudio::DefineClass(env);
  staged_audio_class_ = Napi::Persistent(staged_audio);
  exports.Set("StagedAudio", staged_audio);
  exports.Set("whisperCppVersion", Napi::String::New(env, whisper_version()));
}

bool WhisperAddon::IsStagedAudio(const Napi::Value& value) const {
  return value.IsObject() && value.As<Napi::Object>().InstanceOf(staged_audio_class_.Value());
}

Napi::Value WhisperAddon::SystemInfo(const Napi::CallbackInfo& info) {
  // whisper_print_system_info() rebuilds a static string on every call, which would race
  // between worker threads; the answer never changes, so compute it once (thread-safe
  // static initialisation).
  static const std::string system_info = whisper_print_system_info();
  return Napi::String::New(info.Env(), system_info);
}

}  // namespace whisper_napi

using whisper_napi::WhisperAddon;
NODE_API_ADDON(WhisperAddon)
