// One transcription on the libuv thread pool: whisper_full_with_state on a pooled state,
// results copied out into plain C++ values, then turned into JS objects on the JS thread.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "env_liveness.h"
#include "loaded_model.h"
#include "native_error.h"
#include "safe_async_worker.h"
#include "transcribe_params.h"

namespace whisper_napi {

struct TokenResult {
  int id = 0;
  std::string text;
  float p = 0;
  float plog = 0;
  int64_t t0 = 0;  // centiseconds
  int64_t t1 = 0;
};

struct SegmentResult {
  int64_t t0 = 0;  // centiseconds, as whisper.cpp reports them
  int64_t t1 = 0;
  std::string text;
  float no_speech_prob = 0;
  bool speaker_turn_next = false;
  std::vector<TokenResult> tokens;
};

class TranscribeWorker : public SafeAsyncWorker {
 public:
  TranscribeWorker(Napi::Env env, std::shared_ptr<LoadedModel> model, std::vector<float> samples,
                   TranscribeParams params);

  Napi::Promise Promise() const { return deferred_.Promise(); }
  const LivenessProbe::Flag& cancel_flag() const { return cancel_; }

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  void Run();
  void CollectResults(whisper_state* state);

  Napi::Promise::Deferred deferred_;
  std::shared_ptr<LoadedModel> model_;
  std::vector<float> samples_;
  TranscribeParams params_;
  LivenessProbe::Flag cancel_;  // set by JS (abort, dispose) or by the probe (teardown)
  LivenessProbe probe_;

  std::optional<NativeError> error_;
  std::vector<SegmentResult> segments_;
  int language_id_ = -1;
  int encoder_runs_ = 0;
  double total_ms_ = 0;
};

}  // namespace whisper_napi
