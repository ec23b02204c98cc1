// The cancellation flags of the jobs running in one Node environment (main thread or a
// worker thread). When the environment shuts down (worker.terminate(), process exit),
// every job is told to stop, so teardown does not wait for a long transcription.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <unordered_set>

namespace whisper_napi {

using CancelFlag = std::shared_ptr<std::atomic<bool>>;

class JobRegistry {
 public:
  void Add(const CancelFlag& flag) {
    std::lock_guard<std::mutex> lock(mutex_);
    flags_.insert(flag);
  }
  void Remove(const CancelFlag& flag) {
    std::lock_guard<std::mutex> lock(mutex_);
    flags_.erase(flag);
  }
  void CancelAll() {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const CancelFlag& flag : flags_) flag->store(true);
  }

 private:
  std::mutex mutex_;
  std::unordered_set<CancelFlag> flags_;
};

}  // namespace whisper_napi
