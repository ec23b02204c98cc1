#include "transcribe/transcribe_worker.h"

#include <chrono>
#include <climits>
#include <cstdint>
#include <cmath>
#include <new>

#include "audio/audio_checks.h"
#include "core/log_capture.h"
#include "core/patched_whisper.h"
#include "model/vad_model_file.h"

namespace whisper_napi {

TranscribeWorker::TranscribeWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, JobSamples samples,
                                   TranscribeParams params, Napi::Value listener, std::optional<AssistantSpec> assistant)
    : PromiseWorker(env, "whisper-napi:transcribe", "transcription"),
      model_(std::move(model)),
      assistant_(std::move(assistant)),
      samples_(std::move(samples)),
      params_(std::move(params)),
      cancel_(std::make_shared<std::atomic<bool>>(false)),
      channel_(env, cancel_, listener.IsFunction() ? static_cast<napi_value>(listener) : nullptr, params_.token_details()) {}

void TranscribeWorker::Execute() {
  const auto start = std::chrono::steady_clock::now();
  PromiseWorker::Execute();
  total_ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  // Free what this job held here, on the pool thread: the samples (if no other job shares
  // them), and the weights too if the model was disposed while the job ran (this was then
  // the last reference).
  samples_.signal.reset();
  model_.reset();
  assistant_.reset();
}

void TranscribeWorker::Run() {
  std::vector<float> padded;
  const SampleSpan samples =
      PrepareSamples(samples_.signal->data() + samples_.begin, samples_.end - samples_.begin, padded);
  if (cancel_->load()) throw NativeError(ErrorCode::Aborted, "the transcription was aborted");
  if (model_->dtw() && params_.token_details()) {
    dtw_timing_.emplace();
    // The job's own samples: token times count from their start (VAD maps them back to it).
    if (model_->dtw_snap_to_pauses()) dtw_timing_->energy = FrameEnergy(samples.data, samples.count);
  }

  // whisper.cpp loads the VAD model itself, from the path, inside whisper_full; it must be
  // checked first (see vad_model_file.h).
  if (params_.vad()) CheckVadModelFile(params_.vad_model());

  LogCapture log;
  // A pooled state keeps the previous job's text context (prompt_past) and language; only
  // jobs that reset both anyway may reuse one.
  const bool reuse_state = params_.clears_state();
  WhisperStatePtr state = reuse_state ? model_->AcquireState() : model_->NewState();
  if (!state) {
    const std::string detail = log.Text();
    throw NativeError(ErrorCode::OutOfMemory, "whisper.cpp could not allocate a decoding state" + (detail.empty() ? "" : ": " + detail));
  }

  whisper_napi_set_sampler_seed(state.get(), params_.seed());
  whisper_napi_set_window_context(state.get(), params_.window_context());
  whisper_napi_set_loop_repeats(state.get(), params_.loop_repeats());
  whisper_napi_set_grouped_attention(state.get(), params_.grouped_attention());
  whisper_full_params wparams = params_.ToWhisper();
  // whisper.cpp calls this before each encoder and decoder pass, on this thread.
  wparams.abort_callback = [](void* self) {
    auto* worker = static_cast<TranscribeWorker*>(self);
    worker->channel_.MaybePing();
    return worker->cancel_->load();
  };
  wparams.abort_callback_user_data = this;
  wparams.encoder_begin_callback = [](whisper_context*, whisper_state*, void* self) {
    auto* worker = static_cast<TranscribeWorker*>(self);
    worker->encoder_runs_++;
    if (worker->drafter_) worker->drafter_->OnEncoderBegin();
    return !worker->cancel_->load();
  };
  wparams.encoder_begin_callback_user_data = this;
  if (channel_.wants_events()) {
    wparams.new_segment_callback = [](whisper_context* ctx, whisper_state* state, int n_new, void* self) {
      auto* worker = static_cast<TranscribeWorker*>(self);
      const int total = whisper_full_n_segments_from_state(state);
      const int first = total - n_new;
      try {
        worker->channel_.Segments(first, ReadSegments(ctx, state, first, n_new, worker->params_.token_details(), worker->dtw_timing()));
      } catch (...) {
        // Out of memory for a copy: skip the event; the final result carries the segments.
      }
    };
    wparams.new_segment_callback_user_data = this;
    wparams.progress_callback = [](whisper_context*, whisper_state*, int percent, void* self) {
      auto* worker = static_cast<TranscribeWorker*>(self);
      if (percent <= worker->last_progress_) return;  // keep it monotonic
      worker->last_progress_ = percent;
      worker->channel_.Progress(percent);
    };
    wparams.progress_callback_user_data = this;
  }

  // Declared after `state`, so that on any exit it detaches from the state before the state
  // is freed; finish_drafting() detaches it before the state goes back to the pool.
  std::unique_ptr<SpeculativeDrafter> drafter;
  if (assistant_) {
    WhisperStatePtr assistant_state = assistant_->model->AcquireState();
    if (!assistant_state) throw NativeError(ErrorCode::OutOfMemory, "whisper.cpp could not allocate a decoding state for the assistant model");
    // A pooled state keeps the last job's setting: drafts are computed as upstream computes them.
    whisper_napi_set_grouped_attention(assistant_state.get(), false);
    drafter = std::make_unique<SpeculativeDrafter>(assistant_->model, std::move(assistant_state), assistant_->share_encoder,
                                                   wparams.n_threads, wparams.abort_callback, this);
    drafter->Attach(model_->context(), state.get());
    drafter_ = drafter.get();
  }
  const auto finish_drafting = [&] {
    if (!drafter) return;
    speculative_ = drafter->stats();
    drafter_ = nullptr;
    drafter.reset();
  };

  const int decoded_before = whisper_napi_decoded_tokens(state.get());  // a pooled state counts on
  const int rc = whisper_napi_full_with_state(model_->context(), state.get(), wparams, samples.data, static_cast<int>(samples.count));
  if (rc == -7) {
    // whisper.cpp freed the state itself when it failed to grow the KV cache.
    if (drafter) drafter->Forget();
    finish_drafting();
    (void)state.release();
    throw NativeError(ErrorCode::OutOfMemory, "whisper.cpp could not grow its KV cache (too many beams or candidates for the memory available)");
  }
  finish_drafting();
  if (cancel_->load()) {
    // An aborted state is as reusable as a finished one: whisper_full_with_state recomputes
    // the mel, clears the results and the KV cache and resets the decoders for every
    // window, and ggml's scheduler is reset after a failed compute. Pooling it matters:
    // freeing it and building a new one on another pool thread left each thread's glibc
    // arena holding a state's worth of memory (docs/soak.md).
    if (reuse_state) model_->ReleaseState(std::move(state));
    throw NativeError(ErrorCode::Aborted, "the transcription was aborted");
  }
  if (rc != 0) {
    const std::string detail = log.Text();
    throw NativeError(ErrorCode::Native, "whisper_full failed with code " + std::to_string(rc) + (detail.empty() ? "" : ": " + detail));
  }
  decoded_tokens_ = whisper_napi_decoded_tokens(state.get()) - decoded_before;
  language_id_ = params_.detects_language() ? whisper_full_lang_id_from_state(state.get()) : -1;
  segments_ = ReadSegments(model_->context(), state.get(), 0, whisper_full_n_segments_from_state(state.get()),
                           params_.token_details(), dtw_timing());
  if (reuse_state) model_->ReleaseState(std::move(state));
}

