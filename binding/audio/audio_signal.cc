#include "audio/audio_signal.h"

#include <algorithm>
#include <string>

#include "core/native_error.h"

namespace whisper_napi {

void AudioSignal::SetSource(uint32_t sample_rate, uint32_t channels, uint64_t expected_frames) {
  if (sample_rate == 0 || channels == 0) {
    throw NativeError(ErrorCode::InvalidAudio, "the audio has a sample rate of " + std::to_string(sample_rate) + " Hz and " +
                                                   std::to_string(channels) + " channels; both must be positive");
  }
  // The resampler's filter grows with the rate ratio: bound it (src/audio/pcm.ts has the
  // same limits).
  if (sample_rate < kMinSourceRate || sample_rate > kMaxSourceRate || channels > kMaxSourceChannels) {
    throw NativeError(ErrorCode::InvalidAudio, "audio at " + std::to_string(sample_rate) + " Hz with " + std::to_string(channels) +
                                                   " channels is not supported (1000 to 768000 Hz, up to 255 channels)");
  }
  if (has_source()) {
    if (sample_rate != sample_rate_ || channels != channels_) {
      throw NativeError(ErrorCode::InvalidAudio, "the audio format changed mid-stream");
    }
    return;
  }
  sample_rate_ = sample_rate;
  channels_ = channels;
  if (expected_frames > 0) Reserve(Resampler::OutputLength(expected_frames, sample_rate, kWhisperSampleRate));
}

void AudioSignal::Release() {
  samples_ = {};
  resampler_.reset();
  mono_ = {};
  resampled_ = {};
  finished_ = true;
}

void AudioSignal::Reserve(uint64_t samples) {
  // Reserving does not touch the pages; they are faulted in as samples arrive.
  samples_.reserve(static_cast<size_t>(std::min<uint64_t>(samples, limit_)));
}

void AudioSignal::AppendInterleaved(const float* frames, size_t frame_count) {
  if (channels_ == 1) return AppendMono(frames, frame_count);
  mono_.resize(frame_count);
  const float scale = 1.0f / static_cast<float>(channels_);
  for (size_t i = 0; i < frame_count; ++i) {
    const float* frame = frames + i * channels_;
    float sum = 0.0f;
    for (uint32_t c = 0; c < channels_; ++c) sum += frame[c];
    mono_[i] = sum * scale;
  }
  AppendMono(mono_.data(), frame_count);
}

void AudioSignal::AppendMono(const float* samples, size_t count) {
  if (!has_source()) throw NativeError(ErrorCode::Native, "audio frames arrived before their format");
  if (finished_) throw NativeError(ErrorCode::Native, "audio frames arrived after the end");
  if (full()) {
    truncated_ = truncated_ || count > 0;
    return;
  }
  if (sample_rate_ == kWhisperSampleRate) return Keep(samples, count);
  // Built on first use: its filter table takes milliseconds to compute (more for unusual
  // rates), and this runs on the thread pool for any rate but 16 kHz.
  if (!resampler_) resampler_ = std::make_unique<Resampler>(sample_rate_, kWhisperSampleRate);
  resampled_.clear();
  resampler_->Process(samples, count, resampled_);
  Keep(resampled_.data(), resampled_.size());
}

void AudioSignal::Finish() {
  if (finished_) return;
  if (resampler_ && !full()) {
    resampled_.clear();
    resampler_->Finish(resampled_);
    Keep(resampled_.data(), resampled_.size());
  }
  finished_ = true;
  resampler_.reset();
  mono_ = {};
  resampled_ = {};
}

void AudioSignal::Keep(const float* samples, size_t count) {
  const size_t room = limit_ - std::min(limit_, samples_.size());
  if (count > room) truncated_ = true;
  samples_.insert(samples_.end(), samples, samples + std::min(count, room));
}

}  // namespace whisper_napi
