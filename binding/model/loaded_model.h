// A loaded model: the whisper_context (weights, loaded once) plus a pool of idle
// whisper_states (per-job working memory: KV caches, compute buffers), as many as jobs may
// run at once on this model, so a job reuses a state instead of building one (~0.1-1 s). Shared by the JS
// model object and every job running on it through std::shared_ptr, so disposing the
// model while a job runs never frees memory the job still uses.
#pragma once

#include <memory>
#include <mutex>
#include <vector>

#include "model/dtw_heads.h"
#include "model/model_file.h"
#include "core/whisper_handles.h"

namespace whisper_napi {

class LoadedModel {
 public:
  LoadedModel(WhisperContextPtr context, ModelFile file, int max_idle_states, DtwHeadStorage dtw_heads = nullptr, bool dtw = false,
              bool dtw_snap_to_pauses = false)
      : dtw_heads_(std::move(dtw_heads)),
        context_(std::move(context)),
        file_(std::move(file)),
        max_idle_states_(static_cast<size_t>(max_idle_states)),
        dtw_(dtw),
        dtw_snap_to_pauses_(dtw && dtw_snap_to_pauses) {
    file_.plan.clear();  // only needed while loading
    file_.stream.reset();
  }

  whisper_context* context() const { return context_.get(); }
  // Tokens are timed by DTW (t_dtw) on this model's attention (the `dtw` load option).
  bool dtw() const { return dtw_; }
  // Word boundaries move to the pauses in the audio (dtw_timing.h).
  bool dtw_snap_to_pauses() const { return dtw_snap_to_pauses_; }
  const ModelFile& file() const { return file_; }

  // An idle state from the pool, or a new one; null if whisper.cpp could not allocate it.
  WhisperStatePtr AcquireState() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!idle_states_.empty()) {
        WhisperStatePtr state = std::move(idle_states_.back());
        idle_states_.pop_back();
        return state;
      }
    }
    return NewState();
  }

  // A new state, never pooled; null if whisper.cpp could not allocate it.
  WhisperStatePtr NewState() { return WhisperStatePtr(whisper_init_state(context_.get())); }

  // Keeps the state for a later job (whisper_full_with_state resets what it needs), up to
  // the model's concurrency; beyond that it is freed.
  void ReleaseState(WhisperStatePtr state) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (idle_states_.size() < max_idle_states_) idle_states_.push_back(std::move(state));
  }

 private:
  // Custom alignment heads: the context points into them, so they are destroyed after it.
  DtwHeadStorage dtw_heads_;
  // States are declared after the context so they are destroyed first.
  WhisperContextPtr context_;
  ModelFile file_;
  size_t max_idle_states_;
  bool dtw_;
  bool dtw_snap_to_pauses_;
  std::mutex mutex_;
  std::vector<WhisperStatePtr> idle_states_;
};

}  // namespace whisper_napi
