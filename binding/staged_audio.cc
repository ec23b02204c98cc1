#include "staged_audio.h"

#include <cmath>
#include <new>

#include "native_error.h"

namespace whisper_napi {

Napi::Function StagedAudio::DefineClass(Napi::Env env) {
  return ObjectWrap<StagedAudio>::DefineClass(env, "StagedAudio", {InstanceMethod("append", &StagedAudio::Append)});
}

StagedAudio::StagedAudio(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StagedAudio>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw MakeTypeError(env, "new StagedAudio(totalSamples) expects a number");
  const double total = info[0].As<Napi::Number>().DoubleValue();
  if (!(total >= 1 && total <= 2147483647.0) || std::floor(total) != total) {
    throw MakeError(env, ErrorCode::InvalidAudio, "audio must hold between 1 and 2^31-1 samples");
  }
  expected_ = static_cast<size_t>(total);
  try {
    // Reserving does not touch the pages; append() faults them in slice by slice.
    samples_.reserve(expected_);
  } catch (const std::bad_alloc&) {
    throw MakeError(env, ErrorCode::OutOfMemory, "not enough memory for " + std::to_string(expected_) + " audio samples");
  }
}

Napi::Value StagedAudio::Append(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsNumber()) {
    throw MakeTypeError(env, "append(samples, start, end) expects a Float32Array and two numbers");
  }
  Napi::TypedArray typed = info[0].As<Napi::TypedArray>();
  if (typed.TypedArrayType() != napi_float32_array) throw MakeTypeError(env, "append() expects a Float32Array");
  Napi::Float32Array source = typed.As<Napi::Float32Array>();
  const double start = info[1].As<Napi::Number>().DoubleValue();
  const double end = info[2].As<Napi::Number>().DoubleValue();
  const double length = static_cast<double>(source.ElementLength());
  if (!(start >= 0 && start <= end && end <= length) || std::floor(start) != start || std::floor(end) != end) {
    throw MakeRangeError(env, "append(): bad slice");
  }
  const size_t count = static_cast<size_t>(end - start);
  if (taken_ || samples_.size() + count > expected_) throw MakeRangeError(env, "append(): more samples than announced");
  const float* data = source.Data() + static_cast<size_t>(start);
  samples_.insert(samples_.end(), data, data + count);  // capacity was reserved: no reallocation
  return env.Undefined();
}

std::vector<float> StagedAudio::Take(Napi::Env env) {
  if (taken_) throw MakeError(env, ErrorCode::InvalidAudio, "this staged audio was already used by a job");
  if (samples_.size() != expected_) throw MakeError(env, ErrorCode::InvalidAudio, "the staged audio is incomplete");
  taken_ = true;
  return std::move(samples_);
}

}  // namespace whisper_napi
