// Spoken-language detection on the thread pool: the mel spectrogram of the first 30 s,
// one encoder pass and one decoder step (whisper_lang_auto_detect_with_state).
#pragma once

#include <napi.h>

#include <memory>
#include <vector>

#include "model/loaded_model.h"
#include "core/promise_worker.h"

namespace whisper_napi {

class DetectLanguageWorker : public PromiseWorker {
 public:
  DetectLanguageWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, std::vector<float> samples, int threads);

 protected:
  void Execute() override;
  void Run() override;
  Napi::Value Result(Napi::Env env) override;

 private:
  std::shared_ptr<LoadedModel> model_;
  std::vector<float> samples_;
  int threads_;
  int language_id_ = -1;
  std::vector<float> probabilities_;
};

}  // namespace whisper_napi
