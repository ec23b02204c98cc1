// Loads a model on the libuv thread pool: InspectModelFile, then whisper.cpp's loader fed
// through PlannedModelStream. Settles a promise with the model's facts.
#pragma once

#include <napi.h>

#include <memory>
#include <string>

#include "model/dtw_heads.h"
#include "model/loaded_model.h"
#include "core/promise_worker.h"

namespace whisper_napi {

class Model;

struct LoadOptions {
  bool use_gpu = true;
  int gpu_device = 0;
  bool flash_attention = true;
  bool bf16_weights = false;  // present an f16/f32 file's matrices as bf16 (model_file.h)
  int max_idle_states = 1;  // the model's maxConcurrency: states kept for reuse
  double memory_budget = 0;  // bytes the weights may take (src/memory.ts); 0: no check
  DtwSpec dtw;               // DTW token timing; turns flash attention off
};

class LoadWorker : public PromiseWorker {
 public:
  LoadWorker(Napi::Env env, Model* model, Napi::Object model_object, std::string path, LoadOptions options);

 protected:
  void Run() override;
  Napi::Value Result(Napi::Env env) override;

 private:
  Model* model_;
  Napi::ObjectReference model_object_;  // keeps the JS object (and so model_) alive
  std::string path_;
  LoadOptions options_;
  std::shared_ptr<LoadedModel> loaded_;
  double load_ms_ = 0;
};

// The facts about a loaded model that JS sees as `model.info` (before derivation in TS).
Napi::Object ModelFacts(Napi::Env env, const LoadedModel& loaded);

}  // namespace whisper_napi
