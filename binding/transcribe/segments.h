// Segments as plain C++ values, read from a whisper_state on the worker thread and turned
// into JS objects on the JS thread (for the final result and for streamed events alike).
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "transcribe/dtw_timing.h"
#include "whisper.h"

namespace whisper_napi {

struct TokenResult {
  int id = 0;
  std::string text;
  float p = 0;
  float plog = 0;
  int64_t t0 = 0;  // centiseconds
  int64_t t1 = 0;
  int64_t t_dtw = -1;  // centiseconds: where DTW placed the token's start; -1 when it did not
};

struct SegmentResult {
  int64_t t0 = 0;  // centiseconds, as whisper.cpp reports them
  int64_t t1 = 0;
  std::string text;
  float no_speech_prob = 0;
  std::vector<TokenResult> tokens;
};

// Segments [first, first + count) of the state's current result. With `dtw` (the model was
// loaded with DTW token timing), text tokens get their times from the alignment
// (dtw_timing.h); other tokens keep whisper.cpp's t0/t1.
std::vector<SegmentResult> ReadSegments(whisper_context* ctx, whisper_state* state, int first, int count, bool tokens,
                                        const DtwTiming* dtw = nullptr);

Napi::Array SegmentsToJs(Napi::Env env, const std::vector<SegmentResult>& segments, bool tokens);

}  // namespace whisper_napi
