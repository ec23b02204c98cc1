// A pool task that settles a promise. Run() does the work on the thread pool and reports
// failure by throwing NativeError (caught there, never crossing into Node-API); Result()
// builds the resolved value on the JS thread.
#pragma once

#include <napi.h>

#include <optional>
#include <string>

#include "core/native_error.h"
#include "core/safe_async_worker.h"

namespace whisper_napi {

class PromiseWorker : public SafeAsyncWorker {
 public:
  // `what` names the work in messages ("quantization", ...).
  PromiseWorker(Napi::Env env, const char* resource_name, std::string what)
      : SafeAsyncWorker(env, resource_name), deferred_(Napi::Promise::Deferred::New(env)), what_(std::move(what)) {}

  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  virtual void Run() = 0;
  virtual Napi::Value Result(Napi::Env env) { return env.Undefined(); }

  void Execute() override { error_ = CatchNativeErrors(what_, [&] { Run(); }); }

  void OnOK() override {
    if (error_) {
      deferred_.Reject(MakeError(Env(), error_->code(), error_->what()).Value());
      return;
    }
    deferred_.Resolve(Result(Env()));
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string what_;
  std::optional<NativeError> error_;
};

}  // namespace whisper_napi
