// A pool task that settles a promise: the one place where a worker's outcome becomes a
// resolved value or a rejection with the error's code. Run() does the work on the thread
// pool and reports failure by throwing (NativeError for a worded failure; anything else is
// worded by CatchNativeErrors), caught there, never crossing into Node-API. Result() builds
// the resolved value on the JS thread; it may still refuse by throwing NativeError (a model
// disposed while it loaded), which rejects the promise the same way.
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

  // Workers that must free or measure something after Run() whatever its outcome (on the
  // pool thread, not the JS thread) override this and call it first.
  void Execute() override { error_ = CatchNativeErrors(what_, [&] { Run(); }); }

  void OnOK() override {
    Napi::Env env = Env();
    if (!error_) {
      try {
        deferred_.Resolve(Result(env));
        return;
      } catch (const NativeError& e) {
        error_ = e;
      }
    }
    deferred_.Reject(MakeError(env, error_->code(), error_->what()).Value());
  }

  void OnError(const Napi::Error& error) override { deferred_.Reject(error.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  std::string what_;
  std::optional<NativeError> error_;
};

}  // namespace whisper_napi
