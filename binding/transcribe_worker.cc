#include "transcribe_worker.h"

#include <chrono>
#include <climits>
#include <cstdint>
#include <cmath>
#include <new>

#include "log_capture.h"

namespace whisper_napi {

TranscribeWorker::TranscribeWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, std::vector<float> samples,
                                   TranscribeParams params)
    : SafeAsyncWorker(env, "whisper-napi:transcribe"),
      deferred_(Napi::Promise::Deferred::New(env)),
      model_(std::move(model)),
      samples_(std::move(samples)),
      params_(std::move(params)),
      cancel_(std::make_shared<std::atomic<bool>>(false)),
      probe_(env, cancel_) {}

void TranscribeWorker::Execute() {
  const auto start = std::chrono::steady_clock::now();
  try {
    Run();
  } catch (const NativeError& e) {
    error_ = e;
  } catch (const std::bad_alloc&) {
    error_ = NativeError(ErrorCode::OutOfMemory, "not enough memory for this transcription");
  } catch (const std::exception& e) {
    error_ = NativeError(ErrorCode::Native, std::string("transcription failed: ") + e.what());
  } catch (...) {
    error_ = NativeError(ErrorCode::Native, "transcription failed with an unknown native exception");
  }
  total_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // Free what this job held here, on the pool thread: the samples, and the weights too if
  // the model was disposed while the job ran (this was then the last reference).
  std::vector<float>().swap(samples_);
  model_.reset();
}

void TranscribeWorker::Run() {
  if (samples_.empty() || samples_.size() > static_cast<size_t>(INT32_MAX)) {
    throw NativeError(ErrorCode::InvalidAudio, "audio must hold between 1 and 2^31-1 samples, got " + std::to_string(samples_.size()));
  }
  // Checked here rather than in JS: scanning hours of audio would block the event loop.
  for (size_t i = 0; i < samples_.size(); ++i) {
    if (!std::isfinite(samples_[i])) {
      throw NativeError(ErrorCode::InvalidAudio, "audio sample " + std::to_string(i) + " is " +
                                                     (std::isnan(samples_[i]) ? "NaN" : "infinite") +
                                                     "; samples must be finite numbers, normally in [-1, 1]");
    }
  }
  if (cancel_->load()) throw NativeError(ErrorCode::Aborted, "the transcription was aborted");

  // whisper_pcm_to_mel reflects the first 200 samples for padding whatever the length;
  // pad short input with silence so it never reads past the end. (Under 1 s, whisper.cpp
  // returns no segments anyway.)
  constexpr size_t kMinSamples = 201;
  if (samples_.size() < kMinSamples) samples_.resize(kMinSamples, 0.0f);

  LogCapture log;
  // A pooled state keeps the previous job's text context (prompt_past) and language; only
  // jobs that reset both anyway may reuse one.
  const bool reuse_state = params_.clears_state();
  WhisperStatePtr state = reuse_state ? model_->AcquireState() : model_->NewState();
  if (!state) {
    const std::string detail = log.Text();
    throw NativeError(ErrorCode::OutOfMemory, "whisper.cpp could not allocate a decoding state" + (detail.empty() ? "" : ": " + detail));
  }

  whisper_full_params wparams = params_.ToWhisper();
  // whisper.cpp calls this before each encoder and decoder pass, on this thread.
  wparams.abort_callback = [](void* self) {
    auto* worker = static_cast<TranscribeWorker*>(self);
    worker->probe_.MaybePing();
    return worker->cancel_->load();
  };
  wparams.abort_callback_user_data = this;
  wparams.encoder_begin_callback = [](whisper_context*, whisper_state*, void* self) {
    auto* worker = static_cast<TranscribeWorker*>(self);
    worker->encoder_runs_++;
    return !worker->cancel_->load();
  };
  wparams.encoder_begin_callback_user_data = this;

  const int rc = whisper_full_with_state(model_->context(), state.get(), wparams, samples_.data(),
                                         static_cast<int>(samples_.size()));
  if (rc == -7) {
    // whisper.cpp freed the state itself when it failed to grow the KV cache.
    (void)state.release();
    throw NativeError(ErrorCode::OutOfMemory, "whisper.cpp could not grow its KV cache (too many beams or candidates for the memory available)");
  }
  if (cancel_->load()) {
    // The state may hold a half-finished window; don't return it to the pool.
    throw NativeError(ErrorCode::Aborted, "the transcription was aborted");
  }
  if (rc != 0) {
    const std::string detail = log.Text();
    throw NativeError(ErrorCode::Native, "whisper_full failed with code " + std::to_string(rc) + (detail.empty() ? "" : ": " + detail));
  }
  CollectResults(state.get());
  if (reuse_state) model_->ReleaseState(std::move(state));
}

