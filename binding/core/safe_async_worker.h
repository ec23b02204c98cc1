// An AsyncWorker whose completion never throws into Node-API.
//
// When the environment is being torn down (worker.terminate(), an Electron window
// closing), JS can no longer run by the time thread-pool work completes, and settling a
// promise then fails; node-addon-api reports that by throwing, which at this point ends in
// std::terminate. SafeAsyncWorker skips the JS side when JS cannot run and contains any
// failure while settling.
#pragma once

#include <napi.h>

#include "core/job_channel.h"

namespace whisper_napi {

class SafeAsyncWorker : public Napi::AsyncWorker {
 protected:
  using Napi::AsyncWorker::AsyncWorker;

  void OnWorkComplete(Napi::Env env, napi_status status) override {
    if (!CanRunJs(env)) {
      Destroy();  // nobody is left to settle the promise for
      return;
    }
    try {
      Napi::AsyncWorker::OnWorkComplete(env, status);  // settles, then deletes this
    } catch (...) {
      // JS stopped being runnable while settling (terminate() racing completion).
      Destroy();
    }
  }
};

}  // namespace whisper_napi
