#include "model/load_worker.h"

#include <chrono>
#include <cmath>
#include <new>
#include <string>

#include "core/log_capture.h"
#include "model/model.h"
#include "model/model_loader.h"
#include "model/release_worker.h"

namespace whisper_napi {

LoadWorker::LoadWorker(Napi::Env env, Model* model, Napi::Object model_object, std::string path, LoadOptions options)
    : PromiseWorker(env, "whisper-napi:load", "loading of '" + path + "'"),
      model_(model),
      model_object_(Napi::Persistent(model_object)),
      path_(std::move(path)),
      options_(options) {}

void LoadWorker::Run() {
  const auto start = std::chrono::steady_clock::now();
  LogCapture log;
  ModelFile file = InspectModelFile(path_, options_.bf16_weights);
  // Refused before whisper.cpp allocates: a failed allocation there is not always survivable.
  if (options_.memory_budget > 0 && static_cast<double>(file.tensor_bytes) > options_.memory_budget) {
    const auto mb = [](double bytes) { return std::to_string(static_cast<long long>(std::ceil(bytes / (1 << 20)))) + " MB"; };
    throw NativeError(ErrorCode::OutOfMemory, "loading '" + path_ + "' needs about " + mb(static_cast<double>(file.tensor_bytes)) +
                                                  " for its weights, but only " + mb(options_.memory_budget) +
                                                  " is available (or allowed by WHISPER_NAPI_MAX_MEMORY)");
  }
  PlannedModelStream stream(file);
  whisper_model_loader loader = stream.Loader();
  whisper_context_params cparams = whisper_context_default_params();
  cparams.use_gpu = options_.use_gpu;
  cparams.gpu_device = options_.gpu_device;
  cparams.flash_attn = options_.flash_attention;
  // Declared before the context, so that it is freed after it (whisper.cpp keeps the pointer).
  DtwHeadStorage dtw_heads;
  ApplyDtw(options_.dtw, file.header, cparams, dtw_heads);
  WhisperContextPtr context(whisper_init_with_params_no_state(&loader, cparams));
  if (stream.failed()) {
    throw NativeError(ErrorCode::InvalidModel, "'" + path_ + "' could not be read completely (was it changed while loading?)");
  }
  if (!context) {
    const std::string detail = log.Text();
    throw NativeError(ErrorCode::Native, "whisper.cpp could not load '" + path_ + "'" + (detail.empty() ? "" : ": " + detail));
  }
  loaded_ = std::make_shared<LoadedModel>(std::move(context), std::move(file), options_.max_idle_states, std::move(dtw_heads),
                                          cparams.dtw_token_timestamps, options_.dtw.snap_to_pauses);
  load_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

Napi::Value LoadWorker::Result(Napi::Env env) {
  if (model_->disposed()) {
    (new ReleaseWorker(env, std::move(loaded_)))->Queue();  // free off the JS thread
    throw NativeError(ErrorCode::Disposed, "the model was disposed while it was loading");
  }
  Napi::Object facts = ModelFacts(env, *loaded_);
  facts.Set("loadMs", Napi::Number::New(env, load_ms_));
  model_->Attach(std::move(loaded_));
  return facts;
}

Napi::Object ModelFacts(Napi::Env env, const LoadedModel& loaded) {
  const ModelFile& file = loaded.file();
  const ModelHeader& h = file.header;
  Napi::Object facts = Napi::Object::New(env);
  auto set = [&](const char* key, double value) { facts.Set(key, Napi::Number::New(env, value)); };
  set("nVocab", h.n_vocab);
  set("nAudioCtx", h.n_audio_ctx);
  set("nAudioState", h.n_audio_state);
  set("nAudioHead", h.n_audio_head);
  set("nAudioLayer", h.n_audio_layer);
  set("nTextCtx", h.n_text_ctx);
  set("nTextState", h.n_text_state);
  set("nTextHead", h.n_text_head);
  set("nTextLayer", h.n_text_layer);
  set("nMels", h.n_mels);
  set("ftype", h.ftype);
  set("fileSize", static_cast<double>(file.file_size));
  set("tensorBytes", static_cast<double>(file.tensor_bytes));
  set("vocabEntries", file.vocab_entries);
  facts.Set("weightType", Napi::String::New(env, WeightTypeName(file.weight_type)));
  facts.Set("convertedFromF32", Napi::Boolean::New(env, file.converted_from_f32));
  facts.Set("bf16Weights", Napi::Boolean::New(env, file.bf16_weights));
  facts.Set("whisperType", Napi::String::New(env, whisper_model_type_readable(loaded.context())));
  facts.Set("path", Napi::String::New(env, file.path));
  return facts;
}

}  // namespace whisper_napi