void TranscribeWorker::CollectResults(whisper_state* state) {
  whisper_context* ctx = model_->context();
  language_id_ = params_.detects_language() ? whisper_full_lang_id_from_state(state) : -1;
  const int n_segments = whisper_full_n_segments_from_state(state);
  segments_.reserve(n_segments);
  for (int i = 0; i < n_segments; ++i) {
    SegmentResult segment;
    segment.t0 = whisper_full_get_segment_t0_from_state(state, i);
    segment.t1 = whisper_full_get_segment_t1_from_state(state, i);
    const char* text = whisper_full_get_segment_text_from_state(state, i);
    segment.text = text ? text : "";
    segment.no_speech_prob = whisper_full_get_segment_no_speech_prob_from_state(state, i);
    segment.speaker_turn_next = whisper_full_get_segment_speaker_turn_next_from_state(state, i);
    if (params_.token_details()) {
      const int n_tokens = whisper_full_n_tokens_from_state(state, i);
      segment.tokens.reserve(n_tokens);
      for (int j = 0; j < n_tokens; ++j) {
        const whisper_token_data data = whisper_full_get_token_data_from_state(state, i, j);
        TokenResult token;
        token.id = data.id;
        const char* token_text = whisper_full_get_token_text_from_state(ctx, state, i, j);
        token.text = token_text ? token_text : "";
        token.p = data.p;
        token.plog = data.plog;
        token.t0 = data.t0;
        token.t1 = data.t1;
        segment.tokens.push_back(std::move(token));
      }
    }
    segments_.push_back(std::move(segment));
  }
}

void TranscribeWorker::OnOK() {
  Napi::Env env = Env();
  if (error_) {
    deferred_.Reject(MakeError(env, error_->code(), error_->what()).Value());
    return;
  }
  Napi::Array segments = Napi::Array::New(env, segments_.size());
  for (size_t i = 0; i < segments_.size(); ++i) {
    const SegmentResult& s = segments_[i];
    Napi::Object segment = Napi::Object::New(env);
    segment.Set("t0", Napi::Number::New(env, static_cast<double>(s.t0)));
    segment.Set("t1", Napi::Number::New(env, static_cast<double>(s.t1)));
    segment.Set("text", Napi::String::New(env, s.text));
    segment.Set("noSpeechProb", Napi::Number::New(env, s.no_speech_prob));
    segment.Set("speakerTurnNext", Napi::Boolean::New(env, s.speaker_turn_next));
    if (params_.token_details()) {
      Napi::Array tokens = Napi::Array::New(env, s.tokens.size());
      for (size_t j = 0; j < s.tokens.size(); ++j) {
        const TokenResult& t = s.tokens[j];
        Napi::Object token = Napi::Object::New(env);
        token.Set("id", Napi::Number::New(env, t.id));
        token.Set("text", Napi::String::New(env, t.text));
        token.Set("p", Napi::Number::New(env, t.p));
        token.Set("plog", Napi::Number::New(env, t.plog));
        token.Set("t0", Napi::Number::New(env, static_cast<double>(t.t0)));
        token.Set("t1", Napi::Number::New(env, static_cast<double>(t.t1)));
        tokens.Set(static_cast<uint32_t>(j), token);
      }
      segment.Set("tokens", tokens);
    }
    segments.Set(static_cast<uint32_t>(i), segment);
  }
  Napi::Object result = Napi::Object::New(env);
  result.Set("segments", segments);
  const char* language = language_id_ >= 0 ? whisper_lang_str(language_id_) : nullptr;
  result.Set("language", language ? Napi::Value(Napi::String::New(env, language)) : env.Null());
  result.Set("encoderRuns", Napi::Number::New(env, encoder_runs_));
  result.Set("totalMs", Napi::Number::New(env, total_ms_));
  deferred_.Resolve(result);
}

void TranscribeWorker::OnError(const Napi::Error& error) { deferred_.Reject(error.Value()); }

}  // namespace whisper_napi
