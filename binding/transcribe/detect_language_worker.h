// Spoken-language detection on the thread pool: the mel spectrogram of the first 30 s,
// one encoder pass and one decoder step (whisper_lang_auto_detect_with_state).
#pragma once

#include <napi.h>

#include <memory>
#include <optional>
#include <vector>

#include "model/loaded_model.h"
#include "core/native_error.h"
#include "core/safe_async_worker.h"

namespace whisper_napi {

class DetectLanguageWorker : public SafeAsyncWorker {
 public:
  DetectLanguageWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, std::vector<float> samples, int threads);

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<LoadedModel> model_;
  std::vector<float> samples_;
  int threads_;
  std::optional<NativeError> error_;
  int language_id_ = -1;
  std::vector<float> probabilities_;
};

}  // namespace whisper_napi
