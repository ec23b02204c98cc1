// RAII owners for whisper.cpp handles, so no business code calls a free function.
#pragma once

#include <memory>

#include "whisper.h"

namespace whisper_napi {

struct WhisperContextDeleter {
  void operator()(whisper_context* ctx) const { whisper_free(ctx); }
};
struct WhisperStateDeleter {
  void operator()(whisper_state* state) const { whisper_free_state(state); }
};

using WhisperContextPtr = std::unique_ptr<whisper_context, WhisperContextDeleter>;
using WhisperStatePtr = std::unique_ptr<whisper_state, WhisperStateDeleter>;

}  // namespace whisper_napi
