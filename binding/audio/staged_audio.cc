#include "audio/staged_audio.h"

#include <algorithm>
#include <cmath>
#include <new>
#include <string>

#include "audio/audio_workers.h"
#include "core/native_error.h"

namespace whisper_napi {
namespace {

// A slice [start, end) of a typed array, checked against its length.
struct Slice {
  size_t start;
  size_t end;
};

Slice ReadSlice(Napi::Env env, const Napi::CallbackInfo& info, size_t first_arg, size_t length) {
  if (!info[first_arg].IsNumber() || !info[first_arg + 1].IsNumber()) throw MakeTypeError(env, "slice bounds must be numbers");
  const double start = info[first_arg].As<Napi::Number>().DoubleValue();
  const double end = info[first_arg + 1].As<Napi::Number>().DoubleValue();
  if (!(start >= 0 && start <= end && end <= static_cast<double>(length)) || std::floor(start) != start || std::floor(end) != end) {
    throw MakeRangeError(env, "bad slice [" + std::to_string(start) + ", " + std::to_string(end) + ") of " + std::to_string(length));
  }
  return {static_cast<size_t>(start), static_cast<size_t>(end)};
}

Napi::Float32Array RequireFloat32Array(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!value.IsTypedArray() || value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw MakeTypeError(env, std::string(what) + " must be a Float32Array");
  }
  return value.As<Napi::Float32Array>();
}

uint32_t RequireRate(Napi::Env env, const Napi::Value& value) {
  const double rate = value.IsNumber() ? value.As<Napi::Number>().DoubleValue() : NAN;
  if (!(rate >= 1 && rate <= 4294967295.0) || std::floor(rate) != rate) {
    throw MakeRangeError(env, "the sample rate must be a positive integer");
  }
  return static_cast<uint32_t>(rate);
}

// Converts a NativeError thrown on the JS thread into the matching JS error.
template <typename Body>
void RethrowAsJs(Napi::Env env, Body&& body) {
  try {
    body();
  } catch (const NativeError& e) {
    throw MakeError(env, e.code(), e.what());
  } catch (const std::bad_alloc&) {
    throw MakeError(env, ErrorCode::OutOfMemory, "not enough memory for the audio");
  }
}

}  // namespace

Napi::Function StagedAudio::DefineClass(Napi::Env env) {
  return ObjectWrap<StagedAudio>::DefineClass(env, "StagedAudio",
                                              {
                                                  InstanceMethod("reserve", &StagedAudio::Reserve),
                                                  InstanceMethod("append", &StagedAudio::Append),
                                                  InstanceMethod("appendFrames", &StagedAudio::AppendFrames),
                                                  InstanceMethod("appendEncoded", &StagedAudio::AppendEncoded),
                                                  InstanceMethod("decode", &StagedAudio::Decode),
                                                  InstanceMethod("finish", &StagedAudio::Finish),
                                                  InstanceMethod("cancel", &StagedAudio::Cancel),
                                                  InstanceMethod("release", &StagedAudio::Release),
                                                  InstanceMethod("copyTo", &StagedAudio::CopyTo),
                                                  InstanceAccessor("length", &StagedAudio::Length, nullptr),
                                                  InstanceAccessor("truncated", &StagedAudio::Truncated, nullptr),
                                              });
}

StagedAudio::StagedAudio(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StagedAudio>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) throw MakeTypeError(env, "new StagedAudio(limitSamples) expects a number");
  const double limit = info[0].As<Napi::Number>().DoubleValue();
  if (!(limit >= 1 && limit <= 2147483647.0) || std::floor(limit) != limit) {
    throw MakeRangeError(env, "limitSamples must be an integer between 1 and 2^31-1");
  }
  signal_ = std::make_shared<AudioSignal>(static_cast<size_t>(limit));
}

StagedAudio::~StagedAudio() {
  // Garbage-collected or torn down with its environment while a task runs: stop it.
  signal_->Cancel();
}

void StagedAudio::RequireIdle(Napi::Env env) const {
  if (taken_) throw MakeError(env, ErrorCode::InvalidAudio, "this staged audio was already used by a job");
  if (busy_) throw MakeError(env, ErrorCode::Native, "this staged audio is still being filled");
  if (signal_->finished()) throw MakeError(env, ErrorCode::Native, "this staged audio is already finished");
}

