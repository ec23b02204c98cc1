#include "audio/resampler.h"

#include <cmath>
#include <numeric>
#include <stdexcept>

namespace whisper_napi {
namespace {

constexpr double kPi = 3.14159265358979323846;
// Stopband attenuation (dB) the Kaiser window is designed for.
constexpr double kStopbandDb = 80.0;
// Passband edge as a fraction of the lower Nyquist frequency; the stopband starts at it.
constexpr double kPassbandFraction = 0.9125;
// Ratios whose reduced form has more phases than this use an interpolated table.
constexpr uint64_t kMaxExactPhases = 1024;
constexpr size_t kInterpolatedRows = 512;

double BesselI0(double x) {
  double sum = 1.0, term = 1.0;
  for (int k = 1; k < 64; ++k) {
    term *= (x / (2.0 * k)) * (x / (2.0 * k));
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

}  // namespace

uint64_t Resampler::OutputLength(uint64_t in_samples, uint32_t in_rate, uint32_t out_rate) {
  if (in_rate == out_rate) return in_samples;
  return (in_samples * out_rate + in_rate - 1) / in_rate;
}

Resampler::Resampler(uint32_t in_rate, uint32_t out_rate) : in_rate_(in_rate), out_rate_(out_rate) {
  if (in_rate == 0 || out_rate == 0) throw std::invalid_argument("sample rates must be positive");
  const uint64_t divisor = std::gcd(in_rate, out_rate);
  in_step_ = in_rate / divisor;
  phases_ = out_rate / divisor;
  interpolate_ = phases_ > kMaxExactPhases;
  table_rows_ = interpolate_ ? kInterpolatedRows + 1 : phases_;

  // Kaiser design (Kaiser 1974): transition width in cycles per input sample gives the
  // length; the cutoff sits in the middle of the transition band.
  const double nyquist = std::min(in_rate, out_rate) / 2.0;
  const double transition = nyquist * (1.0 - kPassbandFraction) / in_rate;
  const double cutoff = nyquist * (1.0 + kPassbandFraction) / 2.0 / in_rate;
  const double half_width = (kStopbandDb - 7.95) / (2.285 * 2.0 * kPi * transition) / 2.0;
  const double beta = 0.1102 * (kStopbandDb - 8.7);
  const double i0_beta = BesselI0(beta);
  const auto half_taps = static_cast<size_t>(std::ceil(half_width)) + 1;
  taps_per_phase_ = 2 * half_taps;

  table_.resize(table_rows_ * taps_per_phase_);
  for (size_t row = 0; row < table_rows_; ++row) {
    const double fraction = interpolate_ ? static_cast<double>(row) / kInterpolatedRows
                                         : static_cast<double>(row) / static_cast<double>(phases_);
    float* taps = &table_[row * taps_per_phase_];
    double sum = 0.0;
    std::vector<double> row_taps(taps_per_phase_);
    for (size_t i = 0; i < taps_per_phase_; ++i) {
      // Tap i weighs input sample n - half_taps + 1 + i for an output at time n + fraction.
      const double distance = fraction + static_cast<double>(half_taps) - 1.0 - static_cast<double>(i);
      const double x = distance / half_width;
      double value = 0.0;
      if (std::fabs(x) < 1.0) {
        const double arg = 2.0 * cutoff * distance;
        const double sinc = arg == 0.0 ? 1.0 : std::sin(kPi * arg) / (kPi * arg);
        value = 2.0 * cutoff * sinc * BesselI0(beta * std::sqrt(1.0 - x * x)) / i0_beta;
      }
      row_taps[i] = value;
      sum += value;
    }
    // Unity gain at 0 Hz for every phase, so silence and DC stay exact.
    for (size_t i = 0; i < taps_per_phase_; ++i) taps[i] = static_cast<float>(row_taps[i] / sum);
  }

  history_start_ = -static_cast<int64_t>(half_taps - 1);
  history_.assign(half_taps - 1, 0.0f);
}

namespace {

float Dot(const float* a, const float* b, size_t n) {
  // Four partial sums let the compiler keep them in one vector register.
  float s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    s0 += a[i] * b[i];
    s1 += a[i + 1] * b[i + 1];
    s2 += a[i + 2] * b[i + 2];
    s3 += a[i + 3] * b[i + 3];
  }
  for (; i < n; ++i) s0 += a[i] * b[i];
  return (s0 + s1) + (s2 + s3);
}

}  // namespace

float Resampler::ComputeOutput(const float* window) const {
  const uint64_t phase = (produced_ * in_step_) % phases_;
  if (!interpolate_) return Dot(&table_[phase * taps_per_phase_], window, taps_per_phase_);
  const double position = static_cast<double>(phase) / static_cast<double>(phases_) * kInterpolatedRows;
  const auto row = static_cast<size_t>(position);
  const double weight = position - static_cast<double>(row);
  const float lower = Dot(&table_[row * taps_per_phase_], window, taps_per_phase_);
  const float upper = Dot(&table_[(row + 1) * taps_per_phase_], window, taps_per_phase_);
  return static_cast<float>(lower + weight * (upper - lower));
}

void Resampler::Process(const float* input, size_t count, std::vector<float>& out) {
  if (finished_) throw std::logic_error("Resampler::Process after Finish");
  consumed_ += count;
  if (in_rate_ == out_rate_) {
    out.insert(out.end(), input, input + count);
    produced_ += count;
    return;
  }
  history_.insert(history_.end(), input, input + count);
  Drain(static_cast<int64_t>(consumed_), out);

  // Drop what no later output needs.
  const int64_t half_taps = static_cast<int64_t>(taps_per_phase_ / 2);
  const auto next_start = static_cast<int64_t>(produced_ * in_step_ / phases_) - half_taps + 1;
  if (next_start > history_start_) {
    const auto drop = static_cast<size_t>(std::min<int64_t>(next_start - history_start_, static_cast<int64_t>(history_.size())));
    history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(drop));
    history_start_ += static_cast<int64_t>(drop);
  }
}

void Resampler::Finish(std::vector<float>& out) {
  if (finished_) return;
  finished_ = true;
  if (in_rate_ == out_rate_) return;
  // The input is followed by silence: enough of it for the last output's window.
  const size_t half_taps = taps_per_phase_ / 2;
  history_.insert(history_.end(), half_taps, 0.0f);
  Drain(static_cast<int64_t>(consumed_ + half_taps), out);
}

void Resampler::Drain(int64_t available_end, std::vector<float>& out) {
  const int64_t half_taps = static_cast<int64_t>(taps_per_phase_ / 2);
  const uint64_t target = OutputLength(consumed_, in_rate_, out_rate_);
  while (produced_ < target) {
    // The window is input [center - half_taps + 1, center + half_taps].
    const auto center = static_cast<int64_t>(produced_ * in_step_ / phases_);
    if (center + half_taps >= available_end) break;  // needs input not fed yet
    out.push_back(ComputeOutput(&history_[static_cast<size_t>(center - half_taps + 1 - history_start_)]));
    ++produced_;
  }
}

}  // namespace whisper_napi
