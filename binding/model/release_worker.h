// Lets go of a LoadedModel on the thread pool, so freeing the weights never stalls the
// event loop. Resolves its promise afterwards.
#pragma once

#include <napi.h>

#include <memory>

#include "model/loaded_model.h"
#include "core/safe_async_worker.h"

namespace whisper_napi {

class ReleaseWorker : public SafeAsyncWorker {
 public:
  ReleaseWorker(Napi::Env env, std::shared_ptr<LoadedModel> model)
      : SafeAsyncWorker(env, "whisper-napi:release"), deferred_(Napi::Promise::Deferred::New(env)), model_(std::move(model)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override { model_.reset(); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::shared_ptr<LoadedModel> model_;
};

}  // namespace whisper_napi
