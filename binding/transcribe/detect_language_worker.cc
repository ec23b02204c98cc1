#include "transcribe/detect_language_worker.h"

#include <new>

#include "audio/audio_checks.h"
#include "core/log_capture.h"

namespace whisper_napi {

DetectLanguageWorker::DetectLanguageWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, std::vector<float> samples,
                                           int threads)
    : PromiseWorker(env, "whisper-napi:detect-language", "language detection"),
      model_(std::move(model)),
      samples_(std::move(samples)),
      threads_(threads) {}

void DetectLanguageWorker::Execute() {
  PromiseWorker::Execute();
  std::vector<float>().swap(samples_);
  model_.reset();  // free here, not on the JS thread, if this was the last reference
}

void DetectLanguageWorker::Run() {
  std::vector<float> padded;
  const SampleSpan samples = PrepareSamples(samples_.data(), samples_.size(), padded);
  LogCapture log;
  // A fresh state: a pooled one may carry a smaller audio context from its last job,
  // which language detection would inherit.
  WhisperStatePtr state = model_->NewState();
  if (!state) throw NativeError(ErrorCode::OutOfMemory, "whisper.cpp could not allocate a decoding state");
  whisper_context* ctx = model_->context();
  if (whisper_pcm_to_mel_with_state(ctx, state.get(), samples.data, static_cast<int>(samples.count), threads_) != 0) {
    throw NativeError(ErrorCode::Native, "computing the mel spectrogram failed: " + log.Text());
  }
  probabilities_.assign(static_cast<size_t>(whisper_lang_max_id()) + 1, 0.0f);
  language_id_ = whisper_lang_auto_detect_with_state(ctx, state.get(), 0, threads_, probabilities_.data());
  if (language_id_ < 0) {
    throw NativeError(ErrorCode::Native, "language detection failed (" + std::to_string(language_id_) + "): " + log.Text());
  }
  // Detection leaves no text context in the state: it can serve the next job.
  model_->ReleaseState(std::move(state));
}

Napi::Value DetectLanguageWorker::Result(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("languageId", Napi::Number::New(env, language_id_));
  Napi::Array probabilities = Napi::Array::New(env, probabilities_.size());
  for (size_t i = 0; i < probabilities_.size(); ++i) probabilities.Set(static_cast<uint32_t>(i), Napi::Number::New(env, probabilities_[i]));
  result.Set("probabilities", probabilities);
  return result;
}

}  // namespace whisper_napi
