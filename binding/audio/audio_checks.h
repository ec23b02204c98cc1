// Checks and fixes on samples that whisper.cpp would otherwise trust, done on the worker
// thread (scanning hours of audio on the JS thread would block the event loop).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/native_error.h"

namespace whisper_napi {

// whisper_pcm_to_mel reflects the first 200 samples for padding whatever the length, so
// shorter input is padded with silence and never read past its end. (Under 1 s, whisper.cpp
// returns no segments anyway.)
constexpr size_t kMinSamples = 201;

// Throws InvalidAudio unless [data, data + count) is 1 to 2^31-1 finite samples.
inline void CheckSamples(const float* data, size_t count) {
  if (count == 0 || count > static_cast<size_t>(INT32_MAX)) {
    throw NativeError(ErrorCode::InvalidAudio, "audio must hold between 1 and 2^31-1 samples, got " + std::to_string(count));
  }
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(data[i])) {
      throw NativeError(ErrorCode::InvalidAudio, "audio sample " + std::to_string(i) + " is " +
                                                     (std::isnan(data[i]) ? "NaN" : "infinite") +
                                                     "; samples must be finite numbers, normally in [-1, 1]");
    }
  }
}

struct SampleSpan {
  const float* data;
  size_t count;
};

// Checks [data, data + count) and returns what whisper.cpp may read: those samples, or, if
// they are fewer than kMinSamples, a copy in `padded` lengthened with silence.
inline SampleSpan PrepareSamples(const float* data, size_t count, std::vector<float>& padded) {
  CheckSamples(data, count);
  if (count >= kMinSamples) return {data, count};
  padded.assign(data, data + count);
  padded.resize(kMinSamples, 0.0f);
  return {padded.data(), padded.size()};
}

}  // namespace whisper_napi