Napi::Value TranscribeWorker::Result(Napi::Env env) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("segments", SegmentsToJs(env, segments_, params_.token_details()));
  const char* language = language_id_ >= 0 ? whisper_lang_str(language_id_) : nullptr;
  result.Set("language", language ? Napi::Value(Napi::String::New(env, language)) : env.Null());
  result.Set("encoderRuns", Napi::Number::New(env, encoder_runs_));
  result.Set("decodedTokens", Napi::Number::New(env, decoded_tokens_));
  result.Set("totalMs", Napi::Number::New(env, total_ms_));
  if (speculative_) {
    Napi::Object stats = Napi::Object::New(env);
    stats.Set("drafted", Napi::Number::New(env, static_cast<double>(speculative_->drafted)));
    stats.Set("accepted", Napi::Number::New(env, static_cast<double>(speculative_->accepted)));
    stats.Set("decoderPasses", Napi::Number::New(env, static_cast<double>(speculative_->decoder_passes)));
    stats.Set("assistantWindows", Napi::Number::New(env, static_cast<double>(speculative_->assistant_windows)));
    stats.Set("assistantEncoderRuns", Napi::Number::New(env, static_cast<double>(speculative_->assistant_encoder_passes)));
    stats.Set("assistantMs", Napi::Number::New(env, speculative_->assistant_ms));
    stats.Set("exact", Napi::Boolean::New(env, speculative_->exact));
    result.Set("speculative", stats);
  }
  return result;
}

}  // namespace whisper_napi
