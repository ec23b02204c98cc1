#include "model/model.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "core/addon.h"
#include "speculative/assistant_pair.h"
#include "transcribe/detect_language_worker.h"
#include "model/load_worker.h"
#include "model/release_worker.h"
#include "audio/staged_audio.h"
#include "core/native_error.h"
#include "transcribe/transcribe_worker.h"

namespace whisper_napi {

Napi::Function Model::DefineClass(Napi::Env env) {
  return ObjectWrap<Model>::DefineClass(env, "Model", {
      InstanceMethod("load", &Model::Load),
      InstanceMethod("transcribe", &Model::Transcribe),
      InstanceMethod("detectLanguage", &Model::DetectLanguage),
      InstanceMethod("tokenize", &Model::Tokenize),
      InstanceMethod("detokenize", &Model::Detokenize),
      InstanceMethod("checkAssistant", &Model::CheckAssistant),
      InstanceMethod("dispose", &Model::Dispose),
  });
}

Model::Model(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Model>(info) {}

Model::~Model() {
  // Finalizer backstop: the weights go when the last running job lets go of them.
  Release();
}

void Model::Attach(std::shared_ptr<LoadedModel> loaded) {
  loading_ = false;
  loaded_ = std::move(loaded);
  // Tell V8 how much native memory this small JS object holds, so GC pressure is right.
  reported_external_bytes_ = static_cast<int64_t>(loaded_->file().tensor_bytes);
  Napi::MemoryManagement::AdjustExternalMemory(Env(), reported_external_bytes_);
}

void Model::Release() noexcept {
  loaded_.reset();
  if (reported_external_bytes_ != 0) {
    // The raw call: this also runs in the finalizer, where nothing may throw.
    int64_t adjusted = 0;
    napi_adjust_external_memory(Env(), -reported_external_bytes_, &adjusted);
    reported_external_bytes_ = 0;
  }
}

// load(path: string, options: { useGpu, gpuDevice, flashAttention, bf16Weights, ... }) -> Promise<facts>
Napi::Value Model::Load(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsObject()) {
    throw MakeTypeError(env, "load(path, options) expects a string and an object");
  }
  if (disposed_) throw MakeError(env, ErrorCode::Disposed, "the model has been disposed");
  if (loading_ || loaded_) throw MakeError(env, ErrorCode::Native, "load() may be called only once per Model");

  Napi::Object options = info[1].As<Napi::Object>();
  LoadOptions load_options;
  Napi::Value use_gpu = options.Get("useGpu");
  Napi::Value gpu_device = options.Get("gpuDevice");
  Napi::Value flash_attention = options.Get("flashAttention");
  if (use_gpu.IsBoolean()) load_options.use_gpu = use_gpu.As<Napi::Boolean>().Value();
  if (gpu_device.IsNumber()) load_options.gpu_device = gpu_device.As<Napi::Number>().Int32Value();
  if (flash_attention.IsBoolean()) load_options.flash_attention = flash_attention.As<Napi::Boolean>().Value();
  Napi::Value bf16_weights = options.Get("bf16Weights");
  if (bf16_weights.IsBoolean()) load_options.bf16_weights = bf16_weights.As<Napi::Boolean>().Value();
  Napi::Value max_concurrency = options.Get("maxConcurrency");
  if (max_concurrency.IsNumber()) {
    const int value = max_concurrency.As<Napi::Number>().Int32Value();
    if (value < 1 || value > 64) throw MakeRangeError(env, "load option 'maxConcurrency' must be between 1 and 64");
    load_options.max_idle_states = value;
  }

  Napi::Value memory_budget = options.Get("memoryBudget");
  if (memory_budget.IsNumber()) load_options.memory_budget = std::max(0.0, memory_budget.As<Napi::Number>().DoubleValue());

  // dtw: ({ preset: string } | { heads: number[] (layer, head, layer, head, ...) } | { topLayers: number })
  //      & { snapToPauses?: boolean }
  Napi::Value dtw = options.Get("dtw");
  if (dtw.IsObject()) {
    Napi::Object spec = dtw.As<Napi::Object>();
    Napi::Value preset = spec.Get("preset");
    Napi::Value heads = spec.Get("heads");
    Napi::Value top_layers = spec.Get("topLayers");
    Napi::Value snap = spec.Get("snapToPauses");
    if (snap.IsBoolean()) load_options.dtw.snap_to_pauses = snap.As<Napi::Boolean>().Value();
    if (preset.IsString()) {
      load_options.dtw.kind = DtwSpec::Kind::Preset;
      load_options.dtw.preset = preset.As<Napi::String>().Utf8Value();
    } else if (heads.IsArray()) {
      Napi::Array list = heads.As<Napi::Array>();
      const uint32_t n = list.Length();
      if (n == 0 || n % 2 != 0 || n > 2 * 1024) throw MakeRangeError(env, "load option 'dtw.heads' must hold 1 to 1024 (layer, head) pairs");
      load_options.dtw.kind = DtwSpec::Kind::Custom;
      for (uint32_t i = 0; i < n; i += 2) {
        Napi::Value layer = list.Get(i);
        Napi::Value head = list.Get(i + 1);
        if (!layer.IsNumber() || !head.IsNumber()) throw MakeTypeError(env, "load option 'dtw.heads' must hold numbers");
        load_options.dtw.heads.push_back(whisper_ahead{layer.As<Napi::Number>().Int32Value(), head.As<Napi::Number>().Int32Value()});
      }
    } else if (top_layers.IsNumber()) {
      load_options.dtw.kind = DtwSpec::Kind::TopLayers;
      load_options.dtw.top_layers = top_layers.As<Napi::Number>().Int32Value();
    } else {
      throw MakeTypeError(env, "load option 'dtw' needs 'preset', 'heads' or 'topLayers'");
    }
  }

  auto* worker = new LoadWorker(env, this, Value(), info[0].As<Napi::String>().Utf8Value(), load_options);
  Napi::Promise promise = worker->Promise();
  loading_ = true;
  worker->Queue();
  return promise;
}

const std::shared_ptr<LoadedModel>& Model::RequireLoaded(Napi::Env env) const {
  if (disposed_) throw MakeError(env, ErrorCode::Disposed, "the model has been disposed");
  if (!loaded_) throw MakeError(env, ErrorCode::Native, "the model is not loaded yet");
  return loaded_;
}

// transcribe(audio: StagedAudio, params: object, listener?: (event) => void, range?: [start, end])
//   -> { promise, cancel() }
// Without a range the job takes the audio's samples; with one it transcribes samples
// [start, end) and shares the audio with other such jobs (long-form windows and chunks).
Napi::Value Model::Transcribe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !env.GetInstanceData<WhisperAddon>()->IsStagedAudio(info[0]) || !info[1].IsObject()) {
    throw MakeTypeError(env, "transcribe(audio, params) expects a StagedAudio and an object");
  }
  const bool ranged = info.Length() > 3 && !info[3].IsUndefined();
  double range_start = 0;
  double range_end = 0;
  if (ranged) {
    Napi::Array range = info[3].IsArray() ? info[3].As<Napi::Array>() : Napi::Array::New(env);
    Napi::Value start = range.Get(0u);
    Napi::Value end = range.Get(1u);
    if (range.Length() != 2 || !start.IsNumber() || !end.IsNumber()) {
      throw MakeTypeError(env, "transcribe(): range must be [start, end] in samples");
    }
    range_start = start.As<Napi::Number>().DoubleValue();
    range_end = end.As<Napi::Number>().DoubleValue();
  }
  StagedAudio* audio = StagedAudio::Unwrap(info[0].As<Napi::Object>());
  // Without a range the audio is this call's: freed on every way out of it, a throw included.
  std::optional<SingleUseAudio> single_use;
  if (!ranged) single_use.emplace(audio);
  // Read the options first: reading them can run JS (getters), which could dispose us.
  TranscribeParams params = TranscribeParams::FromJs(info[1].As<Napi::Object>());
  const Napi::Value assistant_value = info[1].As<Napi::Object>().Get("assistant");
  const bool share_encoder = info[1].As<Napi::Object>().Get("assistantSharesEncoder").ToBoolean().Value();
  const std::shared_ptr<LoadedModel>& loaded = RequireLoaded(env);
  std::optional<AssistantSpec> assistant;
  if (!assistant_value.IsUndefined()) {
    assistant = AssistantSpec{LoadedModelOf(env, assistant_value, "native option 'assistant'"), share_encoder};
    // src/ checks the pair fully (checkAssistant); this guards what the native code relies on.
    const std::string problem = AssistantShapeProblem(loaded->context(), assistant->model->context());
    if (!problem.empty()) throw MakeError(env, ErrorCode::InvalidOption, "the assistant model cannot draft for this model: " + problem);
  }
  const int n_vocab = whisper_n_vocab(loaded->context());
  for (whisper_token token : params.prompt_tokens()) {
    if (token < 0 || token >= n_vocab) {
      throw MakeRangeError(env, "native option 'promptTokens' holds " + std::to_string(token) + ", not a token of this model (0 to " + std::to_string(n_vocab - 1) + ")");
    }
  }
  JobSamples samples;
  if (ranged) {
    samples.signal = audio->Share(env);
    const double size = static_cast<double>(samples.signal->size());
    if (!(range_start >= 0 && range_start < range_end && range_end <= size) || std::floor(range_start) != range_start ||
        std::floor(range_end) != range_end) {
      throw MakeRangeError(env, "transcribe(): range [" + std::to_string(range_start) + ", " + std::to_string(range_end) +
                                    ") is not a non-empty range of whole samples within the audio's " + std::to_string(samples.signal->size()));
    }
    samples.begin = static_cast<size_t>(range_start);
    samples.end = static_cast<size_t>(range_end);
  } else {
    samples.signal = std::make_shared<const std::vector<float>>(audio->Take(env));
    samples.end = samples.signal->size();
  }

  auto* worker = new TranscribeWorker(env, loaded, std::move(samples), std::move(params), info[2], std::move(assistant));
  Napi::Value job(env, MakeJobHandle(env, worker->Promise(), worker->cancel_flag()));
  worker->Queue();
  return job;
}

