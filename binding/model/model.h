// The JS-visible model object (class `Model` in the addon's exports). It owns a reference
// to a LoadedModel; jobs take their own reference, so `dispose()` and the finalizer can
// drop this one at any time without freeing memory under a running job.
#pragma once

#include <napi.h>

#include <memory>

#include "model/loaded_model.h"

namespace whisper_napi {

class Model : public Napi::ObjectWrap<Model> {
 public:
  static Napi::Function DefineClass(Napi::Env env);

  explicit Model(const Napi::CallbackInfo& info);
  ~Model() override;

  // Called on the JS thread by the load worker when loading succeeded.
  void Attach(std::shared_ptr<LoadedModel> loaded);
  bool disposed() const { return disposed_; }

 private:
  Napi::Value Load(const Napi::CallbackInfo& info);
  Napi::Value Transcribe(const Napi::CallbackInfo& info);
  Napi::Value DetectLanguage(const Napi::CallbackInfo& info);
  Napi::Value Tokenize(const Napi::CallbackInfo& info);
  Napi::Value Detokenize(const Napi::CallbackInfo& info);
  Napi::Value CheckAssistant(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  void Release() noexcept;
  // The loaded weights; throws a JS error if the model is disposed or not loaded yet.
  const std::shared_ptr<LoadedModel>& RequireLoaded(Napi::Env env) const;
  // The loaded model behind `value`, which must be a Model of this environment.
  static const std::shared_ptr<LoadedModel>& LoadedModelOf(Napi::Env env, const Napi::Value& value, const char* what);

  std::shared_ptr<LoadedModel> loaded_;
  bool loading_ = false;
  bool disposed_ = false;
  int64_t reported_external_bytes_ = 0;
};

}  // namespace whisper_napi