Napi::Value StagedAudio::Reserve(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const double samples = info.Length() > 0 && info[0].IsNumber() ? info[0].As<Napi::Number>().DoubleValue() : -1;
  if (!(samples >= 0) || std::floor(samples) != samples) throw MakeRangeError(env, "reserve(samples) expects a count");
  RequireIdle(env);
  RethrowAsJs(env, [&] { signal_->Reserve(static_cast<uint64_t>(samples)); });
  return env.Undefined();
}

Napi::Value StagedAudio::Append(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3) throw MakeTypeError(env, "append(samples, start, end) expects three arguments");
  RequireIdle(env);
  Napi::Float32Array source = RequireFloat32Array(env, info[0], "append(): samples");
  const Slice slice = ReadSlice(env, info, 1, source.ElementLength());
  RethrowAsJs(env, [&] {
    signal_->SetSource(kWhisperSampleRate, 1, 0);
    signal_->AppendMono(source.Data() + slice.start, slice.end - slice.start);
  });
  return env.Undefined();
}

Napi::Value StagedAudio::AppendFrames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[1].IsArray()) {
    throw MakeTypeError(env, "appendFrames(sampleRate, channels, start, end) expects a number, an array and two numbers");
  }
  RequireIdle(env);
  const uint32_t rate = RequireRate(env, info[0]);
  Napi::Array channels = info[1].As<Napi::Array>();
  const uint32_t channel_count = channels.Length();
  if (channel_count == 0) throw MakeRangeError(env, "appendFrames(): no channels");
  if (channel_count > kMaxSourceChannels) throw MakeRangeError(env, "appendFrames(): too many channels");
  // Every element is fetched before any is used: a getter on the array could otherwise
  // resize a buffer whose pointer was already taken.
  std::vector<Napi::Value> values;
  values.reserve(channel_count);
  for (uint32_t c = 0; c < channel_count; ++c) values.push_back(channels.Get(c));
  std::vector<Napi::Float32Array> arrays;
  arrays.reserve(channel_count);
  for (const Napi::Value& value : values) {
    arrays.push_back(RequireFloat32Array(env, value, "appendFrames(): each channel"));
    if (arrays.back().ElementLength() != arrays.front().ElementLength()) {
      throw MakeRangeError(env, "appendFrames(): the channels differ in length");
    }
  }
  const Slice slice = ReadSlice(env, info, 2, arrays.front().ElementLength());
  const size_t count = slice.end - slice.start;

  // Down-mixed now: the copy a pool task needs anyway, and one channel instead of several.
  std::vector<float> mono(count, 0.0f);
  for (const Napi::Float32Array& channel : arrays) {
    const float* data = channel.Data() + slice.start;
    for (size_t i = 0; i < count; ++i) mono[i] += data[i];
  }
  if (channel_count > 1) {
    const float scale = 1.0f / static_cast<float>(channel_count);
    for (float& sample : mono) sample *= scale;
  }
  RethrowAsJs(env, [&] { signal_->SetSource(rate, channel_count, 0); });

  if (rate == kWhisperSampleRate) {  // nothing to resample: no need for the pool
    RethrowAsJs(env, [&] { signal_->AppendMono(mono.data(), mono.size()); });
    Napi::Promise::Deferred done = Napi::Promise::Deferred::New(env);
    done.Resolve(env.Undefined());
    return done.Promise();
  }
  auto* task = new ResampleTask(env, this, info.This().As<Napi::Object>(), signal_, std::move(mono));
  busy_ = true;
  task->Queue();
  return task->Promise();
}

Napi::Value StagedAudio::AppendEncoded(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 3 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_uint8_array) {
    throw MakeTypeError(env, "appendEncoded(bytes, start, end) expects a Uint8Array and two numbers");
  }
  RequireIdle(env);
  Napi::Uint8Array bytes = info[0].As<Napi::Uint8Array>();
  const Slice slice = ReadSlice(env, info, 1, bytes.ElementLength());
  RethrowAsJs(env, [&] {
    // The first slice says the total, so the copy never reallocates (a reallocation of a
    // large buffer would copy it all on the JS thread).
    if (encoded_.empty() && info.Length() > 3 && info[3].IsNumber()) {
      const double total = info[3].As<Napi::Number>().DoubleValue();
      if (total >= static_cast<double>(slice.end - slice.start) && total <= 1e12) encoded_.reserve(static_cast<size_t>(total));
    }
    encoded_.insert(encoded_.end(), bytes.Data() + slice.start, bytes.Data() + slice.end);
  });
  return env.Undefined();
}

