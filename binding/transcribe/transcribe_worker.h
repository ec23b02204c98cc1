// One transcription on the libuv thread pool: whisper_full_with_state on a pooled state,
// results copied out into plain C++ values, then turned into JS objects on the JS thread.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/job_channel.h"
#include "model/loaded_model.h"
#include "core/promise_worker.h"
#include "transcribe/segments.h"
#include "speculative/speculative_drafter.h"
#include "transcribe/transcribe_params.h"

namespace whisper_napi {

// The samples a job transcribes: [begin, end) of a 16 kHz signal, which other jobs may share
// (the windows or chunks of one long-form transcription, src/long-form/).
struct JobSamples {
  std::shared_ptr<const std::vector<float>> signal;
  size_t begin = 0;
  size_t end = 0;
};

// An assistant model drafting for speculative decoding (speculative_drafter.h).
struct AssistantSpec {
  std::shared_ptr<LoadedModel> model;
  bool share_encoder = false;  // its encoder weights are the main model's (assistant_pair.h)
};

class TranscribeWorker : public PromiseWorker {
 public:
  // `listener` (may be undefined) receives streamed segments and progress (job_channel.h).
  TranscribeWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, JobSamples samples,
                   TranscribeParams params, Napi::Value listener, std::optional<AssistantSpec> assistant);

  const CancelFlag& cancel_flag() const { return cancel_; }

 protected:
  void Execute() override;
  void Run() override;
  Napi::Value Result(Napi::Env env) override;

 private:
  const DtwTiming* dtw_timing() const { return dtw_timing_ ? &*dtw_timing_ : nullptr; }

  std::shared_ptr<LoadedModel> model_;
  std::optional<AssistantSpec> assistant_;
  SpeculativeDrafter* drafter_ = nullptr;  // while Run() drafts (owned there)
  JobSamples samples_;
  TranscribeParams params_;
  std::optional<DtwTiming> dtw_timing_;  // DTW models, jobs with token detail
  CancelFlag cancel_;  // set by JS (abort, dispose) or by the channel (teardown)
  JobChannel channel_;
  int last_progress_ = -1;

  std::vector<SegmentResult> segments_;
  int language_id_ = -1;
  int encoder_runs_ = 0;
  int decoded_tokens_ = 0;
  double total_ms_ = 0;
  std::optional<SpeculativeStats> speculative_;
};

}  // namespace whisper_napi
