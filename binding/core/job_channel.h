// The line from a running job back to the JS thread: a Node-API thread-safe function,
// created per job, that carries three kinds of message in order.
//
// - segments: whisper.cpp finished a window; its new segments, for onSegment and
//   transcribeStream().
// - progress: a percentage, for onProgress.
// - ping: a few times a second, so the JS thread can tell the job whether JS can still
//   run. worker.terminate() (or an Electron renderer closing) stops the environment while
//   the job runs; Node then waits for the job before running any cleanup hook, so the job
//   has to notice by itself: the ping's answer raises its cancel flag, and it stops at
//   whisper.cpp's next abort check.
//
// Messages are sent without blocking and never keep the event loop alive.
#pragma once

#include <node_api.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

#include "transcribe/segments.h"

namespace whisper_napi {

// True if JS can run in this environment (false once it is terminating).
bool CanRunJs(napi_env env);

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

// The JS handle of a queued job: { promise, cancel() }, cancel() raising `flag`.
napi_value MakeJobHandle(napi_env env, napi_value promise, CancelFlag flag);

class JobChannel {
 public:
  // On the JS thread. `listener` (may be empty) is called with each segments/progress
  // message as a plain object; `tokens` says whether segments carry token detail.
  JobChannel(napi_env env, CancelFlag cancel, napi_value listener, bool tokens);
  ~JobChannel();  // on the JS thread
  JobChannel(const JobChannel&) = delete;
  JobChannel& operator=(const JobChannel&) = delete;

  // From the job's thread.
  void MaybePing();
  void Segments(int first_index, std::vector<SegmentResult> segments);
  void Progress(int percent);
  bool wants_events() const { return has_listener_; }

 private:
  static constexpr std::chrono::milliseconds kPingInterval{100};

  void Send(struct ChannelMessage* message);

  napi_threadsafe_function tsfn_ = nullptr;
  CancelFlag cancel_;
  bool has_listener_ = false;
  bool tokens_ = false;
  std::atomic<int64_t> last_ping_ns_{0};
};

}  // namespace whisper_napi