Napi::Value StagedAudio::Decode(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CompressedFormat format;
  if (info.Length() < 1 || !info[0].IsString() || !ParseCompressedFormat(info[0].As<Napi::String>().Utf8Value(), format)) {
    throw MakeTypeError(env, "decode(format, path?) expects 'mp3', 'flac' or 'vorbis'");
  }
  std::string path;
  if (info.Length() >= 2 && !info[1].IsUndefined()) {
    if (!info[1].IsString()) throw MakeTypeError(env, "decode(format, path?): path must be a string");
    path = info[1].As<Napi::String>().Utf8Value();
    if (path.empty() || path.find('\0') != std::string::npos) throw MakeTypeError(env, "decode(): bad path");
  }
  RequireIdle(env);
  if (signal_->has_source()) throw MakeError(env, ErrorCode::Native, "decode() on a staged audio that already has samples");
  if (path.empty() && encoded_.empty()) throw MakeError(env, ErrorCode::InvalidAudio, "the encoded audio is empty");
  auto* task = new DecodeTask(env, this, info.This().As<Napi::Object>(), signal_, std::move(path), std::move(encoded_), format);
  encoded_ = {};
  busy_ = true;
  task->Queue();
  return task->Promise();
}

Napi::Value StagedAudio::Finish(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (taken_ || busy_) throw MakeError(env, ErrorCode::Native, "finish(): the staged audio is in use");
  RethrowAsJs(env, [&] { signal_->Finish(); });
  return env.Undefined();
}

Napi::Value StagedAudio::Cancel(const Napi::CallbackInfo& info) {
  signal_->Cancel();
  return info.Env().Undefined();
}

void StagedAudio::ReleaseSamples() noexcept {
  // A running task keeps the signal (shared) until it stops, which cancel() hastens.
  signal_->Cancel();
  encoded_ = {};
  if (!busy_) signal_->Release();
  shared_.reset();
  taken_ = true;
  released_ = true;
}

Napi::Value StagedAudio::Release(const Napi::CallbackInfo& info) {
  ReleaseSamples();
  return info.Env().Undefined();
}

Napi::Value StagedAudio::CopyTo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2) throw MakeTypeError(env, "copyTo(target, start) expects a Float32Array and a number");
  Napi::Float32Array target = RequireFloat32Array(env, info[0], "copyTo(): target");
  if (taken_ || busy_ || !signal_->finished()) throw MakeError(env, ErrorCode::Native, "copyTo(): the staged audio is not finished");
  const double start = info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : -1;
  const double size = static_cast<double>(signal_->size());
  if (!(start >= 0 && start <= size) || std::floor(start) != start) throw MakeRangeError(env, "copyTo(): bad start");
  const size_t count = std::min(target.ElementLength(), signal_->size() - static_cast<size_t>(start));
  std::copy_n(signal_->data() + static_cast<size_t>(start), count, target.Data());
  return Napi::Number::New(env, static_cast<double>(count));
}

Napi::Value StagedAudio::Length(const Napi::CallbackInfo& info) {
  // While a task is filling it the count is moving on another thread: report 0.
  return Napi::Number::New(info.Env(), busy_ || taken_ ? 0.0 : static_cast<double>(signal_->size()));
}

Napi::Value StagedAudio::Truncated(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), !busy_ && signal_->truncated());
}

std::vector<float> StagedAudio::Take(Napi::Env env) {
  if (taken_ || shared_) throw MakeError(env, ErrorCode::InvalidAudio, "this staged audio was already used by a job");
  if (busy_ || !signal_->finished()) throw MakeError(env, ErrorCode::InvalidAudio, "the staged audio is incomplete");
  if (signal_->size() == 0) throw MakeError(env, ErrorCode::InvalidAudio, "the audio is empty (0 samples)");
  taken_ = true;
  return signal_->TakeSamples();
}

std::shared_ptr<const std::vector<float>> StagedAudio::Share(Napi::Env env) {
  if (!shared_) shared_ = std::make_shared<const std::vector<float>>(Take(env));
  return shared_;
}

}  // namespace whisper_napi
