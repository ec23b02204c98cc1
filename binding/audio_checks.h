// Checks and fixes on samples that whisper.cpp would otherwise trust, done on the worker
// thread (scanning hours of audio on the JS thread would block the event loop).
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "native_error.h"

namespace whisper_napi {

inline void PrepareSamples(std::vector<float>& samples) {
  if (samples.empty() || samples.size() > static_cast<size_t>(INT32_MAX)) {
    throw NativeError(ErrorCode::InvalidAudio, "audio must hold between 1 and 2^31-1 samples, got " + std::to_string(samples.size()));
  }
  for (size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(samples[i])) {
      throw NativeError(ErrorCode::InvalidAudio, "audio sample " + std::to_string(i) + " is " +
                                                     (std::isnan(samples[i]) ? "NaN" : "infinite") +
                                                     "; samples must be finite numbers, normally in [-1, 1]");
    }
  }
  // whisper_pcm_to_mel reflects the first 200 samples for padding whatever the length;
  // pad short input with silence so it never reads past the end. (Under 1 s, whisper.cpp
  // returns no segments anyway.)
  constexpr size_t kMinSamples = 201;
  if (samples.size() < kMinSamples) samples.resize(kMinSamples, 0.0f);
}

}  // namespace whisper_napi