// checkAssistant(assistant: Model) -> Promise<{ problem: string | null, sameEncoderWeights: boolean }>
Napi::Value Model::CheckAssistant(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const std::shared_ptr<LoadedModel>& assistant = LoadedModelOf(env, info[0], "checkAssistant(assistant)");
  auto* worker = new AssistantCheckWorker(env, RequireLoaded(env), assistant);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

const std::shared_ptr<LoadedModel>& Model::LoadedModelOf(Napi::Env env, const Napi::Value& value, const char* what) {
  if (!env.GetInstanceData<WhisperAddon>()->IsModel(value)) throw MakeTypeError(env, std::string(what) + " must be a Model");
  return Model::Unwrap(value.As<Napi::Object>())->RequireLoaded(env);
}

// tokenize(text: string) -> Int32Array: the model's tokens for a text (a prompt), on the JS
// thread (microseconds for a prompt's length, which src/ caps).
Napi::Value Model::Tokenize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsString()) throw MakeTypeError(env, "tokenize(text) expects a string");
  const std::string text = info[0].As<Napi::String>().Utf8Value();
  if (text.size() > 65536) throw MakeRangeError(env, "tokenize(): the text is longer than 64 KiB");
  whisper_context* ctx = RequireLoaded(env)->context();
  std::vector<whisper_token> tokens(text.size() + 16);
  int n = whisper_tokenize(ctx, text.c_str(), tokens.data(), static_cast<int>(tokens.size()));
  if (n < 0) {
    tokens.resize(static_cast<size_t>(-n));
    n = whisper_tokenize(ctx, text.c_str(), tokens.data(), static_cast<int>(tokens.size()));
  }
  if (n < 0) throw MakeError(env, ErrorCode::Native, "whisper.cpp could not tokenize the text");
  Napi::Int32Array out = Napi::Int32Array::New(env, static_cast<size_t>(n));
  std::copy_n(tokens.data(), n, out.Data());
  return out;
}

