#include "core/addon.h"

#include "core/backend_loader.h"
#include "core/log_capture.h"
#include "model/model.h"
#include "model/quantize_worker.h"
#include "audio/speech_analysis_worker.h"
#include "audio/staged_audio.h"
#include "diagnostics/attention_check.h"
#include "ggml-backend.h"
#include "whisper.h"

namespace whisper_napi {

WhisperAddon::WhisperAddon(Napi::Env env, Napi::Object exports) {
  InstallLogRouting();
  LoadBackendsOnce();

  DefineAddon(exports, {
      InstanceMethod("systemInfo", &WhisperAddon::SystemInfo),
      InstanceMethod("backends", &WhisperAddon::Backends),
  });
  Napi::Function model = Model::DefineClass(env);
  model_class_ = Napi::Persistent(model);
  exports.Set("Model", model);
  Napi::Function staged_audio = StagedAudio::DefineClass(env);
  staged_audio_class_ = Napi::Persistent(staged_audio);
  exports.Set("StagedAudio", staged_audio);
  exports.Set("whisperCppVersion", Napi::String::New(env, whisper_version()));
  exports.Set("quantizeModel", Napi::Function::New(env, QuantizeModel, "quantizeModel"));
  exports.Set("analyzeSpeech", Napi::Function::New(env, AnalyzeSpeech, "analyzeSpeech"));
  exports.Set("checkAttentionKernels", Napi::Function::New(env, CheckAttentionKernels, "checkAttentionKernels"));
}

bool WhisperAddon::IsStagedAudio(const Napi::Value& value) const {
  return value.IsObject() && value.As<Napi::Object>().InstanceOf(staged_audio_class_.Value());
}

bool WhisperAddon::IsModel(const Napi::Value& value) const {
  return value.IsObject() && value.As<Napi::Object>().InstanceOf(model_class_.Value());
}

Napi::Value WhisperAddon::SystemInfo(const Napi::CallbackInfo& info) {
  // whisper_print_system_info() rebuilds a static string on every call, which would race
  // between worker threads; the answer never changes, so compute it once (thread-safe
  // static initialisation).
  static const std::string system_info = whisper_print_system_info();
  return Napi::String::New(info.Env(), system_info);
}

Napi::Value WhisperAddon::Backends(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object result = Napi::Object::New(env);
  Napi::Array backends = Napi::Array::New(env);
  for (size_t i = 0; i < ggml_backend_reg_count(); ++i) {
    backends.Set(static_cast<uint32_t>(i), Napi::String::New(env, ggml_backend_reg_name(ggml_backend_reg_get(i))));
  }
  Napi::Array devices = Napi::Array::New(env);
  for (size_t i = 0; i < ggml_backend_dev_count(); ++i) {
    ggml_backend_dev_t device = ggml_backend_dev_get(i);
    Napi::Object entry = Napi::Object::New(env);
    entry.Set("name", Napi::String::New(env, ggml_backend_dev_name(device)));
    entry.Set("description", Napi::String::New(env, ggml_backend_dev_description(device)));
    const enum ggml_backend_dev_type type = ggml_backend_dev_type(device);
    entry.Set("type", Napi::String::New(env, type == GGML_BACKEND_DEVICE_TYPE_CPU    ? "cpu"
                                             : type == GGML_BACKEND_DEVICE_TYPE_GPU  ? "gpu"
                                             : type == GGML_BACKEND_DEVICE_TYPE_IGPU ? "igpu"
                                             : type == GGML_BACKEND_DEVICE_TYPE_ACCEL ? "accel"
                                                                                      : "meta"));
    devices.Set(static_cast<uint32_t>(i), entry);
  }
  result.Set("backends", backends);
  result.Set("devices", devices);
  // Portable builds: the CPU variant ggml picked for this CPU (e.g. libggml-cpu-haswell.so).
  const std::string cpu_file = CpuBackendFile();
  result.Set("cpuBackendFile", cpu_file.empty() ? env.Null() : Napi::String::New(env, cpu_file));
  return result;
}

}  // namespace whisper_napi

using whisper_napi::WhisperAddon;
NODE_API_ADDON(WhisperAddon)
