// The 16 kHz mono signal a job transcribes, built from audio in any rate and channel
// count: frames are down-mixed (the mean of the channels) and resampled as they arrive, so
// only the result is ever held in full, never the decoded source.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "audio/resampler.h"

namespace whisper_napi {

constexpr uint32_t kWhisperSampleRate = 16000;
constexpr uint32_t kMinSourceRate = 1000;
constexpr uint32_t kMaxSourceRate = 768000;
constexpr uint32_t kMaxSourceChannels = 255;

class AudioSignal {
 public:
  // At most `limit` samples are kept; later input is dropped and truncated() turns true.
  explicit AudioSignal(size_t limit) : limit_(limit) {}

  // Reserves room for `samples` output samples (capped at the limit).
  void Reserve(uint64_t samples);

  // The source format, given once before any frames (throws NativeError if it changes).
  // `expected_frames` (0 if unknown) reserves the output up front, so a long signal is
  // not copied while it grows.
  void SetSource(uint32_t sample_rate, uint32_t channels, uint64_t expected_frames);
  bool has_source() const { return sample_rate_ != 0; }
  uint32_t source_rate() const { return sample_rate_; }
  uint32_t source_channels() const { return channels_; }

  // Appends interleaved frames of the source format.
  void AppendInterleaved(const float* frames, size_t frame_count);
  // Appends frames already down-mixed to one channel, at the source rate.
  void AppendMono(const float* samples, size_t count);
  // Flushes the resampler: no more input.
  void Finish();
  // Frees everything now (the audio will not be used).
  void Release();

  bool finished() const { return finished_; }
  bool full() const { return samples_.size() >= limit_; }
  bool truncated() const { return truncated_; }
  size_t size() const { return samples_.size(); }
  const float* data() const { return samples_.data(); }
  std::vector<float> TakeSamples() { return std::move(samples_); }

  // Set from the JS thread to stop a decode running on the thread pool.
  void Cancel() { cancelled_.store(true); }
  bool cancelled() const { return cancelled_.load(); }

 private:
  void Keep(const float* samples, size_t count);

  size_t limit_;
  uint32_t sample_rate_ = 0;
  uint32_t channels_ = 0;
  std::unique_ptr<Resampler> resampler_;
  std::vector<float> samples_;
  std::vector<float> mono_;     // down-mixed frames of the current call
  std::vector<float> resampled_;  // resampler output of the current call
  bool finished_ = false;
  bool truncated_ = false;
  std::atomic<bool> cancelled_{false};
};

}  // namespace whisper_napi
