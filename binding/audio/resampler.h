// A streaming band-limited resampler: Kaiser-windowed sinc, polyphase.
//
// whisper.cpp's mel spectrogram looks at 0-8 kHz of 16 kHz audio, so anything between 8 kHz
// and the source's Nyquist must be removed before decimating, or it folds back into the
// speech band. The filter passes 0 to 91% of the lower Nyquist (7.3 kHz when the output is
// 16 kHz) and stops at least 80 dB from the lower Nyquist up; it has linear phase and is
// centred, so output sample k is the input at time k / out_rate exactly (no delay, as with
// sox's `rate`).
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace whisper_napi {

class Resampler {
 public:
  Resampler(uint32_t in_rate, uint32_t out_rate);

  // Output samples for `in_samples` input samples: one per output period that starts
  // before the input ends.
  static uint64_t OutputLength(uint64_t in_samples, uint32_t in_rate, uint32_t out_rate);

  // Feeds `count` input samples; appends every output sample that they complete to `out`.
  void Process(const float* input, size_t count, std::vector<float>& out);

  // Ends the input (followed by silence) and appends the remaining output samples.
  void Finish(std::vector<float>& out);

 private:
  // Computes outputs while their windows end before `available_end` (absolute input index).
  void Drain(int64_t available_end, std::vector<float>& out);
  float ComputeOutput(const float* window) const;

  uint32_t in_rate_;
  uint32_t out_rate_;
  // Output period in input samples is in_step_ / phases_ (the rates' ratio, reduced).
  uint64_t in_step_;
  uint64_t phases_;
  // Rows of taps_per_phase_ coefficients, one per phase; for ratios with too many phases,
  // a finer grid of table_rows_ fractional offsets interpolated linearly.
  bool interpolate_;
  size_t table_rows_;
  size_t taps_per_phase_;
  std::vector<float> table_;

  // Input not yet consumed, starting at absolute input index history_start_ (which is
  // negative at first: the signal is preceded by silence).
  std::vector<float> history_;
  int64_t history_start_;
  uint64_t consumed_ = 0;  // input samples fed so far
  uint64_t produced_ = 0;  // output samples computed so far
  bool finished_ = false;
};

}  // namespace whisper_napi
