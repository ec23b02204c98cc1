// Knowing when the JS environment that started a job is going away.
//
// worker.terminate() (or an Electron renderer closing) stops the environment while a job
// may still be running on the thread pool. Node then waits for that work to finish before
// it runs any cleanup hook, and by the time the job completes, JS can no longer run, so
// settling its promise would fail (node-addon-api turns that into std::terminate).
//
// So each job carries a LivenessProbe: the job's worker thread pings the JS thread a few
// times a second through a thread-safe function; the JS thread answers by checking whether
// JS can still run, and raises the job's cancel flag when it can't. The job then stops at
// whisper.cpp's next abort check, and its completion skips the JS side entirely.
#pragma once

#include <node_api.h>

#include <atomic>
#include <chrono>
#include <memory>

namespace whisper_napi {

// True if JS can run in this environment (false once it is terminating).
bool CanRunJs(napi_env env);

class LivenessProbe {
 public:
  using Flag = std::shared_ptr<std::atomic<bool>>;

  // On the JS thread. The probe does not keep the event loop alive.
  LivenessProbe(napi_env env, Flag cancel);
  // On the JS thread.
  ~LivenessProbe();
  LivenessProbe(const LivenessProbe&) = delete;
  LivenessProbe& operator=(const LivenessProbe&) = delete;

  // From the job's thread, as often as convenient: pings at most every kInterval.
  void MaybePing();

 private:
  static constexpr std::chrono::milliseconds kInterval{100};

  napi_threadsafe_function tsfn_ = nullptr;
  Flag cancel_;
  std::atomic<int64_t> last_ping_ns_{0};
};

}  // namespace whisper_napi
