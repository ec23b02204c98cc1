#include "model.h"

#include <algorithm>
#include <vector>

#include "addon.h"
#include "detect_language_worker.h"
#include "load_worker.h"
#include "release_worker.h"
#include "staged_audio.h"
#include "native_error.h"
#include "transcribe_worker.h"

namespace whisper_napi {

Napi::Function Model::DefineClass(Napi::Env env) {
  return ObjectWrap<Model>::DefineClass(env, "Model", {
      InstanceMethod("load", &Model::Load),
      InstanceMethod("transcribe", &Model::Transcribe),
      InstanceMethod("detectLanguage", &Model::DetectLanguage),
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

// load(path: string, options: { useGpu, gpuDevice, flashAttention }) -> Promise<facts>
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
  Napi::Value max_concurrency = options.Get("maxConcurrency");
  if (max_concurrency.IsNumber()) {
    const int value = max_concurrency.As<Napi::Number>().Int32Value();
    if (value < 1 || value > 64) throw MakeRangeError(env, "load option 'maxConcurrency' must be between 1 and 64");
    load_options.max_idle_states = value;
  }

  Napi::Value memory_budget = options.Get("memoryBudget");
  if (memory_budget.IsNumber()) load_options.memory_budget = std::max(0.0, memory_budget.As<Napi::Number>().DoubleValue());

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

// transcribe(audio: StagedAudio, params: object, listener?: (event) => void) -> { promise, cancel() }
Napi::Value Model::Transcribe(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !env.GetInstanceData<WhisperAddon>()->IsStagedAudio(info[0]) || !info[1].IsObject()) {
    throw MakeTypeError(env, "transcribe(audio, params) expects a StagedAudio and an object");
  }
  // Read the options first: reading them can run JS (getters), which could dispose us.
  TranscribeParams params = TranscribeParams::FromJs(info[1].As<Napi::Object>());
  const std::shared_ptr<LoadedModel>& loaded = RequireLoaded(env);
  std::vector<float> samples = StagedAudio::Unwrap(info[0].As<Napi::Object>())->Take(env);

  auto* worker = new TranscribeWorker(env, loaded, std::move(samples), std::move(params), info[2]);
  CancelFlag flag = worker->cancel_flag();
  Napi::Object job = Napi::Object::New(env);
  job.Set("promise", worker->Promise());
  job.Set("cancel", Napi::Function::New(env, [flag](const Napi::CallbackInfo&) { flag->store(true); }, "cancel"));
  worker->Queue();
  return job;
}

// detectLanguage(audio: StagedAudio, threads: number) -> Promise<{ languageId, probabilities }>
Napi::Value Model::DetectLanguage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !env.GetInstanceData<WhisperAddon>()->IsStagedAudio(info[0]) || !info[1].IsNumber()) {
    throw MakeTypeError(env, "detectLanguage(audio, threads) expects a StagedAudio and a number");
  }
  const int threads = info[1].As<Napi::Number>().Int32Value();
  if (threads < 1 || threads > 64) throw MakeRangeError(env, "detectLanguage(): threads must be between 1 and 64");
  const std::shared_ptr<LoadedModel>& loaded = RequireLoaded(env);
  if (!whisper_is_multilingual(loaded->context())) {
    throw MakeError(env, ErrorCode::InvalidOption, "language detection needs a multilingual model");
  }
  std::vector<float> samples = StagedAudio::Unwrap(info[0].As<Napi::Object>())->Take(env);
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
