#include "model/quantize_worker.h"

#include <cstdio>
#include <random>

#include "model/model_file.h"
#include "vendor/whisper_quantize.h"

namespace whisper_napi {
namespace {

bool IsQuantizationType(const std::string& type) {
  return type == "q8_0" || type == "q5_0" || type == "q5_1" || type == "q4_0" || type == "q4_1";
}

// Legacy quantization blocks hold 32 values: whisper.cpp's code asserts (aborts) on rows
// that do not divide into them.
constexpr int32_t kBlockSize = 32;

}  // namespace

Napi::Value QuantizeModel(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsString() || !info[2].IsString()) {
    throw MakeTypeError(env, "quantizeModel(input, output, type) expects three strings");
  }
  std::string type = info[2].As<Napi::String>().Utf8Value();
  if (!IsQuantizationType(type)) throw MakeRangeError(env, "quantization type must be q8_0, q5_0, q5_1, q4_0 or q4_1");
  auto* worker = new QuantizeWorker(env, info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value(), std::move(type));
  worker->Queue();
  return worker->Promise();
}

void QuantizeWorker::Run() {
  {
    const ModelFile file = InspectModelFile(input_);  // closed again at the end of this scope
    const std::string weights = WeightTypeName(file.weight_type);
    // From f32, whisper.cpp's quantizer keeps the convolution kernels in f32, which its
    // loader then rejects for a quantized model: only f16 models quantize into usable files.
    if (weights != "f16") {
      throw NativeError(ErrorCode::InvalidModel, "the model's weights are " + weights + "; quantization starts from an f16 model");
    }
    if (file.header.n_audio_state % kBlockSize != 0 || file.header.n_text_state % kBlockSize != 0) {
      throw NativeError(ErrorCode::InvalidModel, "the model's widths (" + std::to_string(file.header.n_audio_state) + ", " +
                                                     std::to_string(file.header.n_text_state) + ") are not multiples of 32, which quantization needs");
    }
  }
  const std::string temporary = output_ + ".tmp-" + std::to_string(std::random_device{}());
  std::string log;
  const bool ok = RunWhisperQuantize(input_, temporary, type_, log);
  if (!ok) {
    std::remove(temporary.c_str());
    while (!log.empty() && log.back() == '\n') log.pop_back();
    const size_t last_line = log.rfind('\n');
    throw NativeError(ErrorCode::Native, "whisper.cpp could not quantize " + input_ + " to " + type_ + ": " +
                                             (last_line == std::string::npos ? log : log.substr(last_line + 1)));
  }
  if (std::rename(temporary.c_str(), output_.c_str()) != 0) {
    std::remove(output_.c_str());  // Windows' rename() does not replace an existing file
    if (std::rename(temporary.c_str(), output_.c_str()) != 0) {
      std::remove(temporary.c_str());
      throw NativeError(ErrorCode::Native, "cannot write " + output_);
    }
  }
}

}  // namespace whisper_napi
