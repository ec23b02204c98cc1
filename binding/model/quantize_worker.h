// quantizeModel(input, output, type) on the thread pool: the input is checked like a model
// being loaded (InspectModelFile), quantized by whisper.cpp's own code into a temporary file
// beside the output, and renamed into place only when that succeeded.
#pragma once

#include <napi.h>

#include <string>

#include "core/promise_worker.h"

namespace whisper_napi {

// quantizeModel(input: string, output: string, type: string) -> Promise<void>
Napi::Value QuantizeModel(const Napi::CallbackInfo& info);

class QuantizeWorker : public PromiseWorker {
 public:
  QuantizeWorker(Napi::Env env, std::string input, std::string output, std::string type)
      : PromiseWorker(env, "whisper-napi:quantize", "quantization"), input_(std::move(input)), output_(std::move(output)), type_(std::move(type)) {}

 protected:
  void Run() override;

 private:
  std::string input_;
  std::string output_;
  std::string type_;
};

}  // namespace whisper_napi