// detokenize(tokens: Int32Array) -> string: the text of the tokens' bytes joined, so a
// character split across tokens comes out whole; special tokens contribute nothing.
Napi::Value Model::Detokenize(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array) {
    throw MakeTypeError(env, "detokenize(tokens) expects an Int32Array");
  }
  Napi::Int32Array tokens = info[0].As<Napi::Int32Array>();
  whisper_context* ctx = RequireLoaded(env)->context();
  const int n_vocab = whisper_n_vocab(ctx);
  const whisper_token eot = whisper_token_eot(ctx);
  std::string text;
  for (size_t i = 0; i < tokens.ElementLength(); ++i) {
    const whisper_token token = tokens[i];
    if (token < 0 || token >= n_vocab) throw MakeRangeError(env, "detokenize(): " + std::to_string(token) + " is not a token of this model");
    if (token >= eot) continue;
    const char* piece = whisper_token_to_str(ctx, token);
    if (piece) text += piece;
  }
  return Napi::String::New(env, text);
}

// detectLanguage(audio: StagedAudio, threads: number) -> Promise<{ languageId, probabilities }>
Napi::Value Model::DetectLanguage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !env.GetInstanceData<WhisperAddon>()->IsStagedAudio(info[0]) || !info[1].IsNumber()) {
    throw MakeTypeError(env, "detectLanguage(audio, threads) expects a StagedAudio and a number");
  }
  // The audio is this call's: freed on every way out of it, a throw included.
  SingleUseAudio audio(StagedAudio::Unwrap(info[0].As<Napi::Object>()));
  const int threads = info[1].As<Napi::Number>().Int32Value();
  if (threads < 1 || threads > 64) throw MakeRangeError(env, "detectLanguage(): threads must be between 1 and 64");
  const std::shared_ptr<LoadedModel>& loaded = RequireLoaded(env);
  if (!whisper_is_multilingual(loaded->context())) {
    throw MakeError(env, ErrorCode::InvalidOption, "language detection needs a multilingual model");
  }
  std::vector<float> samples = audio->Take(env);
  auto* worker = new DetectLanguageWorker(env, loaded, std::move(samples), threads);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// dispose() -> Promise<void>: drops this object's hold on the weights and resolves once
// they are freed, on the thread pool (freeing ~1 GB takes tens of ms). If a job still holds
// them, that job frees them when it ends, also off the JS thread. Idempotent.
Napi::Value Model::Dispose(const Napi::CallbackInfo& info) {
  disposed_ = true;
  auto* worker = new ReleaseWorker(info.Env(), std::move(loaded_));
  Napi::Promise promise = worker->Promise();
  Release();
  worker->Queue();
  return promise;
}

}  // namespace whisper_napi
