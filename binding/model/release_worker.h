// Lets go of a LoadedModel on the thread pool, so freeing the weights never stalls the
// event loop. Resolves its promise afterwards.
#pragma once

#include <napi.h>

#include <memory>

#include "core/promise_worker.h"
#include "model/loaded_model.h"

namespace whisper_napi {

class ReleaseWorker : public PromiseWorker {
 public:
  ReleaseWorker(Napi::Env env, std::shared_ptr<LoadedModel> model)
      : PromiseWorker(env, "whisper-napi:release", "release of the model"), model_(std::move(model)) {}

 protected:
  void Run() override { model_.reset(); }

 private:
  std::shared_ptr<LoadedModel> model_;
};

}  // namespace whisper_napi
